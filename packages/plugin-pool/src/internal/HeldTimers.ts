/**
 * Timers that settle work somebody may be awaiting (create retries, create/validate/destroy
 * deadlines). They hold the process (ref'd) only while their owner says someone awaits it, and
 * let go (unref'd) as soon as nobody does, so idle state holds nothing and awaited work is never
 * cut short by the event loop draining. The Clock interface has no ref()/unref(), so switching
 * re-arms each pending timer for its remaining time.
 */
import type { Clock, TimerHandle } from "@custodian/core";

/** One pending timer; pass it back to `clear()`. */
export class HeldTimer {
  handle: TimerHandle | undefined = undefined;
  ref = false;
  constructor(
    readonly fn: () => void,
    readonly dueAt: number,
  ) {}
}

/** A set of timers switched between ref'd and unref'd together. */
export class HeldTimers {
  readonly #clock: Clock;
  readonly #timers = new Set<HeldTimer>();
  #held = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** True while the timers hold the process. */
  get held(): boolean {
    return this.#held;
  }

  /** Arms `fn` in `ms`, ref'd when the set is currently held. */
  set(fn: () => void, ms: number): HeldTimer {
    const timer = new HeldTimer(fn, this.#clock.now() + ms);
    this.#timers.add(timer);
    this.#arm(timer, ms);
    return timer;
  }

  clear(timer: HeldTimer | undefined): void {
    if (timer === undefined || !this.#timers.delete(timer)) return;
    this.#clock.clearTimeout(timer.handle);
    timer.handle = undefined;
  }

  /** Holds (ref) or releases (unref) every pending timer. Free when nothing changes. */
  hold(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    const now = this.#clock.now();
    for (const t of this.#timers) {
      if (t.ref === held) continue;
      this.#clock.clearTimeout(t.handle);
      this.#arm(t, Math.max(0, t.dueAt - now));
    }
  }

  #arm(timer: HeldTimer, ms: number): void {
    timer.ref = this.#held;
    timer.handle = this.#clock.setTimeout(
      () => {
        if (!this.#timers.delete(timer)) return;
        timer.handle = undefined;
        timer.fn();
      },
      ms,
      { ref: this.#held },
    );
  }
}
