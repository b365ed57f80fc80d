/**
 * tarn.js's own test suite (Vincit/tarn.js tests.js), ported to Custodian's Pool: each test is
 * titled with the upstream test's name and carries its facts, written against our API on a
 * ManualClock (tarn's tests sleep on real time). Where Custodian deliberately differs, the test
 * checks our documented behaviour and a "Differs:" comment says how (also listed in the README).
 */
import { describe, expect, it } from "vitest";
import { after, poolOn, settled } from "./harness.js";
import type { Item } from "./harness.js";

describe("tarn: acquire", () => {
  it("should acquire opt.max resources (async creator)", async () => {
    const { pool, f, clock } = poolOn(({ clock, f }) => ({ min: 2, max: 4, create: async () => after(clock, 10, { id: f.created++, n: 0 }) }));
    const all = Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 0, pending: 4, creating: 4 });
    await clock.advance(10);
    const res = await all;
    expect(res.map((r) => r.id).sort()).toEqual([0, 1, 2, 3]);
    expect(f.created).toBe(4);
    expect(f.destroyed).toEqual([]);
    expect(pool.stats()).toMatchObject({ borrowed: 4, idle: 0, pending: 0, creating: 0 });
  });

  it("should acquire opt.max resources (sync creator)", async () => {
    let n = 0;
    const { pool, f } = poolOn({ min: 2, max: 4, create: () => ({ id: n++, n: 0 }) });
    const res = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    expect(res.map((r) => r.id).sort()).toEqual([0, 1, 2, 3]);
    expect(f.destroyed).toEqual([]);
    expect(pool.stats()).toMatchObject({ borrowed: 4, idle: 0, pending: 0, creating: 0 });
  });

  it("should retry a create if it fails", async () => {
    let calls = 0;
    const { pool, clock } = poolOn({
      min: 2,
      max: 4,
      createRetryBaseMs: 10,
      random: () => 1,
      create: async () => (++calls === 1 ? Promise.reject(new Error("first time fails")) : { id: calls, n: 0 }),
    });
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.value).toEqual({ id: 2, n: 0 });
    expect(calls).toBeGreaterThanOrEqual(2); // 2 for the caller; min may add its own
    expect(pool.stats()).toMatchObject({ borrowed: 1, pending: 0 });
  });

  it("should retry a create if it times out", async () => {
    let calls = 0;
    const { pool, clock, f } = poolOn(({ clock }) => ({
      max: 4,
      createTimeoutMs: 100,
      createRetryBaseMs: 10,
      random: () => 1,
      create: async () => (++calls === 1 ? after(clock, 200, { id: 1, n: 0 }) : { id: 2, n: 0 }),
    }));
    const s = settled(pool.acquire());
    await clock.advance(110);
    expect(s.value).toEqual({ id: 2, n: 0 });
    expect(calls).toBe(2);
    await clock.advance(100); // the first create resolves late: its value is destroyed, never leaked
    expect(f.destroyed).toEqual([{ id: 1, n: 0 }]);
  });

  it("should acquire at max opt.max resources at a time", async () => {
    const { pool, f } = poolOn({ max: 5 });
    const res = await Promise.all(Array.from({ length: 5 }, () => pool.acquire()));
    expect(f.created).toBe(5);
    const more = [pool.acquire(), pool.acquire(), pool.acquire()];
    expect(pool.stats()).toMatchObject({ pending: 3, borrowed: 5 });
    pool.release(res[2]);
    pool.release(res[3]);
    pool.release(res[4]);
    const got = await Promise.all(more);
    // FIFO: each returned resource goes to the longest-waiting caller.
    expect(got[0]).toBe(res[2]);
    expect(got[1]).toBe(res[3]);
    expect(got[2]).toBe(res[4]);
    expect(f.created).toBe(5);
    expect(pool.stats()).toMatchObject({ borrowed: 5, idle: 0, pending: 0, creating: 0 });
  });

  it("should abort an acquire if abort() is called for the return value from the `acquire` method", async () => {
    // Our acquire takes an AbortSignal instead of returning an abort() handle.
    const { pool, clock, f } = poolOn(({ clock, f }) => ({ min: 2, max: 4, create: async () => after(clock, 50, { id: f.created++, n: 0 }) }));
    const ac = new AbortController();
    const s = settled(pool.acquire({ signal: ac.signal }));
    await clock.advance(10);
    ac.abort(new Error("aborted"));
    await clock.tick();
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_ABORTED", cause: { message: "aborted" } });
    await clock.advance(100);
    // The create it started still completes; the resource is kept idle, not destroyed.
    expect(f.destroyed).toEqual([]);
    expect(pool.stats()).toMatchObject({ borrowed: 0, pending: 0 });
    expect(pool.stats().idle).toBeGreaterThanOrEqual(1);
  });

  it("should validate resources using opt.validate before acquiring", async () => {
    const { pool, f } = poolOn({ max: 2, validate: (r: Item) => r.id !== 0 || r.n === 0 });
    const use = async () => {
      const r = await pool.acquire();
      r.n++;
      return r;
    };
    const first = await Promise.all([use(), use()]);
    expect(first.map((r) => `${r.id}:${r.n}`).sort()).toEqual(["0:1", "1:1"]);
    expect(f.created).toBe(2);
    expect(f.destroyed).toEqual([]);
    for (const r of first) pool.release(r);
    const second = await Promise.all([use(), use()]);
    // Resource 0 (used once) fails validation, is destroyed and replaced by a new one.
    expect(second.map((r) => `${r.id}:${r.n}`).sort()).toEqual(["1:2", "2:1"]);
    expect(f.created).toBe(3);
    expect(f.destroyed.map((r) => r.id)).toEqual([0]);
    expect(pool.stats()).toMatchObject({ borrowed: 2, idle: 0, pending: 0, creating: 0 });
  });
});

