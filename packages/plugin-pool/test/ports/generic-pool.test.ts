/**
 * generic-pool's own test suite (coopernurse/node-pool test/*.js), ported to Custodian's Pool:
 * each test is titled with the upstream test's name and carries its facts, written against our API
 * on a ManualClock (generic-pool's tests sleep on real time). Where Custodian deliberately differs,
 * the test checks our documented behaviour and a "Differs:" comment says how (also in the README).
 * generic-pool's `drain()` + `clear()` map to our `close()`.
 */
import { describe, expect, it } from "vitest";
import { after, poolOn, settled } from "./harness.js";
import type { Item } from "./harness.js";

describe("generic-pool: generic-pool-test.js", () => {
  it("min and max limit defaults", () => {
    const { pool } = poolOn();
    expect(pool.min).toBe(0);
    expect(pool.max).toBe(10);
  });

  it("malformed min and max limits are ignored", () => {
    // Differs: generic-pool silently falls back to defaults; we reject bad options with a typed error.
    expect(() => poolOn({ min: "asf" as never })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
    expect(() => poolOn({ max: [] as never })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
  });

  it("min greater than max sets to max", () => {
    // Differs: generic-pool clamps min to max; we reject the contradiction.
    expect(() => poolOn({ min: 5, max: 3 })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
  });

  it("supports priority on borrow", async () => {
    // Differs: generic-pool's priority 0 is the highest; ours is "higher number first".
    const { pool } = poolOn({ max: 1 });
    const held = await pool.acquire();
    const order: string[] = [];
    const low = Array.from({ length: 10 }, () => pool.acquire({ priority: 0 }).then((r) => (order.push("low"), pool.release(r))));
    const high = Array.from({ length: 10 }, () => pool.acquire({ priority: 1 }).then((r) => (order.push("high"), pool.release(r))));
    pool.release(held);
    await Promise.all([...low, ...high]);
    expect(order).toEqual([...Array.from({ length: 10 }, () => "high"), ...Array.from({ length: 10 }, () => "low")]);
  });

  it("evictor removes instances on idletimeout", async () => {
    // Differs: generic-pool's evictor destroys idle instances below min and recreates them; ours
    // never reaps below min, so only the ones above min go (tarn: "should always keep opt.min").
    const { pool, clock, f } = poolOn({ min: 1, max: 2, idleTimeoutMs: 50, reapIntervalMs: 10 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.release(a);
    pool.release(b);
    await clock.advance(120);
    expect(f.destroyed).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1 });
  });

  it("tests drain", async () => {
    const { pool, clock } = poolOn({ max: 2 });
    let acquired = 0;
    const ops = Array.from({ length: 5 }, () =>
      pool.acquire().then((r) => {
        acquired++;
        clock.setTimeout(() => pool.release(r), 250);
      }),
    );
    for (let i = 0; i < 3 && acquired < 5; i++) await clock.advance(250);
    await Promise.all(ops);
    expect(acquired).toBe(5);
    const closing = settled(pool.close());
    await clock.advance(250);
    expect(closing.value).toMatchObject({ forced: [], ok: true });
    // Subsequent calls to acquire fail, at once.
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_CLOSED" });
  });

  it("clear promise resolves with no value", async () => {
    // Differs: our close() resolves with a report instead of undefined.
    const { pool } = poolOn({ max: 3, min: 3 });
    const all = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const r of all) pool.release(r);
    const report = await pool.close();
    expect(report).toMatchObject({ pool: "port", destroyed: 3, forced: [], ok: true });
  });

  it("handle creation errors", async () => {
    let created = 0;
    const { pool, clock } = poolOn({
      max: 1,
      createRetryBaseMs: 1,
      createRetryMaxMs: 1,
      create: async () => (++created < 5 ? Promise.reject(new Error("Error occurred.")) : { id: created, n: 0 }),
    });
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.value).toEqual({ id: 5, n: 0 });
    pool.release(s.value!);
    expect(pool.stats().pending).toBe(0);
  });

  it("handle creation errors for delayed creates", async () => {
    // Differs: by default our create breaker opens after 5 consecutive failures (acquire then
    // fails fast with ERR_POOL_CREATE_UNAVAILABLE); with it disabled, the caller waits through the
    // failures like generic-pool's, and each one is an event (generic-pool: factoryCreateError).
    let attempts = 0;
    const { pool, clock, events } = poolOn({
      max: 1,
      createRetryBaseMs: 1,
      createRetryMaxMs: 1,
      createBreakerThreshold: 0,
      create: async () => (++attempts <= 5 ? Promise.reject(new Error("Error occurred.")) : { id: attempts, n: 0 }),
    });
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.value).toEqual({ id: 6, n: 0 });
    expect(events.filter((e) => e.type === "resource:create-failed")).toHaveLength(5);
    expect(pool.stats().pending).toBe(0);
  });

  it("getPoolSize", async () => {
    const { pool } = poolOn({ max: 2 });
    expect(pool.stats().size).toBe(0);
    const a = await pool.acquire();
    expect(pool.stats().size).toBe(1);
    const b = await pool.acquire();
    expect(pool.stats().size).toBe(2);
    pool.release(a);
    pool.release(b);
    pool.release(await pool.acquire());
    expect(pool.stats().size).toBe(2);
  });

  it("availableObjectsCount", async () => {
    const { pool } = poolOn({ max: 2 });
    expect(pool.stats().idle).toBe(0);
    const a = await pool.acquire();
    expect(pool.stats().idle).toBe(0);
    const b = await pool.acquire();
    pool.release(a);
    expect(pool.stats().idle).toBe(1);
    pool.release(b);
    expect(pool.stats().idle).toBe(2);
    const c = await pool.acquire();
    expect(pool.stats().idle).toBe(1);
    pool.release(c);
  });

  it("do schedule again if error occured when creating new Objects async", async () => {
    let attempts = 0;
    const { pool, clock } = poolOn({ max: 1, create: async () => (++attempts < 2 ? Promise.reject(new Error("Create Error")) : { id: attempts, n: 0 }) });
    const s = settled(pool.acquire());
    await clock.advance(100); // createRetryBaseMs
    expect(s.value).toEqual({ id: 2, n: 0 });
    expect(pool.stats().idle).toBe(0);
  });

  it("returns only valid object to the pool", async () => {
    // Differs: generic-pool rejects release() of a foreign object; ours is a no-op that emits
    // release:ignored and never throws (a release in a finally block must not mask the real error).
    const { pool, events } = poolOn({ max: 1 });
    const obj = await pool.acquire();
    expect(pool.stats()).toMatchObject({ idle: 0, borrowed: 1 });
    pool.release({} as Item);
    expect(events.at(-1)).toMatchObject({ type: "release:ignored", reason: "unknown" });
    expect(pool.stats()).toMatchObject({ idle: 0, borrowed: 1 });
    pool.release(obj);
    expect(pool.stats()).toMatchObject({ idle: 1, borrowed: 0 });
  });

  it("validate acquires object from the pool", async () => {
    const { pool } = poolOn({ max: 1, validate: () => true });
    const obj = await pool.acquire();
    expect(pool.stats()).toMatchObject({ idle: 0, borrowed: 1 });
    pool.release(obj);
  });

  it("release to pool should work", async () => {
    const { pool } = poolOn({ max: 1 });
    const first = await pool.acquire();
    const second = settled(pool.acquire());
    expect(pool.stats()).toMatchObject({ idle: 0, borrowed: 1, pending: 1 });
    pool.release(first);
    await Promise.resolve();
    expect(second.value).toBe(first);
    expect(pool.stats()).toMatchObject({ idle: 0, borrowed: 1, pending: 0 });
  });

  it("destroy should redispense", async () => {
    const { pool, clock, f } = poolOn({ max: 1 });
    const first = await pool.acquire();
    const second = settled(pool.acquire());
    expect(pool.stats()).toMatchObject({ borrowed: 1, pending: 1 });
    await pool.destroy(first);
    await clock.tick();
    expect(second.value?.id).toBe(1); // a replacement was created for the waiter
    expect(f.destroyed).toEqual([first]);
    expect(pool.stats()).toMatchObject({ idle: 0, borrowed: 1, pending: 0 });
  });

  it("use method", async () => {
    const { pool } = poolOn();
    const id = await pool.use(async (r) => r.id);
    expect(id).toBe(0);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
  });

  it("use method should resolve after fn promise is resolved", async () => {
    const { pool, clock } = poolOn();
    let done = false;
    const s = settled(pool.use(() => after(clock, 5, "value").then((v) => ((done = true), v))));
    await clock.tick();
    expect(s.done).toBe(false);
    await clock.advance(5);
    expect(done).toBe(true);
    expect(s.value).toBe("value");
  });

  it("evictor should not run when softIdleTimeoutMillis is -1", async () => {
    // Our equivalent of "no eviction": idleTimeoutMs: 0 arms no housekeeping timer and destroys nothing.
    const { pool, clock, f } = poolOn({ idleTimeoutMs: 0, reapIntervalMs: 10 });
    pool.release(await pool.acquire());
    expect(clock.pendingTimers()).toBe(0);
    await clock.advance(30);
    expect(f.destroyed).toEqual([]);
  });

  it("should respect when maxWaitingClients is set to 0 ", async () => {
    const { pool } = poolOn({ max: 2, maxWaiting: 0 });
    expect(pool.stats().size).toBe(0);
    await pool.acquire();
    expect(pool.stats().size).toBe(1);
    await pool.acquire();
    expect(pool.stats().size).toBe(2);
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_FULL" });
  });

  it("should provide a way to wait until the pool is ready", async () => {
    const { pool } = poolOn({ min: 2, max: 4 });
    await pool.ready();
    expect(pool.stats().idle).toBeGreaterThanOrEqual(2);
  });
});

