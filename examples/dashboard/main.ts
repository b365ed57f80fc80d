/**
 * The dashboard on a small live workload: a connection pool whose load moves, request scopes that
 * come and go, a circuit breaker that trips, an alert that fires, a temp file nobody releases (a
 * suspected leak), and a queue consumer that hangs on shutdown and gets forced.
 *
 *   node examples/dist/dashboard/main.js [--for 20s] [--port 8123] [--deadline 3s]
 *
 * Open the URL it prints (with its token). Ctrl-C shuts down; the page shows each outcome as it
 * settles against the deadline. With --for, it shuts itself down after that long.
 */
import { createKernel, parseDuration, type ReleaseContext } from "@custodian/core";
import { serveDashboard } from "@custodian/plugin-dashboard";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

const kernel = await createKernel({
  config: {
    shutdown: { deadline: arg("deadline") ?? "3s", signals: ["SIGINT", "SIGTERM"] },
    tracking: { captureStacks: true, leakThreshold: "15s" },
  },
});

// A pool-like resource: pools put { size, borrowed, idle, pending, max } in their details.
const pool = { url: "postgres://orders:s3cret@db.internal:5432/orders", size: 4, borrowed: 0, pending: 0, max: 10 };
const db = kernel.adopt(pool, {
  type: "pg.pool",
  name: "db",
  release: () => sleep(120),
  describe: (p) => ({ url: p.url, size: p.size, borrowed: p.borrowed, idle: p.size - p.borrowed, pending: p.pending, max: p.max }),
});
kernel.registerType("cache.client", { create: () => ({}), release: () => sleep(40) });
kernel.registerType("tmp.file", { create: (spec) => ({ path: spec.path }), release: () => sleep(10) });
const cache = await kernel.acquire({ type: "cache.client", name: "cache", url: "redis://:hunter2@cache.internal:6379", dependsOn: [db] });
kernel.adopt(
  {},
  {
    type: "queue.consumer",
    name: "orders-consumer",
    dependsOn: [db, cache],
    // Waits for in-flight messages that never finish: the budget ends, force() cancels them.
    release: (_c, ctx: ReleaseContext) => new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())),
    force: () => {},
  },
);
await kernel.acquire({ type: "tmp.file", name: "report.csv.tmp", path: "/tmp/report.csv.tmp" }); // never released: a leak

let n = 0;
const timers: NodeJS.Timeout[] = [];
// Requests: a scope each, holding a connection and a temp file for a while.
timers.push(
  setInterval(() => {
    const id = ++n;
    const scope = kernel.scope(`request-${id}`);
    pool.borrowed = Math.min(pool.max, pool.borrowed + 1);
    pool.size = Math.max(pool.size, pool.borrowed);
    pool.pending = pool.borrowed >= pool.max ? pool.pending + 1 : 0;
    void (async () => {
      await scope.acquire({ type: "tmp.file", name: `upload-${id}`, path: `/tmp/upload-${id}`, dependsOn: [db] });
      if (id % 2 === 0) await scope.acquire({ type: "cache.client", dependsOn: [cache] });
      await sleep(800 + ((id * 997) % 2600));
      pool.borrowed = Math.max(0, pool.borrowed - 1);
      await scope.close();
    })().catch(() => {});
  }, 350),
);
// The payment API's breaker and the saturation alert, as plugin-pool and plugin-alerts report them.
const breaker = ["closed", "open", "half-open", "closed"];
let b = 0;
timers.push(
  setInterval(() => {
    const from = breaker[b % 4];
    b++;
    kernel.emitPluginEvent("pool", "breaker:state", { key: "payments-api", from, to: breaker[b % 4] });
  }, 5000),
);
timers.push(
  setInterval(() => {
    const ratio = pool.borrowed / pool.max;
    kernel.emitPluginEvent("alerts", "alert:state", {
      name: "PoolSaturated",
      state: ratio >= 0.7 ? "firing" : ratio >= 0.5 ? "pending" : "inactive",
      labels: { pool: "db" },
      value: ratio,
    });
  }, 1000),
);
for (const t of timers) t.unref();
kernel.events$.subscribe((e) => {
  if (e.type === "kernel:shutdown-started") for (const t of timers) clearInterval(t);
  if (e.type === "resource:released" && kernel.state !== "running") console.log(`  ${e.name ?? e.id}: ${e.outcome} in ${e.elapsedMs}ms`);
});

const dashboard = await serveDashboard(kernel, { port: Number(arg("port") ?? 0) });
console.log(`dashboard at ${dashboard.origin} (the token is on stderr); Ctrl-C to shut down`);

const forMs = arg("for");
if (forMs !== undefined) {
  await sleep(parseDuration(forMs));
  const report = await kernel.shutdown("demo finished");
  console.log(`shutdown: ${report.ok ? "ok" : "not ok"} in ${report.elapsedMs}ms`);
  process.exitCode = report.ok ? 0 : 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
