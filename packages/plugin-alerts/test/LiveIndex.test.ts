import { describe, expect, it, vi } from "vitest";
import { alertsOf, alertsPlugin, type AlertsConfig } from "../src/index.js";
import { needsSnapshot, snapshotTypes } from "../src/LiveIndex.js";
import type { RuleConfig } from "../src/schema.js";
import { makeKernel } from "./helpers/kernel.js";

describe("needsSnapshot", () => {
  it("is false for rules that read only what kernel events carry, true for details", () => {
    expect(needsSnapshot([{ name: "A", kind: "threshold", select: { type: "x", state: "releasing" }, by: ["type", "name"], threshold: 1 }], true)).toBe(false);
    expect(needsSnapshot([{ name: "H", kind: "held_longer_than", select: { type: "x" }, duration: "1m" }], true)).toBe(false);
    expect(needsSnapshot([{ name: "M", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", threshold: 1 }], true)).toBe(true);
    expect(needsSnapshot([{ name: "B", kind: "threshold", by: ["details.host"], threshold: 1 }], true)).toBe(true);
    expect(needsSnapshot([{ name: "L", kind: "threshold", select: { labels: { team: "a" } }, threshold: 1 }], true)).toBe(true);
  });
});

describe("snapshotTypes", () => {
  it("names the types the detail-reading rules select, or undefined when one does not name them exactly", () => {
    const held: RuleConfig = { name: "H", kind: "held_longer_than", select: { type: "job" }, duration: "1m" };
    const pool: RuleConfig = { name: "M", kind: "threshold", select: { type: ["pool", "queue"] }, measure: "details.borrowed", threshold: 1 };
    expect(snapshotTypes([held, pool], true)).toEqual(["pool", "queue"]);
    expect(snapshotTypes([held], true)).toEqual([]);
    expect(snapshotTypes([pool, { name: "B", kind: "threshold", by: ["details.host"], threshold: 1 }], true)).toBeUndefined();
    expect(snapshotTypes([{ name: "R", kind: "threshold", select: { type: { regex: "po.*" } }, measure: "details.idle", threshold: 1 }], true)).toBeUndefined();
  });

  it("describe() runs only for the types the rules read details of", async () => {
    const alerts: AlertsConfig = {
      evaluationInterval: "1s",
      rules: [{ name: "Busy", kind: "threshold", select: { type: "pool" }, measure: "details.borrowed", op: ">=", threshold: 2 }],
    };
    const { kernel, clock } = await makeKernel({ config: { alerts }, plugins: [alertsPlugin] });
    let described = { pool: 0, job: 0 };
    kernel.adopt({}, { type: "pool", name: "p", release: () => {}, describe: () => (described.pool++, { borrowed: 3 }) });
    for (let i = 0; i < 5; i++) kernel.adopt({}, { type: "job", name: `j${i}`, release: () => {}, describe: () => (described.job++, { n: i }) });
    described = { pool: 0, job: 0 };
    await clock.advance(3_000);
    expect(described.pool).toBeGreaterThanOrEqual(3);
    expect(described.job).toBe(0);
    expect(
      alertsOf(kernel)
        .active()
        .map((a) => [a.name, a.value]),
    ).toEqual([["Busy", 3]]);
  });
});

describe("evaluation from the live index", () => {
  it("takes no kernel.snapshot() per evaluation and follows acquire, release and ages from events", async () => {
    const alerts: AlertsConfig = {
      evaluationInterval: "1s",
      rules: [
        { name: "Many", kind: "threshold", select: { type: "job" }, by: ["type"], op: ">=", threshold: 2 },
        { name: "Releasing", kind: "threshold", select: { type: "slow", state: "releasing" }, threshold: 0 },
        { name: "Held", kind: "held_longer_than", select: { type: "job" }, duration: "3s" },
      ],
    };
    const { kernel, clock } = await makeKernel({ config: { alerts }, plugins: [alertsPlugin] });
    const api = alertsOf(kernel);
    const snapshot = vi.spyOn(kernel, "snapshot");
    const a = kernel.adopt({}, { type: "job", name: "a", release: () => {} });
    await clock.advance(2_000);
    kernel.adopt({}, { type: "job", name: "b", release: () => {} });
    let finish: () => void = () => {};
    const slow = kernel.adopt({}, { type: "slow", name: "s", release: () => new Promise<void>((resolve) => (finish = resolve)) });
    const releasing = slow.release();
    await clock.advance(1_000);
    const names = () =>
      api
        .active()
        .map((x) => `${x.name}:${x.labels.type ?? ""}:${x.value}`)
        .sort();
    expect(names()).toEqual(["Held:job:3", "Many:job:2", "Releasing::1"]);
    finish();
    await releasing;
    await a.release();
    await clock.advance(1_000);
    expect(names()).toEqual([]);
    expect(snapshot).not.toHaveBeenCalled();
  });
});
