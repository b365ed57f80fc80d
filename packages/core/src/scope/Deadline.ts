/**
 * Deadlines computed from the injected clock. A child deadline is derived from its parent's
 * remaining time, never stacked on top of it.
 */
import type { Clock } from "../time/Clock.js";

/** A point in time by which work must be done. */
export interface Deadline {
  /** Clock time (ms) at which the deadline passes (Infinity for none). */
  readonly at: number;
  /** Time left, never negative. */
  remainingMs(): number;
  /** True once the deadline has passed. */
  expired(): boolean;
  /** A deadline at most `ms` from now and never later than this one. */
  child(ms: number): Deadline;
}

class ClockDeadline implements Deadline {
  readonly at: number;
  readonly #clock: Clock;
  constructor(clock: Clock, at: number) {
    this.#clock = clock;
    this.at = at;
  }
  remainingMs(): number {
    return Math.max(0, this.at - this.#clock.now());
  }
  expired(): boolean {
    return this.#clock.now() >= this.at;
  }
  child(ms: number): Deadline {
    return new ClockDeadline(this.#clock, Math.min(this.at, this.#clock.now() + ms));
  }
}

/** Creates a deadline `ms` from now on `clock` (Infinity for none). */
export function createDeadline(clock: Clock, ms: number): Deadline {
  return new ClockDeadline(clock, clock.now() + ms);
}

/** Creates a deadline at clock time `at`. */
export function deadlineAt(clock: Clock, at: number): Deadline {
  return new ClockDeadline(clock, at);
}
