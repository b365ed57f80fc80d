/**
 * The options of `createPool()`: their types and defaults, and the one place they are checked.
 * An unknown option or a bad value fails at once with ERR_POOL_INVALID_OPTION, naming the option,
 * what was expected and what was received. [tarn src/Pool.ts "unsupported option"]
 */
import { systemClock } from "@custodian/core";
import type { Clock } from "@custodian/core";
import { PoolInvalidOptionError } from "./errors.js";

/** What `create`, `validate` and `destroy` receive. */
export interface PoolCallContext {
  /** Aborts when the attempt times out or the pool closes. */
  readonly signal: AbortSignal;
}

export interface PoolOptions<T> {
  /** Shown in errors and events. Default "pool". */
  name?: string;
  /** Makes one resource. May throw or reject; retried with backoff while there is demand. */
  create(ctx: PoolCallContext): T | Promise<T>;
  /** Disposes of one resource. Bounded by `destroyTimeoutMs`; errors become events. */
  destroy?(resource: T, ctx: PoolCallContext): void | Promise<void>;
  /** Checks every resource before it is handed out (fresh ones too); false or a throw destroys it and tries another. */
  validate?(resource: T, ctx: PoolCallContext): boolean | Promise<boolean>;
  /** Resources kept even when idle (created by `ready()` and after reaping). Default 0. */
  min?: number;
  /** Most resources at once (idle + borrowed + being created): the concurrency limit. Default 10. */
  max?: number;
  /** Default deadline of `acquire()`. Default 30_000. `Infinity` disables it. */
  acquireTimeoutMs?: number;
  /** Most callers waiting beyond `max` (not those a free slot will serve); beyond it acquire fails at once with ERR_POOL_FULL. Default 10_000 (bounded unless you pass Infinity). */
  maxWaiting?: number;
  /** Deadline of one `create()`. Default 30_000. */
  createTimeoutMs?: number;
  /** Deadline of one `destroy()`. Default 5_000. */
  destroyTimeoutMs?: number;
  /** Deadline of one `validate()`. Default 5_000. */
  validateTimeoutMs?: number;
  /** Skip validation when the resource was returned less than this long ago. Default 0 (always validate). */
  validateAfterIdleMs?: number;
  /** An idle resource unused this long is destroyed (down to `min`). Default 30_000; 0 disables. */
  idleTimeoutMs?: number;
  /** How often idle reaping and leak checks run. Default 1_000. */
  reapIntervalMs?: number;
  /** A resource older than this (± `maxLifetimeJitter`) is retired when returned or idle. Default 0 (off). */
  maxLifetimeMs?: number;
  /** Fraction of `maxLifetimeMs` drawn at random per resource so they do not all retire at once. Default 0.1. */
  maxLifetimeJitter?: number;
  /** A resource borrowed longer than this emits `leak:suspected` with the borrower's stack. Default 0 (off). */
  leakThresholdMs?: number;
  /** Which idle resource goes out first. Default "lifo" (keeps the hot set small). */
  order?: "lifo" | "fifo";
  /** First retry delay after a failed create; doubles per failure, with jitter. Default 100. */
  createRetryBaseMs?: number;
  /** Longest retry delay. Default 10_000. */
  createRetryMaxMs?: number;
  /** Consecutive create failures that open the create breaker (acquire then fails fast). Default 5; 0 disables. */
  createBreakerThreshold?: number;
  /** How long the create breaker stays open before one trial create. Default 5_000. */
  createBreakerOpenMs?: number;
  clock?: Clock;
  /** Source of randomness for jitter (tests pin it). Default Math.random. */
  random?: () => number;
}

const noopDestroy = (): void => {};

function num(name: string, option: string, value: unknown, min: number, integer = false): number {
  if (typeof value !== "number" || Number.isNaN(value) || value < min || (integer && Number.isFinite(value) && !Number.isInteger(value))) {
    throw new PoolInvalidOptionError(`Pool "${name}"`, option, `${integer ? "an integer" : "a number"} >= ${min}`, value);
  }
  return value;
}

const KNOWN_OPTIONS = new Set([
  "name",
  "create",
  "destroy",
  "validate",
  "min",
  "max",
  "acquireTimeoutMs",
  "maxWaiting",
  "createTimeoutMs",
  "destroyTimeoutMs",
  "validateTimeoutMs",
  "validateAfterIdleMs",
  "idleTimeoutMs",
  "reapIntervalMs",
  "maxLifetimeMs",
  "maxLifetimeJitter",
  "leakThresholdMs",
  "order",
  "createRetryBaseMs",
  "createRetryMaxMs",
  "createBreakerThreshold",
  "createBreakerOpenMs",
  "clock",
  "random",
]);

