import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { exportPrometheusRules, promDuration, type AlertsConfig } from "../src/index.js";

const alerts: AlertsConfig = {
  evaluationInterval: "15s",
  rules: [
    {
      name: "TooManySockets",
      kind: "threshold",
      select: { type: "http.socket" },
      threshold: 200,
      for: "1m",
      keep_firing_for: "30s",
      labels: { severity: "warning" },
      annotations: { summary: "{{ $value }} sockets" },
    },
    { name: "PoolNearlyExhausted", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed / details.max", by: ["name"], threshold: 0.9 },
    { name: "SocketsHeld", kind: "held_longer_than", select: { type: "http.socket" }, duration: "5m" },
    {
      name: "PoolExhaustionSoon",
      kind: "forecast",
      select: { type: "pool" },
      measure: "details.borrowed",
      by: ["name"],
      window: "10m",
      horizon: "30m",
      limit: 100,
    },
    {
      name: "BreakerFlapping",
      kind: "transitions",
      on: { event: "plugin:event", plugin: "pool", name: "breaker:state-changed" },
      by: ["data.breaker"],
      window: "5m",
      count: 4,
    },
    { name: "DeadlineExceeded", kind: "event", on: { event: "kernel:deadline-exceeded" }, labels: { severity: "critical" } },
    { name: "Forced", kind: "event", on: { event: "resource:released", outcome: ["forced", "abandoned"] }, by: ["type"], window: "10m" },
    { name: "TeamOnly", kind: "threshold", select: { labels: { team: "a" } }, threshold: 1 },
  ],
};

describe("exportPrometheusRules", () => {
  it("maps rules to PromQL over plugin-metrics' metrics and lists what it cannot map", () => {
    const text = exportPrometheusRules(alerts);
    const doc = parse(text) as { groups: Array<{ name: string; interval: string; rules: Array<Record<string, unknown>> }> };
    expect(doc.groups[0]).toMatchObject({ name: "custodian", interval: "15s" });
    const byName = Object.fromEntries(doc.groups[0].rules.map((r) => [r.alert, r]));
    expect(byName.TooManySockets).toEqual({
      alert: "TooManySockets",
      expr: '(sum by () (custodian_resources{type="http.socket", state="active"}) or vector(0)) > 200',
      for: "1m",
      keep_firing_for: "30s",
      labels: { severity: "warning" },
      annotations: { summary: "{{ $value }} sockets" },
    });
    expect(byName.PoolNearlyExhausted.expr).toBe('max by (name) ((custodian_pool_in_use{type="pool"} / custodian_pool_capacity{type="pool"})) > 0.9');
    expect(byName.SocketsHeld.expr).toBe('max by (type) (custodian_resource_oldest_age_seconds{type="http.socket"}) >= 300');
    const pool = 'max by (name) (custodian_pool_in_use{type="pool"})';
    // minSamples (default 5) and the live series are part of the condition, as in Custodian.
    expect(byName.PoolExhaustionSoon.expr).toBe(`predict_linear((${pool})[10m:15s], 1800) >= 100 and count_over_time((${pool})[10m:15s]) >= 5 and (${pool})`);
    // Exact counts within the window (no increase() extrapolation), first events of a new series included.
    expect(byName.BreakerFlapping.expr).toBe(
      "sum by (breaker) ((custodian_breaker_transitions_total - custodian_breaker_transitions_total offset 5m) or custodian_breaker_transitions_total) >= 4",
    );
    const deadline = 'custodian_events_total{event="kernel:deadline-exceeded"}';
    expect(byName.DeadlineExceeded.expr).toBe(`sum by () ((${deadline} - ${deadline} offset 5m) or ${deadline}) > 0`);
    const forced = 'custodian_releases_total{outcome=~"forced|abandoned"}';
    expect(byName.Forced.expr).toBe(`sum by (type) ((${forced} - ${forced} offset 10m) or ${forced}) > 0`);
    expect(byName.TeamOnly).toBeUndefined();
    expect(text).toContain("#   TeamOnly: selects on resource labels");
    expect(exportPrometheusRules(alerts, { prefix: "app_" })).toContain("app_pool_in_use");
  });

  it("exports $oldestAge as the held age through humanizeDuration, and refuses values the metrics do not carry", () => {
    const text = exportPrometheusRules({
      rules: [
        { name: "A", kind: "held_longer_than", select: { type: "lock" }, duration: "5m", annotations: { s: "{{ $oldestAge }} ({{ $value }}s)" } },
        { name: "B", kind: "held_longer_than", select: { type: "lock" }, duration: "5m", annotations: { s: "oldest {{ $oldest }}" } },
        { name: "C", kind: "held_longer_than", select: { type: "lock" }, duration: "5m", annotations: { s: "{{ $count }} held" } },
      ],
    });
    const rules = (parse(text) as { groups: Array<{ rules: Array<Record<string, unknown>> }> }).groups[0].rules;
    expect(rules.map((r) => r.alert)).toEqual(["A", "B"]);
    expect(rules[0].annotations).toEqual({ s: "{{ ($value | humanizeDuration) }} ({{ $value }}s)" });
    expect(rules[1].annotations).toEqual({
      s: 'oldest {{ with printf "custodian_resource_oldest_info{type=%q}" $labels.type | query }}{{ with first . }}{{ .Labels.name }}{{ end }}{{ end }}',
    });
    expect(text).toContain("#   C: its annotations use $count, which the metrics do not carry");
  });

  it("formats Prometheus durations", () => {
    expect([promDuration(90_000), promDuration(120_000), promDuration(7_200_000), promDuration(250)]).toEqual(["90s", "2m", "2h", "250ms"]);
  });

  const promtool = spawnSync("promtool", ["--version"]).status === 0;
  if (!promtool) console.log("skipping promtool check: promtool is not installed (Debian package `prometheus`; see .ci/install-alertmanager.sh)");
  it.skipIf(!promtool && process.env.CI !== "true")("the output passes `promtool check rules`", () => {
    const dir = mkdtempSync(join(tmpdir(), "custodian-rules-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "custodian.rules.yml");
    writeFileSync(file, exportPrometheusRules(alerts));
    const r = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toContain("SUCCESS: 7 rules found");
    expect(r.status).toBe(0);
  });
});
