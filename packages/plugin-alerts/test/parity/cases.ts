/**
 * Parity cases: each rule kind and its edge cases. `fires` is what Custodian must do (firing
 * alerts by `name@minute`), worked out by hand from the rule; promtool then has to agree with
 * Custodian at every step.
 */
import type { ParityCase } from "./harness.js";

const pool = (
  name: string,
  borrowed: string | number,
  max: string | number = 10,
  extra: Partial<ParityCase["resources"] extends Array<infer R> | undefined ? R : never> = {},
) => ({
  type: "pool",
  name,
  details: { borrowed, max, size: max, idle: 0, pending: 0 },
  ...extra,
});
const sockets = (n: number, from = "0s", until?: string) =>
  Array.from({ length: n }, (_, i) => ({ type: "http.socket", name: `s${i}`, from, ...(until === undefined ? {} : { until }) }));
const every = (name: string, from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `${name}@${from + i}`);
const breaker = (at: string, b = "db") => ({ at, plugin: "pool", name: "breaker:state-changed", data: { breaker: b, from: "closed", to: "open" } });
const leak = (at: string, type = "http.socket", id = "r1") => ({
  at,
  event: { type: "resource:leak-suspected" as const, id, resourceType: type, name: id, ageMs: 1, reason: "held-too-long" },
});

