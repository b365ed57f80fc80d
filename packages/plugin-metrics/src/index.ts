/**
 * @custodian/plugin-metrics — Prometheus metrics of the kernel's resources, pools, breakers and
 * alerts, in a prom-client registry owned by the kernel, with an optional /metrics endpoint.
 */
export { BREAKER_STATES, createMetricsPlugin, metricsOf, metricsPlugin, POOL_GAUGES } from "./metricsPlugin.js";
export type { MetricsApi } from "./metricsPlugin.js";
export { metricsSchema, validateMetricsOptions } from "./schema.js";
export type { MetricsOptions } from "./schema.js";
export { MetricsEndpointError, MetricsErrorCodes, MetricsNotAppliedError, MetricsOptionsError, MetricsRemoteBindError } from "./errors.js";

/** The plugin, as the default export: `plugins: ["@custodian/plugin-metrics"]` in resource.config.yaml. */
export { metricsPlugin as default } from "./metricsPlugin.js";
