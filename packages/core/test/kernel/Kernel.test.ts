import { describe, expect, it, vi } from "vitest";
import { createKernel, definePlugin, isKernelError, KernelError, ManualClock, type ReleaseContext } from "../../src/index.js";
import { after, makeKernel, never } from "../helpers/kernel.js";

describe("release outcomes", () => {
  it("a release that resolves is released", async () => {
    const { kernel } = await makeKernel();
    const release = vi.fn();
    const h = kernel.adopt({ n: 1 }, { type: "thing", release });
    const outcome = await h.release();
    expect(outcome.outcome).toBe("released");
    expect(release).toHaveBeenCalledWith({ n: 1 }, expect.objectContaining({ reason: "release" }));
    expect(h.state).toBe("released");
    expect(kernel.snapshot()).toHaveLength(0);
  });

  it("a release that throws is failed and does not stop the others", async () => {
    const { kernel } = await makeKernel();
    const order: string[] = [];
    kernel.adopt(1, { type: "t", name: "a", release: () => void order.push("a") });
    kernel.adopt(2, {
      type: "t",
      name: "b",
      release: () => {
        order.push("b");
        throw new Error("boom");
      },
    });
    kernel.adopt(3, {
      type: "t",
      name: "c",
      release: async () => {
        order.push("c");
        throw new Error("async boom");
      },
    });
    const report = await kernel.shutdown();
    expect(order.sort()).toEqual(["a", "b", "c"]);
    const byName = Object.fromEntries(report.outcomes.map((o) => [o.name, o]));
    expect(byName.a.outcome).toBe("released");
    expect(byName.b.outcome).toBe("failed");
    expect(byName.c.outcome).toBe("failed");
    expect(report.ok).toBe(false);
    expect(report.errors).toBeInstanceOf(AggregateError);
    expect(report.errors!.errors).toHaveLength(2);
    expect(report.errors!.errors.map((e) => (e as { code: string }).code)).toEqual(["ERR_RELEASE_FAILED", "ERR_RELEASE_FAILED"]);
    expect((report.errors!.errors[0] as Error).cause).toBeInstanceOf(Error);
  });

  it("a release that hangs forever is abandoned within the deadline", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    kernel.adopt({}, { type: "t", name: "hang", release: never });
    const p = kernel.shutdown();
    let done = false;
    void p.then(() => (done = true));
    await clock.advance(899);
    expect(done).toBe(false);
    await clock.advance(101);
    expect(done).toBe(true);
    const report = await p;
    expect(report.outcomes[0].outcome).toBe("abandoned");
    expect(isKernelError(report.outcomes[0].error, "ERR_RELEASE_ABANDONED")).toBe(true);
    expect(report.elapsedMs).toBeLessThanOrEqual(1000);
    expect(report.ok).toBe(false);
  });

  it("a release that ignores its abort signal is forced by the type's force", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    const force = vi.fn();
    let signal: AbortSignal | undefined;
    kernel.adopt(
      {},
      {
        type: "t",
        release: (_v, ctx) => {
          signal = ctx.signal;
          return never();
        },
        force,
      },
    );
    const p = kernel.shutdown();
    await clock.advance(1000);
    const report = await p;
    expect(signal?.aborted).toBe(true);
    expect(isKernelError(signal?.reason, "ERR_DEADLINE_EXCEEDED")).toBe(true);
    expect(force).toHaveBeenCalledTimes(1);
    expect(report.outcomes[0].outcome).toBe("forced");
    expect(isKernelError(report.outcomes[0].error, "ERR_DEADLINE_EXCEEDED")).toBe(true);
  });

  it("a release that honours its signal after the budget ends forced, never released", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    kernel.adopt(
      {},
      {
        type: "t",
        release: (_v, ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())),
      },
    );
    const p = kernel.shutdown();
    await clock.advance(1000);
    expect((await p).outcomes[0].outcome).toBe("forced");
  });

  it("a force that also hangs ends abandoned, and late settling is an event, not an unhandled rejection", async () => {
    const { kernel, clock, events } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    let rejectLate!: (e: Error) => void;
    kernel.adopt(
      {},
      {
        type: "t",
        name: "stuck",
        release: () => new Promise<void>((_r, reject) => (rejectLate = reject)),
        force: never,
      },
    );
    const p = kernel.shutdown();
    await clock.advance(1000);
    const report = await p;
    expect(report.outcomes[0].outcome).toBe("abandoned");
    rejectLate(new Error("late"));
    await clock.tick();
    const late = events.filter((e) => e.type === "resource:settled-late");
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ name: "stuck", settled: "rejected" });
  });

  it("events$ completes after shutdown once abandoned work has settled too", async () => {
    const { kernel, clock, events } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    let finish!: () => void;
    kernel.adopt({}, { type: "t", release: () => new Promise<void>((r) => (finish = r)) });
    let completed = false;
    kernel.events$.subscribe({ complete: () => (completed = true) });
    const p = kernel.shutdown();
    await clock.advance(1000);
    await p;
    expect(completed).toBe(false);
    finish();
    await clock.tick();
    expect(events.at(-1)).toMatchObject({ type: "resource:settled-late", settled: "fulfilled" });
    expect(completed).toBe(true);
  });

  it("a release that settles after its budget is not reported released whatever it does later", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    kernel.adopt({}, { type: "t", release: () => after(clock, 5_000) });
    const p = kernel.shutdown();
    await clock.advance(6_000);
    expect((await p).outcomes[0].outcome).toBe("abandoned");
  });

  it("a force that throws is failed with the force error", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    kernel.adopt(
      {},
      {
        type: "t",
        release: never,
        force: () => {
          throw new Error("cannot force");
        },
      },
    );
    const p = kernel.shutdown();
    await clock.advance(1000);
    const o = (await p).outcomes[0];
    expect(o.outcome).toBe("failed");
    expect(((o.error as Error).cause as Error).message).toBe("cannot force");
  });
});

