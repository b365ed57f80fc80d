/**
 * A pool's housekeeping passes: idle reaping and max lifetime over the idle list, leak detection
 * over the borrowed entries. Pure over what they are given: the pool retires, reports and decides
 * when the (unref'd, interval) timer runs.
 */
import { BORROWED } from "./PoolEntry.js";
import type { Entry } from "./PoolEntry.js";

/** What the idle pass needs. */
export interface IdlePassOptions {
  /** 0 disables idle reaping. */
  idleTimeoutMs: number;
  /** True when returns stamp `lastUsedAt` (then it is the idle start; otherwise the pass estimates it). */
  stampReturns: boolean;
}

/**
 * Takes out of `idle` (oldest-returned first, so the hot set survives) every entry past its
 * lifetime, and every entry idle past `idleTimeoutMs` while `canShrink()` (the pool is above
 * `min`); each goes to `retire`. Returns how many.
 */
export function idlePass<T>(
  idle: Entry<T>[],
  now: number,
  o: IdlePassOptions,
  canShrink: () => boolean,
  retire: (entry: Entry<T>, reason: "idle" | "lifetime") => void,
): number {
  let retired = 0;
  for (let i = 0; i < idle.length; ) {
    const e = idle[i];
    const expired = e.retireAt <= now;
    // Borrow count compared between passes instead of stamping every return.
    if (e.uses !== e.seenUses) {
      e.seenUses = e.uses;
      e.idleSince = o.stampReturns ? e.lastUsedAt : now;
    }
    const idleTooLong = o.idleTimeoutMs > 0 && now - e.idleSince >= o.idleTimeoutMs && canShrink();
    if (expired || idleTooLong) {
      idle.splice(i, 1);
      retire(e, expired ? "lifetime" : "idle");
      retired++;
    } else {
      i++;
    }
  }
  return retired;
}

/** Reports (once per borrow) every borrowed entry held `thresholdMs` or longer. */
export function leakPass<T>(entries: Iterable<Entry<T>>, now: number, thresholdMs: number, report: (entry: Entry<T>, heldMs: number) => void): void {
  for (const e of entries) {
    if (e.state === BORROWED && !e.leakReported && e.borrowedAt > 0 && now - e.borrowedAt >= thresholdMs) {
      e.leakReported = true;
      report(e, now - e.borrowedAt);
    }
  }
}
