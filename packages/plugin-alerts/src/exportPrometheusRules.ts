/**
 * `custodian rules export --prometheus`: writes the rules that map to PromQL over
 * @custodian/plugin-metrics' metrics as a Prometheus rules file. Rules that cannot be expressed
 * (selectors on resource names or labels, measures over non-pool details) are listed as comments.
 */
import { parseDuration } from "@custodian/core";
import { stringify } from "yaml";
import type { AlertsConfig, EventMatcherConfig, Matcher, RuleConfig, SelectorConfig } from "./schema.js";
import { parseMeasure, type MeasureNode } from "./selector.js";

/** Options of `exportPrometheusRules`. */
export interface ExportOptions {
  /** Metric name prefix used by plugin-metrics. Default "custodian_". */
  prefix?: string;
  /** Name of the rule group. Default "custodian". */
  group?: string;
}

/** Snapshot detail fields of pool-like resources and the plugin-metrics gauge of each. */
export const POOL_DETAIL_METRICS: Readonly<Record<string, string>> = Object.freeze({
  size: "pool_size",
  borrowed: "pool_in_use",
  idle: "pool_idle",
  pending: "pool_pending",
  max: "pool_capacity",
});

class NotExportable extends Error {}

/** Formats ms as a Prometheus duration ("90s" → "90s", 120000 → "2m"). */
export function promDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms)}ms`;
}

const q = (s: string): string => JSON.stringify(s);
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function promMatcher(label: string, m: Matcher): string {
  if (typeof m === "string") return `${label}=${q(m)}`;
  if (Array.isArray(m)) return m.length === 1 ? `${label}=${q(m[0])}` : `${label}=~${q(m.map(reEscape).join("|"))}`;
  if ("regex" in m) return `${label}=~${q(m.regex)}`;
  if ("notRegex" in m) return `${label}!~${q(m.notRegex)}`;
  const not = Array.isArray(m.not) ? m.not : [m.not];
  return not.length === 1 ? `${label}!=${q(not[0])}` : `${label}!~${q(not.map(reEscape).join("|"))}`;
}

/** Label matchers for a selector over metrics carrying `allowed` labels. */
function selectorMatchers(sel: SelectorConfig | undefined, allowed: { state: boolean; name: boolean }): string[] {
  const out: string[] = [];
  if (sel?.labels !== undefined && Object.keys(sel.labels).length > 0) throw new NotExportable("selects on resource labels, which metrics do not carry");
  if (sel?.type !== undefined) out.push(promMatcher("type", sel.type));
  if (sel?.name !== undefined) {
    if (!allowed.name) throw new NotExportable("selects on resource names, which this metric does not carry");
    out.push(promMatcher("name", sel.name));
  }
  if (allowed.state) out.push(promMatcher("state", sel?.state ?? "active"));
  else if (sel?.state !== undefined && sel.state !== "active") throw new NotExportable("selects a state other than active for a gauge of active resources");
  return out;
}

function byClause(by: readonly string[] | undefined, allowed: readonly string[]): string {
  const labels = (by ?? []).map((b) => {
    if (!allowed.includes(b)) throw new NotExportable(`groups by ${b}, which the metric does not carry (it has ${allowed.join(", ")})`);
    return b;
  });
  return `by (${labels.join(", ")})`;
}

function measureExpr(node: MeasureNode, sel: string, p: string): string {
  switch (node.kind) {
    case "num":
      return String(node.value);
    case "path": {
      const [head, field, ...rest] = node.path;
      const metric = head === "details" && rest.length === 0 && field !== undefined ? POOL_DETAIL_METRICS[field] : undefined;
      if (metric === undefined)
        throw new NotExportable(`measures ${node.path.join(".")}; only details.${Object.keys(POOL_DETAIL_METRICS).join("/")} have metrics`);
      return `${p}${metric}{${sel}}`;
    }
    case "bin":
      return `(${measureExpr(node.left, sel, p)} ${node.op} ${measureExpr(node.right, sel, p)})`;
  }
}

function gaugeExpr(rule: { select?: SelectorConfig; measure?: string; aggregate?: string; by?: string[] }, p: string): string {
  if (rule.measure === undefined) {
    const agg = rule.aggregate ?? "count";
    if (agg !== "count" && agg !== "sum") throw new NotExportable(`aggregates ${agg} without a measure`);
    const sel = selectorMatchers(rule.select, { state: true, name: false }).join(", ");
    const by = byClause(rule.by, ["type", "state"]);
    const expr = `sum ${by} (${p}resources{${sel}})`;
    // Our count over nothing is 0; PromQL's sum over nothing is empty.
    return (rule.by ?? []).length === 0 ? `(${expr} or vector(0))` : expr;
  }
  const sel = selectorMatchers(rule.select, { state: false, name: true }).join(", ");
  const inner = measureExpr(parseMeasure(rule.measure), sel, p);
  const agg = rule.aggregate ?? "max";
  return `${agg} ${byClause(rule.by, ["type", "name"])} (${inner})`;
}

/**
 * Events of a counter within the window, exactly: the growth since `w` ago, or the whole value of a
 * series younger than the window (its first events included). `increase()` would extrapolate
 * (5 transitions read as 3.67) and miss a series' first event.
 */
const counted = (series: string, w: string): string => `(${series} - ${series} offset ${w}) or ${series}`;

function eventExpr(on: EventMatcherConfig, by: readonly string[] | undefined, windowMs: number, p: string): string {
  const w = promDuration(windowMs);
  if (on.event === "plugin:event") {
    if (on.name === "breaker:state-changed" || (typeof on.name === "string" && on.name.startsWith("breaker:"))) {
      // plugin-metrics names a breaker by data.breaker, data.key, or data.agent + data.origin.
      const b = (by ?? []).map((x) => (["data.breaker", "data.key", "data.agent", "data.origin"].includes(x) ? "breaker" : x));
      return `sum ${byClause(b, ["breaker", "from", "to"])} (${counted(`${p}breaker_transitions_total`, w)})`;
    }
    const m = [on.plugin === undefined ? undefined : `plugin=${q(on.plugin)}`, on.name === undefined ? undefined : promMatcher("name", on.name)].filter(
      (x) => x !== undefined,
    );
    return `sum ${byClause(by, ["plugin", "name"])} (${counted(`${p}plugin_events_total{${m.join(", ")}}`, w)})`;
  }
  if (on.event === "resource:released" && on.outcome !== undefined) {
    const m = [...(on.select?.type === undefined ? [] : [promMatcher("type", on.select.type)]), promMatcher("outcome", on.outcome)];
    if (on.select?.name !== undefined || on.select?.labels !== undefined) throw new NotExportable("selects events on resource names or labels");
    return `sum ${byClause(by, ["type", "outcome"])} (${counted(`${p}releases_total{${m.join(", ")}}`, w)})`;
  }
  if (on.name !== undefined || on.outcome !== undefined || on.select?.name !== undefined || on.select?.labels !== undefined) {
    throw new NotExportable("matches event fields that custodian_events_total does not carry");
  }
  const m = [`event=${q(on.event)}`, ...(on.select?.type === undefined ? [] : [promMatcher("type", on.select.type)])];
  return `sum ${byClause(by, ["event", "type"])} (${counted(`${p}events_total{${m.join(", ")}}`, w)})`;
}

function ruleExpr(rule: RuleConfig, evaluationIntervalMs: number, p: string): string {
  switch (rule.kind) {
    case "threshold":
      return `${gaugeExpr(rule, p)} ${rule.op ?? ">"} ${rule.threshold}`;
    case "held_longer_than": {
      const sel = selectorMatchers(rule.select, { state: false, name: false }).join(", ");
      const secs = parseDuration(rule.duration) / 1000;
      return `max ${byClause(rule.by ?? ["type"], ["type"])} (${p}resource_oldest_age_seconds{${sel}}) >= ${secs}`;
    }
    case "forecast": {
      const window = promDuration(parseDuration(rule.window));
      const step = promDuration(evaluationIntervalMs);
      const horizon = parseDuration(rule.horizon) / 1000;
      const gauge = gaugeExpr(rule, p);
      const minSamples = Math.max(2, rule.minSamples ?? 5);
      // As Custodian: enough samples in the window, and only while the series still exists.
      // Comparisons bind tighter than `and`: ((predict >= limit) and (count >= n)) and gauge.
      return (
        `predict_linear((${gauge})[${window}:${step}], ${horizon}) ${rule.op ?? ">="} ${rule.limit}` +
        ` and count_over_time((${gauge})[${window}:${step}]) >= ${minSamples} and (${gauge})`
      );
    }
    case "transitions":
      return `${eventExpr(rule.on, rule.by, parseDuration(rule.window), p)} >= ${rule.count}`;
    case "event":
      return `${eventExpr(rule.on, rule.by, parseDuration(rule.window ?? "5m"), p)} > 0`;
  }
}

/**
 * Writes a Prometheus rules file (YAML) for the rules of an `alerts` section that map to PromQL
 * over plugin-metrics' metrics; the others are listed in a leading comment with the reason.
 * @example
 *   writeFileSync("custodian.rules.yml", exportPrometheusRules(config.alerts))
 */
export function exportPrometheusRules(alerts: AlertsConfig, options: ExportOptions = {}): string {
  const prefix = options.prefix ?? "custodian_";
  const intervalMs = parseDuration(alerts.evaluationInterval ?? "15s");
  const rules: Array<Record<string, unknown>> = [];
  const skipped: string[] = [];
  for (const rule of alerts.rules ?? []) {
    let expr: string;
    try {
      expr = ruleExpr(rule, intervalMs, prefix);
    } catch (error) {
      if (!(error instanceof NotExportable)) throw error;
      skipped.push(`${rule.name}: ${error.message}`);
      continue;
    }
    const out: Record<string, unknown> = { alert: rule.name, expr };
    if (rule.for !== undefined && parseDuration(rule.for) > 0) out.for = promDuration(parseDuration(rule.for));
    if (rule.keep_firing_for !== undefined && parseDuration(rule.keep_firing_for) > 0) out.keep_firing_for = promDuration(parseDuration(rule.keep_firing_for));
    if (rule.labels !== undefined && Object.keys(rule.labels).length > 0) out.labels = { ...rule.labels };
    if (rule.annotations !== undefined && Object.keys(rule.annotations).length > 0) {
      try {
        out.annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, toPrometheusTemplate(v, prefix)]));
      } catch (error) {
        if (!(error instanceof NotExportable)) throw error;
        skipped.push(`${rule.name}: ${error.message}`);
        continue;
      }
    }
    rules.push(out);
  }
  const header = [
    "# Generated by @custodian/plugin-alerts exportPrometheusRules: PromQL over @custodian/plugin-metrics.",
    ...(skipped.length === 0 ? [] : ["# Not exported (no PromQL equivalent over the exported metrics):", ...skipped.map((s) => `#   ${s}`)]),
  ].join("\n");
  const doc = { groups: [{ name: options.group ?? "custodian", interval: promDuration(intervalMs), rules }] };
  return `${header}\n${stringify(doc, { lineWidth: 0 })}`;
}

