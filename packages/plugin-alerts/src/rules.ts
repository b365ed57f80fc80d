/**
 * Compiles the five rule kinds (threshold, held_longer_than, forecast, transitions, event) into
 * evaluators. Each evaluation returns the label groups whose condition holds now, with a value.
 */
import { parseDuration, type KernelEvent, type ResourceSnapshot } from "@custodian/core";
import { AlertsConfigError } from "./errors.js";
import { formatFloat } from "./goFormat.js";
import { compileTemplate, TemplateSyntaxError, type Template } from "./template.js";
import type { AlertsConfig, EventMatcherConfig, Op, RuleConfig } from "./schema.js";
import {
  compare,
  compileBy,
  compileMatcher,
  compileMeasure,
  compileSelector,
  labelValue,
  parseMeasure,
  readPath,
  resourceField,
  type GroupKey,
  type ResourceView,
  type Selector,
} from "./selector.js";

/** One group whose condition holds: its labels (from `by`), its value, and extra template values. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
  /** The group's key within its rule (identifies the group without hashing labels). */
  key?: string;
  vars?: Record<string, string>;
}

/** What one evaluation reads: the kernel snapshot, indexed by type, at `now`. */
export interface EvalContext {
  readonly now: number;
  /** Every resource (may be empty when evaluating from the live index: rules read `byType`). */
  readonly resources: readonly ResourceView[];
  readonly byType: ReadonlyMap<string, readonly ResourceView[]>;
  /** Per-evaluation cache of selections and groupings shared by rules. */
  readonly memo?: Map<string, unknown>;
  /** Group labels kept across evaluations, by selection signature and group key. */
  readonly labelCache?: Map<string, Map<string, Record<string, string>>>;
}

/** A compiled rule. */
export interface CompiledRule {
  readonly name: string;
  readonly kind: RuleConfig["kind"];
  readonly config: RuleConfig;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** True when an annotation has a template, so it is re-rendered on each evaluation. */
  readonly templated: boolean;
  /** Compiled annotation templates. */
  readonly annotationTemplates: ReadonlyArray<readonly [string, Template]>;
  /** Rule labels with templates (expanded per alert, part of its identity), or undefined. */
  readonly labelTemplates: ReadonlyArray<readonly [string, Template]> | undefined;
  evaluate(ctx: EvalContext): Sample[];
  /** Event rules only: records a matching kernel event. */
  observe?(event: EventView): void;
}

/** A kernel event as event rules see it (`by` paths read these fields). */
export interface EventView {
  at: number;
  event: string;
  type: string | undefined;
  name: string | undefined;
  id: string | undefined;
  plugin: string | undefined;
  /** A plugin event's own name (`breaker:state-changed`). */
  eventName: string | undefined;
  outcome: string | undefined;
  reason: string | undefined;
  data: Record<string, unknown> | undefined;
  labels: Record<string, string>;
}

/** Flattens a kernel event; resource labels come from `labelsOf(name)`. */
export function toEventView(e: KernelEvent, labelsOf: (name: string | undefined) => Record<string, string>): EventView {
  const r = e as Partial<{ resourceType: string; name: string; id: string; outcome: string; reason: string; plugin: string; data: Record<string, unknown> }>;
  const isPlugin = e.type === "plugin:event";
  return {
    at: e.at,
    event: e.type,
    type: r.resourceType,
    name: isPlugin ? undefined : r.name,
    id: r.id,
    plugin: isPlugin ? r.plugin : undefined,
    eventName: isPlugin ? (e as { name: string }).name : undefined,
    outcome: r.outcome,
    reason: r.reason ?? (e.type === "kernel:shutdown-started" ? e.reason : undefined),
    data: isPlugin ? r.data : undefined,
    labels: isPlugin ? {} : labelsOf(r.name),
  };
}

const EVENT_BUFFER_MAX = 10_000;
const DEFAULT_EVENT_WINDOW_MS = 5 * 60_000;
const DEFAULT_MIN_SAMPLES = 5;

