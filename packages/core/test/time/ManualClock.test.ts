import { describe, expect, it } from "vitest";
import { createDeadline, ManualClock, systemClock } from "../../src/index.js";

describe("ManualClock", () => {
  it("stall(ms) moves time synchronously and fires nothing; the next advance fires what fell due", async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 10);
    clock.stall(1_500);
    expect(clock.now()).toBe(1_500);
    await clock.tick();
    expect(seen).toEqual([]);
    await clock.advance(0);
    expect(seen).toEqual([1_500]);
  });

  it("fires due timers in time order and flushes promise chains between them", async () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      seen.push(`a@${clock.now()}`);
      void Promise.resolve().then(() => clock.setTimeout(() => seen.push(`c@${clock.now()}`), 5));
    }, 10);
    const cancelled = clock.setTimeout(() => seen.push("never"), 15);
    clock.clearTimeout(cancelled);
    await clock.advance(19);
    expect(seen).toEqual(["a@10", "c@15"]);
    await clock.advance(1);
    expect(seen).toEqual(["a@10", "c@15", "b@20"]);
    expect(clock.now()).toBe(20);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("derives child deadlines from the parent's remaining time", async () => {
    const clock = new ManualClock(0);
    const parent = createDeadline(clock, 1000);
    await clock.advance(700);
    expect(parent.remainingMs()).toBe(300);
    expect(parent.child(500).at).toBe(1000);
    expect(parent.child(100).at).toBe(800);
    await clock.advance(400);
    expect(parent.expired()).toBe(true);
    expect(parent.remainingMs()).toBe(0);
  });
});

describe("systemClock", () => {
  it("unrefs its timers unless asked to keep the process alive", () => {
    const t = systemClock.setTimeout(() => {}, 10_000) as NodeJS.Timeout;
    const held = systemClock.setTimeout(() => {}, 10_000, { ref: true }) as NodeJS.Timeout;
    expect(t.hasRef()).toBe(false);
    expect(held.hasRef()).toBe(true);
    systemClock.clearTimeout(t);
    systemClock.clearTimeout(held);
  });
});
