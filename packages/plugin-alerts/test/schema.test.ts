import { describe, expect, it } from "vitest";
import { validateAlertsConfig, type AlertsConfigError } from "../src/index.js";

const catchErr = (fn: () => unknown): AlertsConfigError => {
  try {
    fn();
  } catch (e) {
    return e as AlertsConfigError;
  }
  throw new Error("expected a throw");
};

describe("validateAlertsConfig", () => {
  it("accepts every rule kind and sink kind", () => {
    const cfg = {
      evaluationInterval: "10s",
      rules: [
        { name: "Sockets", kind: "threshold", select: { type: "http.socket" }, threshold: 200, for: "1m", keep_firing_for: "30s" },
        { name: "PoolBusy", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed / details.max", by: ["name"], op: ">", threshold: 0.9 },
        { name: "Leak", kind: "held_longer_than", select: { type: { regex: "http\\..*" } }, duration: "5m" },
        { name: "Exhaust", kind: "forecast", select: { type: "pool" }, measure: "details.borrowed", window: "10m", horizon: "30m", limit: 100, minSamples: 3 },
        {
          name: "Flap",
          kind: "transitions",
          on: { event: "plugin:event", plugin: "pool", name: "breaker:state-changed" },
          by: ["data.breaker"],
          window: "1m",
          count: 5,
        },
        { name: "Deadline", kind: "event", on: { event: "kernel:deadline-exceeded" }, labels: { severity: "critical" } },
      ],
      inhibit: [{ source_match: { severity: "critical" }, target_match: { severity: "warning" }, equal: ["type"] }],
      sinks: [
        { kind: "log" },
        { kind: "webhook", url: "http://127.0.0.1:9/hook", group_wait: "1s", retries: 2 },
        { kind: "alertmanager", urls: ["http://127.0.0.1:9093"], resend_delay: "1m" },
      ],
    };
    expect(validateAlertsConfig(cfg)).toBe(cfg);
  });

  it("names the rule and the path of each problem", () => {
    const err = catchErr(() =>
      validateAlertsConfig({
        rules: [
          { name: "Ok", kind: "threshold", threshold: 1 },
          { name: "BadFor", kind: "threshold", threshold: 1, for: "soon" },
          { name: "Typo", kind: "held_longer_than", duraton: "5m" },
        ],
      }),
    );
    expect(err.code).toBe("ERR_ALERTS_INVALID_RULE");
    expect(err.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "/rules/1/for", rule: "BadFor" }),
        expect.objectContaining({ path: "/rules/2/duraton", rule: "Typo", message: "is not a known property" }),
        expect.objectContaining({ path: "/rules/2", rule: "Typo" }),
      ]),
    );
    expect(err.message).toContain('alerts.rules.1.for (rule "BadFor")');
  });

  it("rejects an unknown kind, a bad sink and duplicate rule names", () => {
    expect(catchErr(() => validateAlertsConfig({ rules: [{ name: "X", kind: "magic" }] })).problems[0]).toMatchObject({ path: "/rules/0/kind", rule: "X" });
    expect(catchErr(() => validateAlertsConfig({ sinks: [{ kind: "webhook" }] })).problems[0]).toMatchObject({ path: "/sinks/0" });
    const dup = catchErr(() =>
      validateAlertsConfig({
        rules: [
          { name: "A", kind: "threshold", threshold: 1 },
          { name: "A", kind: "threshold", threshold: 2 },
        ],
      }),
    );
    expect(dup.problems).toEqual([expect.objectContaining({ path: "/rules/1/name", rule: "A" })]);
  });
});
