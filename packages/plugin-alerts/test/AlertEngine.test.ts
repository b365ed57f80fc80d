import { describe, expect, it } from "vitest";
import { AlertEngine, compileRules, fingerprint, predictLinear, renderTemplate, type AlertsConfig, type ResourceView } from "../src/index.js";

describe("fingerprint", () => {
  it("identifies a label set whatever the key order, and differs when a value differs", () => {
    const a = fingerprint({ alertname: "X", name: "db", severity: "warning" });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint({ severity: "warning", name: "db", alertname: "X" })).toBe(a);
    expect(fingerprint({ alertname: "X", name: "db", severity: "critical" })).not.toBe(a);
    // Pairs are delimited: moving a character between name and value changes the hash.
    expect(fingerprint({ ab: "c" })).not.toBe(fingerprint({ a: "bc" }));
  });
});

describe("renderTemplate", () => {
  it("fills $labels, $value (as Go prints a float64) and rule values; an unknown variable is an error, as in Prometheus", () => {
    expect(renderTemplate("{{ $labels.name }} at {{ $value }} ({{ $oldest }})", { name: "db" }, 0.91234, { oldest: "s1" })).toBe("db at 0.91234 (s1)");
    expect(renderTemplate("{{ $value }} {{ .Value }}", {}, 1234567, undefined)).toBe("1.234567e+06 1.234567e+06");
    expect(renderTemplate("{{ $nope }}", {}, 1, undefined)).toMatch(/^<error expanding template: \$nope is not defined/);
    expect(renderTemplate("plain", {}, 1, undefined)).toBe("plain");
  });
});

describe("predictLinear", () => {
  it("fits a least-squares line with its intercept at now and extrapolates (PromQL predict_linear)", () => {
    expect(predictLinear([0, 60_000, 120_000], [10, 20, 30], 120_000, 480_000)).toBeCloseTo(110);
    expect(predictLinear([0, 60_000], [5, 5], 60_000, 1e9)).toBe(5);
  });

  // Prometheus promql/functions.go linearRegression: "constY" special case (issue: 0.9 constant read back as 0.8999999999999984).
  it("returns a constant series' value exactly", () => {
    expect(predictLinear([0, 60_000, 120_000], [0.9, 0.9, 0.9], 120_000, 1_800_000)).toBe(0.9);
  });
});

describe("AlertEngine", () => {
  const view = (type: string, name: string): ResourceView => ({
    snap: { id: name, type, name, state: "active", acquiredAt: 0, ageMs: 0, dependsOn: [], scope: undefined },
    labels: {},
  });
  const ctxOf = (now: number, resources: ResourceView[]) => {
    const byType = new Map<string, ResourceView[]>();
    for (const r of resources) byType.set(r.snap.type, [...(byType.get(r.snap.type) ?? []), r]);
    return { now, resources, byType, memo: new Map<string, unknown>(), labelCache: new Map() };
  };

  it("a pending alert that stops before `for` goes back to inactive without firing", () => {
    const cfg: AlertsConfig = { rules: [{ name: "Busy", kind: "threshold", select: { type: "job" }, threshold: 0, for: "1m" }] };
    const engine = new AlertEngine(compileRules(cfg));
    const changes = [...engine.evaluate(ctxOf(0, [view("job", "a")])), ...engine.evaluate(ctxOf(30_000, [])), ...engine.evaluate(ctxOf(60_000, []))];
    expect(changes.map((c) => `${c.from}->${c.alert.state}`)).toEqual(["inactive->pending", "pending->inactive"]);
  });

  it("keeps one alert per label set across evaluations (same fingerprint, activeAt kept)", () => {
    const cfg: AlertsConfig = { rules: [{ name: "PerName", kind: "threshold", select: { type: "job" }, by: ["name"], threshold: 0 }] };
    const engine = new AlertEngine(compileRules(cfg));
    engine.evaluate(ctxOf(0, [view("job", "a")]));
    const changes = engine.evaluate(ctxOf(10_000, [view("job", "a"), view("job", "b")]));
    expect(changes.map((c) => c.alert.labels.name)).toEqual(["b"]);
    const active = engine.active();
    expect(active.map((a) => [a.labels.name, a.activeAt])).toEqual([
      ["a", 0],
      ["b", 10_000],
    ]);
    expect(engine.resolveAll(20_000).map((c) => `${c.alert.labels.name}:${c.alert.state}@${c.alert.resolvedAt}`)).toEqual([
      "a:resolved@20000",
      "b:resolved@20000",
    ]);
  });

  it("an event rule keeps at most 10,000 events: a storm drops the oldest tenth at a time", () => {
    const [rule] = compileRules({ rules: [{ name: "Storm", kind: "transitions", on: { event: "plugin:event", plugin: "x" }, window: "1h", count: 1 }] });
    for (let i = 0; i < 10_001; i++) {
      rule.observe!({
        at: i,
        event: "plugin:event",
        type: undefined,
        name: undefined,
        id: undefined,
        plugin: "x",
        eventName: "e",
        outcome: undefined,
        reason: undefined,
        data: {},
        labels: {},
      });
    }
    expect(rule.evaluate(ctxOf(20_000, []))).toEqual([{ labels: {}, value: 9_001 }]);
  });
});
