import { describe, expect, it, onTestFinished } from "vitest";
import { ManualClock } from "@custodian/core";
import { createPool } from "@custodian/plugin-pool";
import type { PoolEvent, PoolOptions } from "@custodian/plugin-pool";
import { RefClock } from "./helpers/RefClock.js";

interface Res {
  id: number;
  alive: boolean;
}

/** A trivial resource factory that records what happened. */
function factory() {
  let next = 0;
  const destroyed: number[] = [];
  return {
    destroyed,
    get made() {
      return next;
    },
    create: async (): Promise<Res> => ({ id: ++next, alive: true }),
    destroy: (r: Res) => {
      r.alive = false;
      destroyed.push(r.id);
    },
  };
}

function setup(options: Partial<PoolOptions<Res>> = {}) {
  const clock = new ManualClock();
  const f = factory();
  const pool = createPool<Res>({ name: "t", clock, create: f.create, destroy: f.destroy, ...options });
  const events: PoolEvent[] = [];
  pool.on((e) => events.push(e));
  onTestFinished(async () => {
    await pool.close({ deadlineMs: 0 });
  });
  return { clock, f, pool, events };
}

const settled = <T>(p: Promise<T>) => {
  const s: { done: boolean; value?: T; error?: any } = { done: false };
  p.then(
    (value) => Object.assign(s, { done: true, value }),
    (error: unknown) => Object.assign(s, { done: true, error }),
  );
  return s;
};

