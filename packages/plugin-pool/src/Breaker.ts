/**
 * A circuit breaker: closed → open → half-open → closed. Failures are counted in a fixed ring of
 * integer time buckets (no per-call arrays) and as a consecutive run; the open → half-open move is
 * computed from the clock when the breaker is next asked, so a breaker owns no timer at all.
 */
import { systemClock } from "@custodian/core";
import type { Clock } from "@custodian/core";
import { BreakerInvalidOptionError, BreakerOpenError } from "./errors.js";

export type BreakerState = "closed" | "open" | "half-open";

/** What `onStateChange` receives. */
export interface BreakerStateChange {
  readonly breaker: Breaker;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly at: number;
  /** The failure that opened the breaker (for `to: "open"`). */
  readonly cause?: unknown;
}

export interface BreakerOptions {
  /** Shown in errors and events. Default "breaker". */
  name?: string;
  clock?: Clock;
  /** Open after this many failures in a row; 0 disables the rule. Default 5. */
  consecutiveFailures?: number;
  /** Open when failures / calls in the window reaches this (0..1]; 0 disables the rule. Default 0.5. */
  failureRate?: number;
  /** The rate rule needs at least this many calls in the window. Default 20. */
  minimumCalls?: number;
  /** Length of the counting window. Default 10_000. */
  windowMs?: number;
  /** Number of integer buckets the window is split into. Default 10. */
  buckets?: number;
  /** How long the breaker stays open before it lets trial calls through. Default 5_000. */
  openMs?: number;
  /** Trial calls allowed at once while half-open. Default 1. */
  halfOpenMaxCalls?: number;
  /** Successful trials needed to close again. Default 1. */
  halfOpenSuccesses?: number;
  /** Which errors count as failures. Default: all. */
  isFailure?: (error: unknown) => boolean;
  /** Called on every state change (a throwing listener is ignored). */
  onStateChange?: (change: BreakerStateChange) => void;
}

const positiveInt = (name: string, option: string, value: unknown, min: number): number => {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min)
    throw new BreakerInvalidOptionError(`Breaker "${name}"`, option, `an integer >= ${min}`, value);
  return value;
};

/**
 * A circuit breaker. Use `execute(fn)`, or `tryAcquire()` + `success()` / `failure(err)` around
 * your own call.
 * @throws BreakerOpenError ERR_BREAKER_OPEN from execute() while open, or half-open with every
 *   trial slot taken (`error.state` says which).
 * @example
 *   const breaker = createBreaker({ name: "api", consecutiveFailures: 3, openMs: 1_000 })
 *   const body = await breaker.execute(() => fetchJson(url))
 */
export class Breaker {
  readonly name: string;
  readonly #clock: Clock;
  readonly #consecutiveLimit: number;
  readonly #rate: number;
  readonly #minimumCalls: number;
  readonly #bucketMs: number;
  readonly #openMs: number;
  readonly #halfOpenMax: number;
  readonly #halfOpenSuccesses: number;
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  #onStateChange: ((change: BreakerStateChange) => void) | undefined;
  // Ring of integer buckets in one typed array: [epoch, ok, bad] per slot, where epoch is the
  // absolute bucket number the slot currently counts.
  readonly #ring: Float64Array;
  readonly #buckets: number;
  #state: BreakerState = "closed";
  #openUntil = 0;
  #consecutive = 0;
  #trials = 0;
  #trialSuccesses = 0;
  /** Clock time of the last call admitted (or refused) by this breaker. */
  lastUsedAt: number;
  /** Clock time of the last failure (0 for none). */
  lastFailureAt = 0;
  /** The last failure seen. */
  lastError: unknown = undefined;