/**
 * Custodian's rule-specific template values in Prometheus terms: `$oldestAge` is the exported
 * held_longer_than's `$value` (the oldest age in seconds) through `humanizeDuration`; `$oldest` and
 * `$oldestId` read plugin-metrics' `resource_oldest_info{type,name,id}` with `query` (the rule
 * groups by type); `$count` and `$current` have no equivalent in the metrics, so a rule using them is
 * not exported.
 */
function toPrometheusTemplate(text: string, p: string): string {
  const missing = /\$(current|count)\b/.exec(text);
  if (missing !== null) throw new NotExportable(`its annotations use $${missing[1]}, which the metrics do not carry`);
  const oldest = (label: "name" | "id"): string =>
    `{{ with printf "${p}resource_oldest_info{type=%q}" $labels.type | query }}{{ with first . }}{{ .Labels.${label} }}{{ end }}{{ end }}`;
  return text
    .replace(/\{\{-?\s*\$oldest\s*-?\}\}/g, oldest("name"))
    .replace(/\{\{-?\s*\$oldestId\s*-?\}\}/g, oldest("id"))
    .replace(/\$oldestAge\b/g, "($value | humanizeDuration)")
    .replace(/\$oldest(Id)?\b/g, () => {
      throw new NotExportable("its annotations use $oldest or $oldestId inside a larger template action; write {{ $oldest }} on its own");
    });
}
