/**
 * Every error @custodian/plugin-pool throws: one class per failure, each with a stable
 * `ERR_<AREA>_<PROBLEM>` code, all extending core's KernelError.
 */
import { KernelError } from "@custodian/core";

/** Every error code of this package, keyed by itself. */
export const PoolErrorCodes = Object.freeze({
  ERR_POOL_CLOSED: "ERR_POOL_CLOSED",
  ERR_POOL_FULL: "ERR_POOL_FULL",
  ERR_POOL_ACQUIRE_TIMEOUT: "ERR_POOL_ACQUIRE_TIMEOUT",
  ERR_POOL_ACQUIRE_ABORTED: "ERR_POOL_ACQUIRE_ABORTED",
  ERR_POOL_CREATE_UNAVAILABLE: "ERR_POOL_CREATE_UNAVAILABLE",
  ERR_POOL_CREATE_TIMEOUT: "ERR_POOL_CREATE_TIMEOUT",
  ERR_POOL_INVALID_OPTION: "ERR_POOL_INVALID_OPTION",
  ERR_POOL_FACTORY_UNKNOWN: "ERR_POOL_FACTORY_UNKNOWN",
  ERR_POOL_RESOURCE_INVALID: "ERR_POOL_RESOURCE_INVALID",
  ERR_POOL_CALL_TIMEOUT: "ERR_POOL_CALL_TIMEOUT",
  ERR_BREAKER_OPEN: "ERR_BREAKER_OPEN",
  ERR_QUEUE_CLOSED: "ERR_QUEUE_CLOSED",
  ERR_QUEUE_FULL: "ERR_QUEUE_FULL",
  ERR_QUEUE_WAIT_TIMEOUT: "ERR_QUEUE_WAIT_TIMEOUT",
  ERR_QUEUE_CANCELLED: "ERR_QUEUE_CANCELLED",
  ERR_QUEUE_UNKNOWN_ITEM: "ERR_QUEUE_UNKNOWN_ITEM",
  ERR_BREAKER_INVALID_OPTION: "ERR_BREAKER_INVALID_OPTION",
  ERR_QUEUE_INVALID_OPTION: "ERR_QUEUE_INVALID_OPTION",
  ERR_POOL_DRIVER_MISSING: "ERR_POOL_DRIVER_MISSING",
} as const);

export type PoolErrorCode = keyof typeof PoolErrorCodes;

/** A point-in-time copy of a pool's counters, carried by acquire errors. */
export interface PoolStatsSnapshot {
  name: string;
  size: number;
  idle: number;
  borrowed: number;
  pending: number;
  creating: number;
  min: number;
  max: number;
}

const describe = (s: PoolStatsSnapshot): string => `size=${s.size}/${s.max} idle=${s.idle} borrowed=${s.borrowed} pending=${s.pending} creating=${s.creating}`;

const causeText = (cause: unknown): string =>
  cause === undefined ? "no create error was seen" : `last create error: ${cause instanceof Error ? cause.message : String(cause)}`;

/** acquire() after close(), or a waiter rejected by close(). */
export class PoolClosedError extends KernelError {
  constructor(pool: string) {
    super("ERR_POOL_CLOSED", `Pool "${pool}" is closed; acquire() is rejected after close(). Create a new pool or acquire before closing.`);
  }
}

/** The wait queue is at `maxWaiting`. */
export class PoolFullError extends KernelError {
  readonly stats: PoolStatsSnapshot;
  constructor(stats: PoolStatsSnapshot, maxWaiting: number) {
    super(
      "ERR_POOL_FULL",
      `Pool "${stats.name}" has ${maxWaiting} callers waiting already (maxWaiting=${maxWaiting}); rejected at once (${describe(stats)}). Raise max or maxWaiting, or shed load.`,
    );
    this.stats = stats;
  }
}

/** No resource became available before the acquire deadline. `cause` is the last create error. */
export class PoolAcquireTimeoutError extends KernelError {
  readonly stats: PoolStatsSnapshot;
  readonly waitedMs: number;
  constructor(stats: PoolStatsSnapshot, waitedMs: number, cause: unknown) {
    super(
      "ERR_POOL_ACQUIRE_TIMEOUT",
      `Pool "${stats.name}": no resource within ${Math.round(waitedMs)}ms (${describe(stats)}; ${causeText(cause)}). Check for leaked (unreleased) resources or raise max.`,
      cause === undefined ? undefined : { cause },
    );
    this.stats = stats;
    this.waitedMs = waitedMs;
  }
}

