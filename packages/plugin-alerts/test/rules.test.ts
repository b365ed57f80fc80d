// The plugin's own rules, tested with its rule-testing harness (series in, expected alerts out).
import { describe, expect, it } from "vitest";
import { assertRuleTest, expandSeries, runRuleTest, type AlertsConfig } from "../src/index.js";

describe("expandSeries", () => {
  it("expands promtool notation", () => {
    expect(expandSeries("0+10x3")).toEqual([0, 10, 20, 30]);
    expect(expandSeries("100-5x2 _ 7")).toEqual([100, 95, 90, undefined, 7]);
    expect(expandSeries(4)).toEqual([4]);
    expect(() => expandSeries("1 two")).toThrow(expect.objectContaining({ code: "ERR_ALERTS_RULE_TEST_FAILED" }));
  });
});

describe("threshold", () => {
  const alerts: AlertsConfig = {
    evaluationInterval: "1m",
    rules: [
      {
        name: "TooManySockets",
        kind: "threshold",
        select: { type: "http.socket" },
        threshold: 2,
        for: "2m",
        labels: { severity: "warning" },
        annotations: { summary: "{{ $value }} sockets open" },
      },
    ],
  };

  it("counts selected resources and honours `for` (pending, then firing, then gone)", async () => {
    const sockets = [0, 0, 1].map((at, i) => ({ type: "http.socket", name: `s${i}`, from: `${at}m`, until: "6m" }));
    await assertRuleTest({
      alerts,
      resources: [...sockets, { type: "http.socket", name: "s9", from: "1m", until: "6m" }, { type: "db", from: "0m" }],
      expect: [
        { at: "0m", alertname: "TooManySockets", exp_alerts: [] },
        { at: "1m", alertname: "TooManySockets", exp_alerts: [{ state: "pending", labels: { severity: "warning" } }] },
        { at: "2m", alertname: "TooManySockets", exp_alerts: [{ state: "pending", labels: { severity: "warning" } }] },
        { at: "3m", alertname: "TooManySockets", exp_alerts: [{ labels: { severity: "warning" }, annotations: { summary: "4 sockets open" } }] },
        { at: "6m", alertname: "TooManySockets", exp_alerts: [] },
      ],
    });
  });

  it("reports what differs when an expectation fails", async () => {
    const failures = await runRuleTest({
      alerts,
      resources: [1, 2, 3].map((i) => ({ type: "http.socket", name: `s${i}` })),
      expect: [{ at: "2m", alertname: "TooManySockets", exp_alerts: [{ labels: { severity: "critical" } }] }],
    });
    expect(failures).toEqual([
      'at 2m, alertname TooManySockets: missing [firing {severity="critical"}], unexpected [firing {severity="warning"} annotations {summary="3 sockets open"}]',
    ]);
    await expect(assertRuleTest({ alerts, resources: [], expect: [{ at: "1m", alertname: "TooManySockets", exp_alerts: [{}] }] })).rejects.toMatchObject({
      code: "ERR_ALERTS_RULE_TEST_FAILED",
    });
  });

  it("pool in-use / capacity per pool, from any type's details", async () => {
    await assertRuleTest({
      alerts: {
        evaluationInterval: "1m",
        rules: [
          {
            name: "PoolNearlyExhausted",
            kind: "threshold",
            select: { type: ["pool", "pg.pool"] },
            measure: "details.borrowed / details.max",
            by: ["type", "name"],
            threshold: 0.9,
            annotations: { summary: "{{ $labels.name }} at {{ $value }}" },
          },
        ],
      },
      resources: [
        { type: "pool", name: "db", details: { borrowed: "5 8 10 10 2", max: 10 } },
        { type: "pg.pool", name: "pg", details: { borrowed: "19", max: 20 } },
        { type: "pool", name: "nodata" },
      ],
      expect: [
        { at: "0m", alertname: "PoolNearlyExhausted", exp_alerts: [{ labels: { type: "pg.pool", name: "pg" }, annotations: { summary: "pg at 0.95" } }] },
        // pg's series ended: absent, not zero.
        { at: "2m", alertname: "PoolNearlyExhausted", exp_alerts: [{ labels: { type: "pool", name: "db" }, annotations: { summary: "db at 1" } }] },
        { at: "4m", alertname: "PoolNearlyExhausted", exp_alerts: [] },
      ],
    });
  });

  it("keep_firing_for holds a firing alert after the condition stops", async () => {
    await assertRuleTest({
      alerts: { evaluationInterval: "1m", rules: [{ name: "Busy", kind: "threshold", select: { type: "job" }, threshold: 0, keep_firing_for: "2m" }] },
      resources: [{ type: "job", from: "0m", until: "2m" }],
      expect: [
        { at: "1m", alertname: "Busy", exp_alerts: [{}] },
        { at: "2m", alertname: "Busy", exp_alerts: [{}] },
        { at: "3m", alertname: "Busy", exp_alerts: [{}] },
        { at: "4m", alertname: "Busy", exp_alerts: [] },
      ],
    });
  });

  it("an ungrouped count over nothing is 0, so `< 1` fires when a type is absent", async () => {
    await assertRuleTest({
      alerts: { evaluationInterval: "1m", rules: [{ name: "NoDb", kind: "threshold", select: { type: "db" }, op: "<", threshold: 1 }] },
      resources: [{ type: "db", from: "2m" }],
      expect: [
        { at: "1m", alertname: "NoDb", exp_alerts: [{}] },
        { at: "2m", alertname: "NoDb", exp_alerts: [] },
      ],
    });
  });

  it("selects on resource labels", async () => {
    await assertRuleTest({
      alerts: { evaluationInterval: "1m", rules: [{ name: "TeamA", kind: "threshold", select: { labels: { team: "a" } }, by: ["labels.team"], threshold: 1 }] },
      resources: [
        { type: "x", labels: { team: "a" } },
        { type: "y", labels: { team: "a" } },
        { type: "x", labels: { team: "b" } },
        { type: "x", labels: { team: "b" } },
      ],
      expect: [{ at: "1m", alertname: "TeamA", exp_alerts: [{ labels: { team: "a" } }] }],
    });
  });
});