describe("tarn: validation", () => {
  it("should release resource back to pool if validation succeeded but acquire was rejected", async () => {
    const ac = new AbortController();
    const { pool, clock, f } = poolOn(({ clock }) => ({
      max: 2,
      acquireTimeoutMs: 150,
      validate: () =>
        after(clock, 20, true).then((ok) => {
          ac.abort(); // the caller gives up just as validation passes
          return ok;
        }),
    }));
    const s = settled(pool.acquire({ signal: ac.signal }));
    await clock.advance(20);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_ABORTED");
    expect(f.created).toBe(1);
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
  });

  it("should be able to return promise from opt.validate", async () => {
    const { pool, clock } = poolOn(({ clock }) => ({ max: 2, acquireTimeoutMs: 150, validate: () => after(clock, 10, true) }));
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.value).toMatchObject({ id: 0 });
    pool.release(s.value!);
  });

  it("should destroy resource if validate times out", async () => {
    // Our acquire deadline holds while validating (10 ms); validation itself is bounded by
    // validateTimeoutMs, after which the resource is destroyed.
    let validated: Item | undefined;
    const { pool, clock, f } = poolOn(({ clock }) => ({
      max: 2,
      acquireTimeoutMs: 10,
      validateTimeoutMs: 1_000,
      validate: (r: Item) => ((validated = r), after(clock, 10_000, true)),
    }));
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    await clock.advance(1_000);
    expect(f.destroyed).toEqual([validated]);
    expect(f.created).toBe(1);
  });

  it("should allow to abort pending acquire even if validation is not ready", async () => {
    let validated: Item | undefined;
    const { pool, clock, f } = poolOn(({ clock }) => ({
      max: 2,
      acquireTimeoutMs: 15_000,
      validateTimeoutMs: 1_000,
      validate: (r: Item) => ((validated = r), after(clock, 10_000, true)),
    }));
    const ac = new AbortController();
    const s = settled(pool.acquire({ signal: ac.signal }));
    await clock.advance(20);
    ac.abort();
    await clock.tick();
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_ABORTED"); // at once, not when validation ends
    await clock.advance(1_000);
    expect(f.destroyed).toEqual([validated]);
    expect(f.created).toBe(1);
  });

  it("should destroy resource if validate throws synchronus exception", async () => {
    let failing = 5;
    const { pool, clock, f } = poolOn({
      max: 2,
      acquireTimeoutMs: 1_000,
      createRetryBaseMs: 1,
      createBreakerThreshold: 0,
      validate: () => {
        if (failing-- > 0) throw new Error("fail");
        return true;
      },
    });
    const s = settled(pool.acquire());
    await clock.advance(100);
    expect(s.value).toMatchObject({ id: 5 });
    expect(f.destroyed).toHaveLength(5);
    expect(f.created).toBe(6);
  });

  it("should destroy resource if validate returns rejected promise", async () => {
    let failing = 1;
    const { pool, clock, f } = poolOn({
      max: 2,
      acquireTimeoutMs: 100,
      createRetryBaseMs: 1,
      validate: async () => (failing-- > 0 ? Promise.reject(new Error("fail")) : true),
    });
    const s = settled(pool.acquire());
    await clock.advance(10);
    expect(s.value).toMatchObject({ id: 1 });
    expect(f.destroyed).toHaveLength(1);
    expect(f.created).toBe(2);
  });

  it("should fullfill all acquires even if some async validations fails and resources are recreated", async () => {
    let validateCalled = 0;
    let validationFails = 0;
    let completed = 0;
    const { pool, clock, f } = poolOn(({ clock }) => ({
      max: 3,
      acquireTimeoutMs: 1_000,
      createRetryBaseMs: 1,
      createBreakerThreshold: 0,
      validate: () => {
        validateCalled++;
        const fail = validationFails < 10 && validateCalled % 3 === 0;
        if (fail) validationFails++;
        return after(clock, 10, !fail);
      },
    }));
    const all = Promise.all(
      Array.from({ length: 100 }, () =>
        pool.acquire().then((r) => {
          completed++;
          pool.release(r);
        }),
      ),
    );
    for (let i = 0; i < 200 && completed < 100; i++) await clock.advance(10);
    await all;
    expect(validationFails).toBe(10);
    expect(f.created).toBe(13); // the failed ones + pool size
    expect(validateCalled).toBe(110); // every acquire + one per failed validation
    expect(f.destroyed).toHaveLength(10);
  });

  it("should be able to destroy() everything correctly even if some pending acquires are still in validation phase", async () => {
    // Differs: tarn's destroy() lets the acquires in validation finish first; our close() rejects
    // every waiter at once with ERR_POOL_CLOSED (those in validation too) and destroys everything.
    const { pool, clock, f } = poolOn(({ clock }) => ({ max: 3, acquireTimeoutMs: 2_000, validate: () => after(clock, 80, true) }));
    let completed = 0;
    const codes: string[] = [];
    const acquires = Array.from({ length: 20 }, () =>
      pool.acquire().then(
        (r) => {
          completed++;
          pool.release(r);
        },
        (e: { code: string }) => void codes.push(e.code),
      ),
    );
    await clock.advance(100); // one round of validations done (3 served), the next round in flight
    const closing = pool.close({ deadlineMs: 1_000 });
    await clock.advance(100);
    await Promise.all(acquires);
    await closing;
    expect(f.created).toBe(3);
    expect(f.destroyed).toHaveLength(3);
    expect(completed).toBe(3);
    expect(codes).toEqual(Array.from({ length: 17 }, () => "ERR_POOL_CLOSED"));
  });

  it("should not leak all memory and acquireTimeout should still work even if validate always fails", async () => {
    const { pool, clock } = poolOn({
      max: 2,
      acquireTimeoutMs: 100,
      createBreakerThreshold: 0,
      validate: () => {
        throw new Error("fail");
      },
    });
    const s = settled(pool.acquire());
    await clock.advance(100);
    expect(s.error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
  });
});

