import { describe, expect, it } from "vitest";
import { ManualClock } from "@custodian/core";
import { createBreaker } from "@custodian/plugin-pool";
import type { BreakerStateChange } from "@custodian/plugin-pool";

const fail = () => Promise.reject(new Error("down"));
const ok = () => Promise.resolve("ok");

describe("Breaker", () => {
  it("opens after N consecutive failures and fails fast with ERR_BREAKER_OPEN carrying the last error", async () => {
    const clock = new ManualClock();
    const b = createBreaker({ name: "api", clock, consecutiveFailures: 3, failureRate: 0 });
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow("down");
    expect(b.state).toBe("open");
    let called = false;
    await expect(b.execute(() => ((called = true), ok()))).rejects.toMatchObject({ code: "ERR_BREAKER_OPEN", state: "open", cause: { message: "down" } });
    expect(called).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("a success resets the consecutive count (scattered failures never open it)", async () => {
    const clock = new ManualClock();
    const b = createBreaker({ clock, consecutiveFailures: 3, failureRate: 0 });
    for (let i = 0; i < 50; i++) {
      await b.execute(fail).catch(() => {});
      await b.execute(fail).catch(() => {});
      await b.execute(ok);
    }
    expect(b.state).toBe("closed");
  });

  it("opens on the failure rate within the time window, counted in integer buckets", async () => {
    const clock = new ManualClock();
    const b = createBreaker({ clock, consecutiveFailures: 0, failureRate: 0.5, minimumCalls: 10, windowMs: 10_000, buckets: 10 });
    for (let i = 0; i < 5; i++) await b.execute(ok);
    for (let i = 0; i < 4; i++) await b.execute(fail).catch(() => {});
    expect(b.state).toBe("closed"); // 9 calls < minimumCalls
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe("open");
  });

  it("forgets failures that fell out of the window", async () => {
    const clock = new ManualClock();
    const b = createBreaker({ clock, consecutiveFailures: 0, failureRate: 0.5, minimumCalls: 4, windowMs: 1_000, buckets: 10 });
    for (let i = 0; i < 3; i++) await b.execute(fail).catch(() => {});
    expect(b.counts().failures).toBe(3);
    await clock.advance(1_100);
    expect(b.counts()).toMatchObject({ calls: 0, failures: 0 });
    await b.execute(fail).catch(() => {});
    expect(b.state).toBe("closed");
  });

  it("half-opens after openMs with a bounded number of trials, re-opens on a failed trial, closes on success", async () => {
    const clock = new ManualClock();
    const changes: string[] = [];
    const b = createBreaker({
      clock,
      consecutiveFailures: 1,
      openMs: 1_000,
      halfOpenMaxCalls: 1,
      onStateChange: (c: BreakerStateChange) => changes.push(`${c.from}->${c.to}`),
    });
    await b.execute(fail).catch(() => {});
    await clock.advance(1_000);
    expect(b.state).toBe("half-open");
    let release!: () => void;
    const trial = b.execute(() => new Promise<void>((r) => (release = r)).then(fail));
    // Only one trial at a time; the refusal says half-open with its trial slot taken, not "open until".
    const refused = await b.execute(ok).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "ERR_BREAKER_OPEN", state: "half-open", trials: { trialsInFlight: 1, halfOpenMaxCalls: 1 } });
    release();
    await expect(trial).rejects.toThrow("down");
    expect(b.state).toBe("open");
    await clock.advance(1_000);
    await expect(b.execute(ok)).resolves.toBe("ok");
    expect(b.state).toBe("closed");
    expect(changes).toEqual(["closed->open", "open->half-open", "half-open->open", "open->half-open", "half-open->closed"]);
  });

  it("isFailure decides what counts; a synchronous throw counts", async () => {
    const clock = new ManualClock();
    const b = createBreaker({ clock, consecutiveFailures: 1, isFailure: (e) => (e as Error).message !== "404" });
    await b.execute(() => Promise.reject(new Error("404"))).catch(() => {});
    expect(b.state).toBe("closed");
    await b
      .execute(() => {
        throw new Error("sync");
      })
      .catch(() => {});
    expect(b.state).toBe("open");
  });

  it("validates options with ERR_BREAKER_INVALID_OPTION (its own area, not the pool's)", () => {
    expect(() => createBreaker({ failureRate: 2 })).toThrow(expect.objectContaining({ code: "ERR_BREAKER_INVALID_OPTION" }));
    expect(() => createBreaker({ halfOpenMaxCalls: 0 })).toThrow(expect.objectContaining({ code: "ERR_BREAKER_INVALID_OPTION" }));
  });

  it("cancel() frees a half-open trial slot without counting either way", async () => {
    const clock = new ManualClock(0);
    const b = createBreaker({ clock, consecutiveFailures: 1, openMs: 100, halfOpenMaxCalls: 1 });
    expect(b.tryAcquire()).toBe(true);
    b.failure(new Error("down"));
    expect(b.state).toBe("open");
    await clock.advance(100);
    expect(b.tryAcquire()).toBe(true); // the one trial
    expect(b.tryAcquire()).toBe(false); // slot taken
    b.cancel();
    expect(b.state).toBe("half-open"); // neither closed nor re-opened
    expect(b.tryAcquire()).toBe(true); // the slot is free again
  });
});