describe("held_longer_than", () => {
  it("fires per type for resources held too long and names the oldest", async () => {
    await assertRuleTest({
      alerts: {
        evaluationInterval: "1m",
        rules: [
          {
            name: "Held",
            kind: "held_longer_than",
            select: { type: "lock" },
            duration: "3m",
            annotations: { summary: "{{ $count }} held, oldest {{ $oldest }} for {{ $oldestAge }} ({{ $value }}s)" },
          },
        ],
      },
      resources: [
        { type: "lock", name: "young", from: "2m" },
        { type: "lock", name: "old", from: "0m", until: "6m" },
        { type: "lock", name: "mid", from: "1m" },
        { type: "other", name: "ignored", from: "0m" },
      ],
      expect: [
        { at: "2m", alertname: "Held", exp_alerts: [] },
        { at: "3m", alertname: "Held", exp_alerts: [{ labels: { type: "lock" }, annotations: { summary: "1 held, oldest old for 3m 0s (180s)" } }] },
        { at: "5m", alertname: "Held", exp_alerts: [{ labels: { type: "lock" }, annotations: { summary: "3 held, oldest old for 5m 0s (300s)" } }] },
        { at: "6m", alertname: "Held", exp_alerts: [{ labels: { type: "lock" }, annotations: { summary: "2 held, oldest mid for 5m 0s (300s)" } }] },
      ],
    });
  });
});

describe("forecast", () => {
  it("fires when the least-squares trend crosses the limit within the horizon, after minSamples", async () => {
    await assertRuleTest({
      alerts: {
        evaluationInterval: "1m",
        rules: [
          {
            name: "PoolExhaustionSoon",
            kind: "forecast",
            select: { type: "pool" },
            measure: "details.borrowed",
            by: ["name"],
            window: "10m",
            horizon: "10m",
            limit: 100,
            minSamples: 4,
            annotations: { summary: "{{ $labels.name }} reaches {{ $value }} (now {{ $current }})" },
          },
        ],
      },
      resources: [
        { type: "pool", name: "rising", details: { borrowed: "10+10x9" } },
        { type: "pool", name: "flat", details: { borrowed: "50+0x9" } },
      ],
      expect: [
        // 2 samples: fewer than minSamples.
        { at: "2m", alertname: "PoolExhaustionSoon", exp_alerts: [] },
        // samples 10,20,30,40 at 0..3m: +10/min → 140 in 10 minutes.
        { at: "3m", alertname: "PoolExhaustionSoon", exp_alerts: [{ labels: { name: "rising" }, annotations: { summary: "rising reaches 140 (now 40)" } }] },
      ],
    });
  });
});

