/**
 * A resource pool built for speed and for the failure modes of generic-pool and tarn: `max` is a
 * concurrency limit with a bounded FIFO wait queue, an acquire deadline that needs one shared timer
 * (armed only while someone waits), create timeouts, retries with backoff, a circuit breaker on
 * create failures, validation on borrow, time-driven idle reaping, max lifetime, leak detection and
 * a close() that is bounded and says what it forced.
 *
 * This module is the central loop: acquire → (idle resource | wait) → release → hand to the next
 * waiter, plus housekeeping and close. Its parts live beside it: WaitQueue.ts (waiters and their
 * deadline timer), CreateLoop.ts (demand-driven creates, backoff, create breaker), poolOptions.ts
 * (option checks and defaults), PoolEntry.ts, PoolLease.ts, poolReports.ts (events, stats).
 */
import type { Clock, TimerHandle } from "@custodian/core";
import { CreateLoop } from "./CreateLoop.js";
import {
  PoolAcquireAbortedError,
  PoolAcquireTimeoutError,
  PoolClosedError,
  PoolCreateUnavailableError,
  PoolFullError,
  PoolResourceInvalidError,
} from "./errors.js";
import type { PoolStatsSnapshot } from "./errors.js";
import { boundedCall } from "./internal/boundedCall.js";
import { idlePass, leakPass } from "./housekeeping.js";
import { HeldTimers } from "./internal/HeldTimers.js";
import { BORROWED, Entry, GONE, IDLE } from "./PoolEntry.js";
import { PoolLease } from "./PoolLease.js";
import { parsePoolOptions } from "./poolOptions.js";
import type { PoolCallContext, PoolOptions } from "./poolOptions.js";
import type { DestroyReason, PoolCloseReport, PoolEvent, PoolStats } from "./poolReports.js";
import { makeWaiter, WaitQueue } from "./WaitQueue.js";
import type { Waiter } from "./WaitQueue.js";

export type { PoolCallContext, PoolOptions } from "./poolOptions.js";
export type { DestroyReason, PoolCloseReport, PoolEvent, PoolStats } from "./poolReports.js";

export interface AcquireOptions {
  /** Aborts the wait (the error is ERR_POOL_ACQUIRE_ABORTED with the signal's reason as cause). */
  signal?: AbortSignal;
  /** Overrides `acquireTimeoutMs` for this call. */
  timeoutMs?: number;
  /** Absolute clock time to give up by (e.g. a kernel deadline's `at`); the earlier of the two wins. */
  deadlineAt?: number;
  /** Higher is served first; equal priorities are FIFO. Default 0. */
  priority?: number;
}

export interface CloseOptions {
  /** How long borrowed resources may take to come back. Default 30_000. */
  deadlineMs?: number;
  /** Forces at once when it aborts (e.g. the kernel's release signal). */
  signal?: AbortSignal;
}

/**
 * A resource pool. Create it with `createPool(options)`.
 */
export class Pool<T> {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly #destroy: NonNullable<PoolOptions<T>["destroy"]>;
  readonly #validate: PoolOptions<T>["validate"];
  readonly #acquireTimeoutMs: number;
  readonly #maxWaiting: number;
  readonly #destroyTimeoutMs: number;
  readonly #validateTimeoutMs: number;
  readonly #validateAfterIdleMs: number;
  readonly #idleTimeoutMs: number;
  readonly #reapIntervalMs: number;
  readonly #maxLifetimeMs: number;
  readonly #lifetimeJitter: number;
  readonly #leakThresholdMs: number;
  readonly #lifo: boolean;
  readonly #clock: Clock;
  readonly #random: () => number;
  /** Stamp lastUsedAt on every return (only when a lifetime or a validation skip window needs it). */
  readonly #stampReturns: boolean;

  /** Every live resource (idle or borrowed), by value. */
  readonly #entries = new Map<T, Entry<T>>();
  /** Idle entries; the end is the most recently returned. */
  readonly #idle: Entry<T>[] = [];
  readonly #waiters: WaitQueue<T>;
  readonly #creates: CreateLoop<T>;
  #borrowed = 0;
  #generation = 0;
  /** Timers that settle awaited work: ref'd only while a caller waits or close() runs. */
  readonly #held: HeldTimers;

  #housekeeping: TimerHandle | undefined;

