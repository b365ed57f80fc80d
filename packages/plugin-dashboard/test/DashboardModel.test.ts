import { createKernel, ManualClock, type CustodianConfig, type Kernel } from "@custodian/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { DashboardModel } from "../src/DashboardModel.js";

async function setup(config: CustodianConfig = {}, selfId?: () => string | undefined): Promise<{ kernel: Kernel; clock: ManualClock; model: DashboardModel }> {
  const clock = new ManualClock();
  const kernel = await createKernel({ env: {}, clock, config });
  kernel.registerType("thing", {
    create: (spec) => ({ ...spec }),
    release: () => {},
    describe: (v: Record<string, unknown>) => v.details as Record<string, unknown> | undefined,
  });
  const model = new DashboardModel(kernel, { windowMs: 5_000, sampleMs: 1_000, maxResources: 3, selfId: selfId ?? (() => undefined) });
  model.start();
  onTestFinished(async () => {
    model.stop();
    const p = kernel.shutdown("test finished");
    await clock.advance(60_000);
    await p;
  });
  return { kernel, clock, model };
}

describe("DashboardModel", () => {
  it("samples live resources by type and state on the clock and keeps only the window", async () => {
    const { kernel, clock, model } = await setup();
    expect(model.series.map((s) => s.byType)).toEqual([{}]);
    await kernel.acquire({ type: "thing", name: "a" });
    await kernel.acquire({ type: "thing", name: "b" });
    await clock.advance(1_000);
    expect(model.series.at(-1)).toEqual({ t: clock.now(), byType: { thing: 2 }, byState: { active: 2 } });
    await clock.advance(10_000);
    expect(model.series.length).toBe(6); // samples at now-5s ... now
    expect(model.series[0].t).toBe(clock.now() - 5_000);
    model.stop();
    const n = model.series.length;
    await clock.advance(5_000);
    expect(model.series.length).toBe(n); // stopped: no timer left behind
  });

  it("counts, lists oldest first up to maxResources, resolves dependsOn names to ids, and reads pools from details", async () => {
    const { kernel, model } = await setup();
    const db = await kernel.acquire({ type: "thing", name: "db", details: { size: 4, borrowed: 1, idle: 3, pending: 0, max: 10, password: "pw" } });
    await kernel.acquire({ type: "thing", name: "cache", dependsOn: ["db"] });
    await kernel.acquire({ type: "thing", dependsOn: [db] });
    await kernel.acquire({ type: "thing", name: "late" });
    const st = model.state(false);
    expect(st.total).toBe(4);
    expect(st.counts).toEqual({ byType: { thing: { active: 4 } }, byState: { active: 4 } });
    expect(st.resources.map((r) => r.name ?? r.id)).toEqual(["db", "cache", "r3"]);
    expect(st.resources.map((r) => r.dependsOn)).toEqual([[], ["r1"], ["r1"]]);
    expect(st.pools).toEqual([{ id: "r1", name: "db", type: "thing", size: 4, borrowed: 1, idle: 3, pending: 0, max: 10 }]);
    expect((st.resources[0].details as Record<string, unknown>).password).toBe("[redacted]");
    expect(st.series).toBeUndefined();
    expect(model.state(true).series?.length).toBe(1);
  });

  it("turns pool breaker and alert plugin events into breakers and firing/pending alerts", async () => {
    const { kernel, clock, model } = await setup();
    kernel.emitPluginEvent("pool", "breaker:state", { key: "db", from: "closed", to: "open" });
    await clock.advance(500);
    kernel.emitPluginEvent("pool", "breaker:state", { key: "db", from: "open", to: "half-open" });
    kernel.emitPluginEvent("alerts", "alert:state", { name: "Saturated", state: "pending", labels: { pool: "db" }, value: 0.8 });
    kernel.emitPluginEvent("alerts", "alert:state", { name: "Leaky", state: "firing", labels: {}, value: 3 });
    let st = model.state(true);
    expect(st.breakers).toEqual([{ key: "db", state: "half-open", from: "open", at: clock.now(), transitions: 2 }]);
    expect(st.alerts.map((a) => [a.name, a.state])).toEqual([
      ["Saturated", "pending"],
      ["Leaky", "firing"],
    ]);
    expect(st.events?.map((e) => e.text)).toContain("alerts: alert:state");
    kernel.emitPluginEvent("alerts", "alert:state", { name: "Leaky", state: "resolved", labels: {}, value: 0 });
    st = model.state(false);
    expect(st.alerts.map((a) => a.name)).toEqual(["Saturated"]);
  });

  it("keeps only the 500 most recently updated breakers (keys come from plugins, unbounded)", async () => {
    const { kernel, model } = await setup();
    for (let i = 0; i < 600; i++) kernel.emitPluginEvent("pool", "breaker:state", { key: `k${i}`, from: "closed", to: "open" });
    kernel.emitPluginEvent("pool", "breaker:state", { key: "k100", from: "open", to: "half-open" });
    const keys = model.state(false).breakers.map((b) => b.key);
    expect(keys).toHaveLength(500);
    expect(keys[0]).toBe("k101");
    expect(keys.at(-1)).toBe("k100");
  });

  it("marks suspected leaks, but never the dashboard's own resource", async () => {
    let self: string | undefined = undefined;
    const { kernel, clock, model } = await setup({ tracking: { leakThreshold: "1s" } }, () => self);
    const own = await kernel.acquire({ type: "thing", name: "dashboard" });
    self = own.id;
    await kernel.acquire({ type: "thing", name: "held" });
    await clock.advance(1_500);
    const st = model.state(false);
    expect(st.resources.map((r) => [r.name, r.leak, r.self])).toEqual([
      ["dashboard", undefined, true],
      ["held", "held-too-long", undefined],
    ]);
    expect(st.leaks.map((l) => l.name)).toEqual(["held"]);
  });

  it("records each shutdown outcome with its timing, and wakes whenOthersSettled when all but the dashboard settled", async () => {
    let self: string | undefined = undefined;
    const { kernel, clock, model } = await setup({ shutdown: { deadline: "2s" } }, () => self);
    kernel.registerType("slow", { create: () => ({}), release: () => new Promise<void>((r) => clock.setTimeout(r, 300)) });
    kernel.registerType("broken", { create: () => ({}), release: () => Promise.reject(new Error("disk on fire, see https://u:p@status")) });
    const own = kernel.adopt({}, { type: "http.server", name: "dashboard", release: () => model.whenOthersSettled() });
    self = own.id;
    await kernel.acquire({ type: "slow", name: "slow" });
    await kernel.acquire({ type: "broken", name: "broken" });
    let settled = false;
    const p = kernel.shutdown("deploy");
    void model.whenOthersSettled().then(() => (settled = true));
    await clock.advance(100);
    const sd = model.shutdown!;
    expect(sd.resources.map((r) => r.name)).toEqual(["slow", "broken"]);
    expect(Object.keys(sd.releasing)).toEqual(["r2"]);
    expect(sd.outcomes.map((o) => [o.name, o.outcome])).toEqual([["broken", "failed"]]);
    expect(sd.outcomes[0].error).toMatchObject({ code: "ERR_RELEASE_FAILED" });
    expect(JSON.stringify(sd.outcomes[0].error)).not.toContain("u:p@");
    expect(settled).toBe(false);
    await clock.advance(300);
    expect(settled).toBe(true);
    expect(sd.settled).toBe(true);
    expect(sd.outcomes.map((o) => [o.name, o.outcome, o.startMs, o.atMs])).toEqual([
      ["broken", "failed", 0, 0],
      ["slow", "released", 0, 300],
    ]);
    const report = await p;
    expect(report.outcomes.find((o) => o.name === "dashboard")?.outcome).toBe("released");
  });

  it("whenOthersSettled resolves when its signal aborts", async () => {
    const { model } = await setup();
    const ac = new AbortController();
    const waiting = model.whenOthersSettled(ac.signal);
    ac.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
