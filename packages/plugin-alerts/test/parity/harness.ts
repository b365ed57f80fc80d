/**
 * The parity harness: one rule case runs through Custodian's evaluator (the rule-test harness on
 * a ManualClock, with plugin-metrics on the same kernel) and, through plugin-metrics' exposition
 * sampled at every step, through `promtool test rules` on the exported rules. Custodian's alerts at
 * every step become promtool's expectations, so any disagreement (state, time, labels,
 * annotations) fails promtool.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { definePlugin, parseDuration } from "@custodian/core";
import { metricsOf, metricsPlugin } from "@custodian/plugin-metrics";
import { stringify } from "yaml";
import { exportPrometheusRules, runRuleTest, type AlertsConfig, type RuleTestEvent, type RuleTestResource } from "../../src/index.js";

/** One parity case: a rules section, inputs, and how long to run. */
export interface ParityCase {
  title: string;
  alerts: AlertsConfig;
  resources?: RuleTestResource[];
  events?: RuleTestEvent[];
  until: string;
  /** Custodian's firing alerts (`alertname@time`, in minutes) the case must produce: keeps each case honest. */
  fires: string[];
  /** Prometheus fails this rule's evaluation with this message; Custodian must report the error code. */
  evaluationError?: { message: string; code: string };
}

/** What Custodian did at one step. */
interface StepAlerts {
  at: number;
  alerts: Array<{ name: string; state: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

/** Parses Prometheus exposition text into `series → value` (comments skipped). */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    const series = line.slice(0, cut);
    out.set(series.includes("{") ? series : `${series}{}`, Number(line.slice(cut + 1)));
  }
  return out;
}

const promNumber = (v: number): string => (Number.isNaN(v) ? "NaN" : v === Infinity ? "Inf" : v === -Infinity ? "-Inf" : String(v));

export const promtoolAvailable = (): boolean => spawnSync("promtool", ["--version"]).status === 0;

/** Runs one case; returns Custodian's firing marks and promtool's verdict. */
export async function runParityCase(
  c: ParityCase,
): Promise<{ fires: string[]; failedEvaluations: string[]; promtool: { status: number | null; output: string }; rules: string; tests: string }> {
  const intervalMs = parseDuration(c.alerts.evaluationInterval ?? "15s");
  const rules = exportPrometheusRules(c.alerts);

  const steps: StepAlerts[] = [];
  const samples: Array<Map<string, number>> = [];
  const failedEvaluations: string[] = [];
  // Hears the alerts plugin's evaluation:failed events from the kernel's first event on.
  const probe = definePlugin({
    name: "parity-probe",
    version: "0.0.0",
    apply(kernel) {
      kernel.events$.subscribe((e) => {
        if (e.type === "plugin:event" && e.plugin === "alerts" && e.name === "evaluation:failed")
          failedEvaluations.push(`${String(e.data.rule)} ${String(e.data.code)}`);
      });
    },
  });
  const failures = await runRuleTest({
    alerts: c.alerts,
    resources: c.resources,
    events: c.events,
    expect: [],
    until: c.until,
    plugins: [metricsPlugin, probe],
    async onStep({ at, kernel, active }) {
      steps.push({
        at,
        alerts: active.map((a) => ({ name: a.name, state: a.state, labels: { ...a.labels }, annotations: { ...a.annotations } })),
      });
      const text = await metricsOf(kernel).metrics();
      // Only the metrics the exported rules read (expressions and annotation queries): a smaller file, same verdict.
      samples.push(new Map([...parseExposition(text)].filter(([s]) => new RegExp(`\\b${s.slice(0, s.indexOf("{"))}\\b`).test(rules))));
    },
  });
  if (failures.length > 0) throw new Error(failures.join("\n"));

  // Input series: a value at each step, "_" before a series exists, "stale" when it disappears
  // (what a Prometheus scrape records when a series leaves the exposition).
  const names = new Set<string>();
  for (const s of samples) for (const k of s.keys()) names.add(k);
  const input_series = [...names].sort().map((series) => {
    let seen = false;
    const values = samples.map((s) => {
      const v = s.get(series);
      if (v !== undefined) {
        seen = true;
        return promNumber(v);
      }
      if (seen) {
        seen = false;
        return "stale";
      }
      return "_";
    });
    return { series, values: values.join(" ") };
  });
  const ruleNames = (c.alerts.rules ?? []).map((r) => r.name);
  const alert_rule_test = steps.flatMap((s) =>
    ruleNames.map((alertname) => ({
      eval_time: `${s.at / 1000}s`,
      alertname,
      exp_alerts: s.alerts
        .filter((a) => a.name === alertname && a.state === "firing")
        .map((a) => {
          const { alertname: _n, ...labels } = a.labels;
          return { exp_labels: labels, exp_annotations: a.annotations };
        }),
    })),
  );
  // promtool's alert tests see firing alerts only: pending ones are checked on the ALERTS series.
  const promql_expr_test = steps.map((s) => ({
    expr: 'ALERTS{alertstate="pending"}',
    eval_time: `${s.at / 1000}s`,
    exp_samples: s.alerts.filter((a) => a.state === "pending").map((a) => ({ labels: seriesText("ALERTS", { ...a.labels, alertstate: "pending" }), value: 1 })),
  }));
  const tests = stringify(
    {
      rule_files: ["rules.yml"],
      evaluation_interval: `${intervalMs / 1000}s`,
      tests: [{ interval: `${intervalMs / 1000}s`, input_series, alert_rule_test, promql_expr_test }],
    },
    { lineWidth: 0 },
  );
  const dir = mkdtempSync(join(tmpdir(), "custodian-parity-"));
  try {
    writeFileSync(join(dir, "rules.yml"), rules);
    writeFileSync(join(dir, "tests.yml"), tests);
    const r = spawnSync("promtool", ["test", "rules", "tests.yml"], { cwd: dir, encoding: "utf8" });
    const fires = steps.flatMap((s) => s.alerts.filter((a) => a.state === "firing").map((a) => `${a.name}@${s.at / 60_000}`));
    return { fires: [...new Set(fires)], failedEvaluations, promtool: { status: r.status, output: `${r.stdout}${r.stderr}` }, rules, tests };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function seriesText(name: string, labels: Record<string, string>): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(", ");
  return `${name}{${body}}`;
}