  #closed = false;
  #closing: Promise<PoolCloseReport> | undefined;
  /** Calls in progress that someone awaits and that the pool's own timers settle: close(), destroy(), refresh(). */
  #awaitedCalls = 0;
  /** The ready() in flight, shared by concurrent callers. */
  #readying: Promise<void> | undefined;
  #onDrained: (() => void) | undefined;
  #closeDestroyed = 0;

  readonly #listeners = new Set<(event: PoolEvent) => void>();
  readonly #pendingDestroys = new Set<Promise<void>>();

  #destroyed = 0;
  #acquired = 0;
  #timedOut = 0;
  #rejectedFull = 0;
  #validationFailures = 0;

  constructor(options: PoolOptions<T>) {
    const o = parsePoolOptions(options);
    this.name = o.name;
    this.min = o.min;
    this.max = o.max;
    this.#destroy = o.destroy;
    this.#validate = o.validate;
    this.#acquireTimeoutMs = o.acquireTimeoutMs;
    this.#maxWaiting = o.maxWaiting;
    this.#destroyTimeoutMs = o.destroyTimeoutMs;
    this.#validateTimeoutMs = o.validateTimeoutMs;
    this.#validateAfterIdleMs = o.validateAfterIdleMs;
    this.#idleTimeoutMs = o.idleTimeoutMs;
    this.#reapIntervalMs = o.reapIntervalMs;
    this.#maxLifetimeMs = o.maxLifetimeMs;
    this.#lifetimeJitter = o.maxLifetimeJitter;
    this.#leakThresholdMs = o.leakThresholdMs;
    this.#lifo = o.order === "lifo";
    this.#clock = o.clock;
    this.#random = o.random;
    this.#stampReturns = this.#maxLifetimeMs > 0 || (this.#validate !== undefined && this.#validateAfterIdleMs > 0);
    this.#held = new HeldTimers(this.#clock);
    this.#waiters = new WaitQueue<T>(
      this.#clock,
      (w, now) => this.#timeOut(w, now),
      () => this.#awaitedChanged(),
    );
    this.#creates = new CreateLoop<T>(
      {
        isClosed: () => this.#closed,
        liveCount: () => this.#entries.size,
        unserved: () => this.#waiters.queued - this.#idle.length,
        created: (value, startedAt) => this.#takeCreated(value, startedAt),
        unavailable: (cause) => this.#rejectAllWaiters(() => new PoolCreateUnavailableError(this.snapshot(), cause)),
        destroyLate: this.#destroyLate,
        emit: (event) => this.#emit(event),
      },
      o,
      this.#held,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Acquire

  /**
   * Borrows a resource. Resolves at once when one is idle; otherwise waits in FIFO order (by
   * priority) until one is returned or created, the deadline passes, or the signal aborts.
   * @throws ERR_POOL_CLOSED, ERR_POOL_FULL, ERR_POOL_ACQUIRE_TIMEOUT, ERR_POOL_ACQUIRE_ABORTED, ERR_POOL_CREATE_UNAVAILABLE
   */
  acquire(options?: AcquireOptions): Promise<T> {
    if (this.#closed) return Promise.reject(new PoolClosedError(this.name));
    // Fast path: an idle resource, nobody ahead, nothing to validate. No timer, no closure.
    if (this.#waiters.pending === 0 && this.#idle.length > 0 && (options === undefined || options.signal === undefined || !options.signal.aborted)) {
      const entry = this.#lifo ? this.#idle.pop()! : this.#idle.shift()!;
      if (!this.#needsValidation(entry)) {
        this.#borrow(entry, this.#leakThresholdMs > 0 ? new Error("borrowed here").stack : undefined);
        return Promise.resolve(entry.value);
      }
      return this.#enqueue(options, entry);
    }
    return this.#enqueue(options, undefined);
  }

  #needsValidation(entry: Entry<T>): boolean {
    // Every hand-out, fresh ones too (as tarn and generic-pool's testOnBorrow do): a resource can
    // die while it sits idle before its first use. lastUsedAt is the creation time until returned.
    return this.#validate !== undefined && (this.#validateAfterIdleMs === 0 || this.#clock.now() - entry.lastUsedAt >= this.#validateAfterIdleMs);
  }