describe("transitions and event", () => {
  it("transitions: N breaker state changes within the window (flapping), grouped by event data", async () => {
    const flip = (at: string, breaker: string) => ({ at, plugin: "pool", name: "breaker:state-changed", data: { breaker, from: "closed", to: "open" } });
    await assertRuleTest({
      alerts: {
        evaluationInterval: "1m",
        rules: [
          {
            name: "BreakerFlapping",
            kind: "transitions",
            on: { event: "plugin:event", plugin: "pool", name: "breaker:state-changed" },
            by: ["data.breaker"],
            window: "2m",
            count: 3,
          },
        ],
      },
      events: [flip("10s", "a"), flip("20s", "a"), flip("30s", "b"), flip("70s", "a"), flip("80s", "b")],
      expect: [
        { at: "1m", alertname: "BreakerFlapping", exp_alerts: [] },
        { at: "2m", alertname: "BreakerFlapping", exp_alerts: [{ labels: { breaker: "a" } }] },
        { at: "3m", alertname: "BreakerFlapping", exp_alerts: [] },
      ],
    });
  });

  it("event: a kernel event fires an alert held for the window", async () => {
    await assertRuleTest({
      alerts: {
        evaluationInterval: "1m",
        rules: [
          {
            name: "LeakSuspected",
            kind: "event",
            on: { event: "resource:leak-suspected", select: { type: "http.socket" } },
            by: ["type", "name"],
            window: "3m",
            labels: { severity: "warning" },
          },
        ],
      },
      events: [
        { at: "30s", event: { type: "resource:leak-suspected", id: "r1", resourceType: "http.socket", name: "s1", ageMs: 1, reason: "held-too-long" } },
        { at: "40s", event: { type: "resource:leak-suspected", id: "r2", resourceType: "fs.handle", name: "f", ageMs: 1, reason: "held-too-long" } },
      ],
      expect: [
        { at: "1m", alertname: "LeakSuspected", exp_alerts: [{ labels: { type: "http.socket", name: "s1", severity: "warning" } }] },
        { at: "3m", alertname: "LeakSuspected", exp_alerts: [{ labels: { type: "http.socket", name: "s1", severity: "warning" } }] },
        { at: "4m", alertname: "LeakSuspected", exp_alerts: [] },
      ],
    });
  });
});

describe("inhibition", () => {
  it("a firing critical alert mutes the matching warning (equal labels), not others", async () => {
    const { AlertEngine, compileRules } = await import("../src/index.js");
    const alerts: AlertsConfig = {
      rules: [
        {
          name: "PoolFull",
          kind: "threshold",
          select: { type: "pool" },
          by: ["name"],
          measure: "details.borrowed / details.max",
          threshold: 0.99,
          labels: { severity: "critical" },
        },
        {
          name: "PoolBusy",
          kind: "threshold",
          select: { type: "pool" },
          by: ["name"],
          measure: "details.borrowed / details.max",
          threshold: 0.8,
          labels: { severity: "warning" },
        },
      ],
      inhibit: [{ source_match: { severity: "critical" }, target_match: { severity: "warning" }, equal: ["name"] }],
    };
    const engine = new AlertEngine(compileRules(alerts), alerts.inhibit);
    const pool = (name: string, borrowed: number) => ({
      snap: {
        id: name,
        type: "pool",
        name,
        state: "active" as const,
        acquiredAt: 0,
        ageMs: 0,
        dependsOn: [],
        scope: undefined,
        details: { borrowed, max: 10 },
      },
      labels: {},
    });
    const resources = [pool("a", 10), pool("b", 9)];
    const changes = engine.evaluate({ now: 0, resources, byType: new Map([["pool", resources]]) });
    const summary = changes.map((c) => `${c.alert.name}/${c.alert.labels.name}:${c.alert.state}${c.alert.inhibited ? ":inhibited" : ""}`).sort();
    expect(summary).toEqual(["PoolBusy/a:firing:inhibited", "PoolBusy/b:firing", "PoolFull/a:firing"]);
  });
});
