/**
 * A ManualClock that also records whether each pending timer was armed ref'd, so a test can show
 * which timers would hold the process (ManualClock itself ignores the option).
 */
import { ManualClock } from "@custodian/core";
import type { TimerHandle, TimerOptions } from "@custodian/core";

/** A ManualClock that remembers which pending timers were armed ref'd (they hold the process). */
export class RefClock extends ManualClock {
  readonly #refs = new Map<TimerHandle, boolean>();
  override setTimeout(fn: () => void, ms: number, options?: TimerOptions): TimerHandle {
    const handle: TimerHandle = super.setTimeout(() => {
      this.#refs.delete(handle);
      fn();
    }, ms);
    this.#refs.set(handle, options?.ref === true);
    return handle;
  }
  override clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#refs.delete(handle);
    super.clearTimeout(handle);
  }
  /** Pending timers by kind. */
  held(): { ref: number; unref: number } {
    let ref = 0;
    for (const r of this.#refs.values()) if (r) ref++;
    return { ref, unref: this.#refs.size - ref };
  }
}
