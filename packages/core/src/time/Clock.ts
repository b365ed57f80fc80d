/**
 * The kernel's only source of time. Core never calls Date.now() or setTimeout directly: it takes
 * a Clock, so tests drive a ManualClock instead of sleeping.
 */

/** An opaque timer returned by `Clock.setTimeout`. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface TimerOptions {
  /**
   * Keep the process alive while this timer is pending. Default false: every timer Custodian owns
   * is unref'd unless it exists to keep the process alive (the shutdown hold timer).
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

/** The real clock: Date.now() and unref'd Node timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    if (options?.ref !== true) t.unref();
    return t;
  },
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) clearTimeout(handle as NodeJS.Timeout);
  },
});