describe("order and budgets", () => {
  it("a resource already in its forced phase keeps its force window when the global force point passes", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    // Its own budget ends 5ms before the global force point (900ms); its force takes 20ms.
    kernel.adopt({}, { type: "t", name: "slow", timeoutMs: 895, release: never, force: () => after(clock, 20) });
    const p = kernel.shutdown();
    await clock.advance(1_000);
    const report = await p;
    expect(report.outcomes[0].outcome).toBe("forced");
    expect(report.outcomes[0].elapsedMs).toBe(915);
  });

  it("a force that started just before the global force point keeps its window (forced, not abandoned)", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s", reserve: "200ms" } } });
    // Budget 790 ms ends 10 ms before the force point (800 ms); its force needs 100 ms of the reserve.
    kernel.adopt({}, { type: "t", name: "early", timeoutMs: 790, release: never, force: () => after(clock, 100) });
    const p = kernel.shutdown();
    await clock.advance(1000);
    const report = await p;
    expect(report.outcomes.map((o) => [o.name, o.outcome, o.elapsedMs])).toEqual([["early", "forced", 890]]);
  });

  it("releases dependents before their dependencies, along a chain", async () => {
    const { kernel, clock } = await makeKernel();
    const order: string[] = [];
    const rel = (n: string) => async () => {
      order.push(`start ${n}`);
      await after(clock, 10);
      order.push(`end ${n}`);
    };
    const db = kernel.adopt({}, { type: "t", name: "db", release: rel("db") });
    kernel.adopt({}, { type: "t", name: "repo", dependsOn: [db], release: rel("repo") });
    kernel.adopt({}, { type: "t", name: "api", dependsOn: ["repo"], release: rel("api") });
    const p = kernel.shutdown();
    await clock.advance(100);
    const report = await p;
    expect(order).toEqual(["start api", "end api", "start repo", "end repo", "start db", "end db"]);
    expect(report.outcomes.map((o) => o.outcome)).toEqual(["released", "released", "released"]);
    expect(report.elapsedMs).toBe(30);
  });

  it("releases independent resources in parallel, started in reverse acquisition order", async () => {
    const { kernel, clock } = await makeKernel();
    const started: string[] = [];
    for (const n of ["a", "b", "c"]) {
      kernel.adopt(
        {},
        {
          type: "t",
          name: n,
          release: () => {
            started.push(n);
            return after(clock, 100);
          },
        },
      );
    }
    const p = kernel.shutdown();
    await clock.advance(100);
    const report = await p;
    expect(started).toEqual(["c", "b", "a"]);
    expect(report.elapsedMs).toBe(100); // not 300
    expect(report.ok).toBe(true);
  });

  it("gives each level of a chain its share of what remains; a child's budget derives from the parent's remaining time", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "3s", reserve: "300ms" } } });
    const budgets: Record<string, number> = {};
    const rec = (n: string) => (_v: unknown, ctx: ReleaseContext) => {
      budgets[n] = ctx.deadline.remainingMs();
    };
    const a = kernel.adopt({}, { type: "t", name: "a", release: rec("a") });
    const b = kernel.adopt({}, { type: "t", name: "b", dependsOn: [a], release: rec("b") });
    kernel.adopt({}, { type: "t", name: "c", dependsOn: [b], release: rec("c"), timeoutMs: 100 });
    const p = kernel.shutdown();
    await clock.advance(10);
    await p;
    // c: min(own 100ms, (3000-300)/3); b: 2700/2 (c took no time); a: 2700/1.
    expect(budgets).toEqual({ c: 100, b: 1350, a: 2700 });
  });

  it("forces everything still pending at the global force point, in parallel, and waits for nothing after the deadline", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s", reserve: "200ms" } } });
    const forced: string[] = [];
    const db = kernel.adopt({}, { type: "t", name: "db", release: never, force: () => void forced.push("db") });
    kernel.adopt({}, { type: "t", name: "app", dependsOn: [db], release: never, timeoutMs: 10_000, force: () => void forced.push("app") });
    const p = kernel.shutdown();
    await clock.advance(800);
    expect(forced.sort()).toEqual(["app", "db"]);
    await clock.advance(200);
    const report = await p;
    expect(report.outcomes.map((o) => `${o.name}:${o.outcome}`).sort()).toEqual(["app:forced", "db:forced"]);
    expect(report.elapsedMs).toBeLessThanOrEqual(1000);
  });

  it("refuses a declared dependency cycle", async () => {
    await expect(
      createKernel({
        env: {},
        config: { resources: { a: { type: "t", dependsOn: ["b"] }, b: { type: "t", dependsOn: ["a"] } } },
        plugins: [definePlugin({ name: "t", apply: (k) => k.registerType("t", { create: () => ({}), release() {} }) })],
      }),
    ).rejects.toMatchObject({ code: "ERR_KERNEL_DEPENDENCY_CYCLE" });
  });
});