/** Every option with its default applied, checked. */
export interface ParsedPoolOptions<T> {
  name: string;
  create: PoolOptions<T>["create"];
  destroy: NonNullable<PoolOptions<T>["destroy"]>;
  validate: PoolOptions<T>["validate"];
  min: number;
  max: number;
  acquireTimeoutMs: number;
  maxWaiting: number;
  createTimeoutMs: number;
  destroyTimeoutMs: number;
  validateTimeoutMs: number;
  validateAfterIdleMs: number;
  idleTimeoutMs: number;
  reapIntervalMs: number;
  maxLifetimeMs: number;
  maxLifetimeJitter: number;
  leakThresholdMs: number;
  order: "lifo" | "fifo";
  createRetryBaseMs: number;
  createRetryMaxMs: number;
  createBreakerThreshold: number;
  createBreakerOpenMs: number;
  clock: Clock;
  random: () => number;
}

/**
 * Checks `options` and applies the defaults.
 * @throws PoolInvalidOptionError ERR_POOL_INVALID_OPTION for a bad or unknown option.
 */
export function parsePoolOptions<T>(options: PoolOptions<T>): ParsedPoolOptions<T> {
  if (options === null || typeof options !== "object") throw new PoolInvalidOptionError("createPool", "options", "an object", options);
  const name = options.name ?? "pool";
  if (typeof name !== "string" || name === "") throw new PoolInvalidOptionError("createPool", "name", "a non-empty string", name);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new PoolInvalidOptionError(`Pool "${name}"`, key, `one of ${[...KNOWN_OPTIONS].join(", ")} (unsupported option)`, key);
  }
  if (typeof options.create !== "function") throw new PoolInvalidOptionError(`Pool "${name}"`, "create", "a function", options.create);
  if (options.destroy !== undefined && typeof options.destroy !== "function")
    throw new PoolInvalidOptionError(`Pool "${name}"`, "destroy", "a function", options.destroy);
  if (options.validate !== undefined && typeof options.validate !== "function")
    throw new PoolInvalidOptionError(`Pool "${name}"`, "validate", "a function", options.validate);
  const max = num(name, "max", options.max ?? 10, 1, true);
  if (!Number.isFinite(max)) throw new PoolInvalidOptionError(`Pool "${name}"`, "max", "a finite integer >= 1", max);
  const min = num(name, "min", options.min ?? 0, 0, true);
  if (min > max) throw new PoolInvalidOptionError(`Pool "${name}"`, "min", `<= max (${max})`, min);
  const acquireTimeoutMs = num(name, "acquireTimeoutMs", options.acquireTimeoutMs ?? 30_000, 0);
  const maxWaiting = num(name, "maxWaiting", options.maxWaiting ?? 10_000, 0, true);
  const createTimeoutMs = num(name, "createTimeoutMs", options.createTimeoutMs ?? 30_000, 1);
  const destroyTimeoutMs = num(name, "destroyTimeoutMs", options.destroyTimeoutMs ?? 5_000, 1);
  const validateTimeoutMs = num(name, "validateTimeoutMs", options.validateTimeoutMs ?? 5_000, 1);
  const validateAfterIdleMs = num(name, "validateAfterIdleMs", options.validateAfterIdleMs ?? 0, 0);
  const idleTimeoutMs = num(name, "idleTimeoutMs", options.idleTimeoutMs ?? 30_000, 0);
  const reapIntervalMs = num(name, "reapIntervalMs", options.reapIntervalMs ?? 1_000, 1);
  const maxLifetimeMs = num(name, "maxLifetimeMs", options.maxLifetimeMs ?? 0, 0);
  const maxLifetimeJitter = num(name, "maxLifetimeJitter", options.maxLifetimeJitter ?? 0.1, 0);
  if (maxLifetimeJitter >= 1) throw new PoolInvalidOptionError(`Pool "${name}"`, "maxLifetimeJitter", "a fraction in [0, 1)", maxLifetimeJitter);
  const leakThresholdMs = num(name, "leakThresholdMs", options.leakThresholdMs ?? 0, 0);
  const order = options.order ?? "lifo";
  if (order !== "lifo" && order !== "fifo") throw new PoolInvalidOptionError(`Pool "${name}"`, "order", '"lifo" or "fifo"', order);
  const createRetryBaseMs = num(name, "createRetryBaseMs", options.createRetryBaseMs ?? 100, 1);
  const createRetryMaxMs = num(name, "createRetryMaxMs", options.createRetryMaxMs ?? 10_000, createRetryBaseMs);
  const createBreakerThreshold = num(name, "createBreakerThreshold", options.createBreakerThreshold ?? 5, 0, true);
  const createBreakerOpenMs = num(name, "createBreakerOpenMs", options.createBreakerOpenMs ?? 5_000, 0);
  return {
    name,
    create: options.create,
    destroy: options.destroy ?? noopDestroy,
    validate: options.validate,
    min,
    max,
    acquireTimeoutMs,
    maxWaiting,
    createTimeoutMs,
    destroyTimeoutMs,
    validateTimeoutMs,
    validateAfterIdleMs,
    idleTimeoutMs,
    reapIntervalMs,
    maxLifetimeMs,
    maxLifetimeJitter,
    leakThresholdMs,
    order,
    createRetryBaseMs,
    createRetryMaxMs,
    createBreakerThreshold,
    createBreakerOpenMs,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}