describe("tarn: release", () => {
  it("release should release a resource", async () => {
    const { pool, f, clock } = poolOn(({ clock, f }) => ({ min: 2, max: 4, order: "fifo", create: async () => after(clock, 10, { id: f.created++, n: 0 }) }));
    const first = Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    await clock.advance(10);
    const res = await first;
    expect(res.map((r) => r.id).sort()).toEqual([0, 1, 2]);
    expect(pool.stats()).toMatchObject({ borrowed: 3, idle: 0, pending: 0, creating: 0 });
    pool.release(res[2]);
    pool.release(res[1]);
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 2, pending: 0, creating: 0 });
    const second = Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    await clock.advance(10);
    const again = await second;
    expect(again[0]).toBe(res[2]); // fifo: the first returned goes out first
    expect(again[1]).toBe(res[1]);
    expect(again[2].id).toBe(3);
    expect(f.created).toBe(4);
    expect(pool.stats()).toMatchObject({ borrowed: 4, idle: 0, pending: 0, creating: 0 });
  });

  it("should acquire pending acquires after release", async () => {
    const { pool } = poolOn({ max: 2 });
    const res = await Promise.all([pool.acquire(), pool.acquire()]);
    const pending = settled(pool.acquire());
    expect(pool.stats()).toMatchObject({ borrowed: 2, idle: 0, pending: 1, creating: 0 });
    await Promise.resolve();
    expect(pending.done).toBe(false);
    pool.release(res[1]);
    await Promise.resolve();
    expect(pending.value).toBe(res[1]);
  });

  it("should ignore unknown resources", async () => {
    const { pool, f, events } = poolOn({ max: 2 });
    await Promise.all([pool.acquire(), pool.acquire()]);
    // Not referentially equal to what the pool handed out: a no-op with an event, never a throw.
    pool.release({ id: 0, n: 0 });
    pool.release({ id: 1, n: 0 });
    pool.release({} as Item);
    expect(events.filter((e) => e.type === "release:ignored")).toHaveLength(3);
    expect(f.destroyed).toEqual([]);
    expect(pool.stats()).toMatchObject({ borrowed: 2, idle: 0, pending: 0, creating: 0 });
  });
});