describe("closed means closed", () => {
  it("acquire and adopt after shutdown started reject at once with ERR_KERNEL_CLOSED", async () => {
    const { kernel, clock } = await makeKernel();
    kernel.registerType("t", { create: () => ({}), release() {} });
    kernel.adopt({}, { type: "t", release: () => after(clock, 500) });
    const p = kernel.shutdown();
    await expect(kernel.acquire({ type: "t" })).rejects.toMatchObject({ code: "ERR_KERNEL_CLOSED" });
    expect(() => kernel.adopt({}, { type: "t", release() {} })).toThrow(expect.objectContaining({ code: "ERR_KERNEL_CLOSED" }));
    expect(() => kernel.scope("s")).toThrow(expect.objectContaining({ code: "ERR_KERNEL_CLOSED" }));
    await clock.advance(500);
    await p;
    await expect(kernel.acquire({ type: "t" })).rejects.toMatchObject({ code: "ERR_KERNEL_CLOSED" });
  });

  it("shutdown is idempotent: a second call returns the same promise", async () => {
    const { kernel } = await makeKernel();
    const release = vi.fn();
    kernel.adopt({}, { type: "t", release });
    const p1 = kernel.shutdown("one");
    const p2 = kernel.shutdown("two");
    expect(p2).toBe(p1);
    expect((await p1).reason).toBe("one");
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("double release releases once and returns the same outcome", async () => {
    const { kernel, clock } = await makeKernel();
    const release = vi.fn(() => after(clock, 10));
    const h = kernel.adopt({}, { type: "t", release });
    const a = h.release();
    const b = h.release();
    await clock.advance(10);
    const [oa, ob] = await Promise.all([a, b]);
    expect(release).toHaveBeenCalledTimes(1);
    expect(oa).toEqual(ob);
    expect((await h.release()).outcome).toBe("released");
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("a resource created while shutdown starts is released by the shutdown and the caller gets ERR_KERNEL_CLOSED", async () => {
    const { kernel, clock } = await makeKernel();
    const release = vi.fn();
    kernel.registerType("slow", { create: () => after(clock, 100).then(() => ({ slow: true })), release });
    const acquiring = kernel.acquire({ type: "slow" });
    const refused = expect(acquiring).rejects.toMatchObject({ code: "ERR_KERNEL_CLOSED" });
    const p = kernel.shutdown();
    await clock.advance(100);
    await refused;
    const report = await p;
    expect(release).toHaveBeenCalledWith({ slow: true }, expect.anything());
    expect(report.outcomes[0].outcome).toBe("released");
  });
});

describe("creation during shutdown", () => {
  it("a create that never finishes is abandoned at its budget and its signal aborts", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    let signal: AbortSignal | undefined;
    kernel.registerType("hang", {
      create: (_s, ctx) => {
        signal = ctx.signal;
        return never();
      },
      release() {},
    });
    const acquiring = kernel.acquire({ type: "hang" });
    acquiring.catch(() => {});
    const p = kernel.shutdown();
    await clock.advance(1_000);
    const report = await p;
    expect(report.outcomes.map((o) => o.outcome)).toEqual(["abandoned"]);
    expect(signal?.aborted).toBe(true);
  });
});

describe("legacy strategy (rollback flag)", () => {
  it("features.deadlineCleanup: false releases sequentially with no deadline", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" }, features: { deadlineCleanup: false } } });
    expect(kernel.features.isEnabled("deadlineCleanup")).toBe(false);
    const order: string[] = [];
    kernel.adopt(
      {},
      {
        type: "t",
        name: "a",
        release: async () => {
          order.push("a");
          await after(clock, 2_000);
        },
      },
    );
    kernel.adopt(
      {},
      {
        type: "t",
        name: "b",
        release: async () => {
          order.push("b");
          await after(clock, 2_000);
        },
      },
    );
    const p = kernel.shutdown();
    await clock.advance(1_999);
    expect(order).toEqual(["b"]); // sequential: a has not started
    await clock.advance(2_001);
    const report = await p;
    expect(order).toEqual(["b", "a"]);
    expect(report.strategy).toBe("legacy");
    expect(report.ok).toBe(true);
    expect(report.elapsedMs).toBe(4_000); // past the 1s deadline: no deadline in legacy
  });

  it("the legacy strategy waits on a hung release forever (what a rollback gets)", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" }, features: { deadlineCleanup: "off" } } });
    let finish!: () => void;
    kernel.adopt({}, { type: "t", release: () => new Promise<void>((r) => (finish = r)) });
    let done = false;
    const p = kernel.shutdown().then((r) => ((done = true), r));
    await clock.advance(60_000);
    expect(done).toBe(false);
    finish();
    expect((await p).outcomes[0].outcome).toBe("released");
  });

  it("the env var overrides config, and the report says which strategy ran", async () => {
    const { kernel } = await makeKernel({ config: { features: { deadlineCleanup: true } }, env: { CUSTODIAN_FEATURE_DEADLINE_CLEANUP: "off" } });
    expect(kernel.features.list()).toContainEqual(expect.objectContaining({ name: "deadlineCleanup", enabled: false, source: "env" }));
    expect((await kernel.shutdown()).strategy).toBe("legacy");
    const { kernel: k2 } = await makeKernel({ config: { features: { deadlineCleanup: false } }, env: { CUSTODIAN_FEATURE_DEADLINE_CLEANUP: "on" } });
    expect((await k2.shutdown()).strategy).toBe("deadline");
  });

  it("errors are still aggregated under the legacy strategy", async () => {
    const { kernel } = await makeKernel({ config: { features: { deadlineCleanup: false } } });
    kernel.adopt(
      {},
      {
        type: "t",
        release: () => {
          throw new Error("x");
        },
      },
    );
    kernel.adopt(
      {},
      {
        type: "t",
        release: () => {
          throw new Error("y");
        },
      },
    );
    const report = await kernel.shutdown();
    expect(report.errors?.errors).toHaveLength(2);
  });
});

describe("declared resources and types", () => {
  const plugin = definePlugin({
    name: "conn",
    apply(kernel) {
      kernel.registerType<{ url: string; deps: string[] }>("conn", {
        create: (spec, ctx) => ({ url: String(spec.url), deps: [...ctx.dependencies.keys()] }),
        release() {},
      });
    },
  });

  it("acquire(name) creates a declared resource after its dependencies and shares it while live", async () => {
    const { kernel } = await makeKernel({
      plugins: [plugin],
      config: { resources: { db: { type: "conn", url: "pg://x" }, cache: { type: "conn", url: "redis://y", dependsOn: ["db"] } } },
    });
    const cache = await kernel.acquire<{ url: string; deps: string[] }>("cache");
    expect(cache.value).toEqual({ url: "redis://y", deps: ["db"] });
    expect(kernel.snapshot().map((s) => [s.name, s.dependsOn])).toEqual([
      ["db", []],
      ["cache", ["db"]],
    ]);
    expect(await kernel.acquire("cache")).toBe(cache);
    const [a, b] = await Promise.all([kernel.acquire("db"), kernel.acquire("db")]);
    expect(a).toBe(b);
  });

  it("unknown names and types fail with typed errors", async () => {
    const { kernel } = await makeKernel({ plugins: [plugin] });
    await expect(kernel.acquire("nope")).rejects.toMatchObject({ code: "ERR_KERNEL_UNKNOWN_RESOURCE" });
    await expect(kernel.acquire({ type: "nope" })).rejects.toMatchObject({ code: "ERR_KERNEL_UNKNOWN_TYPE" });
    expect(() => kernel.registerType("conn", { release() {} })).toThrow(expect.objectContaining({ code: "ERR_KERNEL_DUPLICATE_TYPE" }));
    await expect(createKernel({ env: {}, config: { resources: { x: { type: "missing" } } } })).rejects.toMatchObject({ code: "ERR_KERNEL_UNKNOWN_TYPE" });
  });

  it("a failing create leaves nothing tracked", async () => {
    const { kernel, events } = await makeKernel();
    kernel.registerType("bad", { create: () => Promise.reject(new Error("down")), release() {} });
    await expect(kernel.acquire({ type: "bad" })).rejects.toThrow("down");
    expect(kernel.snapshot()).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["resource:acquiring", "resource:acquire-failed"]);
  });
});

