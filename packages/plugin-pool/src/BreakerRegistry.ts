/**
 * Circuit breakers keyed by string (per host, per tenant, ...), with a bound: breakers unused for
 * `idleTtlMs` are reaped, and an LRU cap limits the count. Open and half-open breakers, and closed
 * ones with a recent failure, are never evicted. One shared, unref'd timer drives reaping; it is
 * armed only while the registry holds breakers.
 */
import { systemClock } from "@custodian/core";
import type { Clock, TimerHandle } from "@custodian/core";
import { Breaker } from "./Breaker.js";
import type { BreakerOptions, BreakerState } from "./Breaker.js";
import { BreakerInvalidOptionError } from "./errors.js";

/** What registry listeners receive. */
export type BreakerRegistryEvent =
  | { type: "breaker:created"; key: string; at: number }
  | { type: "breaker:state-changed"; key: string; from: BreakerState; to: BreakerState; at: number; cause?: unknown }
  | { type: "breaker:removed"; key: string; reason: "idle" | "lru" | "deleted" | "closed"; at: number };

export interface BreakerRegistryOptions {
  clock?: Clock;
  /** A closed breaker unused (and failure-free) for this long is removed. Default 300_000 (5 min). */
  idleTtlMs?: number;
  /** Most breakers kept; beyond it the least recently used evictable one goes. Default 10_000. */
  maxSize?: number;
  /** How often the shared reaper runs; 0 = only when `reap()` is called. Default idleTtlMs / 2. */
  reapIntervalMs?: number;
  /** Options for every breaker the registry creates (`name` is the key). */
  defaults?: Omit<BreakerOptions, "clock" | "name" | "onStateChange">;
}

type Listener = (event: BreakerRegistryEvent) => void;

/**
 * A keyed set of circuit breakers with reaping by last use and an LRU cap.
 * @example
 *   const registry = new BreakerRegistry({ idleTtlMs: 60_000, maxSize: 1_000 })
 *   await registry.get(url.host).execute(() => request(url))
 */
export class BreakerRegistry {
  readonly #clock: Clock;
  readonly #idleTtlMs: number;
  readonly #maxSize: number;
  readonly #reapIntervalMs: number;
  readonly #defaults: BreakerRegistryOptions["defaults"];
  // Map order is recency order: get() moves a key to the end.
  readonly #breakers = new Map<string, Breaker>();
  readonly #listeners = new Set<Listener>();
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: BreakerRegistryOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const ttl = options.idleTtlMs ?? 300_000;
    if (typeof ttl !== "number" || !(ttl > 0)) throw new BreakerInvalidOptionError("BreakerRegistry", "idleTtlMs", "a number > 0", ttl);
    this.#idleTtlMs = ttl;
    const max = options.maxSize ?? 10_000;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1) throw new BreakerInvalidOptionError("BreakerRegistry", "maxSize", "an integer >= 1", max);
    this.#maxSize = max;
    const every = options.reapIntervalMs ?? Math.max(1, Math.floor(ttl / 2));
    if (typeof every !== "number" || !(every >= 0)) throw new BreakerInvalidOptionError("BreakerRegistry", "reapIntervalMs", "a number >= 0", every);
    this.#reapIntervalMs = every;
    this.#defaults = options.defaults;
  }

  /** Number of breakers held. */
  get size(): number {
    return this.#breakers.size;
  }

  /** The breaker for `key`, created on first use (with `options` over the registry defaults). */
  get(key: string, options?: Omit<BreakerOptions, "clock" | "name" | "onStateChange">): Breaker {
    const found = this.#breakers.get(key);
    if (found !== undefined) {
      this.#breakers.delete(key);
      this.#breakers.set(key, found);
      found.lastUsedAt = this.#clock.now();
      return found;
    }
    const breaker = new Breaker({
      ...this.#defaults,
      ...options,
      name: key,
      clock: this.#clock,
      onStateChange: (c) => this.#emit({ type: "breaker:state-changed", key, from: c.from, to: c.to, at: c.at, cause: c.cause }),
    });
    if (this.#breakers.size >= this.#maxSize) this.#evictLru();
    this.#breakers.set(key, breaker);
    this.#emit({ type: "breaker:created", key, at: this.#clock.now() });
    if (this.#timer === undefined && this.#reapIntervalMs > 0 && !this.#closed) this.#arm();
    return breaker;
  }

  /** The breaker for `key` if held, without creating or touching it. */
  peek(key: string): Breaker | undefined {
    return this.#breakers.get(key);
  }

  has(key: string): boolean {
    return this.#breakers.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#breakers.keys();
  }

  /** Removes a breaker whatever its state. */
  delete(key: string): boolean {
    return this.#remove(key, "deleted");
  }

  /** Listens to created / state-changed / removed events. Returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** True when the breaker could be dropped without losing anything: closed, idle, no recent failure. */
  #evictable(b: Breaker, now: number): boolean {
    return b.state === "closed" && b.counts().failures === 0 && now - b.lastFailureAt >= this.#idleTtlMs;
  }

  /** Removes every evictable breaker unused for `idleTtlMs`. Returns how many went. */
  reap(): number {
    const now = this.#clock.now();
    let removed = 0;
    for (const [key, b] of this.#breakers) {
      if (now - b.lastUsedAt >= this.#idleTtlMs && this.#evictable(b, now)) {
        this.#remove(key, "idle");
        removed++;
      }
    }
    return removed;
  }

  /** Stops the reaper and removes every breaker. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const key of [...this.#breakers.keys()]) this.#remove(key, "closed");
    this.#listeners.clear();
  }

  #evictLru(): void {
    for (const [key, b] of this.#breakers) {
      if (b.state === "closed" && b.counts().failures === 0) {
        this.#remove(key, "lru");
        return;
      }
    }
    // Nothing evictable (all open, half-open or failing): grow past the cap rather than forget a failing backend.
  }

  #remove(key: string, reason: "idle" | "lru" | "deleted" | "closed"): boolean {
    const b = this.#breakers.get(key);
    if (b === undefined) return false;
    this.#breakers.delete(key);
    b.dispose();
    this.#emit({ type: "breaker:removed", key, reason, at: this.#clock.now() });
    if (this.#breakers.size === 0 && this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    return true;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(this.#onTimer, this.#reapIntervalMs);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.reap();
    if (this.#breakers.size > 0 && !this.#closed) this.#arm();
  };

  #emit(event: BreakerRegistryEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A throwing listener is isolated.
      }
    }
  }
}