  constructor(options: BreakerOptions = {}) {
    this.name = options.name ?? "breaker";
    this.#clock = options.clock ?? systemClock;
    this.#consecutiveLimit = positiveInt(this.name, "consecutiveFailures", options.consecutiveFailures ?? 5, 0);
    const rate = options.failureRate ?? 0.5;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1))
      throw new BreakerInvalidOptionError(`Breaker "${this.name}"`, "failureRate", "a number in [0, 1]", rate);
    this.#rate = rate;
    this.#minimumCalls = positiveInt(this.name, "minimumCalls", options.minimumCalls ?? 20, 1);
    const buckets = positiveInt(this.name, "buckets", options.buckets ?? 10, 1);
    const windowMs = positiveInt(this.name, "windowMs", options.windowMs ?? 10_000, buckets);
    this.#bucketMs = Math.floor(windowMs / buckets);
    this.#openMs = positiveInt(this.name, "openMs", options.openMs ?? 5_000, 0);
    this.#halfOpenMax = positiveInt(this.name, "halfOpenMaxCalls", options.halfOpenMaxCalls ?? 1, 1);
    this.#halfOpenSuccesses = positiveInt(this.name, "halfOpenSuccesses", options.halfOpenSuccesses ?? 1, 1);
    this.#isFailure = options.isFailure;
    this.#onStateChange = options.onStateChange;
    this.#buckets = buckets;
    this.#ring = new Float64Array(buckets * 3);
    this.#clearRing();
    this.lastUsedAt = this.#clock.now();
  }

  /** Current state; an open breaker whose `openMs` has passed reports (and becomes) half-open. */
  get state(): BreakerState {
    if (this.#state === "open" && this.#clock.now() >= this.#openUntil) this.#transition("half-open", undefined);
    return this.#state;
  }

  /** Clock time at which an open breaker lets trial calls through. */
  get retryAt(): number {
    return this.#openUntil;
  }

  /** Trial calls running while half-open. */
  get trialsInFlight(): number {
    return this.#trials;
  }

  /**
   * Asks permission for one call. True: make the call, then report `success()` or `failure()`.
   * False: the breaker is open (or half-open with every trial slot taken).
   */
  tryAcquire(): boolean {
    const now = this.#clock.now();
    this.lastUsedAt = now;
    if (this.#state === "closed") return true;
    if (this.#state === "open") {
      if (now < this.#openUntil) return false;
      this.#transition("half-open", undefined);
    }
    if (this.#trials >= this.#halfOpenMax) return false;
    this.#trials++;
    return true;
  }

  /** Reports a successful call. */
  success(): void {
    if (this.#state === "closed") {
      this.#consecutive = 0;
      // The clock was read by tryAcquire(): count the call in the bucket it started in.
      this.#ring[this.#slot(this.lastUsedAt) + 1]++;
      return;
    }
    if (this.#state === "half-open") {
      if (this.#trials > 0) this.#trials--;
      if (++this.#trialSuccesses >= this.#halfOpenSuccesses) this.#transition("closed", undefined);
    }
    // Open: a call admitted before the breaker opened finished late; it changes nothing.
  }

  /**
   * The call admitted by `tryAcquire()` ended without a verdict (cancelled by its caller or by
   * shutdown): frees its half-open trial slot and counts neither way.
   */
  cancel(): void {
    if (this.#state === "half-open" && this.#trials > 0) this.#trials--;
  }

  /** Reports a failed call (ignored when `isFailure` says it is not a failure: counted as success). */
  failure(error?: unknown): void {
    if (this.#isFailure !== undefined && !this.#isFailure(error)) {
      this.success();
      return;
    }
    const now = this.#clock.now();
    this.lastFailureAt = now;
    this.lastError = error;
    if (this.#state === "half-open") {
      if (this.#trials > 0) this.#trials--;
      this.#open(now, error);
      return;
    }
    if (this.#state === "open") return;
    this.#ring[this.#slot(now) + 2]++;
    this.#consecutive++;
    if (this.#consecutiveLimit > 0 && this.#consecutive >= this.#consecutiveLimit) {
      this.#open(now, error);
      return;
    }
    if (this.#rate > 0) {
      const { calls, failures } = this.#sum(now);
      if (calls >= this.#minimumCalls && failures / calls >= this.#rate) this.#open(now, error);
    }
  }

  /** Runs `fn` through the breaker. No closure or array is allocated per call. */
  execute<R>(fn: () => R | PromiseLike<R>): Promise<Awaited<R>> {
    if (!this.tryAcquire()) return Promise.reject(this.#refusal());
    let result: R | PromiseLike<R>;
    try {
      result = fn();
    } catch (error) {
      this.failure(error);
      return Promise.reject(error);
    }
    // The caller gets fn's own promise; the breaker records the outcome on a side branch, so a
    // failure is not re-thrown (one exception per failure, as without a breaker).
    const p = Promise.resolve(result);
    p.then(this.#onResolved, this.#onRejected);
    return p as Promise<Awaited<R>>;
  }

  /** Why tryAcquire() said no: open and cooling down, or half-open with every trial slot taken. */
  #refusal(): BreakerOpenError {
    if (this.#state === "half-open") {
      return new BreakerOpenError(this.name, this.#openUntil, this.lastError, { trialsInFlight: this.#trials, halfOpenMaxCalls: this.#halfOpenMax });
    }
    return new BreakerOpenError(this.name, this.#openUntil, this.lastError);
  }

  readonly #onResolved = (): void => {
    this.success();
  };

  readonly #onRejected = (error: unknown): void => {
    this.failure(error);
  };

  /** Failures and calls counted in the current window. */
  counts(): { calls: number; failures: number; consecutiveFailures: number } {
    const { calls, failures } = this.#sum(this.#clock.now());
    return { calls, failures, consecutiveFailures: this.#consecutive };
  }

  /** Opens the breaker now (manual trip). */
  trip(cause?: unknown): void {
    this.#open(this.#clock.now(), cause);
  }

  /** Closes the breaker and clears its counts. */
  reset(): void {
    this.#transition("closed", undefined);
  }

  /** Drops the state-change listener (the registry calls this when it removes the breaker). */
  dispose(): void {
    this.#onStateChange = undefined;
  }

  /** Index of the slot counting `now`'s bucket (reset when it held an older bucket). */
  #slot(now: number): number {
    const bucket = Math.floor(now / this.#bucketMs);
    const i = (bucket % this.#buckets) * 3;
    const ring = this.#ring;
    if (ring[i] !== bucket) {
      ring[i] = bucket;
      ring[i + 1] = 0;
      ring[i + 2] = 0;
    }
    return i;
  }

  #sum(now: number): { calls: number; failures: number } {
    const current = Math.floor(now / this.#bucketMs);
    const ring = this.#ring;
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < ring.length; i += 3) {
      if (current - ring[i] < this.#buckets) {
        calls += ring[i + 1] + ring[i + 2];
        failures += ring[i + 2];
      }
    }
    return { calls, failures };
  }

  #clearRing(): void {
    for (let i = 0; i < this.#ring.length; i += 3) {
      this.#ring[i] = -Infinity;
      this.#ring[i + 1] = 0;
      this.#ring[i + 2] = 0;
    }
  }

  #open(now: number, cause: unknown): void {
    this.#openUntil = now + this.#openMs;
    this.#transition("open", cause);
  }

  #transition(to: BreakerState, cause: unknown): void {
    const from = this.#state;
    this.#state = to;
    this.#trials = 0;
    this.#trialSuccesses = 0;
    if (to === "closed") {
      this.#consecutive = 0;
      this.#clearRing();
    }
    if (from === to || this.#onStateChange === undefined) return;
    try {
      this.#onStateChange({ breaker: this, from, to, at: this.#clock.now(), cause });
    } catch {
      // A throwing listener never breaks the breaker.
    }
  }
}

/**
 * Creates a circuit breaker.
 * @example
 *   const b = createBreaker({ name: "payments", failureRate: 0.5, minimumCalls: 20, openMs: 5_000 })
 */
export function createBreaker(options: BreakerOptions = {}): Breaker {
  return new Breaker(options);
}
