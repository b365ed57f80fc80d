import { describe, expect, it } from "vitest";
import { ManualClock } from "@custodian/core";
import { BreakerRegistry } from "@custodian/plugin-pool";
import type { BreakerRegistryEvent } from "@custodian/plugin-pool";

const fail = () => Promise.reject(new Error("down"));

describe("BreakerRegistry", () => {
  it("returns one breaker per key", () => {
    const r = new BreakerRegistry({ clock: new ManualClock() });
    expect(r.get("a")).toBe(r.get("a"));
    expect(r.get("a")).not.toBe(r.get("b"));
    expect(r.size).toBe(2);
    r.close();
  });

  it("reaps breakers unused for idleTtlMs with one shared timer, by last use (not last failure)", async () => {
    const clock = new ManualClock();
    const r = new BreakerRegistry({ clock, idleTtlMs: 10_000, reapIntervalMs: 1_000 });
    const events: BreakerRegistryEvent[] = [];
    r.on((e) => events.push(e));
    for (let i = 0; i < 100; i++) r.get(`k${i}`);
    expect(clock.pendingTimers()).toBe(1);
    const hot = r.get("hot");
    for (let t = 0; t < 12; t++) {
      await hot.execute(() => Promise.resolve(1));
      await clock.advance(1_000);
    }
    expect(r.size).toBe(1);
    expect(r.has("hot")).toBe(true);
    expect(events.filter((e) => e.type === "breaker:removed" && e.reason === "idle")).toHaveLength(100);
    await clock.advance(20_000);
    expect(r.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0); // no breakers, no timer
  });

  it("never evicts open or half-open breakers, nor closed ones with recent failures", async () => {
    const clock = new ManualClock();
    const r = new BreakerRegistry({ clock, idleTtlMs: 1_000, reapIntervalMs: 0, defaults: { consecutiveFailures: 2, openMs: 60_000 } });
    const open = r.get("open");
    await open.execute(fail).catch(() => {});
    await open.execute(fail).catch(() => {});
    const failing = r.get("failing");
    await failing.execute(fail).catch(() => {});
    r.get("idle");
    await clock.advance(5_000);
    expect(r.reap()).toBe(1);
    expect([...r.keys()].sort()).toEqual(["failing", "open"]);
    await clock.advance(60_000); // open -> half-open by time; still not evicted
    expect(open.state).toBe("half-open");
    r.reap();
    expect(r.has("open")).toBe(true);
  });

  it("caps the count with LRU, skipping breakers that are open", async () => {
    const clock = new ManualClock();
    const r = new BreakerRegistry({ clock, maxSize: 3, reapIntervalMs: 0, defaults: { consecutiveFailures: 1 } });
    const a = r.get("a");
    await a.execute(fail).catch(() => {});
    r.get("b");
    r.get("c");
    r.get("d"); // evicts b (a is open)
    expect([...r.keys()]).toEqual(["a", "c", "d"]);
    r.get("c"); // touch c
    r.get("e"); // evicts d
    expect([...r.keys()].sort()).toEqual(["a", "c", "e"]);
  });

  it("drops the breaker's listener when it is removed, and emits state changes while held", async () => {
    const clock = new ManualClock();
    const r = new BreakerRegistry({ clock, idleTtlMs: 1_000, reapIntervalMs: 0, defaults: { consecutiveFailures: 1, openMs: 10 } });
    const events: BreakerRegistryEvent[] = [];
    r.on((e) => events.push(e));
    const b = r.get("x");
    await b.execute(fail).catch(() => {});
    expect(events.map((e) => e.type)).toEqual(["breaker:created", "breaker:state-changed"]);
    r.delete("x");
    await clock.advance(10);
    b.reset();
    expect(events.map((e) => e.type)).toEqual(["breaker:created", "breaker:state-changed", "breaker:removed"]);
  });

  it("rejects bad options with ERR_BREAKER_INVALID_OPTION", () => {
    expect(() => new BreakerRegistry({ idleTtlMs: 0 })).toThrow(expect.objectContaining({ code: "ERR_BREAKER_INVALID_OPTION" }));
    expect(() => new BreakerRegistry({ maxSize: 0 })).toThrow(expect.objectContaining({ code: "ERR_BREAKER_INVALID_OPTION" }));
    expect(() => new BreakerRegistry({ reapIntervalMs: -1 })).toThrow(expect.objectContaining({ code: "ERR_BREAKER_INVALID_OPTION" }));
  });
});
