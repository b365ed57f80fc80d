/**
 * A pool named after a URL with a password (issue 13 §5): the name is redacted in kernel events
 * (the pool's own leak events included), snapshot() and the shutdown report.
 */
import { createTestKernel } from "@custodian/core/testing";
import { describe, expect, it, onTestFinished } from "vitest";
import { poolPlugin, registerPoolFactory, type Pool } from "@custodian/plugin-pool";

registerPoolFactory<{ n: number }>("secrets-mem", { create: () => ({ n: 1 }), destroy: () => {} });

/** Everything a value shows when printed, errors included. */
const dump = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, errors: (v as AggregateError).errors } : v,
  );

describe("a pool named after a URL with a password", () => {
  it("never shows the password in events, leak events, snapshot() or the shutdown report", async () => {
    const t = await createTestKernel({ plugins: [poolPlugin], config: { shutdown: { deadline: "2s" } } });
    onTestFinished(async () => void (await t.close()));
    const name = "postgres://app:PoolName1@db/x";
    const handle = await t.kernel.acquire<Pool<{ n: number }>>({
      type: "pool",
      name,
      factory: "secrets-mem",
      max: 1,
      leakThreshold: "1s",
      reapInterval: "500ms",
    });
    await handle.value.acquire(); // borrowed and never returned
    await t.clock.advance(1_500);
    const leak = t.pluginEvents("pool", "leak:suspected");
    expect(leak).toHaveLength(1);
    expect(leak[0].pool).toBe("postgres://app:[redacted]@db/x");
    const snapshot = t.kernel.snapshot();
    expect(snapshot.map((s) => s.name)).toContain("postgres://app:[redacted]@db/x");
    const report = await t.close();
    expect(dump(t.events)).not.toContain("PoolName1");
    expect(dump(snapshot)).not.toContain("PoolName1");
    expect(dump(report)).not.toContain("PoolName1");
  });
});
