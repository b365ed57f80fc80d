/**
 * A bounded work queue: at most `concurrency` handlers run at once; results of completed,
 * failed and cancelled items are retained within count and age limits (never evicted while a
 * caller waits for them); every wait has a deadline; a crashing handler fails its item instead of
 * dropping it; close() is bounded like the pool's.
 */
import { systemClock } from "@custodian/core";
import type { Clock, TimerHandle } from "@custodian/core";
import { QueueCancelledError, QueueInvalidOptionError, QueueFullError, QueueClosedError, QueueUnknownItemError, QueueWaitTimeoutError } from "./errors.js";

export type WorkItemState = "queued" | "running" | "completed" | "failed" | "cancelled";

/** What a handler receives besides the input. */
export interface WorkContext {
  readonly id: string;
  /** Aborts when the item is cancelled or the queue's close deadline passes. */
  readonly signal: AbortSignal;
}

export interface WorkQueueOptions<I, R> {
  name?: string;
  /** Runs one item. A throw or rejection fails the item (kept, with its error). */
  handler: (input: I, ctx: WorkContext) => R | Promise<R>;
  /** Handlers running at once. Default 1. */
  concurrency?: number;
  /** Most items queued (not yet running); beyond it push() throws ERR_QUEUE_FULL. Default Infinity. */
  maxQueued?: number;
  /** Retention of finished items, per outcome; the oldest go first. Defaults: 1000 each, ttl 1h. */
  retain?: { completed?: number; failed?: number; cancelled?: number; ttlMs?: number };
  /** Default deadline of wait(). Default 30_000. */
  waitTimeoutMs?: number;
  clock?: Clock;
}

/** A snapshot of one item. */
export interface WorkItemStatus<R> {
  id: string;
  state: WorkItemState;
  result?: R;
  error?: unknown;
  queuedAt: number;
  finishedAt?: number;
}

export interface WorkQueueCloseReport {
  queue: string;
  elapsedMs: number;
  /** Queued items cancelled by close. */
  cancelled: number;
  /** Running items still running at the deadline: aborted and marked cancelled. */
  aborted: number;
  ok: boolean;
}

interface Item<I, R> {
  id: string;
  input: I;
  state: WorkItemState;
  result: R | undefined;
  error: unknown;
  queuedAt: number;
  finishedAt: number;
  /** Callers waiting for this item; the item is not evicted while > 0. */
  waiters: Array<{ resolve: (v: R) => void; reject: (e: unknown) => void }>;
  abort: AbortController | undefined;
}

/**
 * A bounded work queue. Create it with `createWorkQueue(options)`.
 */
export class WorkQueue<I, R> {
  readonly name: string;
  readonly #handler: WorkQueueOptions<I, R>["handler"];
  readonly #concurrency: number;
  readonly #maxQueued: number;
  readonly #limits: Record<"completed" | "failed" | "cancelled", number>;
  readonly #ttlMs: number;
  readonly #waitTimeoutMs: number;
  readonly #clock: Clock;
  readonly #items = new Map<string, Item<I, R>>();
  readonly #queued: Array<Item<I, R>> = [];
  readonly #finished: Record<"completed" | "failed" | "cancelled", Array<Item<I, R>>> = { completed: [], failed: [], cancelled: [] };
  #running = 0;
  #seq = 0;
  #closed = false;
  #closing: Promise<WorkQueueCloseReport> | undefined;
  #onIdle: (() => void) | undefined;