/** The caller's AbortSignal fired while waiting. `cause` is the signal's reason. */
export class PoolAcquireAbortedError extends KernelError {
  constructor(pool: string, reason: unknown) {
    super("ERR_POOL_ACQUIRE_ABORTED", `Pool "${pool}": acquire() was aborted by its signal`, { cause: reason });
  }
}

/** The create circuit breaker is open: the backend keeps failing, so acquire fails fast. */
export class PoolCreateUnavailableError extends KernelError {
  readonly stats: PoolStatsSnapshot;
  constructor(stats: PoolStatsSnapshot, cause: unknown) {
    super(
      "ERR_POOL_CREATE_UNAVAILABLE",
      `Pool "${stats.name}": creating resources keeps failing, so the create breaker is open and acquire fails at once (${describe(stats)}; ${causeText(cause)}). It retries after its cooldown.`,
      { cause },
    );
    this.stats = stats;
  }
}

/** create() did not settle within `createTimeoutMs`. */
export class PoolCreateTimeoutError extends KernelError {
  constructor(pool: string, timeoutMs: number) {
    super(
      "ERR_POOL_CREATE_TIMEOUT",
      `Pool "${pool}": create() did not settle within createTimeoutMs=${timeoutMs}; the attempt was aborted and a late value is destroyed.`,
    );
  }
}

/**
 * A freshly created resource failed validation before its first use: counted as a failed create
 * (retried with backoff). `cause` is what validate() threw, if it threw.
 */