describe("tarn: destroy (our close)", () => {
  it("should wait for all creates to finish, and resources to be returned to the pool", async () => {
    // Differs: tarn waits for a pending create to finish; our close() aborts it (its signal) and
    // destroys the late value. The waiter is rejected at once (ERR_POOL_CLOSED; tarn: "aborted").
    const { pool, clock, f } = poolOn(({ clock, f }) => ({ max: 10, create: async () => after(clock, 50, { id: f.created++, n: 0 }) }));
    const first = Promise.all([pool.acquire(), pool.acquire()]);
    await clock.advance(50);
    const res = await first;
    const third = settled(pool.acquire());
    clock.setTimeout(() => pool.release(res[0]), 10);
    clock.setTimeout(() => pool.release(res[1]), 100);
    const closing = settled(pool.close({ deadlineMs: 1_000 }));
    await clock.tick();
    expect(third.error?.code).toBe("ERR_POOL_CLOSED");
    await clock.advance(100);
    expect(closing.value).toMatchObject({ destroyed: 2, forced: [], ok: true });
    expect(f.created).toBe(3);
    expect(f.destroyed).toHaveLength(3); // two returned + the late one
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 0, pending: 0, creating: 0 });
  });

  it("should log an error if a sync error is thrown", async () => {
    const { pool, events } = poolOn({
      destroy: () => {
        throw new Error("destroy error");
      },
    });
    pool.release(await pool.acquire());
    const report = await pool.close();
    expect(report.errors).toMatchObject([{ message: "destroy error" }]);
    expect(events.some((e) => e.type === "resource:destroy-failed")).toBe(true);
  });

  it("should log an error if an async error is thrown", async () => {
    const { pool } = poolOn({ destroy: async () => Promise.reject(new Error("destroy error")) });
    pool.release(await pool.acquire());
    const report = await pool.close();
    expect(report.errors).toMatchObject([{ message: "destroy error" }]);
    expect(report.ok).toBe(false);
  });

  it("should not hang if the async destroy is too slow", async () => {
    const { pool, clock } = poolOn(({ clock }) => ({ destroyTimeoutMs: 100, destroy: () => after(clock, 200, undefined) }));
    pool.release(await pool.acquire());
    const closing = settled(pool.close());
    await clock.advance(100);
    expect(closing.value?.errors).toHaveLength(1);
    expect(closing.value?.errors).toMatchObject([{ code: "ERR_POOL_CALL_TIMEOUT", call: "destroy", timeoutMs: 100 }]);
  });

  it("should wait for all resource destroys to finish before returning", async () => {
    let delay = 200;
    const destroyed: Item[] = [];
    const { pool, clock } = poolOn(({ clock }) => ({
      reapIntervalMs: 10,
      idleTimeoutMs: 1,
      destroy: (r: Item) => {
        delay -= 50;
        return after(clock, delay, undefined).then(() => void destroyed.push(r));
      },
    }));
    const res = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    for (const r of res) pool.release(r);
    await clock.advance(30); // reaping has started destroying them
    const closing = settled(pool.close());
    await clock.advance(150);
    expect(closing.done).toBe(true);
    expect(destroyed).toHaveLength(4);
  });
});

