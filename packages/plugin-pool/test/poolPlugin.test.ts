import { describe, expect, it, onTestFinished } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, ManualClock } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";
import type { CreateKernelOptions, Kernel, KernelEvent } from "@custodian/core";
import { createPoolFromSpec, poolPlugin, registerPoolFactory, resolvePoolFactory } from "@custodian/plugin-pool";
import type { Pool } from "@custodian/plugin-pool";

interface Conn {
  id: number;
  open: boolean;
}
const opened: Conn[] = [];
let seq = 0;
registerPoolFactory<Conn>("mem", {
  create: () => {
    const c = { id: ++seq, open: true };
    opened.push(c);
    return c;
  },
  destroy: (c) => {
    c.open = false;
  },
  validate: (c) => c.open,
});

async function kernelWith(resources: Record<string, unknown>, clock = new ManualClock()) {
  const kernel = await createKernel({ clock, plugins: [poolPlugin], config: { resources } as never, exit: () => {} });
  onTestFinished(async () => {
    if (kernel.state === "running") {
      const p = kernel.shutdown("test end");
      await clock.advance(60_000);
      await p;
    }
  });
  return { kernel, clock };
}

describe("poolPlugin", () => {
  it("registers the pool type with a spec schema", async () => {
    const { kernel } = await kernelWith({});
    expect(kernel.hasType("pool")).toBe(true);
    expect(kernel.getType("pool")?.schema).toMatchObject({ required: ["factory"], additionalProperties: false });
  });

  it("builds a declared pool: factory by name, durations from strings, min created before hand-out", async () => {
    const { kernel } = await kernelWith({ db: { type: "pool", factory: "mem", min: 2, max: 3, acquireTimeout: "250ms", idleTimeout: "1m" } });
    const handle = await kernel.acquire<Pool<Conn>>("db");
    const pool = handle.value;
    expect(pool.stats()).toMatchObject({ name: "db", size: 2, idle: 2, min: 2, max: 3 });
    const a = await pool.acquire();
    const b = await pool.acquire();
    const c = await pool.acquire();
    const waiting = pool.acquire().catch((e: unknown) => e);
    const { clock } = { clock: kernel.clock as ManualClock };
    await clock.advance(250);
    expect(await waiting).toMatchObject({ code: "ERR_POOL_ACQUIRE_TIMEOUT" });
    for (const r of [a, b, c]) pool.release(r);
  });

  it("kernel shutdown closes the pool gracefully when everything is returned", async () => {
    const { kernel, clock } = await kernelWith({ db: { type: "pool", factory: "mem", max: 2 } });
    const pool = (await kernel.acquire<Pool<Conn>>("db")).value;
    const conn = await pool.acquire();
    pool.release(conn);
    const shutting = kernel.shutdown("test");
    await clock.advance(0);
    const report = await shutting;
    expect(report.outcomes.find((o) => o.name === "db")).toMatchObject({ outcome: "released" });
    expect(conn.open).toBe(false);
    await expect(pool.acquire()).rejects.toMatchObject({ code: "ERR_POOL_CLOSED" });
  });

  it("kernel shutdown waits for borrowed resources within the budget, then forces them", async () => {
    const { kernel, clock } = await kernelWith({ db: { type: "pool", factory: "mem", max: 2, timeout: "2s" } });
    const events: KernelEvent[] = [];
    kernel.events$.subscribe((e) => events.push(e));
    const pool = (await kernel.acquire<Pool<Conn>>("db")).value;
    const held = await pool.acquire();
    const returned = await pool.acquire();
    let done = false;
    const shutting = kernel.shutdown("test").then((r) => ((done = true), r));
    await clock.advance(1_000);
    expect(done).toBe(false);
    pool.release(returned);
    await clock.tick();
    expect(returned.open).toBe(false);
    expect(held.open).toBe(true);
    await clock.advance(1_000);
    await clock.advance(1_000);
    const report = await shutting;
    expect(report.outcomes.find((o) => o.name === "db")).toMatchObject({ outcome: "forced" });
    expect(held.open).toBe(false);
  });

  it("resolves factory: as a module path exporting create/destroy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pool-factory-"));
    const file = join(dir, "factory.mjs");
    writeFileSync(file, "export const create = () => ({ made: true });\nexport const destroy = (r) => { r.made = false; };\n");
    const factory = await resolvePoolFactory(file);
    expect(typeof factory.create).toBe("function");
    const pool = await createPoolFromSpec("m", { factory: file, max: 1 }, { clock: new ManualClock() });
    const r = (await pool.acquire()) as { made: boolean };
    expect(r.made).toBe(true);
    pool.release(r);
    await pool.close();
    expect(r.made).toBe(false);
  });

  it("an unknown factory fails with ERR_POOL_FACTORY_UNKNOWN naming the registered ones", async () => {
    await expect(resolvePoolFactory("./no/such/factory.mjs")).rejects.toMatchObject({
      code: "ERR_POOL_FACTORY_UNKNOWN",
      message: expect.stringContaining("mem"),
    });
  });

  it("a bad duration in the spec fails with ERR_DURATION_INVALID", async () => {
    await expect(createPoolFromSpec("x", { factory: "mem", acquireTimeout: "soon" }, { clock: new ManualClock() })).rejects.toMatchObject({
      code: "ERR_DURATION_INVALID",
    });
  });

  it("forwards leak and breaker events to the kernel's event stream", async () => {
    const { kernel, clock } = await kernelWith({ db: { type: "pool", factory: "mem", leakThreshold: "1s", reapInterval: "500ms" } });
    const events: KernelEvent[] = [];
    kernel.events$.subscribe((e) => events.push(e));
    const pool = (await kernel.acquire<Pool<Conn>>("db")).value;
    const conn = await pool.acquire();
    await clock.advance(1_500);
    expect(events.some((e) => e.type === "plugin:event" && e.plugin === "pool" && e.name === "leak:suspected")).toBe(true);
    pool.release(conn);
  });
});