describe("createPool: options", () => {
  it("rejects unknown options and bad values with ERR_POOL_INVALID_OPTION", () => {
    const create = () => 1;
    expect(() => createPool({ create, acquireTimeoutMillis: 5 } as never)).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
    // generic-pool #290: an option that would be silently ignored is an error here.
    expect(() => createPool({ create, testOnReturn: true } as never)).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
    expect(() => createPool({ create, max: 0 })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
    expect(() => createPool({ create, min: 5, max: 2 })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
    expect(() => createPool({ create, order: "random" as never })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
    expect(() => createPool({ create: undefined as never })).toThrow(expect.objectContaining({ code: "ERR_POOL_INVALID_OPTION" }));
  });
});

describe("acquire / release", () => {
  it("reuses an idle resource without arming any timer (fast path)", async () => {
    const { clock, pool, f } = setup({ idleTimeoutMs: 0 });
    const a = await pool.acquire();
    pool.release(a);
    expect(clock.pendingTimers()).toBe(0);
    for (let i = 0; i < 100; i++) pool.release(await pool.acquire());
    expect(f.made).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, borrowed: 0, acquired: 101 });
  });

  it("max is a concurrency limit: callers beyond it queue FIFO and are served in order", async () => {
    const { pool } = setup({ max: 2 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const order: number[] = [];
    const waits = [1, 2, 3].map((n) => pool.acquire().then((r) => (order.push(n), r)));
    await Promise.resolve();
    expect(pool.stats()).toMatchObject({ size: 2, borrowed: 2, pending: 3 });
    pool.release(a);
    const first = await waits[0];
    pool.release(b);
    const second = await waits[1];
    pool.release(first);
    await waits[2];
    expect(order).toEqual([1, 2, 3]);
    expect(pool.stats().size).toBe(2);
    pool.release(second);
  });

  it("serves higher priority lanes first, FIFO within a lane", async () => {
    const { pool } = setup({ max: 1 });
    const a = await pool.acquire();
    const order: string[] = [];
    const low = pool.acquire().then((r) => (order.push("low"), pool.release(r)));
    const high1 = pool.acquire({ priority: 5 }).then((r) => (order.push("high1"), pool.release(r)));
    const high2 = pool.acquire({ priority: 5 }).then((r) => (order.push("high2"), pool.release(r)));
    pool.release(a);
    await Promise.all([low, high1, high2]);
    expect(order).toEqual(["high1", "high2", "low"]);
  });

  it("uses LIFO idle selection by default and FIFO when asked", async () => {
    for (const order of ["lifo", "fifo"] as const) {
      const { pool } = setup({ order, max: 2 });
      const a = await pool.acquire();
      const b = await pool.acquire();
      pool.release(a);
      pool.release(b);
      const next = await pool.acquire();
      expect(next).toBe(order === "lifo" ? b : a);
      pool.release(next);
    }
  });

  it("bounds the wait queue: beyond maxWaiting acquire fails at once with ERR_POOL_FULL", async () => {
    const { pool } = setup({ max: 1, maxWaiting: 2 });
    const a = await pool.acquire();
    const w1 = pool.acquire();
    const w2 = pool.acquire();
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_FULL", stats: { pending: 2, max: 1 } });
    expect(pool.stats().rejectedFull).toBe(1);
    pool.release(a);
    pool.release(await w1);
    pool.release(await w2);
  });

  it("bounds the wait queue by default (maxWaiting 10,000)", async () => {
    const { pool } = setup({ max: 1 });
    const a = await pool.acquire();
    const waiting = Array.from({ length: 10_000 }, () => pool.acquire({ timeoutMs: 1 }).catch(() => undefined));
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_FULL" });
    pool.release(a);
    await Promise.race(waiting);
  });

  it("a double release, or releasing an unknown value, is a no-op with an event", async () => {
    const { pool, events } = setup();
    const a = await pool.acquire();
    pool.release(a);
    expect(() => pool.release(a)).not.toThrow();
    expect(() => pool.release({ id: 99, alive: true })).not.toThrow();
    expect(events.filter((e) => e.type === "release:ignored").map((e) => (e as { reason: string }).reason)).toEqual(["not-borrowed", "unknown"]);
    expect(pool.stats()).toMatchObject({ idle: 1, borrowed: 0 });
  });

  it("destroy() works for borrowed and idle resources and replaces them on demand", async () => {
    const { pool, f } = setup({ max: 2 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.release(b);
    await pool.destroy(a);
    await pool.destroy(b);
    expect(f.destroyed.sort()).toEqual([1, 2]);
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0, idle: 0 });
    const c = await pool.acquire();
    expect(c.id).toBe(3);
    pool.release(c);
  });
});

describe("acquire deadline", () => {
  it("is on by default (30s), arms one shared timer only while callers wait, and carries stats", async () => {
    const { pool, clock } = setup({ max: 1 });
    const a = await pool.acquire();
    expect(clock.pendingTimers()).toBe(0);
    const w = Array.from({ length: 5 }, () => settled(pool.acquire()));
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(29_999);
    expect(w.every((s) => !s.done)).toBe(true);
    await clock.advance(1);
    for (const s of w) {
      expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT", stats: { borrowed: 1, max: 1, name: "t" } });
    }
    expect(w[0].error.message).not.toMatch(/unknown reason/);
    expect(pool.stats()).toMatchObject({ timedOut: 5, pending: 0 });
    pool.release(a);
  });

  it("re-arms the shared timer for the earliest remaining deadline", async () => {
    const { pool, clock } = setup({ max: 1 });
    const a = await pool.acquire();
    const late = settled(pool.acquire({ timeoutMs: 500 }));
    const early = settled(pool.acquire({ timeoutMs: 100 }));
    await clock.advance(100);
    expect(early.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    expect(late.done).toBe(false);
    await clock.advance(400);
    expect(late.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    expect(clock.pendingTimers()).toBe(0);
    pool.release(a);
  });

  it("honours an absolute deadlineAt (e.g. the kernel's) when it is earlier", async () => {
    const { pool, clock } = setup({ max: 1 });
    const a = await pool.acquire();
    const s = settled(pool.acquire({ deadlineAt: clock.now() + 50 }));
    await clock.advance(50);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    pool.release(a);
  });

  it("carries the last create error as cause", async () => {
    const { clock } = setup();
    const boom = new Error("ECONNREFUSED");
    const pool = createPool({ name: "c", clock, create: () => Promise.reject(boom), createBreakerThreshold: 0, acquireTimeoutMs: 1_000 });
    const s = settled(pool.acquire());
    await clock.advance(1_000);
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT", cause: boom });
    await pool.close();
  });

  it("an AbortSignal rejects the waiter with ERR_POOL_ACQUIRE_ABORTED and the reason as cause", async () => {
    const { pool } = setup({ max: 1 });
    const a = await pool.acquire();
    const ac = new AbortController();
    const s = settled(pool.acquire({ signal: ac.signal }));
    ac.abort(new Error("client went away"));
    await Promise.resolve();
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_ABORTED", cause: { message: "client went away" } });
    expect(pool.stats().pending).toBe(0);
    await expect(pool.acquire({ signal: AbortSignal.abort("x") })).rejects.toMatchObject({ code: "ERR_POOL_ACQUIRE_ABORTED" });
    pool.release(a);
    // The aborted waiter did not take the returned resource.
    expect(pool.stats().idle).toBe(1);
  });
});

describe("create", () => {
  it("times out a hung create, aborts its signal, and destroys a late value", async () => {
    const clock = new ManualClock();
    let resolveLate!: (v: Res) => void;
    let signal!: AbortSignal;
    const destroyed: Res[] = [];
    const pool = createPool<Res>({
      clock,
      createTimeoutMs: 1_000,
      createBreakerThreshold: 0,
      acquireTimeoutMs: 1_500,
      create: (ctx) => {
        signal = ctx.signal;
        return new Promise<Res>((r) => (resolveLate = r));
      },
      destroy: (r) => void destroyed.push(r),
    });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    const s = settled(pool.acquire());
    await clock.advance(1_000);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ code: "ERR_POOL_CREATE_TIMEOUT" });
    resolveLate({ id: 1, alive: true });
    await clock.tick();
    expect(destroyed).toHaveLength(1);
    await clock.advance(500);
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT", cause: { code: "ERR_POOL_CREATE_TIMEOUT" } });
  });

  it("retries with exponential backoff and jitter; a synchronously throwing create does not spin", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const events: PoolEvent[] = [];
    const pool = createPool({
      clock,
      createBreakerThreshold: 0,
      createRetryBaseMs: 100,
      createRetryMaxMs: 1_000,
      acquireTimeoutMs: 5_000,
      random: () => 1,
      create: () => {
        calls++;
        throw new Error("sync failure");
      },
    });
    pool.on((e) => events.push(e));
    onTestFinished(() => pool.close().then(() => undefined));
    const s = settled(pool.acquire());
    await clock.tick();
    expect(calls).toBe(1);
    const delays = events.filter((e) => e.type === "resource:create-failed").map((e) => (e as { retryInMs: number }).retryInMs);
    expect(delays).toEqual([100]);
    await clock.advance(5_000);
    // 100, 200, 400, 800, then 1000 each: at most ~9 attempts in 5s, never a spin.
    expect(calls).toBeGreaterThan(4);
    expect(calls).toBeLessThan(12);
    const all = events.filter((e) => e.type === "resource:create-failed").map((e) => (e as { retryInMs?: number }).retryInMs);
    expect(all.slice(0, 5)).toEqual([100, 200, 400, 800, 1000]);
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT", cause: { message: "sync failure" } });
  });

  it("jitter spreads the retry delay within [exp/2, exp]", async () => {
    const clock = new ManualClock();
    const events: PoolEvent[] = [];
    const pool = createPool({ clock, createBreakerThreshold: 0, createRetryBaseMs: 100, random: () => 0, create: () => Promise.reject(new Error("x")) });
    pool.on((e) => events.push(e));
    onTestFinished(() => pool.close().then(() => undefined));
    void pool.acquire().catch(() => {});
    await clock.tick();
    expect((events.find((e) => e.type === "resource:create-failed") as { retryInMs: number }).retryInMs).toBe(50);
  });

  it("stops retrying when demand is gone (creation only while there is demand or below min)", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const pool = createPool({ clock, createBreakerThreshold: 0, acquireTimeoutMs: 300, create: () => (calls++, Promise.reject(new Error("down"))) });
    onTestFinished(() => pool.close().then(() => undefined));
    const s = settled(pool.acquire());
    await clock.advance(300);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    const before = calls;
    await clock.advance(60_000);
    expect(calls - before).toBeLessThanOrEqual(1);
    expect(pool.stats().creating).toBe(0);
  });

  it("opens a create breaker: acquire then fails at once with the last error as cause, and recovers", async () => {
    const clock = new ManualClock();
    let up = false;
    let calls = 0;
    const events: PoolEvent[] = [];
    const pool = createPool({
      clock,
      createBreakerThreshold: 3,
      createBreakerOpenMs: 5_000,
      createRetryBaseMs: 10,
      random: () => 1,
      create: async () => {
        calls++;
        if (!up) throw new Error("ECONNREFUSED 127.0.0.1:1");
        return { id: calls, alive: true };
      },
    });
    pool.on((e) => events.push(e));
    onTestFinished(() => pool.close().then(() => undefined));
    const first = settled(pool.acquire());
    await clock.advance(100); // attempts at 0, 10, 30 -> opens after the third
    expect(first.error).toMatchObject({ code: "ERR_POOL_CREATE_UNAVAILABLE", cause: { message: "ECONNREFUSED 127.0.0.1:1" } });
    expect(calls).toBe(3);
    expect(pool.stats().createBreaker).toBe("open");
    // Fails fast: no wait, no new create.
    const fast = settled(pool.acquire());
    await clock.tick();
    expect(fast.error?.code).toBe("ERR_POOL_CREATE_UNAVAILABLE");
    expect(calls).toBe(3);
    expect(clock.pendingTimers()).toBe(0);
    // After the cooldown one trial create goes through.
    up = true;
    await clock.advance(5_000);
    const r = await pool.acquire();
    expect(calls).toBe(4);
    expect(pool.stats().createBreaker).toBe("closed");
    expect(events.filter((e) => e.type === "breaker:state-changed").map((e) => (e as { to: string }).to)).toEqual(["open", "half-open", "closed"]);
    pool.release(r);
  });
});

describe("validation on borrow", () => {
  it("destroys a resource that fails validation and hands out a fresh one", async () => {
    const { pool, f, events } = setup({ validate: (r) => r.alive });
    const a = await pool.acquire();
    pool.release(a);
    a.alive = false;
    const b = await pool.acquire();
    expect(b.id).toBe(2);
    expect(f.destroyed).toEqual([1]);
    expect(events.some((e) => e.type === "resource:validation-failed")).toBe(true);
    pool.release(b);
  });

  it("validates every hand-out, a resource fresh from create() too (as tarn and generic-pool's testOnBorrow do)", async () => {
    let validations = 0;
    const { pool } = setup({ validate: () => (validations++, true) });
    const a = await pool.acquire();
    expect(validations).toBe(1);
    pool.release(a);
    pool.release(await pool.acquire());
    expect(validations).toBe(2);
  });

  it("validates a never-used idle resource (created to keep min) before its first hand-out", async () => {
    const made: Res[] = [];
    let n = 0;
    const { pool, clock, f } = setup({ min: 3, max: 3, create: async () => (made.push({ id: ++n, alive: true }), made[n - 1]), validate: (r) => r.alive });
    const first = await pool.acquire(); // fills up to min: two more are created and sit idle, never used
    await clock.tick();
    expect(pool.stats()).toMatchObject({ size: 3, idle: 2 });
    for (const r of made) if (r !== first) r.alive = false; // e.g. backends terminated while idle
    const got = [await pool.acquire(), await pool.acquire()];
    expect(got.every((r) => r.alive)).toBe(true);
    expect(f.destroyed.sort()).toEqual([2, 3]);
    expect(pool.stats().validationFailures).toBe(2);
    pool.release(first);
  });

  it("skips validation when the resource was used recently (validateAfterIdleMs)", async () => {
    let validations = 0;
    const { pool, clock } = setup({ validateAfterIdleMs: 1_000, validate: () => (validations++, true) });
    pool.release(await pool.acquire());
    pool.release(await pool.acquire());
    expect(validations).toBe(0);
    await clock.advance(1_000);
    pool.release(await pool.acquire());
    expect(validations).toBe(1);
  });

  it("bounds validation by validateTimeoutMs (a hung validate counts as invalid)", async () => {
    let hang = false;
    const { pool, clock, f } = setup({ validateTimeoutMs: 200, validate: (r) => (hang && r.id === 1 ? new Promise<boolean>(() => {}) : true) });
    pool.release(await pool.acquire());
    hang = true;
    const s = settled(pool.acquire());
    await clock.advance(200);
    expect(f.destroyed).toEqual([1]);
    expect(s.value?.id).toBe(2);
    pool.release(s.value!);
  });
});

describe("validation edge cases", () => {
  it("close() during a validation rejects that caller with ERR_POOL_CLOSED (never left hanging)", async () => {
    let release!: (v: boolean) => void;
    let slow = false;
    const { pool, clock } = setup({ validate: () => (slow ? new Promise<boolean>((r) => (release = r)) : true) });
    pool.release(await pool.acquire());
    slow = true;
    const s = settled(pool.acquire());
    await clock.tick();
    const closing = pool.close({ deadlineMs: 0 });
    release(true);
    await clock.tick();
    expect(s.error?.code).toBe("ERR_POOL_CLOSED");
    expect((await closing).forced).toHaveLength(1);
  });

  it("a caller whose resource is being validated is not counted as demand for a new create", async () => {
    let release!: (v: boolean) => void;
    let slow = false;
    const { pool, clock, f } = setup({ max: 5, validate: (r) => (slow && r.id === 1 ? new Promise<boolean>((res) => (release = res)) : true) });
    pool.release(await pool.acquire()); // resource 1 idle
    slow = true;
    const a = settled(pool.acquire()); // validating resource 1
    const b = settled(pool.acquire()); // needs a create
    await clock.tick();
    expect(f.made).toBe(2);
    release(true);
    await clock.tick();
    expect(a.value?.id).toBe(1);
    expect(b.value?.id).toBe(2);
  });
});

describe("create breaker recovery", () => {
  it("serves every queued caller after a successful half-open trial", async () => {
    const clock = new ManualClock();
    let up = false;
    let n = 0;
    const pool = createPool({
      clock,
      max: 5,
      createBreakerThreshold: 1,
      createBreakerOpenMs: 1_000,
      create: async () => (up ? { id: ++n } : Promise.reject(new Error("down"))),
    });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_CREATE_UNAVAILABLE" });
    up = true;
    await clock.advance(1_000);
    const got = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(got.map((r) => r.id).sort()).toEqual([1, 2, 3]);
  });
});

describe("create breaker and min", () => {
  it("refills min after the breaker's open period with no caller asking, and keeps no timer once there", async () => {
    const clock = new ManualClock();
    let up = false;
    let calls = 0;
    const pool = createPool({
      clock,
      min: 2,
      max: 4,
      idleTimeoutMs: 0, // no housekeeping timer, so pendingTimers() counts only the refill's
      createBreakerThreshold: 2,
      createBreakerOpenMs: 5_000,
      createRetryBaseMs: 10,
      random: () => 1,
      create: async () => {
        calls++;
        if (!up) throw new Error("down");
        return { id: calls };
      },
    });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    const ready = settled(pool.ready()); // creates min (by borrowing and returning)
    await clock.advance(100);
    expect(ready.error?.code).toBe("ERR_POOL_CREATE_UNAVAILABLE");
    expect(pool.stats()).toMatchObject({ size: 0, createBreaker: "open" });
    const failedCalls = calls;
    up = true;
    await clock.advance(4_899); // the breaker opened at 0 for 5s
    expect(calls).toBe(failedCalls); // still open: no create
    await clock.advance(1);
    expect(pool.stats()).toMatchObject({ size: 2, idle: 2, createBreaker: "closed" });
    expect(calls).toBe(failedCalls + 2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("a failed half-open trial re-arms the refill for the next open period", async () => {
    const clock = new ManualClock();
    let up = false;
    const pool = createPool({
      clock,
      min: 1,
      createBreakerThreshold: 1,
      createBreakerOpenMs: 1_000,
      create: async () => (up ? { id: 1 } : Promise.reject(new Error("down"))),
    });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    const ready = settled(pool.ready());
    await clock.advance(10);
    expect(ready.error?.code).toBe("ERR_POOL_CREATE_UNAVAILABLE");
    expect(pool.stats().createBreaker).toBe("open");
    await clock.advance(1_000); // trial fails: open again
    expect(pool.stats()).toMatchObject({ size: 0, createBreaker: "open" });
    up = true;
    await clock.advance(1_000);
    expect(pool.stats()).toMatchObject({ size: 1, createBreaker: "closed" });
  });
});

describe("idle reaping and lifetime", () => {
  it("reaps idle resources by time, not traffic, down to min, never borrowed ones", async () => {
    const { pool, clock, f } = setup({ min: 1, max: 4, idleTimeoutMs: 10_000, reapIntervalMs: 1_000 });
    const rs = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.release(rs[0]);
    pool.release(rs[1]);
    // No traffic at all from here on.
    await clock.advance(20_000);
    expect(f.destroyed.sort()).toEqual([1, 2]);
    expect(pool.stats()).toMatchObject({ borrowed: 2, idle: 0 });
    pool.release(rs[2]);
    pool.release(rs[3]);
    await clock.advance(20_000);
    // min = 1 is kept.
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1 });
  });

  it("needs no eviction interval to be set for idleTimeoutMs to work (generic-pool #178)", async () => {
    const { pool, clock, f } = setup({ idleTimeoutMs: 5_000 });
    pool.release(await pool.acquire());
    await clock.advance(7_000);
    expect(f.destroyed).toEqual([1]);
    expect(clock.pendingTimers()).toBe(0); // nothing idle: the housekeeping timer is not re-armed
  });

  it("retires resources past maxLifetimeMs (with jitter) when returned", async () => {
    const { pool, clock, f } = setup({ maxLifetimeMs: 10_000, maxLifetimeJitter: 0.1, random: () => 1, idleTimeoutMs: 0 });
    const a = await pool.acquire();
    await clock.advance(8_999);
    pool.release(a);
    expect(f.destroyed).toEqual([]);
    const b = await pool.acquire();
    expect(b).toBe(a);
    await clock.advance(1);
    pool.release(b);
    await clock.tick();
    expect(f.destroyed).toEqual([1]);
  });

  it("a reaped resource released later is ignored, never a throw (generic-pool #203)", async () => {
    const { pool, clock, events } = setup({ idleTimeoutMs: 1_000, reapIntervalMs: 500 });
    const a = await pool.acquire();
    pool.release(a);
    await clock.advance(2_000);
    expect(pool.stats().size).toBe(0);
    expect(() => pool.release(a)).not.toThrow();
    expect(events.at(-1)).toMatchObject({ type: "release:ignored", reason: "unknown" });
  });
});

describe("leak detection", () => {
  it("reports a resource held past leakThresholdMs with the borrower's stack, then its return", async () => {
    const { pool, clock, events } = setup({ leakThresholdMs: 5_000, reapIntervalMs: 1_000 });
    const a = await pool.acquire();
    await clock.advance(4_000);
    expect(events.some((e) => e.type === "leak:suspected")).toBe(false);
    await clock.advance(2_000);
    const leak = events.find((e) => e.type === "leak:suspected") as Extract<PoolEvent, { type: "leak:suspected" }>;
    expect(leak.heldMs).toBeGreaterThanOrEqual(5_000);
    expect(leak.stack).toMatch(/Pool\.test\.ts/);
    await clock.advance(5_000);
    expect(events.filter((e) => e.type === "leak:suspected")).toHaveLength(1);
    pool.release(a);
    expect(events.at(-1)).toMatchObject({ type: "leak:returned" });
  });

  it("captures no stack when leak detection is off", async () => {
    const { pool } = setup();
    const a = await pool.acquire();
    const report = await pool.close({ deadlineMs: 0 });
    expect(report.forced).toEqual([{ heldMs: expect.any(Number), stack: undefined }]);
    expect(a.alive).toBe(false);
  });
});

describe("close", () => {
  it("rejects new acquires at once with ERR_POOL_CLOSED, never waiting for a timeout (tarn #81)", async () => {
    const { pool, clock } = setup();
    await pool.close();
    const s = settled(pool.acquire());
    await clock.tick();
    expect(s.error?.code).toBe("ERR_POOL_CLOSED");
  });

  it("rejects queued waiters, destroys idle now, awaits borrowed until the deadline, then forces", async () => {
    const { pool, clock, f } = setup({ max: 3, leakThresholdMs: 60_000 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const idle = await pool.acquire();
    pool.release(idle);
    pool.release(await pool.acquire()); // idle stays idle
    const c = await pool.acquire();
    const waiter = settled(pool.acquire());
    const closing = settled(pool.close({ deadlineMs: 1_000 }));
    await clock.tick();
    expect(waiter.error?.code).toBe("ERR_POOL_CLOSED");
    expect(c.alive).toBe(true);
    await clock.advance(500);
    pool.release(b); // returned in time: destroyed gracefully
    pool.release(c);
    await clock.tick();
    expect(b.alive).toBe(false);
    expect(closing.done).toBe(false);
    await clock.advance(500);
    const report = closing.value!;
    expect(report.forced).toHaveLength(1);
    expect(report.forced[0].heldMs).toBe(1_000);
    expect(report.forced[0].stack).toMatch(/Pool\.test\.ts/);
    expect(report).toMatchObject({ rejectedWaiters: 1, destroyed: 2, ok: false });
    expect(a.alive).toBe(false);
    expect(f.destroyed.length).toBe(f.made);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("resolves as soon as the last borrowed resource comes back", async () => {
    const { pool, clock } = setup({ max: 2 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    pool.release(b);
    const closing = settled(pool.close({ deadlineMs: 10_000 }));
    await clock.advance(100);
    expect(closing.done).toBe(false);
    pool.release(a);
    await clock.tick();
    expect(closing.value).toMatchObject({ forced: [], destroyed: 2, ok: true });
    expect(a.alive).toBe(false);
  });

  it("forces at once when its signal aborts", async () => {
    const { pool, clock } = setup();
    const a = await pool.acquire();
    const ac = new AbortController();
    const closing = settled(pool.close({ deadlineMs: 60_000, signal: ac.signal }));
    await clock.tick();
    ac.abort();
    await clock.tick();
    expect(closing.value?.forced).toHaveLength(1);
    expect(a.alive).toBe(false);
  });

  it("cancels pending create retries and never calls create() again (generic-pool #256)", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const pool = createPool({ clock, createBreakerThreshold: 0, create: () => (calls++, Promise.reject(new Error("down"))) });
    void pool.acquire().catch(() => {});
    await clock.tick();
    const report = await pool.close();
    expect(report.rejectedWaiters).toBe(1);
    const before = calls;
    await clock.advance(60_000);
    expect(calls).toBe(before);
    expect(clock.pendingTimers()).toBe(0);
    expect(pool.stats().creating).toBe(0);
  });

  it("aborts an in-flight create and destroys its late value", async () => {
    const clock = new ManualClock();
    let resolve!: (v: Res) => void;
    let signal!: AbortSignal;
    const destroyed: Res[] = [];
    const pool = createPool<Res>({
      clock,
      create: (ctx) => ((signal = ctx.signal), new Promise<Res>((r) => (resolve = r))),
      destroy: (r) => void destroyed.push(r),
    });
    void pool.acquire().catch(() => {});
    await clock.tick();
    await pool.close();
    expect(signal.aborted).toBe(true);
    resolve({ id: 1, alive: true });
    await clock.tick();
    expect(destroyed).toHaveLength(1);
  });

  it("is idempotent: a second close returns the same report", async () => {
    const { pool } = setup();
    pool.release(await pool.acquire());
    const r1 = pool.close();
    const r2 = pool.close({ deadlineMs: 1 });
    expect(r1).toBe(r2);
    expect((await r1).destroyed).toBe(1);
  });

  it("reports destroy failures and timeouts instead of hanging", async () => {
    const clock = new ManualClock();
    const pool = createPool({ clock, destroyTimeoutMs: 100, create: () => ({}), destroy: () => new Promise<void>(() => {}) });
    pool.release(await pool.acquire());
    const closing = settled(pool.close());
    await clock.advance(100);
    expect(closing.value?.errors).toHaveLength(1);
    expect(closing.value?.ok).toBe(false);
  });
});

describe("refresh, lease, use, ready", () => {
  it("refresh() retires idle now and borrowed on return, and keeps serving", async () => {
    const { pool, f } = setup({ max: 2 });
    const a = await pool.acquire();
    pool.release(await pool.acquire());
    await pool.refresh();
    expect(f.destroyed).toEqual([2]);
    pool.release(a);
    await Promise.resolve();
    expect(f.destroyed.sort()).toEqual([1, 2]);
    const c = await pool.acquire();
    expect(c.id).toBe(3);
    pool.release(c);
  });

  it("lease() is released by await using", async () => {
    const { pool } = setup();
    {
      await using lease = await pool.lease();
      expect(pool.stats().borrowed).toBe(1);
      expect(lease.value.id).toBe(1);
    }
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
  });

  it("use() releases on success and destroys on throw (never drops the resource)", async () => {
    const { pool, f } = setup();
    await expect(pool.use((r) => r.id * 10)).resolves.toBe(10);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
    await expect(
      pool.use(() => {
        throw new Error("borrower failed");
      }),
    ).rejects.toThrow("borrower failed");
    expect(f.destroyed).toEqual([1]);
    expect(pool.stats()).toMatchObject({ borrowed: 0, size: 0 });
  });

  it("ready() creates min resources", async () => {
    const { pool, f } = setup({ min: 3, max: 5 });
    await pool.ready();
    expect(f.made).toBe(3);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
  });

  it("a closed pool can be replaced by a new one (generic-pool #238: no half-dead reuse)", async () => {
    const { pool } = setup();
    await pool.close();
    expect(pool.closed).toBe(true);
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_CLOSED" });
  });
});

describe("awaited work holds the process; idle holds nothing (issue 13 §1)", () => {
  it("the acquire timer is ref'd while a caller waits and cleared when it is served", async () => {
    const clock = new RefClock();
    const pool = createPool<Res>({ clock, max: 1, idleTimeoutMs: 0, create: async () => ({ id: 1, alive: true }) });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    const a = await pool.acquire();
    expect(clock.held()).toEqual({ ref: 0, unref: 0 });
    const waiting = pool.acquire();
    expect(clock.held()).toEqual({ ref: 1, unref: 0 });
    pool.release(a);
    pool.release(await waiting);
    expect(clock.held()).toEqual({ ref: 0, unref: 0 });
    pool.release(await pool.acquire()); // fast path: no timer at all
    expect(clock.held()).toEqual({ ref: 0, unref: 0 });
  });

  it("a create retry is ref'd while a caller waits for it and unref'd once nobody does", async () => {
    const clock = new RefClock();
    const pool = createPool<Res>({
      clock,
      createBreakerThreshold: 0,
      createRetryBaseMs: 1_000,
      createRetryMaxMs: 1_000,
      random: () => 1,
      create: async () => Promise.reject(new Error("down")),
    });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    const s = settled(pool.acquire({ timeoutMs: 100 }));
    await clock.tick();
    expect(clock.held()).toEqual({ ref: 2, unref: 0 }); // acquire deadline + retry backoff
    await clock.advance(100);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    expect(clock.held()).toEqual({ ref: 0, unref: 1 }); // the retry no longer holds the process
    const again = settled(pool.acquire({ timeoutMs: 5_000 }));
    expect(clock.held()).toEqual({ ref: 2, unref: 0 }); // held again while someone waits
    await clock.advance(5_000);
    expect(again.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
  });

  it("close({ deadlineMs }) holds the process with a ref'd deadline while a borrowed resource is out", async () => {
    const clock = new RefClock();
    const pool = createPool<Res>({ clock, idleTimeoutMs: 0, create: async () => ({ id: 1, alive: true }) });
    await pool.acquire();
    const closing = settled(pool.close({ deadlineMs: 200 }));
    await clock.tick();
    expect(clock.held().ref).toBe(1);
    await clock.advance(200);
    expect(closing.value).toMatchObject({ forced: [expect.anything()] });
    expect(clock.held()).toEqual({ ref: 0, unref: 0 });
  });

  it("an awaited destroy(r) holds the process with its ref'd destroy deadline, released once it settles", async () => {
    const clock = new RefClock();
    const pool = createPool<Res>({
      clock,
      idleTimeoutMs: 0,
      destroyTimeoutMs: 100,
      destroy: () => new Promise<void>(() => {}),
      create: async () => ({ id: 1, alive: true }),
    });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    const destroying = settled(pool.destroy(await pool.acquire()));
    expect(clock.held()).toEqual({ ref: 1, unref: 0 });
    await clock.advance(100);
    expect(destroying.done).toBe(true);
    expect(clock.held()).toEqual({ ref: 0, unref: 0 });
  });

  it("an idle pool with resources, reaping and min arms only unref'd timers", async () => {
    const clock = new RefClock();
    const pool = createPool<Res>({ clock, min: 2, idleTimeoutMs: 30_000, validate: () => true, create: async () => ({ id: 1, alive: true }) });
    onTestFinished(() => pool.close({ deadlineMs: 0 }).then(() => undefined));
    await pool.ready();
    expect(clock.held().ref).toBe(0);
    expect(clock.held().unref).toBeGreaterThan(0); // housekeeping
  });
});

describe("pool edge cases from generic-pool's and tarn's suites (issue 13 §3)", () => {
  it("the acquire deadline holds while an idle resource is validated; the resource goes back when validation passes", async () => {
    let finish!: (ok: boolean) => void;
    let slow = false;
    const { pool, clock, f } = setup({
      acquireTimeoutMs: 10,
      validate: () => (slow ? new Promise<boolean>((r) => (finish = r)) : true),
    });
    pool.release(await pool.acquire());
    slow = true;
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    expect(pool.stats()).toMatchObject({ pending: 0, borrowed: 1 }); // reserved while validated
    finish(true);
    await clock.tick();
    expect(pool.stats()).toMatchObject({ idle: 1, borrowed: 0, size: 1 });
    expect(f.destroyed).toEqual([]);
  });

  it("the acquire deadline holds while validating; a resource whose validation then times out is destroyed", async () => {
    let slow = false;
    const { pool, clock, f } = setup({ acquireTimeoutMs: 10, validateTimeoutMs: 5_000, validate: () => (slow ? new Promise<boolean>(() => {}) : true) });
    pool.release(await pool.acquire());
    slow = true;
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    await clock.advance(5_000);
    expect(f.destroyed).toEqual([1]);
    expect(pool.stats()).toMatchObject({ size: 0, borrowed: 0, pending: 0 });
  });

  it("maxWaiting counts only callers waiting beyond max (max 10, maxWaiting 2: 12 concurrent acquires on an empty pool pass)", async () => {
    const { pool, clock } = setup({ max: 10, maxWaiting: 2 });
    const first = Array.from({ length: 12 }, () => settled(pool.acquire()));
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_FULL" });
    await clock.tick();
    expect(first.filter((s) => s.error !== undefined)).toEqual([]);
    expect(first.filter((s) => s.done)).toHaveLength(10);
    for (const s of first.slice(0, 10)) pool.release(s.value!);
    await clock.tick();
    expect(first.every((s) => s.done && s.error === undefined)).toBe(true);
  });

  it("maxWaiting: 0 rejects only a caller that would wait beyond max; ready() with min 1 works", async () => {
    const { pool } = setup({ max: 2, min: 1, maxWaiting: 0 });
    await pool.ready();
    const a = await pool.acquire();
    const b = await pool.acquire();
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_FULL" });
    pool.release(a);
    pool.release(b);
  });

  it("two concurrent ready() calls create min resources, not 2 × min", async () => {
    const { pool, f } = setup({ min: 3, max: 10 });
    await Promise.all([pool.ready(), pool.ready()]);
    expect(f.made).toBe(3);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3 });
  });
});

describe("close and validation", () => {
  it("close() rejects a caller whose resource is being validated at once, not when its validation ends", async () => {
    let slow = false;
    const { pool, clock, f } = setup({ validateTimeoutMs: 5_000, validate: () => (slow ? new Promise<boolean>(() => {}) : true) });
    pool.release(await pool.acquire());
    slow = true;
    const s = settled(pool.acquire());
    await clock.tick();
    const closing = settled(pool.close({ deadlineMs: 100 }));
    await clock.tick();
    expect(s.error?.code).toBe("ERR_POOL_CLOSED");
    await clock.advance(100);
    expect(closing.value).toMatchObject({ rejectedWaiters: 1 });
    await clock.advance(5_000);
    expect(f.destroyed).toEqual([1]);
  });
});
