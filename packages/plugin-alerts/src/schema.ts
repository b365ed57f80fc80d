/**
 * The JSON Schema of the `alerts` section of resource.config.yaml (the alerts plugin's options),
 * and its validation with ajv into a typed, defaulted, frozen configuration.
 */
import { Ajv, type ErrorObject } from "ajv";
import { durationSchema } from "@custodian/core";
import { AlertsConfigError, type AlertsConfigProblem } from "./errors.js";

// Core's duration schema: its x-custodian marker makes the config loader say "must be a duration
// like …" instead of quoting a regular expression.
const duration = durationSchema;

const labelName = "^[A-Za-z_][A-Za-z0-9_]*$";
const labelMap = { type: "object", propertyNames: { pattern: labelName }, additionalProperties: { type: "string" } } as const;

/** A value matcher: exact string, one of a list, or `{ regex }` / `{ notRegex }` / `{ not }`. */
const matcher = {
  anyOf: [
    { type: "string" },
    { type: "array", items: { type: "string" }, minItems: 1 },
    {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        regex: { type: "string" },
        notRegex: { type: "string" },
        not: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
      },
    },
  ],
} as const;

const selector = {
  type: "object",
  additionalProperties: false,
  properties: {
    type: matcher,
    state: matcher,
    name: matcher,
    labels: { type: "object", propertyNames: { pattern: labelName }, additionalProperties: matcher },
  },
} as const;

/** Event matcher of `event` and `transitions` rules. */
const on = {
  type: "object",
  additionalProperties: false,
  required: ["event"],
  properties: {
    event: {
      enum: [
        "resource:acquire-failed",
        "resource:released",
        "resource:settled-late",
        "resource:leak-suspected",
        "kernel:shutdown-started",
        "kernel:deadline-exceeded",
        "kernel:signal",
        "hook:error",
        "plugin:event",
      ],
    },
    plugin: { type: "string" },
    name: matcher,
    outcome: matcher,
    select: selector,
  },
} as const;

const op = { enum: [">", ">=", "<", "<=", "==", "!="] } as const;
const by = { type: "array", items: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*$" }, uniqueItems: true } as const;

const common = {
  name: { type: "string", pattern: labelName },
  kind: { type: "string" },
  labels: labelMap,
  annotations: { type: "object", additionalProperties: { type: "string" } },
  for: duration,
  keep_firing_for: duration,
} as const;

const rule = (kind: string, props: Record<string, unknown>, required: string[]): Record<string, unknown> => ({
  type: "object",
  additionalProperties: false,
  required: ["name", "kind", ...required],
  properties: { ...common, kind: { const: kind }, ...props },
});

const ruleSchema = {
  type: "object",
  required: ["name", "kind"],
  properties: { name: common.name, kind: { enum: ["threshold", "held_longer_than", "forecast", "transitions", "event"] } },
  allOf: [
    {
      if: { required: ["kind"], properties: { kind: { const: "threshold" } } },
      then: rule(
        "threshold",
        {
          select: selector,
          measure: { type: "string", minLength: 1 },
          aggregate: { enum: ["count", "sum", "max", "min", "avg"] },
          by,
          op,
          threshold: { type: "number" },
        },
        ["threshold"],
      ),
    },
    {
      if: { required: ["kind"], properties: { kind: { const: "held_longer_than" } } },
      then: rule("held_longer_than", { select: selector, duration, by }, ["duration"]),
    },
    {
      if: { required: ["kind"], properties: { kind: { const: "forecast" } } },
      then: rule(
        "forecast",
        {
          select: selector,
          measure: { type: "string", minLength: 1 },
          aggregate: { enum: ["sum", "max", "min", "avg", "count"] },
          by,
          window: duration,
          horizon: duration,
          op,
          limit: { type: "number" },
          minSamples: { type: "integer", minimum: 2 },
        },
        ["window", "horizon", "limit"],
      ),
    },
    {
      if: { required: ["kind"], properties: { kind: { const: "transitions" } } },
      then: rule("transitions", { on, by, window: duration, count: { type: "integer", minimum: 1 } }, ["on", "window", "count"]),
    },
    {
      if: { required: ["kind"], properties: { kind: { const: "event" } } },
      then: rule("event", { on, by, window: duration }, ["on"]),
    },
  ],
} as const;

const delivery = {
  timeout: duration,
  retries: { type: "integer", minimum: 0, maximum: 20 },
  backoff: duration,
  max_queue: { type: "integer", minimum: 1 },
  headers: { type: "object", additionalProperties: { type: "string" } },
  match: labelMap,
  name: { type: "string", minLength: 1 },
} as const;

const sinkSchema = {
  type: "object",
  required: ["kind"],
  properties: { kind: { enum: ["log", "webhook", "alertmanager"] } },
  allOf: [
    {
      if: { required: ["kind"], properties: { kind: { const: "log" } } },
      then: {
        type: "object",
        additionalProperties: false,
        properties: { kind: { const: "log" }, name: delivery.name, match: labelMap, stream: { enum: ["stdout", "stderr"] } },
      },
    },
    {
      if: { required: ["kind"], properties: { kind: { const: "webhook" } } },
      then: {
        type: "object",
        additionalProperties: false,
        required: ["kind", "url"],
        properties: {
          kind: { const: "webhook" },
          url: { type: "string", pattern: "^https?://" },
          group_by: { type: "array", items: { type: "string" } },
          group_wait: duration,
          group_interval: duration,
          repeat_interval: duration,
          send_resolved: { type: "boolean" },
          max_alerts: { type: "integer", minimum: 0 },
          ...delivery,
        },
      },
    },
    {
      if: { required: ["kind"], properties: { kind: { const: "alertmanager" } } },
      then: {
        type: "object",
        additionalProperties: false,
        required: ["kind", "urls"],
        properties: {
          kind: { const: "alertmanager" },
          urls: { type: "array", minItems: 1, items: { type: "string", pattern: "^https?://" } },
          resend_delay: duration,
          ...delivery,
        },
      },
    },
  ],
} as const;

/** JSON Schema of the `alerts` section (the alerts plugin's options). */
export const alertsSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    evaluationInterval: duration,
    externalURL: { type: "string" },
    rules: { type: "array", items: ruleSchema },
    inhibit: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["source_match", "target_match"],
        properties: { source_match: labelMap, target_match: labelMap, equal: { type: "array", items: { type: "string", pattern: labelName } } },
      },
    },
    sinks: { type: "array", items: sinkSchema },
  },
} as const;

