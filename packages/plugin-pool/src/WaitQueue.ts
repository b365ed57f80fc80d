/**
 * The callers a pool has not served yet: FIFO lanes by priority, the waiters whose resource is
 * being validated, and the one shared deadline timer (armed only while someone waits, for the
 * earliest deadline, never once per waiter). The pool decides what a waiter gets; this module
 * only keeps them in order and says when one's time is up. [tarn src/PendingOperation.ts]
 */
import type { Clock, TimerHandle } from "@custodian/core";

/** A caller waiting for a resource: how to settle it, when it gave up, and where it came from. */
export class Waiter<T> {
  settled = false;
  /** The caller's stack at acquire(), kept only when leak detection is on. */
  stack: string | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(
    /** What the caller awaits. */
    readonly promise: Promise<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
    readonly enqueuedAt: number,
    readonly deadlineAt: number,
    readonly signal: AbortSignal | undefined,
  ) {}
}

/** Where `captureSettlers` leaves the settle functions of the promise it just ran for. */
let capturedResolve: ((value: never) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;
/** The executor of every waiter's promise: a shared function, so no closure is allocated per waiter. */
function captureSettlers(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** Makes a waiter with the promise its caller awaits (`waiter.promise`). */
export function makeWaiter<T>(enqueuedAt: number, deadlineAt: number, signal: AbortSignal | undefined): Waiter<T> {
  const promise = new Promise<T>(captureSettlers);
  return new Waiter<T>(promise, capturedResolve as (value: T) => void, capturedReject!, enqueuedAt, deadlineAt, signal);
}

/** An array-backed FIFO with an advancing head: no per-operation allocation. */
class Queue<V> {
  #items: (V | undefined)[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(v: V): void {
    this.#items.push(v);
  }
  unshift(v: V): void {
    if (this.#head > 0) this.#items[--this.#head] = v;
    else this.#items.unshift(v);
  }
  shift(): V | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const v = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }
  *[Symbol.iterator](): IterableIterator<V> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i] as V;
  }
  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
  }
}

/** A priority lane of waiters. */
interface Lane<T> {
  priority: number;
  queue: Queue<Waiter<T>>;
}

/** The waiters of one pool, in service order, with their shared deadline timer. */
export class WaitQueue<T> {
  /** Live waiters: queued, or holding a resource that is being validated. */
  pending = 0;
  /** Live waiters whose resource is being validated (counted in `pending`, not in any lane). */
  readonly inValidation = new Set<Waiter<T>>();
  readonly #clock: Clock;
  readonly #onExpired: (waiter: Waiter<T>, now: number) => void;
  readonly #onEmpty: () => void;
  #lanes: Lane<T>[] = [];
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #closed = false;

  /**
   * `onExpired` settles a waiter whose deadline passed (through `settle()`); `onEmpty` runs when
   * the last live waiter is settled.
   */
  constructor(clock: Clock, onExpired: (waiter: Waiter<T>, now: number) => void, onEmpty: () => void) {
    this.#clock = clock;
    this.#onExpired = onExpired;
    this.#onEmpty = onEmpty;
  }

  /** Queued waiters: live ones not being validated. */
  get queued(): number {
    return this.pending - this.inValidation.size;
  }

  /** Counts a new live waiter; true when it is the first (someone awaits the pool now). */
  add(): boolean {
    return ++this.pending === 1;
  }

  /** Queues `waiter` behind the others of its priority. */
  push(waiter: Waiter<T>, priority: number): void {
    this.#laneFor(priority).push(waiter);
  }

  /** Puts `waiter` back in front of everyone (its resource failed validation: it keeps its place). */
  pushFront(waiter: Waiter<T>): void {
    if (this.#lanes.length === 0) this.#laneFor(0).push(waiter);
    else this.#lanes[0].queue.unshift(waiter);
  }

  #laneFor(priority: number): Queue<Waiter<T>> {
    const lanes = this.#lanes;
    for (let i = 0; i < lanes.length; i++) {
      if (lanes[i].priority === priority) return lanes[i].queue;
    }
    const lane: Lane<T> = { priority, queue: new Queue() };
    lanes.push(lane);
    lanes.sort((a, b) => b.priority - a.priority);
    return lane.queue;
  }

  /** Takes the next live waiter in priority order, or undefined. */
  next(): Waiter<T> | undefined {
    const lanes = this.#lanes;
    for (let i = 0; i < lanes.length; i++) {
      const q = lanes[i].queue;
      while (q.length > 0) {
        const w = q.shift()!;
        if (!w.settled) return w;
      }
    }
    return undefined;
  }

  /** Marks `waiter` settled (the caller then resolves or rejects it); the last one stops the timer. */
  settle(waiter: Waiter<T>): void {
    waiter.settled = true;
    if (this.inValidation.size > 0) this.inValidation.delete(waiter);
    if (--this.pending === 0) {
      // Nobody waits any more: leave no timer behind.
      this.#disarm();
      this.#onEmpty();
    }
    if (waiter.onAbort !== undefined) waiter.signal!.removeEventListener("abort", waiter.onAbort);
  }

  /** Makes sure the timer fires by `deadlineAt` (re-armed only when that is earlier than its time). */
  watch(deadlineAt: number): void {
    if (deadlineAt < this.#timerAt) this.#arm(deadlineAt);
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    // Ref'd: it exists only while a caller waits, and it is what settles that caller.
    this.#timer = this.#clock.setTimeout(this.#onTimer, at - this.#clock.now(), { ref: true });
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** Rejects every expired waiter, then re-arms for the earliest left. */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (const lane of this.#lanes) {
      for (const w of lane.queue) {
        if (w.settled) continue;
        if (w.deadlineAt <= now) this.#onExpired(w, now);
        else if (w.deadlineAt < next) next = w.deadlineAt;
      }
    }
    // The deadline holds while a resource is validated for the caller: it gets its error now; the
    // resource goes back (or is destroyed) when the validation ends.
    for (const w of this.inValidation) {
      if (w.deadlineAt <= now) this.#onExpired(w, now);
      else if (w.deadlineAt < next) next = w.deadlineAt;
    }
    if (next !== Infinity && !this.#closed) this.#arm(next);
  };

  /** Settles and hands every queued waiter to `reject` (not those in validation). Returns how many. */
  rejectQueued(reject: (waiter: Waiter<T>) => void): number {
    let n = 0;
    for (const lane of this.#lanes) {
      for (const w of lane.queue) {
        if (w.settled) continue;
        this.settle(w);
        reject(w);
        n++;
      }
      lane.queue.clear();
    }
    return n;
  }

  /** Stops the deadline timer for good (the pool closed). */
  close(): void {
    this.#closed = true;
    this.#disarm();
  }
}
