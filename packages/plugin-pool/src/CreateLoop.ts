/**
 * How a pool makes resources: creates start only while there is unmet demand and room under
 * `max`; a failed create is retried with exponential backoff and jitter (always through a timer,
 * so a synchronously failing create never spins); consecutive failures open the create breaker,
 * and while it is open callers fail fast instead of waiting for their deadline.
 */
import type { Clock, TimerHandle } from "@custodian/core";
import { Breaker } from "./Breaker.js";
import { boundedCall } from "./internal/boundedCall.js";
import type { HeldTimer, HeldTimers } from "./internal/HeldTimers.js";
import type { ParsedPoolOptions } from "./poolOptions.js";
import type { PoolEvent } from "./poolReports.js";

/** What the create loop needs of its pool. */
export interface CreateLoopHost<T> {
  isClosed(): boolean;
  /** Live resources, idle or borrowed (not counting creates). */
  liveCount(): number;
  /** Queued callers that no idle resource serves. */
  unserved(): number;
  /** A create succeeded (already counted): take the resource in. */
  created(value: T, startedAt: number): void;
  /** The create breaker is open: every queued caller learns now, with `cause`. */
  unavailable(cause: unknown): void;
  /** A value created after its deadline or after close: destroy it. */
  destroyLate(value: unknown): void;
  emit(event: PoolEvent): void;
}

/** The create side of one pool. */
export class CreateLoop<T> {
  /** Creates in flight or waiting for their retry. */
  creating = 0;
  /** Resources created so far. */
  created = 0;
  /** Failed creates so far (a fresh resource failing validation counts too). */
  failures = 0;
  /** The last create failure: the cause of timeouts and fail-fast errors. */
  lastError: unknown = undefined;
  /** The create breaker (undefined when `createBreakerThreshold` is 0). */
  readonly breaker: Breaker | undefined;
  readonly #host: CreateLoopHost<T>;
  readonly #o: ParsedPoolOptions<T>;
  readonly #clock: Clock;
  readonly #held: HeldTimers;
  /** Consecutive failures of the current run (the backoff exponent). */
  #attempt = 0;
  readonly #aborts = new Set<AbortController>();
  readonly #retryTimers = new Set<HeldTimer>();
  /** While the breaker is open and the pool is below `min`: fires when a trial may run. */
  #minRefillTimer: TimerHandle | undefined;

  constructor(host: CreateLoopHost<T>, options: ParsedPoolOptions<T>, held: HeldTimers) {
    this.#host = host;
    this.#o = options;
    this.#clock = options.clock;
    this.#held = held;
    this.breaker =
      options.createBreakerThreshold === 0
        ? undefined
        : new Breaker({
            name: `${options.name}:create`,
            clock: options.clock,
            consecutiveFailures: options.createBreakerThreshold,
            failureRate: 0,
            openMs: options.createBreakerOpenMs,
            onStateChange: (c) => {
              host.emit({ type: "breaker:state-changed", pool: options.name, at: c.at, from: c.from, to: c.to, cause: c.cause });
            },
          });
  }

  /**
   * The unmet demand: whether one more create is wanted, because queued callers outnumber the idle
   * resources and the creates in flight, or the pool is below `min`. `own` is how many of the
   * counted creates are the one asking (1 for a failed create deciding whether to retry).
   */
  wants(own: number): boolean {
    const creating = this.creating - own;
    return this.#host.unserved() - creating > 0 || this.#host.liveCount() + creating < this.#o.min;
  }