export const cases: ParityCase[] = [
  // --- threshold ---
  {
    title: "threshold: count at the boundary does not fire with >, fires above it",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Sockets", kind: "threshold", select: { type: "http.socket" }, threshold: 3 }] },
    resources: [...sockets(3), ...sockets(1, "2m").map((r) => ({ ...r, name: "late" }))],
    until: "4m",
    fires: every("Sockets", 2, 4),
  },
  {
    title: "threshold: >= fires at the boundary",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Sockets", kind: "threshold", select: { type: "http.socket" }, op: ">=", threshold: 3 }] },
    resources: sockets(3, "1m"),
    until: "3m",
    fires: every("Sockets", 1, 3),
  },
  {
    title: "threshold: `for` equal to the elapsed time fires at that evaluation",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Sockets", kind: "threshold", select: { type: "http.socket" }, threshold: 1, for: "2m" }] },
    resources: sockets(2, "1m"),
    until: "5m",
    fires: every("Sockets", 3, 5),
  },
  {
    title: "threshold: flapping during `for` restarts pending",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5, for: "2m" }],
    },
    resources: [pool("db", "9 9 1 9 9 9 9 9")],
    until: "7m",
    fires: every("Pool", 5, 7),
  },
  {
    title: "threshold: resolve and re-fire",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5 }],
    },
    resources: [pool("db", "9 9 1 1 9 9 1")],
    until: "6m",
    fires: ["Pool@0", "Pool@1", "Pool@4", "Pool@5"],
  },
  {
    title: "threshold: keep_firing_for holds a resolved alert, then resolves",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5, keep_firing_for: "2m" }],
    },
    resources: [pool("db", "9 9 1 1 1 1 1")],
    until: "6m",
    fires: every("Pool", 0, 3),
  },
  {
    title: "threshold: keep_firing_for with the condition back before it ends",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5, keep_firing_for: "2m" }],
    },
    resources: [pool("db", "9 1 9 1 1 1 1")],
    until: "6m",
    fires: every("Pool", 0, 4),
  },
  {
    title: "threshold: several series, one alert each",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "PoolFull",
          kind: "threshold",
          select: { type: "pool" },
          measure: "details.borrowed / details.max",
          by: ["name"],
          threshold: 0.5,
          labels: { severity: "warning" },
          annotations: { summary: "{{ $labels.name }} at {{ $value }}" },
        },
      ],
    },
    resources: [pool("a", "1 6 6 6", 10), pool("b", "2 2 2 4", 3), pool("c", 1, 10)],
    until: "3m",
    fires: [...every("PoolFull", 1, 3), ...every("PoolFull", 0, 3)].filter((v, i, a) => a.indexOf(v) === i),
  },
  {
    title: "threshold: $value printed as Prometheus prints it (0.6666666666666666, 1.234567e+06)",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Ratio",
          kind: "threshold",
          select: { type: "pool" },
          measure: "details.borrowed / details.max",
          by: ["name"],
          threshold: 0.1,
          annotations: { v: "{{ $value }}" },
        },
        {
          name: "Big",
          kind: "threshold",
          select: { type: "pool" },
          measure: "details.borrowed",
          aggregate: "sum",
          threshold: 1,
          annotations: { v: "{{ $value }}" },
        },
      ],
    },
    resources: [pool("a", 2, 3), pool("b", 1234565, 2_000_000)],
    until: "1m",
    fires: ["Ratio@0", "Big@0", "Ratio@1", "Big@1"],
  },
  {
    title: "threshold: regex selector grouped by type",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Clients", kind: "threshold", select: { type: { regex: "(http|db)\\..*" } }, by: ["type"], threshold: 1 }],
    },
    resources: [
      ...sockets(2),
      { type: "db.client", name: "d1" },
      { type: "db.client", name: "d2", from: "1m" },
      { type: "fs.handle", name: "f1" },
      { type: "fs.handle", name: "f2" },
    ],
    until: "2m",
    fires: ["Clients@0", "Clients@1", "Clients@2"],
  },
  {
    title: "threshold: `not` selector",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Others", kind: "threshold", select: { type: { not: ["http.socket", "pool"] } }, op: ">=", threshold: 2 }],
    },
    resources: [...sockets(3), { type: "fs.handle", name: "f1" }, { type: "timer", name: "t1", from: "1m", until: "3m" }],
    until: "3m",
    fires: ["Others@1", "Others@2"],
  },
  {
    title: "threshold: notRegex selector grouped by type",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "NotHttp", kind: "threshold", select: { type: { notRegex: "http\\..*" } }, by: ["type"], op: ">=", threshold: 1 }],
    },
    resources: [...sockets(2), { type: "fs.handle", name: "f1", until: "2m" }],
    until: "3m",
    fires: ["NotHttp@0", "NotHttp@1"],
  },
  {
    title: "threshold: a series that goes stale resolves",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5 }],
    },
    resources: [{ ...pool("db", 9), until: "2m" }, pool("other", 1)],
    until: "4m",
    fires: ["Pool@0", "Pool@1"],
  },
  {
    title: "threshold: op < alerts on absence (count over nothing is 0)",
    alerts: { evaluationInterval: "1m", rules: [{ name: "NoDb", kind: "threshold", select: { type: "db.client" }, op: "<", threshold: 1 }] },
    resources: [{ type: "db.client", name: "d", from: "1m", until: "3m" }],
    until: "4m",
    fires: ["NoDb@0", "NoDb@3", "NoDb@4"],
  },
  {
    title: "threshold: sum, min and avg aggregates",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        { name: "Sum", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", aggregate: "sum", threshold: 10 },
        { name: "Min", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", aggregate: "min", op: "<=", threshold: 2 },
        { name: "Avg", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", aggregate: "avg", threshold: 4 },
      ],
    },
    resources: [pool("a", "2 5 8"), pool("b", "4 6 8")],
    until: "2m",
    fires: ["Min@0", "Sum@1", "Avg@1", "Sum@2", "Avg@2"],
  },
  {
    title: "threshold: template functions in annotations (humanize, humanizePercentage, humanize1024, printf)",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Pool",
          kind: "threshold",
          select: { type: "pool" },
          measure: "details.borrowed / details.max",
          by: ["name"],
          threshold: 0.1,
          annotations: {
            pct: "{{ $value | humanizePercentage }}",
            h: "{{ humanize $value }}",
            k: "{{ 1536 | humanize1024 }}",
            p: '{{ printf "%.2f" $value }} for {{ $labels.name | printf "%s" }}',
            d: "{{ 90 | humanizeDuration }}",
          },
        },
      ],
    },
    resources: [pool("db", 2, 3)],
    until: "1m",
    fires: ["Pool@0", "Pool@1"],
  },
  {
    title: "threshold: templated rule labels become part of the alert's identity",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Pool",
          kind: "threshold",
          select: { type: "pool" },
          measure: "details.borrowed",
          by: ["name"],
          threshold: 5,
          labels: { target: "pool-{{ $labels.name }}", severity: "warning" },
        },
      ],
    },
    resources: [pool("a", 9), pool("b", "1 9")],
    until: "1m",
    fires: ["Pool@0", "Pool@1"],
  },
  {
    title: "threshold: a rule label overriding a group label (no collision)",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5, labels: { name: "any" } }],
    },
    resources: [pool("a", 9), pool("b", 1)],
    until: "1m",
    fires: ["Pool@0", "Pool@1"],
  },
  {
    title: "threshold: groups colliding after rule labels fail the evaluation (no alert)",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Pool", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", by: ["name"], threshold: 5, labels: { name: "any" } }],
    },
    resources: [pool("a", 9), pool("b", "1 9 9"), pool("c", 9)],
    until: "2m",
    fires: [],
    evaluationError: { message: "vector contains metrics with the same labelset after applying alert labels", code: "ERR_ALERTS_DUPLICATE_LABELSET" },
  },
  // --- held_longer_than ---
  {
    title: "held_longer_than: fires when the age equals the duration",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Held",
          kind: "held_longer_than",
          select: { type: "http.socket" },
          duration: "3m",
          annotations: { summary: "oldest held {{ $oldestAge }} ({{ $value }}s): {{ $oldest }} / {{ $oldestId }}" },
        },
      ],
    },
    resources: [...sockets(1, "1m"), ...sockets(1, "2m").map((r) => ({ ...r, name: "younger" }))],
    until: "6m",
    fires: every("Held", 4, 6),
  },
  {
    title: "held_longer_than: several types, and the held resource released resolves",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Held", kind: "held_longer_than", select: { type: { regex: "http\\..*|fs\\..*" } }, duration: "2m" }] },
    resources: [...sockets(1, "0s", "4m"), { type: "fs.handle", name: "f", from: "1m" }],
    until: "5m",
    fires: [...every("Held", 2, 5)],
  },
  {
    title: "held_longer_than: with `for`",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Held", kind: "held_longer_than", select: { type: "http.socket" }, duration: "1m", for: "2m" }] },
    resources: sockets(2),
    until: "4m",
    fires: every("Held", 3, 4),
  },
  // --- forecast ---
  {
    title: "forecast: linear growth fires once minSamples (default 5) are in",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Exhaust",
          kind: "forecast",
          select: { type: "pool" },
          measure: "details.borrowed",
          by: ["name"],
          window: "10m",
          horizon: "10m",
          limit: 10,
          annotations: { v: "{{ $value }}" },
        },
      ],
    },
    resources: [pool("db", "0+1x8", 100)],
    until: "8m",
    fires: every("Exhaust", 4, 8),
  },
  {
    title: "forecast: minSamples 3 is honoured",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Exhaust",
          kind: "forecast",
          select: { type: "pool" },
          measure: "details.borrowed",
          by: ["name"],
          window: "10m",
          horizon: "10m",
          limit: 10,
          minSamples: 3,
        },
      ],
    },
    resources: [pool("db", "0+1x8", 100)],
    until: "5m",
    fires: every("Exhaust", 2, 5),
  },
  {
    title: "forecast: a constant series at the limit fires steadily (no flapping)",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Exhaust",
          kind: "forecast",
          select: { type: "pool" },
          measure: "details.borrowed / details.max",
          by: ["name"],
          window: "5m",
          horizon: "30m",
          limit: 0.9,
          minSamples: 3,
          annotations: { v: "{{ $value }}" },
        },
      ],
    },
    resources: [pool("db", 9, 10)],
    until: "8m",
    fires: every("Exhaust", 2, 8),
  },
  {
    title: "forecast: a pool that disappears resolves at once",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Exhaust",
          kind: "forecast",
          select: { type: "pool" },
          measure: "details.borrowed",
          by: ["name"],
          window: "10m",
          horizon: "10m",
          limit: 10,
          minSamples: 3,
        },
      ],
    },
    resources: [{ ...pool("db", "0+2x10", 100), until: "5m" }, pool("other", 1, 100)],
    until: "8m",
    fires: every("Exhaust", 2, 4),
  },
  {
    title: "forecast: several pools, window expiry and op <",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Draining",
          kind: "forecast",
          select: { type: "pool" },
          measure: "details.idle",
          by: ["name"],
          window: "3m",
          horizon: "10m",
          limit: 0,
          op: "<",
          minSamples: 3,
        },
      ],
    },
    resources: [
      { type: "pool", name: "a", details: { borrowed: 1, max: 10, idle: "9 8 7 6 5 5 5 5 5" } },
      { type: "pool", name: "b", details: { borrowed: 1, max: 10, idle: "5 5 5 5 5 5 5 5 5" } },
    ],
    until: "8m",
    fires: ["Draining@2", "Draining@3", "Draining@4", "Draining@5"],
  },
  // --- transitions ---
  {
    title: "transitions: 5 transitions in 5m reach a count of 4 (no extrapolation loss)",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        { name: "Flapping", kind: "transitions", on: { event: "plugin:event", name: "breaker:state-changed" }, by: ["data.breaker"], window: "5m", count: 4 },
      ],
    },
    events: ["1m", "2m", "3m", "4m", "5m"].map((at) => breaker(at)),
    until: "10m",
    fires: every("Flapping", 4, 6),
  },
  {
    title: "transitions: events between evaluations, exactly `count`, two breakers",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        { name: "Flapping", kind: "transitions", on: { event: "plugin:event", name: "breaker:state-changed" }, by: ["data.breaker"], window: "3m", count: 3 },
      ],
    },
    events: [breaker("30s"), breaker("90s"), breaker("150s"), breaker("30s", "http"), breaker("90s", "http")],
    until: "6m",
    fires: every("Flapping", 3, 3),
  },
  {
    title: "transitions: the first transitions of a new breaker count",
    alerts: {
      evaluationInterval: "1m",
      rules: [
        {
          name: "Flapping",
          kind: "transitions",
          on: { event: "plugin:event", name: "breaker:state-changed" },
          by: ["data.breaker"],
          window: "2m",
          count: 2,
          for: "1m",
        },
      ],
    },
    events: [breaker("1m"), breaker("1m"), breaker("2m")],
    until: "5m",
    fires: ["Flapping@2"],
  },
  // --- event ---
  {
    title: "event: a single leak fires at once and resolves when it leaves the window",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Leak", kind: "event", on: { event: "resource:leak-suspected" }, by: ["type"], window: "3m" }] },
    events: [leak("2m")],
    until: "7m",
    fires: every("Leak", 2, 4),
  },
  {
    title: "event: two leaks, the second extends the alert",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Leak", kind: "event", on: { event: "resource:leak-suspected", select: { type: "http.socket" } }, window: "2m" }],
    },
    events: [leak("1m"), leak("2m", "http.socket", "r2"), leak("2m", "fs.handle", "f")],
    until: "6m",
    fires: every("Leak", 1, 3),
  },
  {
    title: "event: keep_firing_for after the window",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Leak", kind: "event", on: { event: "resource:leak-suspected" }, window: "1m", keep_firing_for: "2m", labels: { severity: "critical" } }],
    },
    events: [leak("1m")],
    until: "6m",
    fires: every("Leak", 1, 3),
  },
  {
    title: "event: a plugin event by plugin and name, between evaluations",
    alerts: {
      evaluationInterval: "1m",
      rules: [{ name: "Reaped", kind: "event", on: { event: "plugin:event", plugin: "pool", name: "reaped" }, by: ["plugin", "name"], window: "2m" }],
    },
    events: [
      { at: "90s", plugin: "pool", name: "reaped", data: { type: "pool" } },
      { at: "90s", plugin: "http", name: "reaped", data: {} },
    ],
    until: "5m",
    fires: every("Reaped", 2, 3),
  },
  {
    title: "event: with `for` longer than the window never fires",
    alerts: { evaluationInterval: "1m", rules: [{ name: "Leak", kind: "event", on: { event: "resource:leak-suspected" }, window: "2m", for: "3m" }] },
    events: [leak("1m")],
    until: "6m",
    fires: [],
  },
];
