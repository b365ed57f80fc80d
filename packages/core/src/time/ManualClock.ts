/**
 * A clock that only moves when told to. Tests and plugin authors use it to prove deadlines
 * without waiting on real time.
 */
import type { Clock, TimerHandle } from "./Clock.js";

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets pending promise chains (and their I/O callbacks) run. */
const flush = async (rounds = 3): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/**
 * A manually driven Clock.
 * @example
 *   const clock = new ManualClock()
 *   const kernel = await createKernel({ clock })
 *   await clock.advance(30_000) // fires due timers in order, flushing microtasks between them
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Set<ManualTimer>();

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#timers.delete(handle as ManualTimer);
  }

  /** Number of pending timers (a test can assert that nothing is left armed). */
  pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flush();
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.fn();
      await flush();
    }
    this.#now = target;
    await flush();
  }

  /**
   * Moves time forward by `ms` synchronously, firing nothing: what a task that blocks the event
   * loop does to real time. Timers that fell due fire at the next `advance()` (`advance(0)` fires
   * just those). Call it inside the code under test (a release that blocks for 1.5 s).
   */
  stall(ms: number): void {
    this.#now += Math.max(0, ms);
  }

  /** Lets pending promise chains settle without moving time. */
  async tick(): Promise<void> {
    await flush();
  }
}
