import { readFileSync } from "node:fs";
import { isKernelError } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { MetricsEndpointError, MetricsErrorCodes, MetricsOptionsError } from "../src/index.js";

const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

describe("plugin-metrics error codes", () => {
  it("are unique, equal their keys, follow ERR_METRICS_*, and are documented", () => {
    const values = Object.values(MetricsErrorCodes);
    expect(new Set(values).size).toBe(values.length);
    for (const [key, code] of Object.entries(MetricsErrorCodes)) {
      expect(code).toBe(key);
      expect(code).toMatch(/^ERR_METRICS_[A-Z_]+$/);
      expect(docs).toContain(`### ${code}\n`);
    }
  });

  it("messages name the subject and the fix", () => {
    const e = new MetricsEndpointError("127.0.0.1:9464", new Error("listen EADDRINUSE"));
    expect(isKernelError(e, "ERR_METRICS_ENDPOINT")).toBe(true);
    expect(e.message).toBe("The /metrics endpoint could not listen on 127.0.0.1:9464: listen EADDRINUSE. Pick another metrics.endpoint.port, or 0 for any free port.");
    expect(new MetricsOptionsError([".port: is not a known option"]).message).toBe("Invalid metrics options:\n  metrics.port: is not a known option");
  });
});