describe("tarn: acquireTimeout", () => {
  it("should fail to acquire opt.max + 1 resources after acquireTimeoutMillis", async () => {
    const { pool, clock, f } = poolOn(({ clock, f }) => ({
      min: 2,
      max: 5,
      acquireTimeoutMs: 100,
      create: async () => after(clock, 10, { id: f.created++, n: 0 }),
    }));
    const all = Array.from({ length: 6 }, () => settled(pool.acquire()));
    await clock.advance(99);
    expect(all.filter((s) => s.done)).toHaveLength(5);
    await clock.advance(1);
    expect(all[5].error?.code).toBe("ERR_POOL_ACQUIRE_TIMEOUT");
    expect(f.created).toBe(5);
    expect(pool.stats()).toMatchObject({ borrowed: 5, idle: 0, pending: 0, creating: 0 });
  });

  it("should recover after acquireTimeoutMillis if the create function returns an error", async () => {
    const { pool, clock, f } = poolOn(({ clock, f }) => ({
      min: 2,
      max: 4,
      acquireTimeoutMs: 100,
      createRetryBaseMs: 200,
      random: () => 1,
      create: async () => (f.created++, after(clock, 10, undefined).then(() => Promise.reject(new Error("this is the error from create")))),
    }));
    const s = settled(pool.acquire());
    await clock.advance(100);
    // The timeout carries the create error as its cause (never "unknown reason", tarn #43).
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT", cause: { message: "this is the error from create" } });
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 0, pending: 0 });
  });

  it("should recover after acquireTimeoutMillis if the create function throws an error", async () => {
    let calls = 0;
    const { pool, clock } = poolOn({
      max: 4,
      acquireTimeoutMs: 100,
      createRetryBaseMs: 200,
      random: () => 1,
      create: () => {
        calls++;
        throw new Error("this is the error from create");
      },
    });
    const s = settled(pool.acquire());
    await clock.advance(100);
    expect(s.error).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT", cause: { message: "this is the error from create" } });
    expect(calls).toBe(1); // a synchronous throw does not spin: the retry waits for its timer
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 0, pending: 0 });
  });
});

describe("tarn: propagateCreateError", () => {
  it("should immediately reject the first acquire in the queue if create throws an error", async () => {
    // Differs: tarn (propagateCreateError) rejects the first waiter on the first create error. We
    // retry with backoff while the caller waits, and fail every waiter at once (with the create
    // error as cause) when the create breaker opens after createBreakerThreshold failures.
    let calls = 0;
    const { pool, clock } = poolOn({
      max: 5,
      acquireTimeoutMs: 1_000,
      createBreakerThreshold: 1,
      create: async () => (++calls === 1 ? Promise.reject(new Error("create fail")) : { id: calls, n: 0 }),
    });
    const first = settled(pool.acquire());
    await clock.tick();
    expect(first.error).toMatchObject({ code: "ERR_POOL_CREATE_UNAVAILABLE", cause: { message: "create fail" } });
    await clock.advance(5_000); // the breaker's open period
    const second = await pool.acquire();
    expect(second).toEqual({ id: 2, n: 0 });
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 0, pending: 0 });
  });
});

describe("tarn: idleTimeoutMillis", () => {
  it("should remove idle resources after idleTimeoutMillis", async () => {
    const { pool, clock, f } = poolOn({ max: 4, idleTimeoutMs: 100, reapIntervalMs: 10 });
    const res = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.release(res[0]);
    pool.release(res[1]);
    await clock.advance(50);
    expect(f.destroyed).toEqual([]);
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 2 });
    await clock.advance(70);
    expect(f.destroyed.map((r) => r.id).sort()).toEqual([0, 1]);
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 0 });
  });

  it("should only run the reaping loop when there is something to reap", async () => {
    const { pool, clock, f } = poolOn({ max: 4, idleTimeoutMs: 100, reapIntervalMs: 10 });
    expect(clock.pendingTimers()).toBe(0);
    pool.release(await pool.acquire());
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(120);
    expect(f.destroyed.map((r) => r.id)).toEqual([0]);
    expect(clock.pendingTimers()).toBe(0); // nothing left to reap: no timer
    const again = await pool.acquire();
    expect(again.id).toBe(1);
    pool.release(again);
    expect(clock.pendingTimers()).toBe(1); // restarted
  });

  it("should always keep opt.min resources", async () => {
    const { pool, clock, f } = poolOn({ min: 2, max: 4, idleTimeoutMs: 100, reapIntervalMs: 10 });
    const res = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    pool.release(res[0]);
    pool.release(res[1]);
    pool.release(res[2]);
    await clock.advance(50);
    expect(f.destroyed).toEqual([]);
    await clock.advance(70);
    expect(f.destroyed).toHaveLength(2);
    expect(pool.stats()).toMatchObject({ borrowed: 1, idle: 1, size: 2 });
  });
});