  constructor(options: WorkQueueOptions<I, R>) {
    const name = options.name ?? "queue";
    this.name = name;
    if (typeof options.handler !== "function") throw new QueueInvalidOptionError(`WorkQueue "${name}"`, "handler", "a function", options.handler);
    const int = (opt: string, v: unknown, min: number): number => {
      if (typeof v !== "number" || !(v >= min) || (Number.isFinite(v) && !Number.isInteger(v)))
        throw new QueueInvalidOptionError(`WorkQueue "${name}"`, opt, `an integer >= ${min}`, v);
      return v;
    };
    this.#handler = options.handler;
    this.#concurrency = int("concurrency", options.concurrency ?? 1, 1);
    this.#maxQueued = int("maxQueued", options.maxQueued ?? Infinity, 0);
    const r = options.retain ?? {};
    this.#limits = {
      completed: int("retain.completed", r.completed ?? 1000, 0),
      failed: int("retain.failed", r.failed ?? 1000, 0),
      cancelled: int("retain.cancelled", r.cancelled ?? r.failed ?? 1000, 0),
    };
    this.#ttlMs = int("retain.ttlMs", r.ttlMs ?? 3_600_000, 0);
    this.#waitTimeoutMs = int("waitTimeoutMs", options.waitTimeoutMs ?? 30_000, 0);
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Queues an item; returns its id.
   * @throws ERR_QUEUE_CLOSED after close(); ERR_QUEUE_FULL when `maxQueued` items are already queued.
   */
  push(input: I, options: { id?: string } = {}): string {
    if (this.#closed) throw new QueueClosedError(this.name);
    if (this.#queued.length >= this.#maxQueued) throw new QueueFullError(this.name, this.#maxQueued);
    const id = options.id ?? `${this.name}-${++this.#seq}`;
    if (this.#items.has(id)) throw new QueueInvalidOptionError(`WorkQueue "${this.name}"`, "id", "unique among retained items", id);
    const item: Item<I, R> = {
      id,
      input,
      state: "queued",
      result: undefined,
      error: undefined,
      queuedAt: this.#clock.now(),
      finishedAt: 0,
      waiters: [],
      abort: undefined,
    };
    this.#items.set(id, item);
    this.#queued.push(item);
    this.#pump();
    return id;
  }

  /** push() then wait(). */
  run(input: I, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<R> {
    let id: string;
    try {
      id = this.push(input);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.wait(id, options);
  }

  /**
   * Waits for an item's result. Rejects with the handler's error, ERR_QUEUE_CANCELLED,
   * ERR_QUEUE_WAIT_TIMEOUT (default `waitTimeoutMs`) or ERR_QUEUE_UNKNOWN_ITEM.
   */
  wait(id: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<R> {
    this.#expire();
    const item = this.#items.get(id);
    if (item === undefined) return Promise.reject(new QueueUnknownItemError(this.name, id));
    if (item.state === "completed") return Promise.resolve(item.result as R);
    if (item.state === "failed" || item.state === "cancelled") return Promise.reject(item.error);
    const timeoutMs = options.timeoutMs ?? this.#waitTimeoutMs;
    return new Promise<R>((resolve, reject) => {
      let timer: TimerHandle | undefined = undefined;
      const signal = options.signal;
      const done = (): void => {
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const i = item.waiters.indexOf(waiter);
        if (i >= 0) item.waiters.splice(i, 1);
        this.#evict();
      };
      const waiter = {
        resolve: (v: R) => (done(), resolve(v)),
        reject: (e: unknown) => (done(), reject(e)),
      };
      const onAbort = (): void => waiter.reject(signal!.reason);
      item.waiters.push(waiter);
      // Ref'd: it exists only while this caller waits, and it is what settles the wait.
      if (Number.isFinite(timeoutMs))
        timer = this.#clock.setTimeout(() => waiter.reject(new QueueWaitTimeoutError(this.name, id, timeoutMs)), timeoutMs, { ref: true });
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** An item's state and outcome, or undefined when unknown or evicted. */
  status(id: string): WorkItemStatus<R> | undefined {
    this.#expire();
    const item = this.#items.get(id);
    if (item === undefined) return undefined;
    const s: WorkItemStatus<R> = { id, state: item.state, queuedAt: item.queuedAt };
    if (item.state === "completed") s.result = item.result;
    if (item.state === "failed" || item.state === "cancelled") s.error = item.error;
    if (item.finishedAt > 0) s.finishedAt = item.finishedAt;
    return s;
  }

  /** Cancels a queued item, or aborts a running one (its late result is dropped). False if already finished. */
  cancel(id: string, reason = "cancelled by caller"): boolean {
    const item = this.#items.get(id);
    if (item === undefined || (item.state !== "queued" && item.state !== "running")) return false;
    if (item.state === "queued") this.#queued.splice(this.#queued.indexOf(item), 1);
    else {
      this.#running--;
      item.abort?.abort(new QueueCancelledError(this.name, id, reason));
    }
    this.#finish(item, "cancelled", undefined, new QueueCancelledError(this.name, id, reason));
    this.#pump();
    return true;
  }

  stats(): { queued: number; running: number; retained: number; completed: number; failed: number; cancelled: number } {
    return {
      queued: this.#queued.length,
      running: this.#running,
      retained: this.#items.size - this.#queued.length - this.#running,
      completed: this.#finished.completed.length,
      failed: this.#finished.failed.length,
      cancelled: this.#finished.cancelled.length,
    };
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#concurrency && this.#queued.length > 0) {
      const item = this.#queued.shift()!;
      this.#start(item);
    }
  }

  #start(item: Item<I, R>): void {
    item.state = "running";
    item.abort = new AbortController();
    this.#running++;
    let p: Promise<R>;
    try {
      p = Promise.resolve(this.#handler(item.input, { id: item.id, signal: item.abort.signal }));
    } catch (error) {
      p = Promise.reject(error);
    }
    p.then(
      (value) => this.#settled(item, "completed", value, undefined),
      (error: unknown) => this.#settled(item, "failed", undefined, error),
    );
  }

  #settled(item: Item<I, R>, state: "completed" | "failed", result: R | undefined, error: unknown): void {
    if (item.state !== "running") return; // cancelled or aborted by close meanwhile
    this.#running--;
    this.#finish(item, state, result, error);
    this.#pump();
    if (this.#running === 0) this.#onIdle?.();
  }

  #finish(item: Item<I, R>, state: "completed" | "failed" | "cancelled", result: R | undefined, error: unknown): void {
    item.state = state;
    item.result = result;
    item.error = error;
    item.abort = undefined;
    item.finishedAt = this.#clock.now();
    this.#finished[state].push(item);
    for (const w of item.waiters.slice()) {
      if (state === "completed") w.resolve(result as R);
      else w.reject(error);
    }
    this.#evict();
  }

  /** Drops finished items beyond their count limit or older than the ttl; never one with waiters. */
  #evict(): void {
    const now = this.#clock.now();
    for (const state of ["completed", "failed", "cancelled"] as const) {
      const list = this.#finished[state];
      const limit = this.#limits[state];
      let excess = list.length - limit;
      // Oldest first; once an item is neither excess nor expired, every later one is newer.
      for (let i = 0; i < list.length; ) {
        const item = list[i];
        if (excess <= 0 && now - item.finishedAt < this.#ttlMs) break;
        if (item.waiters.length > 0) {
          i++;
          continue;
        }
        list.splice(i, 1);
        this.#items.delete(item.id);
        excess--;
      }
    }
  }

  #expire(): void {
    if (this.#ttlMs !== Infinity) this.#evict();
  }

  /**
   * Closes the queue: push() fails at once, queued items are cancelled, running ones get until
   * `deadlineMs` (or `signal`) and are then aborted and marked cancelled. Idempotent.
   */
  close(options: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<WorkQueueCloseReport> {
    return (this.#closing ??= this.#close(options));
  }

  async #close(options: { deadlineMs?: number; signal?: AbortSignal }): Promise<WorkQueueCloseReport> {
    const started = this.#clock.now();
    this.#closed = true;
    const queued = this.#queued.splice(0, this.#queued.length);
    for (const item of queued) this.#finish(item, "cancelled", undefined, new QueueCancelledError(this.name, item.id, "queue closed"));
    const deadlineMs = options.deadlineMs ?? 30_000;
    if (this.#running > 0 && deadlineMs > 0 && options.signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        let timer: TimerHandle | undefined = undefined;
        const finish = (): void => {
          this.#onIdle = undefined;
          this.#clock.clearTimeout(timer);
          options.signal?.removeEventListener("abort", finish);
          resolve();
        };
        this.#onIdle = finish;
        // Ref'd: the caller awaits this close, and this timer is what ends it.
        if (Number.isFinite(deadlineMs)) timer = this.#clock.setTimeout(finish, deadlineMs, { ref: true });
        options.signal?.addEventListener("abort", finish, { once: true });
      });
    }
    let aborted = 0;
    for (const item of [...this.#items.values()]) {
      if (item.state !== "running") continue;
      aborted++;
      this.#running--;
      item.abort?.abort(new QueueCancelledError(this.name, item.id, "close deadline passed"));
      this.#finish(item, "cancelled", undefined, new QueueCancelledError(this.name, item.id, "close deadline passed"));
    }
    return { queue: this.name, elapsedMs: this.#clock.now() - started, cancelled: queued.length, aborted, ok: aborted === 0 };
  }
}

/**
 * Creates a bounded work queue.
 * @example
 *   const q = createWorkQueue({ concurrency: 4, handler: (url: string) => fetchJson(url), retain: { completed: 100, failed: 100, ttlMs: 60_000 } })
 *   const result = await q.run("https://example.test/a")
 */
export function createWorkQueue<I, R>(options: WorkQueueOptions<I, R>): WorkQueue<I, R> {
  return new WorkQueue(options);
}