// ------------------------------------------------------------------------------------------------
// Types of the validated section (durations still as written; compile converts them).

/** A duration as written: "250ms", "5s", "2m", "1h", "1d", or milliseconds. */
export type Duration = string | number;
/** A value matcher: exact, one of a list, anchored regex, its negation, or "not one of". */
export type Matcher = string | string[] | { regex: string } | { notRegex: string } | { not: string | string[] };
/** Which resources a rule looks at (state defaults to active). */
export interface SelectorConfig {
  type?: Matcher;
  state?: Matcher;
  name?: Matcher;
  labels?: Record<string, Matcher>;
}
/** A comparison operator. */
export type Op = ">" | ">=" | "<" | "<=" | "==" | "!=";
/** Which kernel events an `event` or `transitions` rule counts. */
export interface EventMatcherConfig {
  event: string;
  plugin?: string;
  name?: Matcher;
  outcome?: Matcher;
  select?: SelectorConfig;
}
interface RuleBase {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  for?: Duration;
  keep_firing_for?: Duration;
}
/** A count or aggregate over selected resources compared with a threshold. */
export interface ThresholdRuleConfig extends RuleBase {
  kind: "threshold";
  select?: SelectorConfig;
  measure?: string;
  aggregate?: "count" | "sum" | "max" | "min" | "avg";
  by?: string[];
  op?: Op;
  threshold: number;
}
/** Resources held for at least `duration` (leaks), naming the oldest. */
export interface HeldLongerThanRuleConfig extends RuleBase {
  kind: "held_longer_than";
  select?: SelectorConfig;
  duration: Duration;
  by?: string[];
}
/** A least-squares trend of an aggregate, compared with `limit` at `horizon`. */
export interface ForecastRuleConfig extends RuleBase {
  kind: "forecast";
  select?: SelectorConfig;
  measure?: string;
  aggregate?: "count" | "sum" | "max" | "min" | "avg";
  by?: string[];
  window: Duration;
  horizon: Duration;
  op?: Op;
  limit: number;
  minSamples?: number;
}
/** At least `count` matching events within `window` (flapping). */
export interface TransitionsRuleConfig extends RuleBase {
  kind: "transitions";
  on: EventMatcherConfig;
  by?: string[];
  window: Duration;
  count: number;
}
/** A matching kernel event fires an alert held for `window`. */
export interface EventRuleConfig extends RuleBase {
  kind: "event";
  on: EventMatcherConfig;
  by?: string[];
  window?: Duration;
}
/** Any rule of the `alerts.rules` list. */
export type RuleConfig = ThresholdRuleConfig | HeldLongerThanRuleConfig | ForecastRuleConfig | TransitionsRuleConfig | EventRuleConfig;

