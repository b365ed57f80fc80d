// Adversarial cases found in review of the kernel against issue 2 and LESSONS "Cleanup that hangs".
import { describe, expect, it } from "vitest";
import { createKernel, isKernelError, ManualClock, type ResourceOutcome } from "../../src/index.js";
import { after, makeKernel, never } from "../helpers/kernel.js";

/** A ManualClock that throws once it has armed more than `limit` timers (catches a timer spin). */
class CountingClock extends ManualClock {
  armed = 0;
  constructor(readonly limit: number) {
    super();
  }
  override setTimeout(fn: () => void, ms: number): ReturnType<ManualClock["setTimeout"]> {
    if (++this.armed > this.limit) throw new Error(`timer spin: more than ${this.limit} timers armed`);
    return super.setTimeout(fn, ms);
  }
}

describe("review: leak timer", () => {
  it("a create pending past leakThreshold does not spin the leak timer, and is flagged once it becomes active", async () => {
    const clock = new CountingClock(50);
    const kernel = await createKernel({ clock, env: {}, config: { tracking: { leakThreshold: "1s" } } });
    const leaks: string[] = [];
    kernel.events$.subscribe((e) => {
      if (e.type === "resource:leak-suspected") leaks.push(`${e.id}@${e.at - 1_700_000_000_000}`);
    });
    kernel.registerType("slow", { create: () => after(clock, 3_000).then(() => ({})), release: () => {} });
    const p = kernel.acquire({ type: "slow" });
    await clock.advance(2_000);
    expect(leaks).toEqual([]);
    await clock.advance(2_000);
    const h = await p;
    expect(leaks).toEqual([`${h.id}@3000`]);
    await clock.advance(5_000);
    expect(leaks).toHaveLength(1);
    await h.release();
    await clock.advance(5_000);
    expect(leaks).toHaveLength(1);
    expect(clock.armed).toBeLessThan(50);
    await kernel.shutdown();
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe("review: large shutdowns", () => {
  it("a shutdown tap with 150,000 live resources still releases them all", async () => {
    // No events$ subscriber: the fast path keeps this test quick.
    const kernel = await createKernel({ clock: new ManualClock(), env: {}, config: {} });
    kernel.hooks.shutdown.tapPromise("noop", async () => {});
    for (let i = 0; i < 150_000; i++) kernel.adopt(i, { type: "t", release: () => {} });
    const report = await kernel.shutdown();
    expect(report.outcomes.filter((o) => o.outcome === "released")).toHaveLength(150_000);
    expect(report.ok).toBe(true);
  });
});

describe("review: scopes", () => {
  it("an acquire in a scope that closes while the resource is being created rejects with ERR_KERNEL_CLOSED", async () => {
    const { kernel, clock } = await makeKernel();
    let released = 0;
    kernel.registerType("slow", { create: () => after(clock, 10).then(() => ({})), release: () => void released++ });
    const scope = kernel.scope("s");
    const p = scope.acquire({ type: "slow" });
    const settled = p.then(
      () => "handle",
      (e: unknown) => (isKernelError(e, "ERR_KERNEL_CLOSED") ? "closed" : String(e)),
    );
    const closing = scope.close();
    await clock.advance(10);
    await closing;
    expect(await settled).toBe("closed");
    expect(released).toBe(1);
  });

  it("an acquire in a scope that closes while its dependencies resolve rejects and leaves nothing tracked", async () => {
    const { kernel, clock } = await makeKernel();
    kernel.registerType("slow", { create: () => after(clock, 10).then(() => ({})), release: () => {} });
    kernel.registerType("fast", { create: () => ({}), release: () => {} });
    const db = kernel.acquire({ type: "slow", name: "db" });
    const scope = kernel.scope("s");
    const p = scope.acquire({ type: "fast", dependsOn: ["db"] });
    const settled = p.then(
      () => "handle",
      (e: unknown) => (isKernelError(e, "ERR_KERNEL_CLOSED") ? "closed" : String(e)),
    );
    await scope.close();
    await clock.advance(10);
    expect(await settled).toBe("closed");
    expect(kernel.snapshot().map((s) => s.name)).toEqual(["db"]);
    await (await db).release();
  });

  it("a scope closed during shutdown derives its budgets from the global deadline", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s", reserve: "100ms" } } });
    const scope = kernel.scope("s");
    const db = scope.adopt("db", { type: "db", release: () => after(clock, 50) });
    scope.adopt("client", { type: "client", release: never, dependsOn: [db] });
    let closing: Promise<ResourceOutcome[]> | undefined;
    kernel.hooks.shutdown.tapPromise("closer", async () => {
      closing = scope.close();
    });
    const p = kernel.shutdown();
    await clock.advance(1_000);
    const report = await p;
    await closing;
    const byType = Object.fromEntries(report.outcomes.map((o) => [o.type, o.outcome]));
    // client gets its share (450 ms), is abandoned at 550 ms; db then has what remains and releases in 50 ms.
    expect(byType).toEqual({ client: "abandoned", db: "released" });
  });
});

describe("review: releases started during shutdown", () => {
  it("handle.release() called during shutdown derives its budget from the global deadline", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s", reserve: "100ms" } } });
    const db = kernel.adopt("db", { type: "db", release: () => after(clock, 50) });
    const client = kernel.adopt("client", { type: "client", release: never, dependsOn: [db] });
    let released: Promise<ResourceOutcome> | undefined;
    kernel.hooks.shutdown.tapPromise("releaser", async () => {
      released = client.release();
    });
    const p = kernel.shutdown();
    await clock.advance(1_000);
    const report = await p;
    expect((await released!).outcome).toBe("abandoned");
    const byType = Object.fromEntries(report.outcomes.map((o) => [o.type, o.outcome]));
    expect(byType).toEqual({ client: "abandoned", db: "released" });
  });

  it("a release already in progress when shutdown starts is bounded by the global deadline", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    const h = kernel.adopt({}, { type: "t", release: never, timeoutMs: 60_000 });
    const released = h.release();
    await clock.advance(10);
    const p = kernel.shutdown();
    let done = false;
    void p.then(() => (done = true));
    await clock.advance(1_000);
    expect(done).toBe(true);
    expect((await released).outcome).toBe("abandoned");
    expect((await p).outcomes.map((o) => o.outcome)).toEqual(["abandoned"]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe("review: dependencies", () => {
  it("dependsOn a resource whose creation then fails rejects instead of creating on a dead dependency", async () => {
    const { kernel, clock } = await makeKernel();
    let created = 0;
    kernel.registerType("bad", { create: () => after(clock, 10).then(() => Promise.reject(new Error("no db"))), release: () => {} });
    kernel.registerType("ok", { create: () => void created++, release: () => {} });
    const db = kernel.acquire({ type: "bad", name: "db" });
    db.catch(() => {});
    const client = kernel.acquire({ type: "ok", dependsOn: ["db"] });
    const settled = client.then(
      () => "created",
      (e: unknown) => (e as { code?: string }).code ?? "error",
    );
    await clock.advance(10);
    expect(await settled).toBe("ERR_KERNEL_UNKNOWN_RESOURCE");
    expect(created).toBe(0);
    expect(kernel.snapshot()).toHaveLength(0);
  });

  it("adopt() refuses to depend on a resource that is being released", async () => {
    const { kernel, clock } = await makeKernel();
    const db = kernel.adopt("db", { type: "db", name: "db", release: () => after(clock, 10) });
    const releasing = db.release();
    expect(db.state).toBe("releasing");
    let code: string | undefined;
    try {
      kernel.adopt("client", { type: "client", release: () => {}, dependsOn: [db] });
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    expect(code).toBe("ERR_KERNEL_UNKNOWN_RESOURCE");
    await clock.advance(10);
    expect((await releasing).outcome).toBe("released");
    expect(kernel.snapshot()).toHaveLength(0);
  });
});

describe("review: signals", () => {
  it("a second signal leaves no timer pending once shutdown resolves", async () => {
    const clock = new ManualClock();
    const codes: number[] = [];
    const kernel = await createKernel({
      clock,
      env: {},
      exit: (c) => void codes.push(c),
      config: { shutdown: { deadline: "60s", signals: ["SIGUSR2"], report: "silent" } },
    });
    // Honours its signal: the forced release ends at once, before the second signal's 50 ms backstop.
    kernel.adopt({}, { type: "t", release: (_v, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())) });
    process.emit("SIGUSR2");
    process.emit("SIGUSR2");
    const p = kernel.shutdown();
    await clock.advance(0);
    const report = await p;
    expect(report.outcomes[0].outcome).toBe("forced");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("under the legacy strategy a second signal forces what is left and the report still arrives", async () => {
    const clock = new ManualClock();
    const codes: number[] = [];
    const kernel = await createKernel({
      clock,
      env: {},
      exit: (c) => void codes.push(c),
      config: { features: { deadlineCleanup: false }, shutdown: { signals: ["SIGUSR2"], report: "silent" } },
    });
    const forced: string[] = [];
    kernel.adopt({}, { type: "t", name: "a", release: never, force: () => void forced.push("a") });
    kernel.adopt({}, { type: "t", name: "b", release: never });
    process.emit("SIGUSR2");
    const p = kernel.shutdown();
    let done = false;
    void p.then(() => (done = true));
    await clock.advance(1_000);
    expect(done).toBe(false); // legacy: no deadline until the second signal
    process.emit("SIGUSR2");
    await clock.advance(50);
    expect(done).toBe(true);
    const report = await p;
    expect(report.strategy).toBe("legacy");
    expect(Object.fromEntries(report.outcomes.map((o) => [o.name, o.outcome]))).toEqual({ a: "forced", b: "abandoned" });
    expect(forced).toEqual(["a"]);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe("review: budgets are checked where they enter", () => {
  for (const bad of [-1, Number.NaN, "5s"] as unknown[]) {
    it(`timeoutMs ${String(bad)} is refused by registerType, acquire, adopt and scope`, async () => {
      const { kernel } = await makeKernel();
      const code = (fn: () => unknown) => {
        try {
          fn();
        } catch (error) {
          return isKernelError(error) ? error.code : String(error);
        }
        return "no error";
      };
      expect(code(() => kernel.registerType("t", { create: () => ({}), release: () => {}, timeoutMs: bad as number }))).toBe("ERR_KERNEL_INVALID_ARGUMENT");
      expect(kernel.hasType("t")).toBe(false);
      expect(code(() => kernel.adopt({}, { type: "a", release: () => {}, timeoutMs: bad as number }))).toBe("ERR_KERNEL_INVALID_ARGUMENT");
      expect(code(() => kernel.scope("s", { timeoutMs: bad as number }))).toBe("ERR_KERNEL_INVALID_ARGUMENT");
      const outer = kernel.scope("outer");
      expect(code(() => outer.scope("inner", { timeoutMs: bad as number }))).toBe("ERR_KERNEL_INVALID_ARGUMENT");
      kernel.registerType("ok", { create: () => ({}), release: () => {} });
      await expect(kernel.acquire({ type: "ok", timeoutMs: bad as number })).rejects.toMatchObject({ code: "ERR_KERNEL_INVALID_ARGUMENT" });
      expect(kernel.snapshot()).toEqual([]);
      await outer.close();
    });
  }
});
