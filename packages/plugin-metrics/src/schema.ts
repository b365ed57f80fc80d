/**
 * Options of the metrics plugin (its `options` in the `plugins` list) and their JSON Schema.
 */
import { Ajv } from "ajv";
import { MetricsOptionsError } from "./errors.js";

/** Options of the metrics plugin. */
export interface MetricsOptions {
  /** Metric name prefix. Default "custodian_". */
  prefix?: string;
  /** Most series one metric keeps; further label sets are not exported and are counted. Default 500. */
  maxSeries?: number;
  /** Buckets (seconds) of the acquire duration histogram. */
  buckets?: number[];
  /** Labels added to every series (e.g. `service`). */
  defaultLabels?: Record<string, string>;
  /**
   * Serve `/metrics` over HTTP, bound to 127.0.0.1 unless `host` says otherwise. It answers only
   * a `Host` that is a loopback name with its port, the bound IP literal, or one of `allowedHosts`
   * (others get 421). A non-loopback `host` needs `allowRemote: true` and a `token`, which every
   * scrape then sends as `Authorization: Bearer <token>`.
   */
  endpoint?: { host?: string; port?: number; path?: string; allowedHosts?: string[]; allowRemote?: boolean; token?: string };
}

/** JSON Schema of the metrics plugin's options. */
export const metricsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    prefix: { type: "string", pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$" },
    maxSeries: { type: "integer", minimum: 1 },
    buckets: { type: "array", items: { type: "number", exclusiveMinimum: 0 }, minItems: 1 },
    defaultLabels: { type: "object", propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }, additionalProperties: { type: "string" } },
    endpoint: {
      type: "object",
      additionalProperties: false,
      properties: {
        host: { type: "string", minLength: 1 },
        port: { type: "integer", minimum: 0, maximum: 65535 },
        path: { type: "string", pattern: "^/" },
        allowedHosts: {
          type: "array",
          items: { type: "string", minLength: 1 },
          description: "More Host names the endpoint answers (name, or name:port), besides localhost/127.0.0.1/[::1] with its port",
        },
        allowRemote: { type: "boolean", description: "Allow a non-loopback host (needs token)" },
        token: { "x-custodian": "secret", type: "string", minLength: 16, description: "Bearer token every scrape must send; required with allowRemote" },
      },
    },
  },
} as const;

let validator: ReturnType<Ajv["compile"]> | undefined;

/**
 * Validates the metrics options.
 * @throws MetricsOptionsError ERR_METRICS_INVALID_OPTIONS naming each path.
 */
export function validateMetricsOptions(options: unknown): MetricsOptions {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(metricsSchema);
  if (!validator(options)) {
    throw new MetricsOptionsError(
      (validator.errors ?? []).map((e) =>
        e.keyword === "additionalProperties"
          ? `${e.instancePath.replaceAll("/", ".")}.${String((e.params as { additionalProperty: string }).additionalProperty)}: is not a known option`
          : `${e.instancePath.replaceAll("/", ".")}: ${e.message ?? "is invalid"}`,
      ),
    );
  }
  return options as MetricsOptions;
}