/** A firing `source_match` alert mutes `target_match` alerts with the same `equal` labels. */
export interface InhibitRuleConfig {
  source_match: Record<string, string>;
  target_match: Record<string, string>;
  equal?: string[];
}
interface DeliveryConfig {
  name?: string;
  match?: Record<string, string>;
  timeout?: Duration;
  retries?: number;
  backoff?: Duration;
  max_queue?: number;
  headers?: Record<string, string>;
}
/** One structured line per state change. */
export interface LogSinkConfig {
  kind: "log";
  name?: string;
  match?: Record<string, string>;
  stream?: "stdout" | "stderr";
}
/** Alertmanager-v4 webhook payloads, grouped like Alertmanager. */
export interface WebhookSinkConfig extends DeliveryConfig {
  kind: "webhook";
  url: string;
  group_by?: string[];
  group_wait?: Duration;
  group_interval?: Duration;
  repeat_interval?: Duration;
  send_resolved?: boolean;
  max_alerts?: number;
}
/** POST /api/v2/alerts to each URL, re-sent while firing. */
export interface AlertmanagerSinkConfig extends DeliveryConfig {
  kind: "alertmanager";
  urls: string[];
  resend_delay?: Duration;
}
/** Any sink of the `alerts.sinks` list. */
export type SinkConfig = LogSinkConfig | WebhookSinkConfig | AlertmanagerSinkConfig;

/** The `alerts` section of resource.config.yaml. */
export interface AlertsConfig {
  evaluationInterval?: Duration;
  externalURL?: string;
  rules?: RuleConfig[];
  inhibit?: InhibitRuleConfig[];
  sinks?: SinkConfig[];
}

let validator: ReturnType<Ajv["compile"]> | undefined;

/** Turns ajv errors into one problem per path: `if` and anyOf branch noise removed. */
function toProblems(config: unknown, errors: ErrorObject[]): AlertsConfigProblem[] {
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: AlertsConfigProblem[] = [];
  for (const e of errors) {
    if (e.keyword === "if") continue;
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath)) continue;
    let path = e.instancePath;
    let message = e.message ?? "is invalid";
    if (e.keyword === "additionalProperties") {
      path += `/${String((e.params as { additionalProperty: string }).additionalProperty)}`;
      message = "is not a known property";
    } else if (e.keyword === "enum") {
      message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    } else if (e.keyword === "anyOf") {
      message = JSON.stringify(e.schema).includes("ms|s|m|h|d")
        ? 'must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0'
        : "must be a string, a list of strings, or one of { regex }, { notRegex }, { not }";
    }
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, rule: ruleNameAt(config, path), message });
  }
  return out;
}

function ruleNameAt(config: unknown, path: string): string | undefined {
  const m = /^\/rules\/(\d+)/.exec(path);
  if (m === null) return undefined;
  const r = (config as { rules?: Array<{ name?: unknown }> }).rules?.[Number(m[1])];
  return typeof r?.name === "string" ? r.name : undefined;
}

/**
 * Validates the `alerts` section against `alertsSchema`, then checks what a schema cannot say
 * (unique rule names, parsable measures). Returns the section unchanged (typed).
 * @throws AlertsConfigError ERR_ALERTS_INVALID_RULE naming each problem's path and rule.
 */
export function validateAlertsConfig(config: unknown): AlertsConfig {
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(alertsSchema);
  if (!validator(config)) throw new AlertsConfigError(toProblems(config, validator.errors ?? []));
  const cfg = config as AlertsConfig;
  const problems: AlertsConfigProblem[] = [];
  const names = new Map<string, number>();
  (cfg.rules ?? []).forEach((r, i) => {
    // Alert identity is the label set: two rules with one name would share alerts.
    if (names.has(r.name))
      problems.push({ path: `/rules/${i}/name`, rule: r.name, message: `duplicates the name of rule ${names.get(r.name)}; rule names are unique` });
    names.set(r.name, i);
  });
  if (problems.length > 0) throw new AlertsConfigError(problems);
  return cfg;
}