describe("hooks", () => {
  it("a throwing acquire tap aborts the acquisition and the resource is released", async () => {
    const { kernel } = await makeKernel();
    const release = vi.fn();
    kernel.registerType("t", { create: () => ({}), release });
    kernel.hooks.acquire.tapPromise("policy", async () => {
      throw new Error("not allowed");
    });
    await expect(kernel.acquire({ type: "t" })).rejects.toMatchObject({ code: "ERR_KERNEL_ACQUIRE_HOOK" });
    expect(release).toHaveBeenCalledTimes(1);
    expect(kernel.snapshot()).toEqual([]);
  });

  it("a throwing release, shutdown or deadline tap is isolated and reported", async () => {
    const { kernel, clock, events } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    const release = vi.fn();
    const later = vi.fn();
    kernel.hooks.release.tap("bad-sync", () => {
      throw new Error("sync tap");
    });
    kernel.hooks.release.tapPromise("bad-async", async () => {
      throw new Error("async tap");
    });
    kernel.hooks.release.tap("good", later);
    kernel.hooks.shutdown.tapPromise("bad-shutdown", async () => {
      throw new Error("shutdown tap");
    });
    kernel.hooks.deadline.tap("bad-deadline", () => {
      throw new Error("deadline tap");
    });
    kernel.adopt({}, { type: "t", release });
    kernel.adopt({}, { type: "t", release: never });
    const p = kernel.shutdown();
    await clock.advance(1000);
    const report = await p;
    expect(release).toHaveBeenCalledTimes(1);
    expect(later).toHaveBeenCalledTimes(2);
    expect(report.outcomes.map((o) => o.outcome).sort()).toEqual(["abandoned", "released"]);
    const tapErrors = events.filter((e) => e.type === "hook:error").map((e) => (e as { tap: string }).tap);
    expect(tapErrors).toEqual(expect.arrayContaining(["bad-sync", "bad-async", "bad-shutdown", "bad-deadline"]));
  });

  it("the shutdown hook gets a deadline and cannot hold shutdown past it", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    let remaining = -1;
    kernel.hooks.shutdown.tapPromise("flusher", (ctx) => {
      remaining = ctx.deadline.remainingMs();
      return never();
    });
    const p = kernel.shutdown();
    await clock.advance(1000);
    const report = await p;
    expect(remaining).toBe(900);
    expect(report.elapsedMs).toBeLessThanOrEqual(1000);
  });

  it("what the shutdown hook could not do is in the report: a throwing tap, ctx.reportError, a hook past its budget", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { deadline: "1s" } } });
    kernel.adopt({}, { type: "t", release: () => {} });
    kernel.hooks.shutdown.tapPromise("thrower", async () => {
      throw new Error("flush failed");
    });
    kernel.hooks.shutdown.tapPromise("reporter", async (ctx) => {
      ctx.reportError(new KernelError("ERR_ALERTS_DELIVERY_FAILED", "2 notifications undelivered"));
    });
    kernel.hooks.shutdown.tapPromise("hanger", () => never());
    const p = kernel.shutdown();
    await clock.advance(1000);
    const report = await p;
    expect(report.outcomes.map((o) => o.outcome)).toEqual(["released"]);
    expect(report.ok).toBe(false);
    const errors = report.errors?.errors as Array<{ code: string; message: string }>;
    expect(errors.map((e) => e.code).sort()).toEqual(["ERR_ALERTS_DELIVERY_FAILED", "ERR_DEADLINE_EXCEEDED", "ERR_SHUTDOWN_HOOK_FAILED"]);
    expect(errors.find((e) => e.code === "ERR_SHUTDOWN_HOOK_FAILED")?.message).toBe('Shutdown tap "thrower" failed: flush failed');
    expect(report.errors?.message).toBe("3 shutdown hook error(s)");

    // A tap that does its work reports nothing, and the report stays ok.
    const quiet = await makeKernel();
    quiet.kernel.hooks.shutdown.tapPromise("fine", async () => {});
    quiet.kernel.adopt({}, { type: "t", release: () => {} });
    const ok = await quiet.kernel.shutdown();
    expect(ok.ok).toBe(true);
    expect(ok.errors).toBeUndefined();
  });

  it("hooks are frozen", async () => {
    const { kernel } = await makeKernel();
    expect(Object.isFrozen(kernel.hooks)).toBe(true);
  });
});

