import { isKernelError } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { MetricsEndpointError, MetricsOptionsError, MetricsRemoteBindError } from "../src/index.js";

describe("plugin-metrics error codes", () => {
  it("messages name the subject and the fix", () => {
    const e = new MetricsEndpointError("127.0.0.1:9464", new Error("listen EADDRINUSE"));
    expect(isKernelError(e, "ERR_METRICS_ENDPOINT")).toBe(true);
    expect(e.message).toBe(
      "The /metrics endpoint could not listen on 127.0.0.1:9464: listen EADDRINUSE. Pick another metrics.endpoint.port, or 0 for any free port.",
    );
    expect(new MetricsOptionsError([".port: is not a known option"]).message).toBe("Invalid metrics options:\n  metrics.port: is not a known option");
    const remote = new MetricsRemoteBindError("0.0.0.0");
    expect(isKernelError(remote, "ERR_METRICS_REMOTE_BIND")).toBe(true);
    expect(remote.message).toBe(
      'metrics.endpoint.host "0.0.0.0" is not a loopback address; an endpoint reachable from the network needs allowRemote: true and a token (scrapers then send Authorization: Bearer <token>), or bind 127.0.0.1',
    );
  });
});
