/**
 * @custodian/plugin-alerts — alert rules over the kernel's resources and events, with Prometheus
 * semantics, and log, webhook, Alertmanager and RxJS sinks.
 */
export { alertsOf, alertsPlugin, createAlertsPlugin } from "./alertsPlugin.js";
export type { AlertsApi, AlertsRuntimeOptions, AlertsStats } from "./alertsPlugin.js";
export { AlertEngine, fingerprint, renderTemplate } from "./AlertEngine.js";
export type { Alert, AlertChange, AlertState } from "./AlertEngine.js";
export { alertsSchema, validateAlertsConfig } from "./schema.js";
export type {
  AlertmanagerSinkConfig,
  AlertsConfig,
  Duration,
  EventMatcherConfig,
  EventRuleConfig,
  ForecastRuleConfig,
  HeldLongerThanRuleConfig,
  InhibitRuleConfig,
  LogSinkConfig,
  Matcher,
  Op,
  RuleConfig,
  SelectorConfig,
  SinkConfig,
  ThresholdRuleConfig,
  TransitionsRuleConfig,
  WebhookSinkConfig,
} from "./schema.js";
export { compileRules, humanDuration, predictLinear } from "./rules.js";
export type { CompiledRule, EvalContext, Sample } from "./rules.js";
export { compileSelector, parseMeasure } from "./selector.js";
export type { ResourceView } from "./selector.js";
export {
  AlertsConfigError,
  AlertsErrorCodes,
  AlertsNotAppliedError,
  DeliveryFailedError,
  RuleTestFailedError,
} from "./errors.js";
export type { AlertsConfigProblem } from "./errors.js";
export type { DeliveryStats } from "./sinks/DeliveryQueue.js";
export type { WebhookPayload } from "./sinks/WebhookSink.js";
export type { PostableAlert } from "./sinks/AlertmanagerSink.js";
export { assertRuleTest, expandSeries, runRuleTest } from "./testing.js";
export type { RuleTest, RuleTestEvent, RuleTestExpectation, RuleTestResource, Series } from "./testing.js";
export { exportPrometheusRules, POOL_DETAIL_METRICS, promDuration } from "./exportPrometheusRules.js";
export type { ExportOptions } from "./exportPrometheusRules.js";

/** The plugin, as the default export: `plugins: ["@custodian/plugin-alerts"]` in resource.config.yaml. */
export { alertsPlugin as default } from "./alertsPlugin.js";