type Aggregate = "count" | "sum" | "max" | "min" | "avg";

type Field<T> = (item: T, path: readonly string[]) => unknown;

/** The group of one item: key first, labels only for a new group (the hot loop allocates nothing else). */
function groupKey<T>(by: GroupKey[], item: T, field: Field<T>): string {
  if (by.length === 1) return labelValue(field(item, by[0].path));
  let key = "";
  for (const g of by) key += labelValue(field(item, g.path)) + "\u0000";
  return key;
}

function groupLabels<T>(by: GroupKey[], item: T, field: Field<T>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const g of by) labels[g.label] = labelValue(field(item, g.path));
  return labels;
}

/** The per-type lists (oldest first) whose type the selector accepts: the type is tested once per type. */
function selectedLists(ctx: EvalContext, selector: Selector): Array<readonly ResourceView[]> {
  const out: Array<readonly ResourceView[]> = [];
  if (selector.types !== undefined) {
    for (const t of selector.types) {
      const list = ctx.byType.get(t);
      if (list !== undefined) out.push(list);
    }
  } else if (selector.typeTest !== undefined) {
    for (const [t, list] of ctx.byType) if (selector.typeTest(t)) out.push(list);
  } else {
    for (const list of ctx.byType.values()) out.push(list);
  }
  return out;
}

/** Selected resources and the group of each: built once per evaluation per (selection, by). */
interface Grouping {
  readonly items: ResourceView[];
  /** Group index of each item. */
  readonly groupOf: Int32Array;
  readonly keys: string[];
  readonly labels: Array<Record<string, string>>;
}

/** True when every `by` path is the resource type: the key is the same for a whole type list. */
const byTypeOnly = (by: GroupKey[]): boolean => by.length > 0 && by.every((g) => g.path.length === 1 && g.path[0] === "type");

function grouping(ctx: EvalContext, signature: string, selector: Selector, by: GroupKey[]): Grouping {
  const memoKey = `grouping:${signature}`;
  const memo = ctx.memo?.get(memoKey);
  if (memo !== undefined) return memo as Grouping;
  const items: ResourceView[] = [];
  const groupOf: number[] = [];
  const keys: string[] = [];
  const labels: Array<Record<string, string>> = [];
  // Group labels outlive one evaluation: a steady group reuses its labels object.
  let cache = ctx.labelCache?.get(signature);
  if (cache === undefined && ctx.labelCache !== undefined) ctx.labelCache.set(signature, (cache = new Map()));
  const index = new Map<string, number>();
  const groupFor = (r: ResourceView): number => {
    const key = by.length === 0 ? "" : groupKey(by, r, resourceField);
    let k = index.get(key);
    if (k === undefined) {
      k = keys.length;
      index.set(key, k);
      keys.push(key);
      let l = cache?.get(key);
      if (l === undefined) {
        l = by.length === 0 ? {} : groupLabels(by, r, resourceField);
        cache?.set(key, l);
      }
      labels.push(l);
    }
    return k;
  };
  if (by.length === 0) groupFor(undefined as unknown as ResourceView);
  const perList = by.length === 0 || byTypeOnly(by);
  for (const list of selectedLists(ctx, selector)) {
    let listGroup = by.length === 0 ? 0 : -1;
    for (const r of list) {
      if (!selector.testIndexed(r)) continue;
      items.push(r);
      if (perList) {
        if (listGroup === -1) listGroup = groupFor(r);
        groupOf.push(listGroup);
      } else groupOf.push(groupFor(r));
    }
  }
  if (cache !== undefined && cache.size > 2 * keys.length + 64) {
    for (const k of cache.keys()) if (!index.has(k)) cache.delete(k);
  }
  const g: Grouping = { items, groupOf: Int32Array.from(groupOf), keys, labels };
  ctx.memo?.set(memoKey, g);
  return g;
}

/** Aggregated values per group; `present[k]` is 0 for a group with no usable value. */
interface Groups {
  readonly keys: readonly string[];
  readonly labels: ReadonlyArray<Record<string, string>>;
  readonly values: Float64Array;
  readonly present: Uint8Array;
}