describe("scopes and await using", () => {
  it("await using releases a handle at the end of the block", async () => {
    const { kernel } = await makeKernel();
    const release = vi.fn();
    kernel.registerType("t", { create: () => ({}), release });
    {
      await using h = await kernel.acquire({ type: "t" });
      expect(h.state).toBe("active");
    }
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("a scope releases its resources in dependency order on dispose, and child scopes first", async () => {
    const { kernel } = await makeKernel();
    const order: string[] = [];
    kernel.registerType("t", { create: (spec) => spec.n, release: (v) => void order.push(String(v)) });
    const outer = kernel.adopt("outer", { type: "t", release: (v) => void order.push(v) });
    {
      await using scope = kernel.scope("request", { timeoutMs: 1000 });
      const db = await scope.acquire({ type: "t", n: "db" });
      await scope.acquire({ type: "t", n: "tx", dependsOn: [db] });
      const child = scope.scope("sub");
      await child.acquire({ type: "t", n: "child" });
      expect(kernel.snapshot().map((s) => s.scope)).toEqual([undefined, "request", "request", "request/sub"]);
    }
    expect(order).toEqual(["child", "tx", "db"]);
    expect(outer.state).toBe("active");
  });

  it("a child scope closed by its parent gets at most the parent's remaining time", async () => {
    const { kernel, clock } = await makeKernel();
    const outer = kernel.scope("outer", { timeoutMs: 1_000 });
    const inner = outer.scope("inner", { timeoutMs: 60_000 });
    let budget = -1;
    inner.adopt(
      {},
      {
        type: "t",
        release: (_v, ctx) => {
          budget = ctx.deadline.remainingMs();
          return never();
        },
      },
    );
    const closing = outer.close();
    await clock.advance(1_000);
    const outcomes = await closing;
    expect(budget).toBeLessThanOrEqual(1_000);
    expect(outcomes.map((o) => o.outcome)).toEqual(["abandoned"]);
  });

  it("a scope's budget is not divided by dependencies that live outside the scope", async () => {
    const { kernel, clock } = await makeKernel({ config: { shutdown: { reserve: "200ms" } } });
    const agent = kernel.adopt({}, { type: "agent", release() {} });
    const scope = kernel.scope("batch", { timeoutMs: 1_000 });
    let budget = -1;
    scope.adopt({}, { type: "download", dependsOn: [agent], release: (_v, ctx) => void (budget = ctx.deadline.remainingMs()) });
    const closing = scope.close();
    await clock.advance(1);
    await closing;
    expect(budget).toBe(800); // the whole of (1000 - 200 reserve), not half of it
    expect(kernel.snapshot().map((s) => s.type)).toEqual(["agent"]);
  });

  it("a scope's timeout bounds its release", async () => {
    const { kernel, clock } = await makeKernel();
    const scope = kernel.scope("job", { timeoutMs: 500 });
    scope.adopt({}, { type: "t", release: never });
    let done = false;
    const closing = scope.close().then((o) => ((done = true), o));
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    expect((await closing)[0].outcome).toBe("abandoned");
    expect(() => scope.adopt({}, { type: "t", release() {} })).toThrow(expect.objectContaining({ code: "ERR_KERNEL_CLOSED" }));
  });
});

describe("tracking", () => {
  it("snapshot shows id, type, name, state, age, dependencies and details", async () => {
    const { kernel, clock } = await makeKernel();
    const a = kernel.adopt({ open: 3 }, { type: "sock", name: "a", release() {}, describe: (v) => ({ open: v.open }) });
    await clock.advance(250);
    kernel.adopt({}, { type: "t", dependsOn: [a], release() {} });
    const [s1, s2] = kernel.snapshot();
    expect(s1).toMatchObject({ id: a.id, type: "sock", name: "a", state: "active", ageMs: 250, dependsOn: [], details: { open: 3 } });
    expect(s2).toMatchObject({ ageMs: 0, dependsOn: ["a"] });
  });

  it("emits resource:leak-suspected once for a resource held past leakThreshold, with its stack when captured", async () => {
    const { kernel, clock, events } = await makeKernel({ config: { tracking: { leakThreshold: "60s", captureStacks: true } } });
    const held = kernel.adopt({}, { type: "t", name: "held", release() {} });
    await clock.advance(30_000);
    const quick = kernel.adopt({}, { type: "t", name: "quick", release() {} });
    await quick.release();
    await clock.advance(29_999);
    expect(events.filter((e) => e.type === "resource:leak-suspected")).toHaveLength(0);
    await clock.advance(1);
    await clock.advance(120_000);
    const leaks = events.filter((e) => e.type === "resource:leak-suspected");
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ id: held.id, name: "held", ageMs: 60_000, reason: "held-too-long" });
    expect((leaks[0] as { stack?: string }).stack).toContain("Kernel.test.ts");
  });

  it("reportLeak() turns a plugin's finding into resource:leak-suspected, with the tracked resource's age", async () => {
    const { kernel, clock, events } = await makeKernel();
    const h = kernel.adopt({}, { type: "fs.file", name: "log", release() {} });
    await clock.advance(1_500);
    kernel.reportLeak({ id: h.id, type: "fs.file", name: "log", reason: "garbage-collected", detail: "fd 12", data: { fd: 12 } });
    kernel.reportLeak({ id: "fd:13", type: "fs.file", reason: "garbage-collected" });
    const leaks = events.filter((e) => e.type === "resource:leak-suspected");
    expect(leaks).toMatchObject([
      { id: h.id, resourceType: "fs.file", name: "log", ageMs: 1_500, reason: "garbage-collected", detail: "fd 12", data: { fd: 12 } },
      { id: "fd:13", ageMs: 0 },
    ]);
  });

  it("keeps a bounded history of released resources", async () => {
    const { kernel } = await makeKernel({ config: { tracking: { historySize: 3 } } });
    for (let i = 0; i < 5; i++) await kernel.adopt(i, { type: "t", name: `r${i}`, release() {} }).release();
    expect(kernel.history().map((h) => h.name)).toEqual(["r2", "r3", "r4"]);
  });

  it("reports a handle garbage-collected without release, and still releases the resource at shutdown", async () => {
    const { setFlagsFromString } = await import("node:v8");
    const { runInNewContext } = await import("node:vm");
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const { kernel, events } = await makeKernel();
    const release = vi.fn();
    (() => {
      kernel.adopt({ big: "x" }, { type: "t", name: "dropped", release });
    })();
    for (let i = 0; i < 10 && !events.some((e) => e.type === "resource:leak-suspected"); i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    expect(events.find((e) => e.type === "resource:leak-suspected")).toMatchObject({ name: "dropped", reason: "garbage-collected" });
    await kernel.shutdown();
    expect(release).toHaveBeenCalledWith({ big: "x" }, expect.anything());
  });
});

describe("process honesty", () => {
  it("leaves no timer pending after shutdown", async () => {
    const clock = new ManualClock();
    const kernel = await createKernel({ clock, env: {}, config: { shutdown: { deadline: "1s" }, tracking: { leakThreshold: "10s" } } });
    kernel.adopt({}, { type: "t", release: () => after(clock, 10) });
    kernel.adopt({}, { type: "t", release: never });
    const p = kernel.shutdown();
    await clock.advance(1000);
    await p;
    expect(clock.pendingTimers()).toBe(0);
  });

  it("completes events$ after shutdown", async () => {
    const { kernel } = await makeKernel();
    let completed = false;
    kernel.events$.subscribe({ complete: () => (completed = true) });
    await kernel.shutdown();
    expect(completed).toBe(true);
  });
});

describe("plugins", () => {
  it("refuses invalid, duplicate and out-of-order plugins", async () => {
    const a = definePlugin({ name: "a", apply() {} });
    const b = definePlugin({ name: "b", dependsOn: ["a"], apply() {} });
    await expect(createKernel({ env: {}, config: {}, plugins: [a, a] })).rejects.toMatchObject({ code: "ERR_PLUGIN_DUPLICATE" });
    await expect(createKernel({ env: {}, config: {}, plugins: [b, a] })).rejects.toMatchObject({ code: "ERR_PLUGIN_DEPENDENCY" });
    await expect(createKernel({ env: {}, config: {}, plugins: [{ name: "", apply() {} }] })).rejects.toMatchObject({ code: "ERR_PLUGIN_INVALID" });
    await expect(
      createKernel({ env: {}, config: {}, plugins: [{ name: "cb", apply(_k: unknown, _o: unknown, _done?: unknown) {} } as never] }),
    ).rejects.toMatchObject({ code: "ERR_PLUGIN_INVALID" });
    const k = await createKernel({ env: {}, config: {}, plugins: [a, b] });
    expect(k.plugins.names()).toEqual(["a", "b"]);
    await k.shutdown();
  });

  it("bounds apply() with a start deadline whose error names the plugin, and releases what was already adopted", async () => {
    const clock = new ManualClock();
    const release = vi.fn();
    const first = definePlugin({ name: "first", apply: (k) => void k.adopt({}, { type: "t", release }) });
    const slow = definePlugin({ name: "slow", startTimeoutMs: 2_000, apply: () => never() });
    const creating = createKernel({ clock, env: {}, config: {}, plugins: [first, slow] });
    const assertion = expect(creating).rejects.toMatchObject({ code: "ERR_PLUGIN_TIMEOUT", message: expect.stringContaining('"slow"') });
    await clock.advance(2_000);
    await assertion;
    expect(release).toHaveBeenCalledTimes(1);
  });

  it("a plugin's feature flags are declared, resolved and listed; unknown flags are refused", async () => {
    const p = definePlugin({ name: "p", features: [{ name: "fastPath", default: false, description: "x" }], apply() {} });
    const k = await createKernel({ env: { CUSTODIAN_FEATURE_FAST_PATH: "on" }, config: {}, plugins: [p] });
    expect(k.features.isEnabled("fastPath")).toBe(true);
    expect(k.features.list().map((f) => `${f.name}=${f.enabled}(${f.source})`)).toEqual(["deadlineCleanup=true(default)", "fastPath=true(env)"]);
    await k.shutdown();
    await expect(createKernel({ env: {}, config: { features: { nope: true } } })).rejects.toMatchObject({ code: "ERR_FEATURE_UNKNOWN" });
    await expect(createKernel({ env: { CUSTODIAN_FEATURE_DEADLINE_CLEANUP: "maybe" }, config: {} })).rejects.toMatchObject({
      code: "ERR_FEATURE_INVALID_VALUE",
    });
  });

  it("kernel.signal aborts when shutdown starts, so a plugin's apply() that timed out can stop what it started", async () => {
    const clock = new ManualClock();
    const stopped: string[] = [];
    const hanging = definePlugin({
      name: "hanging",
      startTimeoutMs: 1_000,
      apply: (kernel) =>
        new Promise<void>((_resolve, reject) => {
          // e.g. a connect that never completes: it listens to kernel.signal to give up.
          kernel.signal.addEventListener("abort", () => {
            stopped.push(`${(kernel.signal.reason as { code?: string }).code}`);
            reject(kernel.signal.reason as Error);
          });
        }),
    });
    const creating = createKernel({ clock, env: {}, config: {}, plugins: [hanging] });
    const assertion = expect(creating).rejects.toMatchObject({ code: "ERR_PLUGIN_TIMEOUT" });
    await clock.advance(999);
    expect(stopped).toEqual([]);
    await clock.advance(2);
    await assertion;
    expect(stopped).toEqual(["ERR_KERNEL_CLOSED"]);

    const k = await createKernel({ clock, env: {}, config: {} });
    expect(k.signal.aborted).toBe(false);
    const p = k.shutdown();
    expect(k.signal.aborted).toBe(true);
    await p;
  });

  it("a feature flag has one owner: a second declaration (core's, another plugin's, or twice in one plugin) is refused before anything applies", async () => {
    const applied: string[] = [];
    const a = definePlugin({ name: "a", features: [{ name: "fastPath", default: false, description: "a's" }], apply: () => void applied.push("a") });
    const b = definePlugin({ name: "b", features: [{ name: "fastPath", default: true, description: "b's" }], apply: () => void applied.push("b") });
    await expect(createKernel({ env: {}, config: {}, plugins: [a, b] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining('Plugin "b" declares feature flag "fastPath", which plugin "a" declares'),
    });
    expect(applied).toEqual([]); // checked before any plugin applied
    const core = definePlugin({ name: "c", features: [{ name: "deadlineCleanup", default: false, description: "" }], apply() {} });
    await expect(createKernel({ env: {}, config: {}, plugins: [core] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining("core declares"),
    });
    const twice = definePlugin({
      name: "d",
      features: [
        { name: "x", default: false, description: "" },
        { name: "x", default: true, description: "" },
      ],
      apply() {},
    });
    await expect(createKernel({ env: {}, config: {}, plugins: [twice] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining("it already declares"),
    });
    const bad = definePlugin({ name: "e", features: [{ name: "y", default: "on" as unknown as boolean, description: "" }], apply() {} });
    await expect(createKernel({ env: {}, config: {}, plugins: [bad] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining("default: boolean"),
    });
  });

  it("a plugin's declared types must be what its apply() registers, since the config was checked against them", async () => {
    const release = (): void => {};
    const other = definePlugin({ name: "other", types: { a: {} }, apply: (k) => k.registerType("b", { release }) });
    await expect(createKernel({ env: {}, config: {}, plugins: [other] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining('Plugin "other" declares the resource types "a" in its descriptor, but apply() registered "b"'),
    });
    const fewer = definePlugin({ name: "fewer", types: {}, apply: (k) => k.registerType("c", { release }) });
    await expect(createKernel({ env: {}, config: {}, plugins: [fewer] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining('declares no resource types in its descriptor, but apply() registered "c"'),
    });
    const malformed = definePlugin({ name: "malformed", types: ["d"] as never, apply() {} });
    await expect(createKernel({ env: {}, config: {}, plugins: [malformed] })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining("types must be a mapping"),
    });
    const exact = definePlugin({ name: "exact", types: { e: {} }, apply: (k) => k.registerType("e", { release }) });
    const { kernel } = await makeKernel({ plugins: [exact] });
    expect(kernel.types()).toEqual(["e"]);
  });
});

describe("snapshot({ types })", () => {
  it("keeps only resources of those types, oldest first, and runs describe() for them alone", async () => {
    const { kernel } = await makeKernel();
    const described: string[] = [];
    const describe = (v: { n: string }) => (described.push(v.n), { n: v.n });
    kernel.adopt({ n: "p1" }, { type: "pool", name: "p1", release: () => {}, describe });
    kernel.adopt({ n: "j1" }, { type: "job", name: "j1", release: () => {}, describe });
    kernel.adopt({ n: "q1" }, { type: "queue", name: "q1", release: () => {}, describe });
    kernel.adopt({ n: "p2" }, { type: "pool", name: "p2", release: () => {}, describe });
    expect(kernel.snapshot({ types: ["pool", "queue"] }).map((s) => [s.name, s.details])).toEqual([
      ["p1", { n: "p1" }],
      ["q1", { n: "q1" }],
      ["p2", { n: "p2" }],
    ]);
    expect(described).toEqual(["p1", "q1", "p2"]);
    expect(kernel.snapshot({ types: [] })).toEqual([]);
    expect(kernel.snapshot().map((s) => s.name)).toEqual(["p1", "j1", "q1", "p2"]);
  });
});
