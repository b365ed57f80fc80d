import { describe, expect, it } from "vitest";
import { HeldTimers } from "../../src/internal/HeldTimers.js";
import { RefClock } from "../helpers/RefClock.js";

describe("HeldTimers", () => {
  it("arms unref'd while not held, re-arms pending timers ref'd (for their remaining time) when held, and back", async () => {
    const clock = new RefClock();
    const timers = new HeldTimers(clock);
    const fired: string[] = [];
    timers.set(() => fired.push("a"), 100);
    expect(clock.held()).toEqual({ ref: 0, unref: 1 });
    await clock.advance(40);
    timers.hold(true);
    expect(clock.held()).toEqual({ ref: 1, unref: 0 });
    timers.set(() => fired.push("b"), 100);
    expect(clock.held()).toEqual({ ref: 2, unref: 0 });
    await clock.advance(59);
    expect(fired).toEqual([]);
    await clock.advance(1); // "a" keeps its original due time (100 ms after it was set)
    expect(fired).toEqual(["a"]);
    timers.hold(false);
    expect(clock.held()).toEqual({ ref: 0, unref: 1 });
    await clock.advance(40);
    expect(fired).toEqual(["a", "b"]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("clear() cancels a timer whatever its state; a cleared timer is not re-armed by hold()", async () => {
    const clock = new RefClock();
    const timers = new HeldTimers(clock);
    let fired = 0;
    const t = timers.set(() => fired++, 10);
    timers.clear(t);
    timers.clear(t); // idempotent
    timers.hold(true);
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(20);
    expect(fired).toBe(0);
  });
});
