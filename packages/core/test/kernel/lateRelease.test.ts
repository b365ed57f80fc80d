// A release that settles after its budget ended is never reported `released` (issue 13 §9): the
// kernel checks the clock when the release settles, on the fast path (a synchronous release) and
// on the slow path (a promise that settles before the budget timer had a chance to fire).
import { describe, expect, it } from "vitest";
import { createKernel, ManualClock, type ReleaseContext, type ResourceHandle, type ResourceOutcome, type ShutdownReport } from "../../src/index.js";
import { makeKernel } from "../helpers/kernel.js";

describe("a release that settles after its budget", () => {
  it("a synchronous release that blocks 1.5 s against a 200 ms budget is failed (ERR_RELEASE_LATE), not released", async () => {
    const { kernel, clock } = await makeKernel({ config: { release: { defaultTimeout: "200ms" } } });
    const h = kernel.adopt({}, { type: "t", name: "blocking", release: () => clock.stall(1_500) });
    const o = await h.release();
    expect(o.outcome).toBe("failed");
    expect(o.error).toMatchObject({ code: "ERR_RELEASE_LATE" });
    expect(o.elapsedMs).toBe(1_500);
  });

  it("during shutdown, a blocking release makes the report not ok", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "2s" } } });
    kernel.adopt({}, { type: "t", name: "blocking", timeoutMs: 200, release: () => clock.stall(1_500) });
    kernel.adopt({}, { type: "t", name: "quick", release: () => {} });
    const report = kernel.shutdown();
    await clock.advance(2_000);
    const r = await report;
    expect(r.outcomes.map((o) => `${o.name}:${o.outcome}`)).toEqual(["quick:released", "blocking:failed"]);
    expect(r.ok).toBe(false);
    expect((r.errors!.errors[0] as { code: string }).code).toBe("ERR_RELEASE_LATE");
  });

  it("a promise that settles after the budget, before the budget timer fired, is failed, not released", async () => {
    const { kernel, clock } = await makeKernel({ config: { release: { defaultTimeout: "200ms" } } });
    const h = kernel.adopt(
      {},
      {
        type: "t",
        release: () => {
          clock.stall(1_500);
          return Promise.resolve();
        },
      },
    );
    const o = await h.release();
    expect(o.outcome).toBe("failed");
    expect(o.error).toMatchObject({ code: "ERR_RELEASE_LATE" });
  });

  it("a release that settles exactly at its budget is released", async () => {
    const { kernel, clock } = await makeKernel({ config: { release: { defaultTimeout: "200ms" } } });
    const h = kernel.adopt({}, { type: "t", release: () => clock.stall(200) });
    expect((await h.release()).outcome).toBe("released");
  });
});

/** mulberry32: a small seeded PRNG, so a failure names the seed that reproduces it. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Watched {
  /** The budget end the release saw (ctx.deadline.at), and the clock time it settled at. */
  deadlineAt?: number;
  settledAt?: number;
}

describe("randomized: no `released` outcome ever settled after its budget", () => {
  it("300 seeded shutdowns on a ManualClock, releases settling around their budgets", async () => {
    const rounds = 300;
    let checked = 0;
    let late = 0;
    for (let seed = 1; seed <= rounds; seed++) {
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
      const clock = new ManualClock(0);
      const deadlineMs = pick([300, 1_000, 2_000]);
      const kernel = await createKernel({ env: {}, clock, config: { shutdown: { deadline: `${deadlineMs}ms` }, release: { defaultTimeout: "150ms" } } });
      const watched = new Map<string, Watched>();
      const n = 1 + Math.floor(rand() * 6);
      const handles: ResourceHandle[] = [];
      for (let i = 0; i < n; i++) {
        const name = `r${i}`;
        const w: Watched = {};
        watched.set(name, w);
        // Around the budget: just before, at, just after, or well past it.
        const delta = pick([-1, 0, 1, -20, 20, 400]);
        const kind = pick(["sync", "stall", "stall-then-promise", "timer", "stall-then-timer", "hang"] as const);
        const release = (_v: unknown, ctx: ReleaseContext): void | Promise<void> => {
          w.deadlineAt = ctx.deadline.at;
          const target = Math.max(0, ctx.deadline.remainingMs() + delta);
          const settle = (): void => void (w.settledAt = clock.now());
          switch (kind) {
            case "sync":
              return settle();
            case "stall":
              clock.stall(target);
              return settle();
            case "stall-then-promise":
              clock.stall(target);
              return Promise.resolve().then(settle);
            case "timer":
              return new Promise((resolve) => clock.setTimeout(() => resolve(settle()), target));
            case "stall-then-timer":
              clock.stall(Math.floor(target / 2));
              return new Promise((resolve) => clock.setTimeout(() => resolve(settle()), Math.ceil(target / 2)));
            case "hang":
              return new Promise(() => {});
          }
        };
        const dependsOn = i > 0 && rand() < 0.4 ? [pick(handles)] : undefined;
        const timeoutMs = rand() < 0.5 ? pick([50, 100, 250]) : undefined;
        handles.push(kernel.adopt({}, { type: "t", name, release, dependsOn, timeoutMs }));
      }
      // Some are released one by one before shutdown, concurrently with it.
      const single: Array<Promise<ResourceOutcome>> = [];
      for (const h of handles) if (rand() < 0.3) single.push(h.release());
      let report: ShutdownReport | undefined;
      void kernel.shutdown("random").then((r) => (report = r));
      for (let i = 0; report === undefined && i < 1_000; i++) await clock.advance(1 + Math.floor(rand() * 40));
      expect(report, `seed ${seed}: shutdown did not finish`).toBeDefined();
      const outcomes = [...report!.outcomes, ...(await Promise.all(single))];
      for (const o of outcomes) {
        const w = watched.get(o.name!)!;
        const settledLate = w.settledAt === undefined || w.settledAt > w.deadlineAt!;
        if (o.outcome === "released") {
          checked++;
          expect(settledLate, `seed ${seed}: ${o.name} released at ${w.settledAt}, budget ended at ${w.deadlineAt}`).toBe(false);
        } else if (settledLate) late++;
      }
      const lateInReport = report!.outcomes.some((o) => {
        const w = watched.get(o.name!)!;
        return w.settledAt === undefined || w.settledAt > w.deadlineAt!;
      });
      if (lateInReport) expect(report!.ok, `seed ${seed}: a release settled late, yet the report is ok`).toBe(false);
    }
    // The corpus exercises both sides of the budget.
    expect(checked).toBeGreaterThan(100);
    expect(late).toBeGreaterThan(100);
  });
});