  /** Starts creates while there is unmet demand (waiters or fewer than `min`) and room under `max`. */
  fill(): void {
    if (this.#host.isClosed()) return;
    for (;;) {
      if (this.#host.liveCount() + this.creating >= this.#o.max) return;
      if (!this.wants(0)) return;
      if (this.breaker !== undefined && !this.breaker.tryAcquire()) {
        // Open (or its half-open trial is running): waiters learn now, not at their deadline.
        if (this.breaker.state === "open") {
          this.#host.unavailable(this.lastError);
          this.#armMinRefill();
        }
        return;
      }
      this.creating++;
      this.#start();
    }
  }

  /** The create run is over: a fresh resource passed validation. */
  resetBackoff(): void {
    this.#attempt = 0;
  }

  /**
   * A fresh resource failed validation on its way to a caller: a failed create, so its
   * replacement goes through the retry backoff and a validate() that always fails never spins
   * create → validate in microtasks (found by tarn's "acquireTimeout should still work even if
   * validate always fails").
   */
  freshInvalid(error: unknown): void {
    this.creating++;
    this.#failed(error);
  }

  #start(): void {
    const started = this.#clock.now();
    boundedCall(this.#held, this.#o.create, this.#o.createTimeoutMs, this.#o.name, "create", this.#aborts, this.#host.destroyLate).then(
      (value) => {
        this.creating--;
        // With validate(), the backoff resets when the fresh resource passes validation instead.
        if (this.#o.validate === undefined) this.#attempt = 0;
        this.created++;
        this.breaker?.success();
        this.#host.created(value, started);
        // After a half-open trial only one create ran: start the rest (waiters, then up to `min`)
        // now that the breaker closed.
        this.fill();
      },
      (error: unknown) => this.#failed(error),
    );
  }

  /**
   * Below `min` with the create breaker open, nothing would ever ask for a create again (no caller
   * waits): one unref'd timer at the breaker's retry time runs fill(), whose trial refills `min`.
   */
  #armMinRefill(): void {
    if (this.#host.isClosed() || this.#minRefillTimer !== undefined || this.breaker === undefined) return;
    if (this.#host.liveCount() + this.creating >= this.#o.min) return;
    this.#minRefillTimer = this.#clock.setTimeout(
      () => {
        this.#minRefillTimer = undefined;
        this.fill();
      },
      Math.max(1, this.breaker.retryAt - this.#clock.now()),
    );
  }

  #failed(error: unknown): void {
    if (this.#host.isClosed()) {
      // Aborted by close(): not a backend failure; nothing to retry.
      this.creating--;
      return;
    }
    this.lastError = error;
    this.failures++;
    this.#attempt++;
    this.breaker?.failure(error);
    const breakerOpen = this.breaker !== undefined && this.breaker.state === "open";
    let retryInMs: number | undefined;
    if (!breakerOpen && this.wants(1)) {
      retryInMs = this.#retryDelayMs();
      const timer = this.#held.set(() => {
        this.#retryTimers.delete(timer);
        if (this.#host.isClosed()) return;
        if (!this.wants(1)) {
          this.creating--;
          return;
        }
        if (this.breaker !== undefined && !this.breaker.tryAcquire()) {
          this.creating--;
          this.fill();
          return;
        }
        this.#start();
      }, retryInMs);
      this.#retryTimers.add(timer);
    } else {
      this.creating--;
    }
    this.#host.emit({ type: "resource:create-failed", pool: this.#o.name, at: this.#clock.now(), error, attempt: this.#attempt, retryInMs });
    if (breakerOpen) {
      this.#host.unavailable(error);
      this.#armMinRefill();
    }
  }

  /** Exponential backoff with jitter, in [exp/2, exp]. */
  #retryDelayMs(): number {
    const exp = Math.min(this.#o.createRetryMaxMs, this.#o.createRetryBaseMs * 2 ** Math.min(30, this.#attempt - 1));
    return Math.max(1, Math.round(exp / 2 + (exp / 2) * this.#o.random()));
  }

  /** Cancels pending retries and the min refill, and aborts creates in flight with `reason`. */
  close(reason: unknown): void {
    this.#clock.clearTimeout(this.#minRefillTimer);
    this.#minRefillTimer = undefined;
    for (const t of this.#retryTimers) this.#held.clear(t);
    this.creating -= this.#retryTimers.size;
    this.#retryTimers.clear();
    for (const ac of [...this.#aborts]) ac.abort(reason);
  }
}
