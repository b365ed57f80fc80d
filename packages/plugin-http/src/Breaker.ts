/**
 * The circuit-breaker contract plugin-http needs, and a small fallback registry used until
 * @custodian/plugin-pool's BreakerRegistry is wired in. One breaker per origin, created on first
 * use, reaped when idle and closed; state changes are computed from the injected clock, so a
 * breaker costs no timer of its own.
 */
import type { Clock, TimerHandle } from "@custodian/core";

/** State of one breaker. */
export type BreakerState = "closed" | "open" | "half-open";

/** What plugin-http calls on a breaker around every request. */
export interface BreakerLike {
  /** Current state (an open breaker whose resetTimeout has passed reports "half-open"). */
  readonly state: BreakerState;
  /**
   * Asks to send one request. False when open, or half-open with every trial slot taken; when
   * true, exactly one of onSuccess/onFailure must follow.
   */
  canRequest(): boolean;
  onSuccess(): void;
  onFailure(error?: unknown): void;
  /**
   * The request ended without a verdict (aborted by its caller, or by shutdown): free its trial
   * slot without counting it. When absent, plugin-http calls onFailure instead (conservative).
   */
  onCancel?(): void;
}

/** A keyed set of breakers (key = redacted origin). */
export interface BreakerRegistryLike {
  /** The breaker of `key`, created on first use. */
  get(key: string): BreakerLike;
  /** Live breakers (for snapshots and tests). */
  readonly size: number;
  /** Stops the reaper and drops every breaker. Idempotent. */
  close(): void;
}

/** Options of a breaker registry (YAML: `breaker:` of an http.agent). */
export interface BreakerOptions {
  /** Consecutive failures that open a closed breaker. Default 5. */
  failureThreshold: number;
  /** How long a breaker stays open before allowing a trial. Default 10s. */
  resetTimeoutMs: number;
  /** Concurrent trial requests allowed while half-open. Default 1. */
  halfOpenMaxCalls: number;
  /** A closed breaker unused this long is removed. Default 5m. */
  idleTimeoutMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  failureThreshold: 5,
  resetTimeoutMs: 10_000,
  halfOpenMaxCalls: 1,
  idleTimeoutMs: 300_000,
});

/** Builds a registry; plugin options may supply one backed by @custodian/plugin-pool. */
export type BreakerRegistryFactory = (
  options: BreakerOptions & { clock: Clock; onStateChange?: (key: string, from: BreakerState, to: BreakerState) => void },
) => BreakerRegistryLike;

class FallbackBreaker implements BreakerLike {
  #state: "closed" | "open" | "half-open" = "closed";
  #failures = 0;
  #openedAt = 0;
  #trials = 0;
  lastUsed: number;
  constructor(
    readonly key: string,
    readonly options: BreakerOptions,
    readonly clock: Clock,
    readonly notify: ((key: string, from: BreakerState, to: BreakerState) => void) | undefined,
  ) {
    this.lastUsed = clock.now();
  }

  get state(): BreakerState {
    if (this.#state === "open" && this.clock.now() - this.#openedAt >= this.options.resetTimeoutMs) return "half-open";
    return this.#state;
  }

  /** True while open or half-open: the reaper must keep it. */
  get busy(): boolean {
    return this.#state !== "closed" || this.#trials > 0;
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.notify?.(this.key, from, to);
  }

  canRequest(): boolean {
    this.lastUsed = this.clock.now();
    if (this.#state === "closed") return true;
    if (this.#state === "open") {
      if (this.lastUsed - this.#openedAt < this.options.resetTimeoutMs) return false;
      this.#trials = 0;
      this.#move("half-open");
    }
    if (this.#trials >= this.options.halfOpenMaxCalls) return false;
    this.#trials++;
    return true;
  }

  onSuccess(): void {
    this.lastUsed = this.clock.now();
    if (this.#state === "half-open") {
      this.#trials = 0;
      this.#failures = 0;
      this.#move("closed");
      return;
    }
    // Consecutive failures only: one success resets the count, so scattered failures never open it.
    this.#failures = 0;
  }

  onCancel(): void {
    this.lastUsed = this.clock.now();
    if (this.#state === "half-open" && this.#trials > 0) this.#trials--;
  }

  onFailure(): void {
    this.lastUsed = this.clock.now();
    if (this.#state === "half-open") {
      this.#trials = 0;
      this.#openedAt = this.lastUsed;
      this.#move("open");
      return;
    }
    if (this.#state === "open") return;
    if (++this.#failures >= this.options.failureThreshold) {
      this.#openedAt = this.lastUsed;
      this.#failures = 0;
      this.#move("open");
    }
  }
}

/**
 * Creates the fallback registry: consecutive-failure breakers, half-open trials limited to
 * `halfOpenMaxCalls`, and an unref'd reaper that runs only while breakers exist and never removes
 * an open or half-open breaker.
 */
export const createFallbackBreakerRegistry: BreakerRegistryFactory = (options) => {
  const { clock, onStateChange } = options;
  const breakers = new Map<string, FallbackBreaker>();
  let timer: TimerHandle | undefined;
  let closed = false;
  const period = Math.max(1, options.idleTimeoutMs);
  const reap = (): void => {
    timer = undefined;
    const now = clock.now();
    for (const [key, b] of breakers) {
      if (!b.busy && now - b.lastUsed >= options.idleTimeoutMs) breakers.delete(key);
    }
    arm();
  };
  const arm = (): void => {
    if (timer === undefined && !closed && breakers.size > 0) timer = clock.setTimeout(reap, period);
  };
  return {
    get(key: string): BreakerLike {
      let b = breakers.get(key);
      if (b === undefined) {
        b = new FallbackBreaker(key, options, clock, onStateChange);
        if (!closed) breakers.set(key, b);
        arm();
      }
      return b;
    },
    get size() {
      return breakers.size;
    },
    close(): void {
      closed = true;
      clock.clearTimeout(timer);
      timer = undefined;
      breakers.clear();
    },
  };
};
