/**
 * Alerts and metrics on a small workload: a pool whose load climbs, a socket nobody releases, and
 * a circuit breaker that flaps. Rules fire and resolve on the kernel clock, the log sink prints
 * one line per state change, and the metrics registry (with its /metrics endpoint, adopted by the
 * kernel) shows the same picture. Shutdown closes the endpoint and resolves what still fires.
 *
 *   node examples/dist/alerts/main.js
 */
import { createKernel } from "@custodian/core";
import { alertsOf, createAlertsPlugin } from "@custodian/plugin-alerts";
import { metricsOf, metricsPlugin } from "@custodian/plugin-metrics";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const lines: string[] = [];

const kernel = await createKernel({
  config: {
    shutdown: { deadline: "2s" },
    alerts: {
      evaluationInterval: "100ms",
      rules: [
        {
          name: "PoolNearlyExhausted",
          kind: "threshold",
          select: { type: "pg.pool" },
          measure: "details.borrowed / details.max",
          by: ["name"],
          threshold: 0.8,
          for: "200ms",
          labels: { severity: "warning" },
          annotations: { summary: "{{ $labels.name }} is {{ $value }} full" },
        },
        {
          name: "SocketHeld",
          kind: "held_longer_than",
          select: { type: "net.socket" },
          duration: "500ms",
          annotations: { summary: "oldest {{ $oldest }} held {{ $oldestAge }}" },
        },
        {
          name: "BreakerFlapping",
          kind: "transitions",
          on: { event: "plugin:event", name: "breaker:state-changed" },
          by: ["data.breaker"],
          window: "1s",
          count: 3,
          labels: { severity: "critical" },
        },
      ],
      sinks: [{ kind: "log", stream: "stdout" }],
    },
  },
  plugins: [{ plugin: metricsPlugin, options: { endpoint: { port: 0 } } }, createAlertsPlugin({ write: (_stream, line) => void lines.push(line) })],
});

const pool = { size: 10, borrowed: 2, pending: 0, max: 10 };
kernel.adopt(pool, {
  type: "pg.pool",
  name: "orders-db",
  release: () => sleep(20),
  describe: (p) => ({ size: p.size, borrowed: p.borrowed, idle: p.size - p.borrowed, pending: p.pending, max: p.max }),
});
kernel.adopt({}, { type: "net.socket", name: "forgotten-socket", release: () => {} });

// Load climbs past 80%, then falls back.
for (const borrowed of [5, 9, 9, 9, 9, 3]) {
  pool.borrowed = borrowed;
  await sleep(120);
}
// A breaker flaps: three transitions within a second.
for (const [from, to] of [
  ["closed", "open"],
  ["open", "half-open"],
  ["half-open", "open"],
]) {
  kernel.emitPluginEvent("pool", "breaker:state-changed", { breaker: "orders-db", from, to });
}
await sleep(250);

const alerts = alertsOf(kernel);
console.log("state changes (log sink):");
for (const line of lines) {
  const l = JSON.parse(line) as { alertname: string; from: string; state: string; annotations: Record<string, string> };
  console.log(`  ${l.alertname}: ${l.from} -> ${l.state}${l.annotations.summary === undefined ? "" : ` (${l.annotations.summary})`}`);
}
console.log(
  `firing now: ${alerts
    .active()
    .filter((a) => a.state === "firing")
    .map((a) => a.name)
    .sort()
    .join(", ")}`,
);

const res = await fetch(metricsOf(kernel).url!);
const text = await res.text();
const pick = (prefix: string): string[] => text.split("\n").filter((l) => l.startsWith(prefix));
console.log("metrics:");
for (const l of [...pick("custodian_pool_in_use{"), ...pick("custodian_breaker_state{"), ...pick("custodian_alerts{")]) console.log(`  ${l}`);

const report = await kernel.shutdown();
console.log(`shutdown: ok=${report.ok}; ${report.outcomes.map((o) => `${o.name ?? o.id} ${o.outcome}`).join(", ")}`);
await fetch(metricsOf(kernel).url!).then(
  () => console.log("metrics endpoint still open?!"),
  () => console.log("metrics endpoint closed with the kernel"),
);
