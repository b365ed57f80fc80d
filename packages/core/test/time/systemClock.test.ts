// The real clock past Node's 2^31-1 ms timer limit: a longer delay must not fire after 1 ms.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createKernel, systemClock } from "../../src/index.js";
import { MAX_TIMER_MS } from "../../src/time/Clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("systemClock", () => {
  it("a delay longer than 2^31-1 ms fires once, at its due time, not after 1 ms", () => {
    vi.useFakeTimers({ now: 0 });
    const fired: number[] = [];
    systemClock.setTimeout(() => fired.push(Date.now()), MAX_TIMER_MS + 5_000);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(MAX_TIMER_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([MAX_TIMER_MS + 5_000]);
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).toHaveLength(1);
  });

  it("a long timer can be cleared, also after it re-armed", () => {
    vi.useFakeTimers({ now: 0 });
    let fired = 0;
    const t = systemClock.setTimeout(() => fired++, 2 * MAX_TIMER_MS + 10);
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    systemClock.clearTimeout(t);
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a 30-day shutdown deadline does not force a release that finishes on its own an hour later", async () => {
    vi.useFakeTimers({ now: 0 });
    const kernel = await createKernel({ env: {}, config: { shutdown: { deadline: "30d" } } });
    const forced: string[] = [];
    const a = kernel.adopt(
      {},
      { type: "slow", release: () => new Promise<void>((resolve) => setTimeout(resolve, 3_600_000)), force: () => void forced.push("a") },
    );
    const shutdown = kernel.shutdown();
    await vi.advanceTimersByTimeAsync(3_600_000);
    const report = await shutdown;
    expect(forced).toEqual([]);
    expect(report.outcomes.find((o) => o.id === a.id)?.outcome).toBe("released");
    expect(report.ok).toBe(true);
  });
});