describe("poolPlugin with resource.config.yaml", () => {
  const yamlKernel = async (yaml: string) => {
    const dir = mkdtempSync(join(tmpdir(), "pool-yaml-"));
    const file = join(dir, "resource.config.yaml");
    writeFileSync(file, yaml);
    const clock = new ManualClock();
    const kernel = await createKernel({ clock, config: file, plugins: [poolPlugin], exit: () => {} });
    onTestFinished(async () => {
      const p = kernel.shutdown("test end");
      await clock.advance(60_000);
      await p;
    });
    return kernel;
  };

  it("accepts a valid pool declaration", async () => {
    const kernel = await yamlKernel("resources:\n  cache:\n    type: pool\n    factory: mem\n    max: 4\n    acquireTimeout: 2s\n    idleTimeout: 1m\n");
    const pool = (await kernel.acquire<Pool<Conn>>("cache")).value;
    expect(pool.stats().max).toBe(4);
  });

  it("rejects a bad spec with ERR_CONFIG_INVALID (unknown key, bad duration)", async () => {
    await expect(yamlKernel("resources:\n  cache:\n    type: pool\n    factory: mem\n    maxConnections: 4\n")).rejects.toMatchObject({
      code: "ERR_CONFIG_INVALID",
    });
    await expect(yamlKernel("resources:\n  cache:\n    type: pool\n    factory: mem\n    acquireTimeout: soon\n")).rejects.toMatchObject({
      code: "ERR_CONFIG_INVALID",
    });
  });
});

describe("poolPlugin: a relative factory module path", () => {
  /** A folder with conf/app.yaml and a factory module next to it, and a decoy factory in the folder itself. */
  const project = (yaml: string): { dir: string; conf: string } => {
    const dir = mkdtempSync(join(tmpdir(), "pool-relative-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const conf = join(dir, "conf");
    mkdirSync(conf);
    writeFileSync(join(conf, "app.yaml"), yaml);
    writeFileSync(join(conf, "factory.mjs"), 'export const create = () => ({ from: "conf" });\n');
    writeFileSync(join(dir, "factory.mjs"), 'export const create = () => ({ from: "cwd" });\n');
    return { dir, conf };
  };
  const start = async (options: Pick<CreateKernelOptions, "config" | "cwd">): Promise<Kernel> => {
    const t = await createTestKernel({ plugins: [poolPlugin], exit: () => {}, ...options });
    onTestFinished(async () => void (await t.close()));
    return t.kernel;
  };
  const borrowFrom = async (pool: Pool<unknown>): Promise<unknown> => {
    const r = await pool.acquire();
    pool.release(r);
    return r;
  };

  it("resolves against the config file's folder (declared and ad-hoc pools), not the working directory", async () => {
    const { dir } = project("resources:\n  workers:\n    type: pool\n    factory: ./factory.mjs\n    max: 1\n");
    const kernel = await start({ config: "conf/app.yaml", cwd: dir });
    expect(await borrowFrom((await kernel.acquire<Pool<unknown>>("workers")).value)).toEqual({ from: "conf" });
    expect(await borrowFrom((await kernel.acquire<Pool<unknown>>({ type: "pool", factory: "./factory.mjs", max: 1 })).value)).toEqual({ from: "conf" });
  });

  it("resolves against createKernel's cwd option for a config object", async () => {
    const { dir } = project("");
    const kernel = await start({ config: { resources: { workers: { type: "pool", factory: "./factory.mjs", max: 1 } } }, cwd: dir });
    expect(await borrowFrom((await kernel.acquire<Pool<unknown>>("workers")).value)).toEqual({ from: "cwd" });
  });
});
