/**
 * The kernel's only source of time. Core never calls Date.now() or setTimeout directly: it takes
 * a Clock, so tests drive a ManualClock instead of sleeping.
 */

/** An opaque timer returned by `Clock.setTimeout`. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface TimerOptions {
  /**
   * Keep the process alive while this timer is pending. Default false: idle, Custodian holds
   * nothing. A timer that settles a promise someone awaits (a release budget, a plugin's start
   * timeout, the shutdown hold) is ref'd, and cleared as soon as that promise settles.
   */
  ref?: boolean;
}

/** Time and timers, injectable. */
export interface Clock {
  /** Milliseconds since the epoch (wall clock for systemClock, virtual for ManualClock). */
  now(): number;
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A timer longer than MAX_TIMER_MS: a chain of maximal timers, re-armed until the due time. */
class LongTimer {
  #timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly fn: () => void,
    private readonly dueAt: number,
    private readonly ref: boolean,
  ) {
    this.#arm();
  }
  #arm(): void {
    const left = this.dueAt - Date.now();
    if (left <= MAX_TIMER_MS) {
      this.#timer = setTimeout(this.fn, Math.max(0, left));
    } else {
      this.#timer = setTimeout(() => this.#arm(), MAX_TIMER_MS);
    }
    if (!this.ref) this.#timer.unref();
  }
  clear(): void {
    clearTimeout(this.#timer);
  }
}

/** The real clock: Date.now() and unref'd Node timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle {
    if (ms > MAX_TIMER_MS) return new LongTimer(fn, Date.now() + ms, options?.ref === true);
    const t = setTimeout(fn, Math.max(0, ms));
    if (options?.ref !== true) t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle === undefined) return;
    if (handle instanceof LongTimer) handle.clear();
    else clearTimeout(handle as NodeJS.Timeout);
  },
});
