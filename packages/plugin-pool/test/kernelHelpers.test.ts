import { describe, expect, it } from "vitest";
import { createKernel, ManualClock } from "@custodian/core";
import type { KernelEvent } from "@custodian/core";
import { createKernelBreakerRegistry, leaseFrom, poolPlugin, registerPoolFactory } from "@custodian/plugin-pool";
import type { Pool } from "@custodian/plugin-pool";

registerPoolFactory<{ open: boolean }>("helpers-mem", { create: () => ({ open: true }), destroy: (c) => void (c.open = false) });

describe("leaseFrom", () => {
  it("tracks a lease as a kernel resource depending on its pool; releasing it returns the resource", async () => {
    const clock = new ManualClock();
    const kernel = await createKernel({
      clock,
      plugins: [poolPlugin],
      config: { resources: { db: { type: "pool", factory: "helpers-mem", max: 2 } } } as never,
      exit: () => {},
    });
    const dbHandle = await kernel.acquire<Pool<{ open: boolean }>>("db");
    const pool = dbHandle.value;
    {
      await using lease = await leaseFrom(kernel, dbHandle);
      expect(pool.stats().borrowed).toBe(1);
      const snap = kernel.snapshot().find((r) => r.type === "pool.lease");
      expect(snap?.dependsOn).toEqual(["db"]);
      expect(lease.value.open).toBe(true);
    }
    expect(pool.stats()).toMatchObject({ borrowed: 0, idle: 1 });
    // At shutdown leases go first (returned), then the pool closes gracefully.
    const held = (await leaseFrom(kernel, dbHandle)).value;
    const shutting = kernel.shutdown("test");
    await clock.advance(0);
    const report = await shutting;
    expect(report.outcomes.map((o) => `${o.type}:${o.outcome}`)).toEqual(["pool.lease:released", "pool:released"]);
    expect(held.open).toBe(false);
  });
});

describe("createKernelBreakerRegistry", () => {
  it("emits breaker events on the kernel stream and is closed by shutdown", async () => {
    const clock = new ManualClock();
    const kernel = await createKernel({ clock, config: {}, exit: () => {} });
    const events: KernelEvent[] = [];
    kernel.events$.subscribe((e) => events.push(e));
    const registry = createKernelBreakerRegistry(kernel, { defaults: { consecutiveFailures: 1 } });
    await registry
      .get("api")
      .execute(() => Promise.reject(new Error("down")))
      .catch(() => {});
    const names = events.flatMap((e) => (e.type === "plugin:event" ? [e.name] : []));
    expect(names).toEqual(["breaker:created", "breaker:state-changed"]);
    const report = await kernel.shutdown("test");
    expect(report.outcomes.find((o) => o.type === "breaker-registry")?.outcome).toBe("released");
    expect(registry.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});
