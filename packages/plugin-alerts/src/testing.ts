/**
 * A rule-testing harness in the spirit of `promtool test rules`: resources whose snapshot details
 * follow series, events at given times, and the alerts expected at given times. It runs the real
 * plugin on a real kernel driven by a ManualClock.
 */
import { createKernel, ManualClock, parseDuration, type Kernel, type KernelEvent, type PluginEntry, type ResourceHandle } from "@custodian/core";
import type { Alert } from "./AlertEngine.js";
import { alertsOf, createAlertsPlugin, kInjectEvent, type InjectableApi } from "./alertsPlugin.js";
import { RuleTestFailedError } from "./errors.js";
import type { AlertsConfig, Duration } from "./schema.js";

/**
 * A value series, promtool-style, one value per evaluation step: `"1 2 3"`, `"0+10x5"` (0, 10, …, 50),
 * `"100-5x3"`, `"_"` (no value at that step), or a number (constant at every step). Past its end, a string
 * series is absent.
 */
export type Series = string | number;

/** A resource present from `from` until `until`, with details following series. */
export interface RuleTestResource {
  type: string;
  name?: string;
  labels?: Record<string, string>;
  details?: Record<string, Series>;
  from?: Duration;
  until?: Duration;
}

/** An event at `at`: a plugin event (`plugin` + `name`), or any kernel event object. */
export type RuleTestEvent = { at: Duration; plugin: string; name: string; data?: Record<string, unknown> } | { at: Duration; event: KernelEventWithoutTime };

/** A kernel event without its `at` (the harness stamps it). */
export type KernelEventWithoutTime = KernelEvent extends infer E ? (E extends KernelEvent ? Omit<E, "at"> : never) : never;

/** Alerts of one rule expected at one time (firing by default), labels without `alertname`. */
export interface RuleTestExpectation {
  at: Duration;
  alertname: string;
  exp_alerts: Array<{ labels?: Record<string, string>; annotations?: Record<string, string>; state?: "pending" | "firing" }>;
}

/** A rule test: the section under test, inputs over time, and expectations. */
export interface RuleTest {
  /** The `alerts` section under test (its sinks are ignored). */
  alerts: AlertsConfig;
  /** Evaluation step. Default: `alerts.evaluationInterval`, else 15s. */
  interval?: Duration;
  resources?: RuleTestResource[];
  events?: RuleTestEvent[];
  expect: RuleTestExpectation[];
  /** Run until this time even past the last expectation. */
  until?: Duration;
  /** More plugins on the kernel under test (e.g. plugin-metrics, to sample its exposition). */
  plugins?: PluginEntry[];
  /** Called after each evaluation step with the active alerts (a parity test samples metrics here). */
  onStep?: (step: RuleTestStep) => void | Promise<void>;
}

/** One evaluation step of a rule test, as `onStep` sees it. */
export interface RuleTestStep {
  /** Time since the start of the test. */
  readonly at: number;
  readonly kernel: Kernel;
  /** Pending and firing alerts after this step's evaluation. */
  readonly active: readonly Alert[];
}

/** Expands a promtool-style series into one value per step (undefined = absent). */
export function expandSeries(series: Series): Array<number | undefined> {
  if (typeof series === "number") return [series];
  const out: Array<number | undefined> = [];
  for (const tok of series.trim().split(/\s+/)) {
    if (tok === "_") {
      out.push(undefined);
      continue;
    }
    const m = /^(-?\d+(?:\.\d+)?)(?:([+-])(\d+(?:\.\d+)?)x(\d+))?$/.exec(tok);
    if (m === null)
      throw new RuleTestFailedError([`series ${JSON.stringify(series)}: cannot read ${JSON.stringify(tok)}; use "1 2 3", "0+10x5", "100-5x3" or "_"`]);
    const start = Number(m[1]);
    if (m[2] === undefined) {
      out.push(start);
      continue;
    }
    const step = (m[2] === "-" ? -1 : 1) * Number(m[3]);
    for (let i = 0; i <= Number(m[4]); i++) out.push(start + i * step);
  }
  return out;
}

const sameMap = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

const show = (m: Readonly<Record<string, string>>): string =>
  `{${Object.keys(m)
    .sort()
    .map((k) => `${k}="${m[k]}"`)
    .join(", ")}}`;

/**
 * Runs a rule test and returns its failures (empty when every expectation held).
 * @example
 *   const failures = await runRuleTest({ alerts: { rules: [...] }, resources: [...], expect: [...] })
 */