export class PoolResourceInvalidError extends KernelError {
  constructor(pool: string, cause: unknown) {
    super(
      "ERR_POOL_RESOURCE_INVALID",
      `Pool "${pool}": a freshly created resource failed validation before its first use (${cause === undefined ? "validate() returned false" : `validate() threw: ${cause instanceof Error ? cause.message : String(cause)}`}); it was destroyed and the create is retried with backoff. Check create() and validate().`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** validate() or destroy() did not settle within its deadline (`validateTimeoutMs` / `destroyTimeoutMs`). */
export class PoolCallTimeoutError extends KernelError {
  readonly call: "validate" | "destroy";
  readonly timeoutMs: number;
  constructor(pool: string, call: "validate" | "destroy", timeoutMs: number) {
    super(
      "ERR_POOL_CALL_TIMEOUT",
      `Pool "${pool}": ${call}() did not settle within ${timeoutMs}ms (${call}TimeoutMs); its signal was aborted and ${call === "validate" ? "the resource counts as invalid" : "the resource is given up"}. Make ${call}() honour ctx.signal or raise ${call}TimeoutMs.`,
    );
    this.call = call;
    this.timeoutMs = timeoutMs;
  }
}

/** The one wording of every invalid-option error of this package. */
const invalidOption = (subject: string, option: string, expected: string, received: unknown): string =>
  `${subject}: option "${option}" must be ${expected}; received ${typeof received === "function" ? "a function" : JSON.stringify(received)}`;

/** An option of a pool (or a pool factory) is missing, of the wrong type or out of range. */
export class PoolInvalidOptionError extends KernelError {
  constructor(subject: string, option: string, expected: string, received: unknown) {
    super("ERR_POOL_INVALID_OPTION", invalidOption(subject, option, expected, received));
  }
}

/** An option of a breaker or a breaker registry is missing, of the wrong type or out of range. */
export class BreakerInvalidOptionError extends KernelError {
  constructor(subject: string, option: string, expected: string, received: unknown) {
    super("ERR_BREAKER_INVALID_OPTION", invalidOption(subject, option, expected, received));
  }
}

/** An option of a work queue (or a pushed item's id) is missing, of the wrong type or out of range. */
export class QueueInvalidOptionError extends KernelError {
  constructor(subject: string, option: string, expected: string, received: unknown) {
    super("ERR_QUEUE_INVALID_OPTION", invalidOption(subject, option, expected, received));
  }
}

/** A built-in pool factory needs a driver package that is not installed or not usable. */
export class PoolDriverMissingError extends KernelError {
  constructor(factory: string, driver: string, problem: string, options?: ErrorOptions) {
    super(
      "ERR_POOL_DRIVER_MISSING",
      `The "${factory}" pool factory needs the "${driver}" package: ${problem}. Install it with npm install ${driver}.`,
      options,
    );
  }
}

/** A `factory:` name is neither registered nor a loadable module. */
export class PoolFactoryUnknownError extends KernelError {
  constructor(factory: string, known: string[], options?: ErrorOptions) {
    super(
      "ERR_POOL_FACTORY_UNKNOWN",
      `Pool factory "${factory}" is not registered and could not be loaded as a module exporting create(); registered: ${known.join(", ") || "(none)"}. Call registerPoolFactory() or give a module path.`,
      options,
    );
  }
}

/** What a half-open breaker that refused a call reports: every trial slot is taken. */
export interface BreakerTrialsTaken {
  /** Trial calls in flight. */
  trialsInFlight: number;
  /** The breaker's `halfOpenMaxCalls`. */
  halfOpenMaxCalls: number;
}

/**
 * A circuit breaker refused a call: it is open, or half-open with all trial slots taken (`state`
 * says which). `cause` is its last failure.
 */
export class BreakerOpenError extends KernelError {
  readonly breaker: string;
  readonly retryAt: number;
  /** "open" (cooling down until `retryAt`) or "half-open" (its trial calls are running). */
  readonly state: "open" | "half-open";
  /** Set when `state` is "half-open". */
  readonly trials: BreakerTrialsTaken | undefined;
  constructor(breaker: string, retryAt: number, cause: unknown, trials?: BreakerTrialsTaken) {
    super(
      "ERR_BREAKER_OPEN",
      trials === undefined
        ? `Circuit breaker "${breaker}" is open; calls fail fast until it half-opens at ${new Date(retryAt).toISOString()}`
        : `Circuit breaker "${breaker}" is half-open and its trial slots are taken (${trials.trialsInFlight} of halfOpenMaxCalls=${trials.halfOpenMaxCalls} in flight); calls fail fast until a trial succeeds (it closes) or fails (it re-opens)`,
      cause === undefined ? undefined : { cause },
    );
    this.breaker = breaker;
    this.retryAt = retryAt;
    this.state = trials === undefined ? "open" : "half-open";
    this.trials = trials;
  }
}

/** push()/wait() on a closed work queue, or an item rejected by close(). */
export class QueueClosedError extends KernelError {
  constructor(queue: string) {
    super("ERR_QUEUE_CLOSED", `Work queue "${queue}" is closed; push() is rejected after close()`);
  }
}

/** push() while `maxQueued` items are already queued. */
export class QueueFullError extends KernelError {
  constructor(queue: string, maxQueued: number) {
    super(
      "ERR_QUEUE_FULL",
      `Work queue "${queue}" already has ${maxQueued} items queued (maxQueued=${maxQueued}); rejected at once. Raise concurrency or maxQueued, or shed load.`,
    );
  }
}

/** A wait for an item's result passed its deadline. The item keeps running. */
export class QueueWaitTimeoutError extends KernelError {
  constructor(queue: string, id: string, timeoutMs: number) {
    super(
      "ERR_QUEUE_WAIT_TIMEOUT",
      `Work queue "${queue}": item "${id}" did not finish within the wait deadline of ${timeoutMs}ms; the item keeps running, wait again or cancel it`,
    );
  }
}

/** An item was cancelled (by cancel() or close()) before it finished. */
export class QueueCancelledError extends KernelError {
  constructor(queue: string, id: string, reason: string) {
    super("ERR_QUEUE_CANCELLED", `Work queue "${queue}": item "${id}" was cancelled (${reason})`);
  }
}

/** wait()/result() for an id the queue never had or no longer retains. */
export class QueueUnknownItemError extends KernelError {
  constructor(queue: string, id: string) {
    super("ERR_QUEUE_UNKNOWN_ITEM", `Work queue "${queue}": no item "${id}" (never pushed, or its result was evicted by the retain limits)`);
  }
}
