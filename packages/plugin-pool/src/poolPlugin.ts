/**
 * The `pool` plugin: registers the `pool` resource type, so a pool can be declared in
 * resource.config.yaml (`type: pool`, `factory: pg`) and is closed by kernel shutdown within its
 * release budget (borrowed resources are destroyed by force when the budget ends).
 */
import { definePlugin, parseDuration } from "@custodian/core";
import type { Kernel, ReleaseContext } from "@custodian/core";
import { createPool } from "./Pool.js";
import type { Pool, PoolEvent, PoolOptions } from "./Pool.js";
import { resolvePoolFactory } from "./factories.js";
import { poolPluginSchema, poolSpecSchema } from "./schema.js";

/** A `type: pool` resource spec as written in config. */
export interface PoolSpec {
  factory: string;
  options?: Record<string, unknown>;
  min?: number;
  max?: number;
  maxWaiting?: number;
  acquireTimeout?: string | number;
  createTimeout?: string | number;
  destroyTimeout?: string | number;
  validateTimeout?: string | number;
  validateAfterIdle?: string | number;
  idleTimeout?: string | number;
  reapInterval?: string | number;
  maxLifetime?: string | number;
  maxLifetimeJitter?: number;
  leakThreshold?: string | number;
  order?: "lifo" | "fifo";
  createRetryBase?: string | number;
  createRetryMax?: string | number;
  createBreakerThreshold?: number;
  createBreakerOpen?: string | number;
  ready?: boolean;
}

const DURATIONS: Array<[keyof PoolSpec, keyof PoolOptions<unknown>]> = [
  ["acquireTimeout", "acquireTimeoutMs"],
  ["createTimeout", "createTimeoutMs"],
  ["destroyTimeout", "destroyTimeoutMs"],
  ["validateTimeout", "validateTimeoutMs"],
  ["validateAfterIdle", "validateAfterIdleMs"],
  ["idleTimeout", "idleTimeoutMs"],
  ["reapInterval", "reapIntervalMs"],
  ["maxLifetime", "maxLifetimeMs"],
  ["leakThreshold", "leakThresholdMs"],
  ["createRetryBase", "createRetryBaseMs"],
  ["createRetryMax", "createRetryMaxMs"],
  ["createBreakerOpen", "createBreakerOpenMs"],
];

/**
 * Builds a pool from a config spec (factory resolved, durations parsed). Exported for tests and
 * for callers that read specs themselves. A relative module path in `factory` resolves against
 * `kernel.configDir` (the config file's folder), else process.cwd().
 */
export async function createPoolFromSpec(
  name: string,
  spec: PoolSpec,
  kernel: Pick<Kernel, "clock"> & Partial<Pick<Kernel, "configDir">>,
): Promise<Pool<unknown>> {
  const factory = await resolvePoolFactory(spec.factory, kernel.configDir);
  const factoryOptions = spec.options ?? {};
  const options: PoolOptions<unknown> = {
    name,
    clock: kernel.clock,
    create: (ctx) => factory.create(factoryOptions, ctx),
  };
  if (factory.destroy !== undefined) options.destroy = (r, ctx) => factory.destroy!(r, ctx);
  if (factory.validate !== undefined) options.validate = (r, ctx) => factory.validate!(r, ctx);
  if (spec.min !== undefined) options.min = spec.min;
  if (spec.max !== undefined) options.max = spec.max;
  if (spec.maxWaiting !== undefined) options.maxWaiting = spec.maxWaiting;
  if (spec.maxLifetimeJitter !== undefined) options.maxLifetimeJitter = spec.maxLifetimeJitter;
  if (spec.order !== undefined) options.order = spec.order;
  if (spec.createBreakerThreshold !== undefined) options.createBreakerThreshold = spec.createBreakerThreshold;
  for (const [from, to] of DURATIONS) {
    const v = spec[from];
    if (v !== undefined) (options as unknown as Record<string, number>)[to] = parseDuration(v as string | number, `resources.${name}.${from}`);
  }
  return createPool(options);
}

/** Forwards pool events that matter to operators onto the kernel's event stream. */
function forwardEvents(kernel: Kernel, pool: Pool<unknown>): void {
  pool.on((e: PoolEvent) => {
    if (e.type === "resource:created" || e.type === "resource:destroyed") return; // too chatty
    if (kernel.observed) kernel.emitPluginEvent("pool", e.type, { ...e });
  });
}

/**
 * The pool plugin.
 * @example
 *   const kernel = await createKernel({ plugins: [poolPlugin], config: { resources: { db: { type: "pool", factory: "pg", max: 10 } } } })
 *   const db = (await kernel.acquire<Pool<pg.Client>>("db")).value
 */
export const poolPlugin = definePlugin({
  name: "pool",
  version: "0.1.0",
  schema: poolPluginSchema,
  // Declared so that the config loader checks `type: pool` resources before anything is applied.
  types: { pool: { schema: poolSpecSchema } },
  apply(kernel: Kernel) {
    kernel.registerType<Pool<unknown>, PoolSpec>("pool", {
      schema: poolSpecSchema,
      async create(spec, ctx) {
        const pool = await createPoolFromSpec(ctx.name ?? ctx.id, spec, kernel);
        forwardEvents(kernel, pool);
        if (spec.ready !== false && pool.min > 0) {
          try {
            await pool.ready({ signal: ctx.signal });
          } catch (error) {
            await pool.close({ deadlineMs: 0 });
            throw error;
          }
        }
        return pool;
      },
      // Graceful: stop accepting, wait for borrowed resources. The kernel aborts ctx.signal when
      // the budget ends; close() then destroys what is still borrowed and settles, and force()
      // below returns that same report so the outcome is "forced", never a silent success.
      async release(pool: Pool<unknown>, ctx: ReleaseContext) {
        const report = await pool.close({ deadlineMs: Infinity, signal: ctx.signal });
        if (report.errors.length > 0)
          throw new AggregateError(report.errors, `pool "${report.pool}": ${report.errors.length} destroy() call(s) failed during close`);
      },
      async force(pool: Pool<unknown>) {
        await pool.close({ deadlineMs: 0 });
      },
      describe(pool: Pool<unknown>) {
        return { ...pool.snapshot() };
      },
    });
  },
});

export default poolPlugin;
