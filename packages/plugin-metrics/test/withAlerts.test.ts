// plugin-metrics and plugin-alerts together: alert states reach the metrics, and every metric the
// Prometheus rules export refers to is one plugin-metrics actually exports.
import { createKernel, ManualClock } from "@custodian/core";
import { alertsOf, alertsPlugin, exportPrometheusRules, type AlertsConfig } from "@custodian/plugin-alerts";
import { describe, expect, it, onTestFinished } from "vitest";
import { metricsOf, metricsPlugin } from "../src/index.js";

const alerts: AlertsConfig = {
  evaluationInterval: "10s",
  rules: [
    { name: "Sockets", kind: "threshold", select: { type: "socket" }, threshold: 0 },
    { name: "PoolBusy", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed / details.max", by: ["name"], threshold: 0.9 },
    { name: "Held", kind: "held_longer_than", select: { type: "socket" }, duration: "5m" },
    {
      name: "Exhaust",
      kind: "forecast",
      select: { type: "pool" },
      measure: "details.pending + details.idle - details.size",
      window: "10m",
      horizon: "1h",
      limit: 10,
    },
    { name: "Flap", kind: "transitions", on: { event: "plugin:event", name: "breaker:state-changed" }, window: "1m", count: 3 },
    { name: "Leak", kind: "event", on: { event: "resource:leak-suspected" } },
    { name: "Forced", kind: "event", on: { event: "resource:released", outcome: "forced" } },
    { name: "Reaps", kind: "event", on: { event: "plugin:event", plugin: "pool", name: "reaped" } },
  ],
};

describe("metrics with alerts", () => {
  it("exports alert states, and every metric named by the exported rules exists", async () => {
    const clock = new ManualClock();
    const kernel = await createKernel({ clock, env: {}, config: { alerts }, plugins: [metricsPlugin, alertsPlugin] });
    onTestFinished(async () => {
      const p = kernel.shutdown();
      await clock.advance(60_000);
      await p;
    });
    kernel.adopt({}, { type: "socket", name: "s", release: () => {} });
    kernel.adopt({ size: 1, borrowed: 1, idle: 0, pending: 0, max: 1 }, { type: "pool", name: "db", release: () => {}, describe: (v) => ({ ...v }) });
    await clock.advance(10_000);
    expect(
      alertsOf(kernel)
        .active()
        .map((a) => a.name)
        .sort(),
    ).toEqual(["PoolBusy", "Sockets"]);
    const text = await metricsOf(kernel).metrics();
    expect(text).toContain('custodian_alerts{alertname="Sockets",state="firing"} 1');
    expect(text).toContain('custodian_alerts{alertname="PoolBusy",state="firing"} 1');

    const rules = exportPrometheusRules(alerts);
    expect(rules).not.toContain("Not exported");
    const used = new Set([...rules.matchAll(/\b(custodian_[a-z_]+)/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(5);
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    for (const name of used) expect(exported, name).toContain(name);
  });
});