export async function runRuleTest(test: RuleTest): Promise<string[]> {
  const intervalMs = parseDuration(test.interval ?? test.alerts.evaluationInterval ?? "15s", "interval");
  const clock = new ManualClock(0);
  // The harness drives evaluation itself, step by step: the plugin's own timer stays out of range.
  const alerts: AlertsConfig = { ...test.alerts, evaluationInterval: "100000d", sinks: [] };
  const kernel = await createKernel({ clock, env: {}, config: { alerts }, plugins: [createAlertsPlugin(), ...(test.plugins ?? [])] });
  const api = alertsOf(kernel) as InjectableApi;
  const failures: string[] = [];
  try {
    const t0 = clock.now();
    const resources = (test.resources ?? []).map((r) => ({
      r,
      from: parseDuration(r.from ?? 0, "from"),
      until: r.until === undefined ? Infinity : parseDuration(r.until, "until"),
      series: Object.entries(r.details ?? {}).map(([k, s]) => [k, typeof s === "number" ? s : expandSeries(s)] as const),
      handle: undefined as ResourceHandle | undefined,
    }));
    const events = (test.events ?? []).map((e) => ({ e, at: parseDuration(e.at, "at") })).sort((a, b) => a.at - b.at);
    const expects = test.expect.map((x) => ({ x, at: parseDuration(x.at, "at") }));
    const end = Math.max(0, ...expects.map((e) => e.at), test.until === undefined ? 0 : parseDuration(test.until, "until"));
    const points = new Set<number>();
    for (let t = 0; t <= end; t += intervalMs) points.add(t);
    for (const e of events) points.add(e.at);
    for (const x of expects) points.add(x.at);
    for (const r of resources) {
      points.add(r.from);
      if (Number.isFinite(r.until)) points.add(r.until);
    }
    let ei = 0;
    for (const t of [...points].filter((p) => p <= end).sort((a, b) => a - b)) {
      await clock.advance(t0 + t - clock.now());
      for (const res of resources) {
        if (res.handle === undefined && t >= res.from && t < res.until) {
          const step = (): number => Math.floor((clock.now() - t0) / intervalMs);
          res.handle = kernel.adopt(
            {},
            {
              type: res.r.type,
              name: res.r.name,
              release: () => {},
              describe: () => {
                const d: Record<string, unknown> = {};
                if (res.r.labels !== undefined) d.labels = res.r.labels;
                for (const [k, values] of res.series) {
                  const v = typeof values === "number" ? values : values[step()];
                  if (v !== undefined) d[k] = v;
                }
                return d;
              },
            },
          );
        } else if (res.handle !== undefined && t >= res.until) {
          await res.handle.release();
          res.handle = undefined;
        }
      }
      for (; ei < events.length && events[ei].at <= t; ei++) {
        const e = events[ei].e;
        // Through the kernel where it has a way in, so every subscriber (plugin-metrics too) sees it.
        if ("plugin" in e) kernel.emitPluginEvent(e.plugin, e.name, e.data ?? {});
        else if (e.event.type === "resource:leak-suspected") {
          const l = e.event;
          kernel.reportLeak({ id: l.id, type: l.resourceType, name: l.name, reason: l.reason, ageMs: l.ageMs, detail: l.detail, data: l.data });
        } else api[kInjectEvent]({ ...e.event, at: clock.now() } as KernelEvent);
      }
      if (t % intervalMs === 0) {
        api.evaluate();
        await test.onStep?.({ at: t, kernel, active: api.active() });
      }
      for (const { x, at } of expects) {
        if (at !== t) continue;
        const actual = api.active().filter((a) => a.name === x.alertname);
        const wanted = x.exp_alerts.map((w) => ({ state: w.state ?? "firing", labels: w.labels ?? {}, annotations: w.annotations }));
        const unmatched = [...actual];
        const missing: string[] = [];
        for (const w of wanted) {
          const i = unmatched.findIndex((a) => {
            const { alertname: _n, ...labels } = a.labels;
            return a.state === w.state && sameMap(labels, w.labels) && (w.annotations === undefined || sameMap(a.annotations, w.annotations));
          });
          if (i === -1) missing.push(`${w.state} ${show(w.labels)}${w.annotations === undefined ? "" : ` annotations ${show(w.annotations)}`}`);
          else unmatched.splice(i, 1);
        }
        const extra = unmatched.map((a) => {
          const { alertname: _n, ...labels } = a.labels;
          return `${a.state} ${show(labels)} annotations ${show(a.annotations)}`;
        });
        if (missing.length > 0 || extra.length > 0) {
          failures.push(
            `at ${x.at}, alertname ${x.alertname}: ${missing.length > 0 ? `missing [${missing.join("; ")}]` : ""}${missing.length > 0 && extra.length > 0 ? ", " : ""}${extra.length > 0 ? `unexpected [${extra.join("; ")}]` : ""}`,
          );
        }
      }
    }
  } finally {
    const closing = kernel.shutdown("rule test finished");
    await clock.advance(60_000);
    await closing;
  }
  return failures;
}

/**
 * Runs a rule test and throws when an expectation did not hold.
 * @throws RuleTestFailedError ERR_ALERTS_RULE_TEST_FAILED listing every failure.
 */
export async function assertRuleTest(test: RuleTest): Promise<void> {
  const failures = await runRuleTest(test);
  if (failures.length > 0) throw new RuleTestFailedError(failures);
}
