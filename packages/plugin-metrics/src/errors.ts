/**
 * Errors of @custodian/plugin-metrics.
 */
import { KernelError } from "@custodian/core";

/** Every error code of plugin-metrics, keyed by itself. */
export const MetricsErrorCodes = Object.freeze({
  ERR_METRICS_INVALID_OPTIONS: "ERR_METRICS_INVALID_OPTIONS",
  ERR_METRICS_NOT_APPLIED: "ERR_METRICS_NOT_APPLIED",
  ERR_METRICS_ENDPOINT: "ERR_METRICS_ENDPOINT",
  ERR_METRICS_REMOTE_BIND: "ERR_METRICS_REMOTE_BIND",
} as const);

/** The metrics plugin's options are invalid. */
export class MetricsOptionsError extends KernelError {
  constructor(problems: string[]) {
    super("ERR_METRICS_INVALID_OPTIONS", `Invalid metrics options:\n${problems.map((p) => `  metrics${p}`).join("\n")}`);
  }
}

/** `metricsOf(kernel)` on a kernel where the metrics plugin was not applied. */
export class MetricsNotAppliedError extends KernelError {
  constructor() {
    super(
      "ERR_METRICS_NOT_APPLIED",
      "metricsOf(kernel): the metrics plugin is not applied to this kernel; add it to createKernel({ plugins: [metricsPlugin] })",
    );
  }
}

/** The /metrics endpoint could not listen (port in use, bad host). */
export class MetricsEndpointError extends KernelError {
  constructor(address: string, cause: unknown) {
    super(
      "ERR_METRICS_ENDPOINT",
      `The /metrics endpoint could not listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}. Pick another metrics.endpoint.port, or 0 for any free port.`,
      { cause },
    );
  }
}

/** The /metrics endpoint was asked to bind a non-loopback interface without `allowRemote: true` and a `token`. */
export class MetricsRemoteBindError extends KernelError {
  constructor(host: string) {
    super(
      "ERR_METRICS_REMOTE_BIND",
      `metrics.endpoint.host "${host}" is not a loopback address; an endpoint reachable from the network needs allowRemote: true and a token (scrapers then send Authorization: Bearer <token>), or bind 127.0.0.1`,
    );
  }
}