  #borrow(entry: Entry<T>, stack: string | undefined): void {
    entry.state = BORROWED;
    entry.uses++;
    this.#borrowed++;
    this.#acquired++;
    if (this.#leakThresholdMs > 0) {
      entry.borrowedAt = this.#clock.now();
      entry.leakReported = false;
      entry.stack = stack;
      if (this.#housekeeping === undefined) this.#armHousekeeping();
    }
  }

  #enqueue(options: AcquireOptions | undefined, entry: Entry<T> | undefined): Promise<T> {
    const signal = options?.signal;
    if (signal?.aborted) {
      if (entry !== undefined) this.#pushIdle(entry);
      return Promise.reject(new PoolAcquireAbortedError(this.name, signal.reason));
    }
    // maxWaiting bounds only callers waiting beyond max: those a free slot under max (an idle
    // resource, a create in flight or room for one) will serve are not counted. Queued callers
    // are the wait queue's `queued`; the slots that can serve them are max - #borrowed.
    if (entry === undefined && this.#waiters.queued - (this.max - this.#borrowed) >= this.#maxWaiting) {
      this.#rejectedFull++;
      return Promise.reject(new PoolFullError(this.snapshot(), this.#maxWaiting));
    }
    if (entry === undefined && this.#idle.length === 0 && this.#creates.breaker !== undefined && this.#entries.size + this.#creates.creating < this.max) {
      // Nothing idle and a create would be needed: while the create breaker is open, fail fast.
      if (this.#creates.breaker.state === "open") return Promise.reject(new PoolCreateUnavailableError(this.snapshot(), this.#creates.lastError));
    }
    const now = this.#clock.now();
    const timeoutMs = options?.timeoutMs ?? this.#acquireTimeoutMs;
    let deadlineAt = now + timeoutMs;
    if (options?.deadlineAt !== undefined && options.deadlineAt < deadlineAt) deadlineAt = options.deadlineAt;
    const waiter = makeWaiter<T>(now, deadlineAt, signal);
    // Captured at the caller's acquire(), only when leak detection is on.
    if (this.#leakThresholdMs > 0) waiter.stack = new Error("borrowed here").stack;
    if (signal !== undefined) {
      waiter.onAbort = () => this.#abortWaiter(waiter);
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    if (this.#waiters.add()) this.#awaitedChanged();
    if (entry !== undefined) {
      // A validated hand-off: the waiter is not queued yet, it is re-queued at the front if invalid.
      this.#handTo(waiter, entry);
    } else {
      this.#waiters.push(waiter, options?.priority ?? 0);
      if (this.#idle.length > 0) this.#dispatch();
      else this.#creates.fill();
    }
    if (!waiter.settled) this.#waiters.watch(deadlineAt);
    return waiter.promise;
  }

  #settle(waiter: Waiter<T>): void {
    this.#waiters.settle(waiter);
  }

  /**
   * Someone awaits the pool (a waiter, or close()) or nobody does any more: the timers that settle
   * awaited work hold the process only in the first case (an idle pool holds nothing).
   */
  #awaitedChanged(): void {
    this.#held.hold(this.#waiters.pending > 0 || this.#awaitedCalls > 0);
  }

  /** Brackets an awaited call (see #awaitedCalls); enter before it arms any timer. */
  #enterAwaited(): void {
    if (++this.#awaitedCalls === 1) this.#awaitedChanged();
  }

  #leaveAwaited(): void {
    if (--this.#awaitedCalls === 0) this.#awaitedChanged();
  }

  /** Gives `entry` (already taken out of idle) to `waiter`, validating it first when needed. */
  #handTo(waiter: Waiter<T>, entry: Entry<T>): void {
    if (!this.#needsValidation(entry)) {
      this.#settle(waiter);
      this.#borrow(entry, waiter.stack);
      waiter.resolve(entry.value);
      return;
    }
    entry.state = BORROWED; // Reserved while validating: counts against max, invisible to others.
    this.#borrowed++;
    this.#waiters.inValidation.add(waiter);
    void this.#validateThenHand(waiter, entry);
  }

  async #validateThenHand(waiter: Waiter<T>, entry: Entry<T>): Promise<void> {
    let ok = false;
    let error: unknown;
    try {
      ok = (await this.#bounded((ctx) => this.#validate!(entry.value, ctx), this.#validateTimeoutMs, "validate")) === true;
    } catch (e) {
      error = e;
    }
    this.#waiters.inValidation.delete(waiter);
    const fromCreate = entry.fromCreate;
    entry.fromCreate = false;
    // GONE: forced by close() or destroyed meanwhile; whoever did it already uncounted it.
    const gone = entry.state === GONE;
    if (!gone) this.#borrowed--;
    if (this.#closed) {
      if (!gone) void this.#retire(entry, "close");
      if (!waiter.settled) {
        this.#settle(waiter);
        waiter.reject(new PoolClosedError(this.name));
      }
      return;
    }
    if (gone || !ok) {
      if (!gone) {
        this.#validationFailures++;
        this.#emit({ type: "resource:validation-failed", pool: this.name, at: this.#clock.now(), error });
        void this.#retire(entry, "invalid");
      }
      if (!waiter.settled) {
        // Keep the waiter's place: front of the first lane.
        this.#waiters.pushFront(waiter);
        this.#waiters.watch(waiter.deadlineAt);
      }
      if (!gone && fromCreate) {
        // A fresh resource failing validation is a failed create (one that died idle is not).
        this.#creates.freshInvalid(new PoolResourceInvalidError(this.name, error));
      }
      this.#dispatch();
      this.#creates.fill();
      return;
    }
    if (this.#stampReturns) entry.lastUsedAt = this.#clock.now();
    // The create run is over only once a fresh resource passed validation.
    if (fromCreate) this.#creates.resetBackoff();
    if (waiter.settled) {
      this.#returnEntry(entry);
      return;
    }
    this.#settle(waiter);
    this.#borrow(entry, waiter.stack);
    waiter.resolve(entry.value);
  }

  /** Hands idle resources to waiters while both exist. */
  #dispatch(): void {
    while (this.#waiters.pending > 0 && this.#idle.length > 0) {
      const w = this.#waiters.next();
      if (w === undefined) return;
      const entry = this.#lifo ? this.#idle.pop()! : this.#idle.shift()!;
      this.#handTo(w, entry);
    }
  }

  #abortWaiter(waiter: Waiter<T>): void {
    if (waiter.settled) return;
    waiter.onAbort = undefined; // `once` already removed it.
    this.#settle(waiter);
    waiter.reject(new PoolAcquireAbortedError(this.name, waiter.signal!.reason));
  }

  #timeOut(w: Waiter<T>, now: number): void {
    this.#settle(w);
    this.#timedOut++;
    const waited = now - w.enqueuedAt;
    this.#emit({ type: "acquire:timed-out", pool: this.name, at: now, waitedMs: waited });
    w.reject(new PoolAcquireTimeoutError(this.snapshot(), waited, this.#creates.lastError));
  }

  #rejectAllWaiters(make: () => unknown): number {
    return this.#waiters.rejectQueued((w) => w.reject(make()));
  }

  // ---------------------------------------------------------------------------------------------
  // Release

  /**
   * Returns a borrowed resource. Releasing something the pool does not hold as borrowed (a double
   * release, an evicted or foreign value) is a no-op that emits `release:ignored`; it never throws.
   */
  release(resource: T): void {
    const entry = this.#entries.get(resource);
    if (entry === undefined || entry.state !== BORROWED) {
      this.#emit({ type: "release:ignored", pool: this.name, at: this.#clock.now(), reason: entry === undefined ? "unknown" : "not-borrowed" });
      return;
    }
    this.#borrowed--;
    entry.state = IDLE;
    if (this.#leakThresholdMs > 0) this.#noteReturn(entry);
    if (this.#closed) {
      this.#closeDestroyed++;
      void this.#retire(entry, "close");
      return;
    }
    // Fast path: no clock read unless a lifetime or a validation skip window needs the time.
    if (this.#stampReturns) {
      const now = this.#clock.now();
      entry.lastUsedAt = now;
      if (entry.retireAt <= now) {
        void this.#retire(entry, "lifetime");
        this.#creates.fill();
        return;
      }
    }
    if (entry.generation !== this.#generation) {
      void this.#retire(entry, "refresh");
      this.#creates.fill();
      return;
    }
    this.#returnEntry(entry);
  }

  #returnEntry(entry: Entry<T>): void {
    if (this.#waiters.pending > 0) {
      const w = this.#waiters.next();
      if (w !== undefined) {
        this.#handTo(w, entry);
        return;
      }
    }
    this.#pushIdle(entry);
  }

  #pushIdle(entry: Entry<T>): void {
    entry.state = IDLE;
    this.#idle.push(entry);
    if (this.#housekeeping === undefined && (this.#idleTimeoutMs > 0 || this.#maxLifetimeMs > 0)) this.#armHousekeeping();
  }

  #noteReturn(entry: Entry<T>): void {
    if (entry.leakReported) {
      this.#emit({ type: "leak:returned", pool: this.name, at: this.#clock.now(), heldMs: this.#clock.now() - entry.borrowedAt });
    }
    entry.stack = undefined;
    entry.leakReported = false;
  }

  /**
   * Destroys a resource now, whether borrowed or idle; a replacement is created if there is demand.
   * Unknown values are ignored (event `release:ignored`).
   */
  async destroy(resource: T): Promise<void> {
    const entry = this.#entries.get(resource);
    if (entry === undefined || entry.state === GONE) {
      this.#emit({ type: "release:ignored", pool: this.name, at: this.#clock.now(), reason: "unknown" });
      return;
    }
    if (entry.state === BORROWED) {
      this.#borrowed--;
      if (this.#leakThresholdMs > 0) this.#noteReturn(entry);
    } else {
      this.#removeIdle(entry);
    }
    // Awaited: its destroy deadline holds the process until the destroy settles.
    this.#enterAwaited();
    const p = this.#retire(entry, "requested");
    if (!this.#closed) this.#creates.fill();
    try {
      await p;
    } finally {
      this.#leaveAwaited();
    }
  }

  #removeIdle(entry: Entry<T>): void {
    const i = this.#idle.indexOf(entry);
    if (i >= 0) this.#idle.splice(i, 1);
  }

  /** Takes an entry out of the pool and destroys it within `destroyTimeoutMs`. Never rejects. */
  #retire(entry: Entry<T>, reason: DestroyReason): Promise<void> {
    entry.state = GONE;
    this.#entries.delete(entry.value);
    const p = this.#bounded((ctx) => this.#destroy(entry.value, ctx), this.#destroyTimeoutMs, "destroy").then(
      () => {
        this.#destroyed++;
        this.#emit({ type: "resource:destroyed", pool: this.name, at: this.#clock.now(), reason });
      },
      (error: unknown) => {
        this.#destroyErrors.push(error);
        this.#emit({ type: "resource:destroy-failed", pool: this.name, at: this.#clock.now(), reason, error });
      },
    );
    this.#pendingDestroys.add(p);
    void p.then(() => this.#pendingDestroys.delete(p));
    if (this.#onDrained !== undefined && this.#borrowed === 0) this.#onDrained();
    return p;
  }

  readonly #destroyErrors: unknown[] = [];

  // ---------------------------------------------------------------------------------------------
  // Create

  /** A fresh resource from the create loop: counted, then handed to a waiter or put idle. */
  #takeCreated(value: T, started: number): void {
    const now = this.#clock.now();
    const lifetime = this.#maxLifetimeMs > 0 ? this.#maxLifetimeMs * (1 - this.#lifetimeJitter * this.#random()) : Infinity;
    const entry = new Entry(value, now, now + lifetime, this.#generation);
    this.#entries.set(value, entry);
    this.#emit({ type: "resource:created", pool: this.name, at: now, elapsedMs: now - started });
    if (this.#closed) {
      void this.#retire(entry, "late");
      return;
    }
    entry.fromCreate = true;
    this.#returnEntry(entry);
    // Only a hand-off still being validated keeps the mark (a borrowed one has uses > 0).
    if (entry.state !== BORROWED || entry.uses > 0) entry.fromCreate = false;
  }

  /** Runs a user callback bounded by `ms` (see boundedCall). */
  #bounded<R>(fn: (ctx: PoolCallContext) => R | PromiseLike<R>, ms: number, what: "destroy" | "validate"): Promise<Awaited<R>> {
    return boundedCall(this.#held, fn, ms, this.name, what, undefined, undefined);
  }

  /** Created after its deadline or after close: destroy it, never leak it. */
  readonly #destroyLate = (value: unknown): void => {
    void this.#bounded((ctx) => this.#destroy(value as T, ctx), this.#destroyTimeoutMs, "destroy").catch(() => {});
  };

  // ---------------------------------------------------------------------------------------------
  // Housekeeping: idle reaping, max lifetime, leak detection

  #armHousekeeping(): void {
    if (this.#closed) return;
    this.#housekeeping = this.#clock.setTimeout(this.#onHousekeeping, this.#reapIntervalMs);
  }

  readonly #onHousekeeping = (): void => {
    this.#housekeeping = undefined;
    this.reap();
    const wantIdle = (this.#idleTimeoutMs > 0 || this.#maxLifetimeMs > 0) && this.#idle.length > 0;
    const wantLeak = this.#leakThresholdMs > 0 && this.#borrowed > 0;
    if (wantIdle || wantLeak) this.#armHousekeeping();
  };

  /**
   * Runs one housekeeping pass now: destroys idle resources past `idleTimeoutMs` (keeping `min`)
   * or past their lifetime, and reports borrowed resources past `leakThresholdMs`. Borrowed
   * resources are never touched. Returns how many resources were retired.
   */
  reap(): number {
    if (this.#closed) return 0;
    const now = this.#clock.now();
    const retired = idlePass(
      this.#idle,
      now,
      { idleTimeoutMs: this.#idleTimeoutMs, stampReturns: this.#stampReturns },
      () => this.#entries.size + this.#creates.creating > this.min,
      (e, reason) => void this.#retire(e, reason),
    );
    if (this.#leakThresholdMs > 0 && this.#borrowed > 0) {
      leakPass(this.#entries.values(), now, this.#leakThresholdMs, (e, heldMs) => {
        this.#emit({ type: "leak:suspected", pool: this.name, at: now, heldMs, stack: e.stack });
      });
    }
    if (retired > 0) this.#creates.fill();
    return retired;
  }

  /**
   * Retires every resource without closing: idle ones are destroyed now (and replaced up to
   * `min`), borrowed ones when they come back. The pool keeps serving.
   */
  async refresh(): Promise<void> {
    if (this.#closed) return;
    this.#generation++;
    const idle = this.#idle.splice(0, this.#idle.length);
    this.#enterAwaited();
    const done = idle.map((e) => this.#retire(e, "refresh"));
    this.#creates.fill();
    try {
      await Promise.all(done);
    } finally {
      this.#leaveAwaited();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Conveniences

  /**
   * Creates `min` resources (by borrowing and returning them). Resolves when they exist.
   * Concurrent calls share one attempt (and its outcome), so `min` resources are created, not
   * `min` per call.
   */
  ready(options?: AcquireOptions): Promise<void> {
    if (this.#entries.size >= this.min) return Promise.resolve();
    return (this.#readying ??= this.#fillToMin(options).finally(() => {
      this.#readying = undefined;
    }));
  }

  async #fillToMin(options: AcquireOptions | undefined): Promise<void> {
    const need = this.min - this.#entries.size;
    const got = await Promise.allSettled(Array.from({ length: need }, () => this.acquire(options)));
    let failure: unknown;
    for (const r of got) {
      if (r.status === "fulfilled") this.release(r.value);
      else failure ??= r.reason;
    }
    if (failure !== undefined) throw failure;
  }

  /**
   * Borrows a resource as a disposable lease: `await using lease = await pool.lease()`.
   * Disposal releases it; `lease.destroy()` destroys it instead.
   */
  async lease(options?: AcquireOptions): Promise<PoolLease<T>> {
    const value = await this.acquire(options);
    return new PoolLease(this, value);
  }

  /** Runs `fn` with a borrowed resource: released on success, destroyed when `fn` throws. */
  async use<R>(fn: (resource: T) => R | Promise<R>, options?: AcquireOptions): Promise<R> {
    const value = await this.acquire(options);
    let result: R;
    try {
      result = await fn(value);
    } catch (error) {
      await this.destroy(value);
      throw error;
    }
    this.release(value);
    return result;
  }

  /** Listens to pool events. Returns the unsubscribe function. */
  on(listener: (event: PoolEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: PoolEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A throwing listener never breaks the pool.
      }
    }
  }

  /** Gauges only: what errors carry. */
  snapshot(): PoolStatsSnapshot {
    return {
      name: this.name,
      size: this.#entries.size + this.#creates.creating,
      idle: this.#idle.length,
      borrowed: this.#borrowed,
      pending: this.#waiters.pending,
      creating: this.#creates.creating,
      min: this.min,
      max: this.max,
    };
  }

  /** Gauges and counters. */
  stats(): PoolStats {
    return {
      ...this.snapshot(),
      created: this.#creates.created,
      destroyed: this.#destroyed,
      acquired: this.#acquired,
      timedOut: this.#timedOut,
      rejectedFull: this.#rejectedFull,
      createFailures: this.#creates.failures,
      validationFailures: this.#validationFailures,
      createBreaker: this.#creates.breaker === undefined ? "disabled" : this.#creates.breaker.state,
      closed: this.#closed,
    };
  }

  /** True once close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  // ---------------------------------------------------------------------------------------------
  // Close

  /**
   * Closes the pool: new acquires fail at once (ERR_POOL_CLOSED), waiters are rejected, pending
   * creates and retries are cancelled, idle resources destroyed now; borrowed ones are awaited
   * until `deadlineMs` (or `signal`), then destroyed by force. Idempotent: later calls return the
   * same report.
   */
  close(options: CloseOptions = {}): Promise<PoolCloseReport> {
    return (this.#closing ??= this.#close(options));
  }

  async #close(options: CloseOptions): Promise<PoolCloseReport> {
    const started = this.#clock.now();
    const deadlineMs = options.deadlineMs ?? 30_000;
    this.#closed = true;
    this.#enterAwaited();
    this.#waiters.close();
    this.#clock.clearTimeout(this.#housekeeping);
    this.#housekeeping = undefined;
    let rejectedWaiters = this.#rejectAllWaiters(() => new PoolClosedError(this.name));
    // Callers whose resource is being validated learn now too; the resource is destroyed when its
    // validation ends (or forced at the deadline).
    for (const w of [...this.#waiters.inValidation]) {
      this.#settle(w);
      w.reject(new PoolClosedError(this.name));
      rejectedWaiters++;
    }
    this.#creates.close(new PoolClosedError(this.name));
    let destroyed = 0;
    for (const e of this.#idle.splice(0, this.#idle.length)) {
      void this.#retire(e, "close");
      destroyed++;
    }
    const forced: PoolCloseReport["forced"] = [];
    if (this.#borrowed > 0 && deadlineMs > 0 && options.signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        let timer: TimerHandle | undefined = undefined;
        const finish = (): void => {
          this.#onDrained = undefined;
          this.#clock.clearTimeout(timer);
          options.signal?.removeEventListener("abort", finish);
          resolve();
        };
        this.#onDrained = finish;
        // No timer for an unbounded close (Node would treat Infinity as 1ms): the signal ends it.
        // Ref'd: the caller awaits this close, and this timer is what ends it.
        if (Number.isFinite(deadlineMs)) timer = this.#clock.setTimeout(finish, deadlineMs, { ref: true });
        options.signal?.addEventListener("abort", finish, { once: true });
      });
    }
    const now = this.#clock.now();
    for (const e of [...this.#entries.values()]) {
      if (e.state !== BORROWED) continue;
      this.#borrowed--;
      forced.push({ heldMs: e.borrowedAt > 0 ? now - e.borrowedAt : now - e.lastUsedAt, stack: e.stack });
      void this.#retire(e, "forced");
    }
    destroyed += this.#closeDestroyed;
    while (this.#pendingDestroys.size > 0) await Promise.all([...this.#pendingDestroys]);
    const errors = this.#destroyErrors.slice();
    this.#leaveAwaited();
    return {
      pool: this.name,
      elapsedMs: this.#clock.now() - started,
      destroyed,
      forced,
      rejectedWaiters,
      errors,
      ok: forced.length === 0 && errors.length === 0,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Creates a pool.
 * @throws PoolInvalidOptionError ERR_POOL_INVALID_OPTION for a bad or unknown option.
 * @example
 *   const pool = createPool({ create: () => connect(), destroy: (c) => c.end(), max: 10 })
 *   const n = await pool.use((c) => c.query("select 1"))
 *   await pool.close({ deadlineMs: 5_000 })
 */
export function createPool<T>(options: PoolOptions<T>): Pool<T> {
  return new Pool<T>(options);
}
