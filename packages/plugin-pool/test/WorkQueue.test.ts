import { describe, expect, it } from "vitest";
import { ManualClock } from "@custodian/core";
import { createWorkQueue } from "@custodian/plugin-pool";

/** A handler whose calls are resolved/rejected by the test. */
function controlled() {
  const calls = new Map<number, { resolve: (v: number) => void; reject: (e: unknown) => void; signal: AbortSignal }>();
  let running = 0;
  let peak = 0;
  const handler = (n: number, ctx: { signal: AbortSignal }) =>
    new Promise<number>((resolve, reject) => {
      running++;
      peak = Math.max(peak, running);
      const end =
        <A extends unknown[]>(f: (...a: A) => void) =>
        (...a: A) => (running--, f(...a));
      calls.set(n, { resolve: end(resolve), reject: end(reject), signal: ctx.signal });
    });
  return { calls, handler, peak: () => peak };
}

describe("createWorkQueue", () => {
  it("bounds concurrency", async () => {
    const clock = new ManualClock();
    const c = controlled();
    const q = createWorkQueue({ clock, concurrency: 2, handler: c.handler });
    const ids = [1, 2, 3, 4, 5].map((n) => q.push(n));
    expect(q.stats()).toMatchObject({ running: 2, queued: 3 });
    for (const n of [1, 2, 3, 4, 5]) {
      await clock.tick();
      c.calls.get(n)!.resolve(n * 10);
    }
    await clock.tick();
    expect(c.peak()).toBe(2);
    await expect(Promise.all(ids.map((id) => q.wait(id)))).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it("a crashed handler (sync throw or rejection) fails its item rather than dropping it", async () => {
    const clock = new ManualClock();
    const q = createWorkQueue<number, number>({
      clock,
      handler: (n) => {
        if (n === 1) throw new Error("sync crash");
        return Promise.reject(new Error("async crash"));
      },
    });
    const a = q.push(1);
    const b = q.push(2);
    await clock.tick();
    expect(q.status(a)).toMatchObject({ state: "failed", error: { message: "sync crash" } });
    await expect(q.wait(b)).rejects.toThrow("async crash");
  });

  it("retains results within limits for completed, failed and cancelled alike", async () => {
    const clock = new ManualClock();
    const q = createWorkQueue<number, number>({
      clock,
      concurrency: 10,
      retain: { completed: 2, failed: 2, cancelled: 2, ttlMs: 60_000 },
      handler: (n) => (n < 0 ? Promise.reject(new Error("neg")) : Promise.resolve(n)),
    });
    const ok = [1, 2, 3, 4].map((n) => q.push(n));
    const bad = [-1, -2, -3].map((n) => q.push(n));
    await clock.tick();
    expect(q.stats()).toMatchObject({ completed: 2, failed: 2 });
    expect(q.status(ok[0])).toBeUndefined();
    expect(q.status(ok[3])?.state).toBe("completed");
    expect(q.status(bad[0])).toBeUndefined();
    await expect(q.wait(ok[0])).rejects.toMatchObject({ code: "ERR_QUEUE_UNKNOWN_ITEM" });
    // Cancelled ones are bounded too.
    const slow = createWorkQueue<number, number>({ clock, concurrency: 1, retain: { cancelled: 1 }, handler: () => new Promise<number>(() => {}) });
    slow.push(0);
    const c1 = slow.push(1);
    const c2 = slow.push(2);
    slow.cancel(c1);
    slow.cancel(c2);
    expect(slow.status(c1)).toBeUndefined();
    expect(slow.status(c2)?.state).toBe("cancelled");
    await slow.close({ deadlineMs: 0 });
    // And by age.
    await clock.advance(60_000);
    expect(q.status(ok[3])).toBeUndefined();
  });

  it("never evicts a result while a caller is waiting for it", async () => {
    const clock = new ManualClock();
    const c = controlled();
    const q = createWorkQueue({ clock, concurrency: 5, retain: { completed: 0, ttlMs: 1 }, handler: c.handler });
    const id = q.push(1);
    const waiting = q.wait(id);
    await clock.tick();
    c.calls.get(1)!.resolve(42);
    await expect(waiting).resolves.toBe(42);
    expect(q.status(id)).toBeUndefined(); // evicted once read (retain.completed = 0)
  });

  it("every wait has a default deadline (ERR_QUEUE_WAIT_TIMEOUT), and the item keeps running", async () => {
    const clock = new ManualClock();
    const c = controlled();
    const q = createWorkQueue({ clock, waitTimeoutMs: 5_000, handler: c.handler });
    const id = q.push(1);
    const w = q.wait(id).catch((e: unknown) => e);
    await clock.advance(5_000);
    expect(await w).toMatchObject({ code: "ERR_QUEUE_WAIT_TIMEOUT" });
    expect(q.status(id)?.state).toBe("running");
    c.calls.get(1)!.resolve(7);
    await expect(q.wait(id)).resolves.toBe(7);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("cancel() aborts a running item's signal and rejects its waiters with ERR_QUEUE_CANCELLED", async () => {
    const clock = new ManualClock();
    const c = controlled();
    const q = createWorkQueue({ clock, handler: c.handler });
    const id = q.push(1);
    const next = q.push(2);
    const w = q.wait(id).catch((e: unknown) => e);
    await clock.tick();
    expect(q.cancel(id)).toBe(true);
    expect(c.calls.get(1)!.signal.aborted).toBe(true);
    expect(await w).toMatchObject({ code: "ERR_QUEUE_CANCELLED" });
    expect(q.status(next)?.state).toBe("running"); // the slot was freed
    c.calls.get(1)!.resolve(1); // a late result is dropped
    expect(q.status(id)?.state).toBe("cancelled");
    expect(q.cancel(id)).toBe(false);
  });

  it("close(): push fails at once, queued items are cancelled, running ones get the deadline then are aborted", async () => {
    const clock = new ManualClock();
    const c = controlled();
    const q = createWorkQueue({ clock, concurrency: 2, handler: c.handler });
    const quick = q.push(1);
    const stuck = q.push(2);
    const queued = q.push(3);
    await clock.tick();
    let report: Awaited<ReturnType<typeof q.close>> | undefined;
    const closing = q.close({ deadlineMs: 1_000 }).then((r) => (report = r));
    expect(() => q.push(4)).toThrow(expect.objectContaining({ code: "ERR_QUEUE_CLOSED" }));
    expect(q.status(queued)?.state).toBe("cancelled");
    c.calls.get(1)!.resolve(1);
    await clock.advance(999);
    expect(report).toBeUndefined();
    await clock.advance(1);
    await closing;
    expect(report).toMatchObject({ cancelled: 1, aborted: 1, ok: false });
    expect(c.calls.get(2)!.signal.aborted).toBe(true);
    expect(q.status(quick)?.state).toBe("completed");
    expect(q.status(stuck)?.state).toBe("cancelled");
    expect(q.close()).toBe(q.close());
  });

  it("bounds the queue with maxQueued (ERR_QUEUE_FULL)", () => {
    const q = createWorkQueue({ clock: new ManualClock(), maxQueued: 1, handler: () => new Promise<void>(() => {}) });
    q.push(1); // running
    q.push(2); // queued
    expect(() => q.push(3)).toThrow(expect.objectContaining({ code: "ERR_QUEUE_FULL" }));
  });

  it("rejects bad options and a duplicate id with ERR_QUEUE_INVALID_OPTION (its own area, not the pool's)", () => {
    expect(() => createWorkQueue({ handler: undefined as never })).toThrow(expect.objectContaining({ code: "ERR_QUEUE_INVALID_OPTION" }));
    expect(() => createWorkQueue({ handler: () => 1, concurrency: 0 })).toThrow(expect.objectContaining({ code: "ERR_QUEUE_INVALID_OPTION" }));
    const q = createWorkQueue({ clock: new ManualClock(), handler: () => new Promise<never>(() => {}) });
    q.push(1, { id: "a" });
    expect(() => q.push(2, { id: "a" })).toThrow(expect.objectContaining({ code: "ERR_QUEUE_INVALID_OPTION" }));
  });
});