describe("generic-pool: generic-pool-acquiretimeout-test.js", () => {
  it("acquireTimeout handles timed out acquire calls", async () => {
    const { pool, clock, f } = poolOn(({ clock, f }) => ({ acquireTimeoutMs: 20, create: async () => after(clock, 100, { id: f.created++, n: 0 }) }));
    const s = settled(pool.acquire());
    await clock.advance(20);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    await clock.advance(80); // the create finishes after the caller left: kept idle, not leaked
    expect(pool.stats()).toMatchObject({ idle: 1, borrowed: 0 });
    expect(await pool.close()).toMatchObject({ destroyed: 1, ok: true });
  });

  it("acquireTimeout handles non timed out acquire calls", async () => {
    const mine: Item = { id: 42, n: 0 };
    const { pool, clock } = poolOn(({ clock }) => ({ acquireTimeoutMs: 400, create: async () => after(clock, 10, mine) }));
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.value).toBe(mine);
    pool.release(mine);
    expect(await pool.close()).toMatchObject({ ok: true });
  });
});

describe("generic-pool: generic-pool-destroytimeout-test.js", () => {
  it("destroyTimeout handles timed out destroy calls", async () => {
    const { pool, clock, events } = poolOn(({ clock }) => ({ destroyTimeoutMs: 20, destroy: () => after(clock, 100, undefined) }));
    const r = await pool.acquire();
    const destroying = settled(pool.destroy(r));
    await clock.advance(20);
    expect(destroying.done).toBe(true); // destroy() is bounded and never rejects
    expect(events.find((e) => e.type === "resource:destroy-failed")).toMatchObject({
      reason: "requested",
      error: { code: "ERR_POOL_CALL_TIMEOUT", call: "destroy", timeoutMs: 20 },
    });
  });

  it("destroyTimeout handles non timed out destroy calls", async () => {
    const { pool, clock, events } = poolOn(({ clock }) => ({ destroyTimeoutMs: 400, destroy: () => after(clock, 10, undefined) }));
    const r = await pool.acquire();
    const destroying = settled(pool.destroy(r));
    await clock.advance(10);
    expect(destroying.done).toBe(true);
    expect(events.some((e) => e.type === "resource:destroy-failed")).toBe(false);
    expect(events.some((e) => e.type === "resource:destroyed")).toBe(true);
  });
});

describe("generic-pool: GH-159-test.js", () => {
  it("tests drain clear with autostart and min > 0", async () => {
    // Creates alternate between delayed and immediate; closing right away destroys every resource
    // that was ever created, late ones included.
    let calls = 0;
    const { pool, clock, f } = poolOn(({ clock, f }) => ({
      max: 10,
      min: 1,
      validate: () => true,
      create: async () => {
        const r = { id: f.created++, n: 0 };
        return calls++ % 2 === 0 ? after(clock, 10, r) : r;
      },
    }));
    void pool.ready().catch(() => undefined);
    const closing = settled(pool.close());
    await clock.advance(10);
    expect(closing.done).toBe(true);
    expect(f.created).toBeGreaterThan(0);
    expect(f.destroyed).toHaveLength(f.created);
  });
});
