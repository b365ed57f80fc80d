/**
 * One pooled resource's bookkeeping: its state, when it was created, used and borrowed, when it
 * retires, and what leak detection needs. Plain fields, no behaviour: the pool owns the rules.
 */

/** In the idle list, ready to hand out. */
export const IDLE = 0;
/** Handed out (or reserved while being validated for a caller). */
export const BORROWED = 1;
/** Destroyed or being destroyed; whoever set it already uncounted it. */
export const GONE = 2;

/** One pooled resource's bookkeeping. */
export class Entry<T> {
  state = IDLE;
  /** When it was last returned (or created). */
  lastUsedAt: number;
  /** Borrow count; the reaper compares it between passes instead of stamping every return. */
  uses = 0;
  seenUses = 0;
  /** Reaper's estimate of when the resource was last used (precision: one reap interval). */
  idleSince: number;
  borrowedAt = 0;
  stack: string | undefined = undefined;
  leakReported = false;
  /** Handed from create() straight to a waiter and not yet validated. */
  fromCreate = false;
  constructor(
    readonly value: T,
    readonly createdAt: number,
    /** Retire when returned at or after this time. */
    readonly retireAt: number,
    readonly generation: number,
  ) {
    this.lastUsedAt = createdAt;
    this.idleSince = createdAt;
  }
}
