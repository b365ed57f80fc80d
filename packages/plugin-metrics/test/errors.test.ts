import { isKernelError } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { MetricsEndpointError, MetricsOptionsError } from "../src/index.js";

describe("plugin-metrics error codes", () => {
  it("messages name the subject and the fix", () => {
    const e = new MetricsEndpointError("127.0.0.1:9464", new Error("listen EADDRINUSE"));
    expect(isKernelError(e, "ERR_METRICS_ENDPOINT")).toBe(true);
    expect(e.message).toBe(
      "The /metrics endpoint could not listen on 127.0.0.1:9464: listen EADDRINUSE. Pick another metrics.endpoint.port, or 0 for any free port.",
    );
    expect(new MetricsOptionsError([".port: is not a known option"]).message).toBe("Invalid metrics options:\n  metrics.port: is not a known option");
  });
});