/**
 * Aggregates `measure` over selected resources, per group. Ungrouped count/sum over nothing is 0.
 * The selection and grouping are built once per evaluation and shared by every rule with the same
 * `select` and `by`; each rule then only computes its measure into typed arrays (no allocation
 * per resource or per group).
 */
function aggregate(
  ctx: EvalContext,
  selectionSignature: string,
  selector: Selector,
  measure: ((r: ResourceView) => number) | undefined,
  agg: Aggregate,
  by: GroupKey[],
): Groups {
  // Fast path: counting by type (or not grouping) needs no list of items, only a tally per type list.
  if (measure === undefined && agg === "count" && (by.length === 0 || byTypeOnly(by))) return countGroups(ctx, selectionSignature, selector, by);
  const g = grouping(ctx, selectionSignature, selector, by);
  const n = g.keys.length;
  const count = new Float64Array(n);
  const acc = new Float64Array(n);
  if (agg === "max") acc.fill(-Infinity);
  else if (agg === "min") acc.fill(Infinity);
  const { items, groupOf } = g;
  for (let i = 0; i < items.length; i++) {
    const v = measure === undefined ? 1 : measure(items[i]);
    if (v !== v) continue; // NaN: the resource lacks the fields
    const k = groupOf[i];
    count[k]++;
    if (agg === "max") {
      if (v > acc[k]) acc[k] = v;
    } else if (agg === "min") {
      if (v < acc[k]) acc[k] = v;
    } else acc[k] += v;
  }
  const present = new Uint8Array(n);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (count[k] === 0) {
      // Ungrouped count/sum over nothing is 0 (so `op: "<"` alerts on absence).
      if (by.length === 0 && (agg === "count" || agg === "sum")) present[k] = 1;
      continue;
    }
    present[k] = 1;
    values[k] = agg === "count" ? count[k] : agg === "avg" ? acc[k] / count[k] : acc[k];
  }
  return { keys: g.keys, labels: g.labels, values, present };
}

/** Counts per group when the group is the whole type list (or everything): shared by rules with one selection. */
function countGroups(ctx: EvalContext, signature: string, selector: Selector, by: GroupKey[]): Groups {
  const memoKey = `count:${signature}`;
  const memo = ctx.memo?.get(memoKey);
  if (memo !== undefined) return memo as Groups;
  let cache = ctx.labelCache?.get(signature);
  if (cache === undefined && ctx.labelCache !== undefined) ctx.labelCache.set(signature, (cache = new Map()));
  const keys: string[] = [];
  const labels: Array<Record<string, string>> = [];
  const counts: number[] = [];
  const index = new Map<string, number>();
  if (by.length === 0) {
    keys.push("");
    labels.push({});
    counts.push(0);
  }
  for (const list of selectedLists(ctx, selector)) {
    let n = 0;
    let first: ResourceView | undefined;
    for (const r of list) {
      if (!selector.testIndexed(r)) continue;
      n++;
      first ??= r;
    }
    if (first === undefined) continue;
    if (by.length === 0) {
      counts[0] += n;
      continue;
    }
    const key = groupKey(by, first, resourceField);
    let k = index.get(key);
    if (k === undefined) {
      k = keys.length;
      index.set(key, k);
      keys.push(key);
      let l = cache?.get(key);
      if (l === undefined) {
        l = groupLabels(by, first, resourceField);
        cache?.set(key, l);
      }
      labels.push(l);
      counts.push(0);
    }
    counts[k] += n;
  }
  const g: Groups = { keys, labels, values: Float64Array.from(counts), present: new Uint8Array(keys.length).fill(1) };
  ctx.memo?.set(memoKey, g);
  return g;
}

/** Formats a duration in ms for annotations: "90s", "5m30s", "2h". */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ""}`;
}

function compileEventMatcher(on: EventMatcherConfig): (e: EventView) => boolean {
  const tests: Array<(e: EventView) => boolean> = [(e) => e.event === on.event];
  if (on.plugin !== undefined) tests.push((e) => e.plugin === on.plugin);
  if (on.name !== undefined) {
    const t = compileMatcher(on.name);
    // For plugin events `name` is the event's name; for resource events, the resource's name.
    tests.push((e) => t(e.event === "plugin:event" ? e.eventName : e.name));
  }
  if (on.outcome !== undefined) {
    const t = compileMatcher(on.outcome);
    tests.push((e) => t(e.outcome));
  }
  if (on.select !== undefined) {
    const sel = compileSelector(on.select, { defaultState: null });
    tests.push((e) => sel.test({ snap: { id: e.id ?? "", type: e.type ?? "", name: e.name, state: "active" } as ResourceSnapshot, labels: e.labels }));
  }
  return (e) => tests.every((t) => t(e));
}

const eventField = (e: EventView, path: readonly string[]): unknown => {
  const [head, ...rest] = path;
  if (head === "data") return readPath(e.data, rest);
  if (head === "labels") return rest.length === 1 ? e.labels[rest[0]] : undefined;
  if (rest.length > 0) return undefined;
  // As in `on.name`: a plugin event's name is its own name (what plugin_events_total{name} carries).
  if (head === "name" && e.event === "plugin:event") return e.eventName;
  return (e as unknown as Record<string, unknown>)[head];
};

const ms = (d: string | number | undefined, fallback: number, where: string): number => (d === undefined ? fallback : parseDuration(d, where));

/**
 * Compiles the rules of an `alerts` section.
 * @throws AlertsConfigError ERR_ALERTS_INVALID_RULE (bad measure expression).
 */
export function compileRules(cfg: AlertsConfig): CompiledRule[] {
  return (cfg.rules ?? []).map((rule, index) => {
    try {
      return compileRule(rule, index);
    } catch (error) {
      if (error instanceof AlertsConfigError) throw error;
      const path = /measure/.test(String((error as Error).message)) ? `/rules/${index}/measure` : `/rules/${index}`;
      throw new AlertsConfigError([{ path, rule: rule.name, message: (error as Error).message }]);
    }
  });
}

function measureOf(src: string | undefined): ((r: ResourceView) => number) | undefined {
  if (src === undefined) return undefined;
  try {
    return compileMeasure(parseMeasure(src));
  } catch (error) {
    throw new Error(`measure: ${(error as Error).message}`);
  }
}

/** Rule-specific template values, by kind. */
const KIND_VARS: Readonly<Record<RuleConfig["kind"], ReadonlySet<string>>> = {
  threshold: new Set(),
  held_longer_than: new Set(["oldest", "oldestId", "oldestAge", "count"]),
  forecast: new Set(["current"]),
  transitions: new Set(),
  event: new Set(),
};

function compileTemplates(rule: RuleConfig, index: number, which: "labels" | "annotations"): Array<readonly [string, Template]> {
  // Labels see only $labels and $value, as in Prometheus.
  const vars = which === "labels" ? new Set<string>() : KIND_VARS[rule.kind];
  return Object.entries(rule[which] ?? {}).map(([k, text]) => {
    try {
      return [k, compileTemplate(text, vars)] as const;
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      throw new AlertsConfigError([{ path: `/rules/${index}/${which}/${k}`, rule: rule.name, message: `template ${JSON.stringify(text)}: ${error.message}` }]);
    }
  });
}

function compileRule(rule: RuleConfig, index: number): CompiledRule {
  const labelTemplates = compileTemplates(rule, index, "labels").filter(([k]) => rule.labels![k].includes("{{"));
  const base = {
    name: rule.name,
    kind: rule.kind,
    config: rule,
    forMs: ms(rule.for, 0, `rule "${rule.name}" for`),
    keepFiringForMs: ms(rule.keep_firing_for, 0, `rule "${rule.name}" keep_firing_for`),
    labels: Object.freeze({ ...(rule.labels ?? {}) }),
    annotations: Object.freeze({ ...(rule.annotations ?? {}) }),
    templated: Object.values(rule.annotations ?? {}).some((t) => t.includes("{{")),
    annotationTemplates: compileTemplates(rule, index, "annotations"),
    labelTemplates: labelTemplates.length === 0 ? undefined : labelTemplates,
  };
  switch (rule.kind) {
    case "threshold": {
      const selector = compileSelector(rule.select);
      const measure = measureOf(rule.measure);
      const agg: Aggregate = rule.aggregate ?? (measure === undefined ? "count" : "max");
      const by = compileBy(rule.by);
      const op: Op = rule.op ?? ">";
      const signature = JSON.stringify([rule.select ?? {}, rule.by ?? []]);
      return {
        ...base,
        evaluate(ctx) {
          const out: Sample[] = [];
          const g = aggregate(ctx, signature, selector, measure, agg, by);
          for (let k = 0; k < g.keys.length; k++)
            if (g.present[k] === 1 && compare(op, g.values[k], rule.threshold)) out.push({ labels: g.labels[k], value: g.values[k], key: g.keys[k] });
          return out;
        },
      };
    }
    case "held_longer_than": {
      const selector = compileSelector(rule.select);
      const limit = parseDuration(rule.duration, `rule "${rule.name}" duration`);
      const by = compileBy(rule.by ?? ["type"]);
      return {
        ...base,
        evaluate(ctx) {
          const groups = new Map<string, { labels: Record<string, string>; n: number; oldest: ResourceView }>();
          const visit = (r: ResourceView): void => {
            const key = groupKey(by, r, resourceField);
            const g = groups.get(key);
            if (g === undefined) groups.set(key, { labels: groupLabels(by, r, resourceField), n: 1, oldest: r });
            else {
              g.n++;
              if (r.snap.ageMs > g.oldest.snap.ageMs) g.oldest = r;
            }
          };
          // The snapshot is oldest first, so is each type's list: stop at the first young one.
          const perList = byTypeOnly(by);
          for (const list of selectedLists(ctx, selector)) {
            if (perList) {
              // Grouped by type only: one group per list, no key per resource.
              let g: { labels: Record<string, string>; n: number; oldest: ResourceView } | undefined;
              for (const r of list) {
                if (r.snap.ageMs < limit) break;
                if (!selector.testIndexed(r)) continue;
                if (g === undefined) {
                  const key = groupKey(by, r, resourceField);
                  g = groups.get(key);
                  if (g === undefined) groups.set(key, (g = { labels: groupLabels(by, r, resourceField), n: 0, oldest: r }));
                }
                g.n++;
                if (r.snap.ageMs > g.oldest.snap.ageMs) g.oldest = r;
              }
              continue;
            }
            for (const r of list) {
              if (r.snap.ageMs < limit) break;
              if (selector.testIndexed(r)) visit(r);
            }
          }
          // The value is the oldest age in seconds: what the exported rule's gauge reads.
          return [...groups].map(([key, g]) => {
            const ageSeconds = g.oldest.snap.ageMs / 1000;
            return {
              key,
              labels: g.labels,
              value: ageSeconds,
              vars: { oldest: g.oldest.snap.name ?? g.oldest.snap.id, oldestId: g.oldest.snap.id, oldestAge: humanizeDuration(ageSeconds), count: String(g.n) },
            };
          });
        },
      };
    }
    case "forecast": {
      const selector = compileSelector(rule.select);
      const measure = measureOf(rule.measure);
      const agg: Aggregate = rule.aggregate ?? (measure === undefined ? "count" : "max");
      const by = compileBy(rule.by);
      const windowMs = parseDuration(rule.window, `rule "${rule.name}" window`);
      const horizonMs = parseDuration(rule.horizon, `rule "${rule.name}" horizon`);
      // predict_linear needs two points.
      const minSamples = Math.max(2, rule.minSamples ?? DEFAULT_MIN_SAMPLES);
      const op: Op = rule.op ?? ">=";
      const series = new Map<string, { labels: Record<string, string>; t: number[]; v: number[] }>();
      const signature = JSON.stringify([rule.select ?? {}, rule.by ?? []]);
      return {
        ...base,
        evaluate(ctx) {
          const g = aggregate(ctx, signature, selector, measure, agg, by);
          const current = new Set<string>();
          const out: Sample[] = [];
          for (let k = 0; k < g.keys.length; k++) {
            if (g.present[k] === 0) continue;
            const key = g.keys[k];
            current.add(key);
            let s = series.get(key);
            if (s === undefined) series.set(key, (s = { labels: g.labels[k], t: [], v: [] }));
            s.t.push(ctx.now);
            s.v.push(g.values[k]);
          }
          for (const [key, s] of series) {
            let drop = 0;
            while (drop < s.t.length && s.t[drop] < ctx.now - windowMs) drop++;
            if (drop > 0) {
              s.t.splice(0, drop);
              s.v.splice(0, drop);
            }
            if (s.t.length === 0) {
              series.delete(key);
              continue;
            }
            if (!current.has(key) || s.t.length < minSamples) continue;
            const predicted = predictLinear(s.t, s.v, ctx.now, horizonMs);
            if (compare(op, predicted, rule.limit)) out.push({ labels: s.labels, value: predicted, vars: { current: formatFloat(s.v[s.v.length - 1]) } });
          }
          return out;
        },
      };
    }
    case "transitions":
    case "event": {
      const match = compileEventMatcher(rule.on);
      const by = compileBy(rule.by);
      const windowMs = ms(rule.window, DEFAULT_EVENT_WINDOW_MS, `rule "${rule.name}" window`);
      const min = rule.kind === "transitions" ? rule.count : 1;
      const buffer: Array<{ at: number; key: string; labels: Record<string, string> }> = [];
      return {
        ...base,
        observe(e) {
          if (!match(e)) return;
          buffer.push({ at: e.at, key: groupKey(by, e, eventField), labels: groupLabels(by, e, eventField) });
          // Bounded: in an event storm the oldest tenth goes at once (no O(n) shift per event).
          if (buffer.length > EVENT_BUFFER_MAX) buffer.splice(0, EVENT_BUFFER_MAX / 10);
        },
        evaluate(ctx) {
          let drop = 0;
          while (drop < buffer.length && buffer[drop].at <= ctx.now - windowMs) drop++;
          if (drop > 0) buffer.splice(0, drop);
          const counts = new Map<string, { labels: Record<string, string>; value: number }>();
          for (const b of buffer) {
            const c = counts.get(b.key);
            if (c === undefined) counts.set(b.key, { labels: b.labels, value: 1 });
            else c.value++;
          }
          return [...counts.values()].filter((c) => c.value >= min);
        },
      };
    }
  }
}

/** Neumaier-compensated sum step, as PromQL's kahanSumInc. */
function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/**
 * PromQL's predict_linear: the least-squares fit of (t, v) with its intercept at `now`, evaluated
 * `horizonMs` later, computed in the same order as Prometheus (compensated sums), so the same
 * samples give the same float. A constant series predicts itself exactly, as in Prometheus.
 */
export function predictLinear(t: readonly number[], v: readonly number[], now: number, horizonMs: number): number {
  const n = t.length;
  let constY = true;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  for (let i = 0; i < n; i++) {
    if (constY && i > 0 && v[i] !== v[0]) constY = false;
    const x = (t[i] - now) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(v[i], sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * v[i], sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) return Number.isFinite(v[0]) ? v[0] : Number.NaN;
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return slope * (horizonMs / 1e3) + intercept;
}

/** Formats a value as Prometheus prints `{{ $value }}` (Go's `%v`: `0.6666666666666666`, `1.234567e+06`). */
export const formatValue = formatFloat;

/** Prometheus's `humanizeDuration` of seconds ("1m 30s", "2h 0m 0s", "1.5s"). */
export function humanizeDuration(seconds: number): string {
  return humanizeDurationTemplate({ labels: {}, value: seconds });
}
const humanizeDurationTemplate = compileTemplate("{{ $value | humanizeDuration }}");
