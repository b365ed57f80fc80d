/**
 * What a pool tells its users: the events it emits, its counters and gauges, and the report
 * `close()` resolves with. Types only.
 */
import type { BreakerState } from "./Breaker.js";
import type { PoolStatsSnapshot } from "./errors.js";

/** Counters and gauges of a pool. */
export interface PoolStats extends PoolStatsSnapshot {
  created: number;
  destroyed: number;
  acquired: number;
  timedOut: number;
  rejectedFull: number;
  createFailures: number;
  validationFailures: number;
  createBreaker: BreakerState | "disabled";
  closed: boolean;
}

/** Every event a pool emits (through `pool.on(listener)`). */
export type PoolEvent =
  | { type: "resource:created"; pool: string; at: number; elapsedMs: number }
  | { type: "resource:create-failed"; pool: string; at: number; error: unknown; attempt: number; retryInMs: number | undefined }
  | { type: "resource:destroyed"; pool: string; at: number; reason: DestroyReason }
  | { type: "resource:destroy-failed"; pool: string; at: number; reason: DestroyReason; error: unknown }
  | { type: "resource:validation-failed"; pool: string; at: number; error?: unknown }
  | { type: "release:ignored"; pool: string; at: number; reason: "not-borrowed" | "unknown" }
  | { type: "leak:suspected"; pool: string; at: number; heldMs: number; stack: string | undefined }
  | { type: "leak:returned"; pool: string; at: number; heldMs: number }
  | { type: "breaker:state-changed"; pool: string; at: number; from: BreakerState; to: BreakerState; cause?: unknown }
  | { type: "acquire:timed-out"; pool: string; at: number; waitedMs: number };

export type DestroyReason = "idle" | "lifetime" | "invalid" | "refresh" | "requested" | "close" | "forced" | "late";

/** What `close()` resolves with. */
export interface PoolCloseReport {
  pool: string;
  elapsedMs: number;
  /** Resources destroyed gracefully (idle at close, or returned before the deadline). */
  destroyed: number;
  /** Borrowed resources still out at the deadline and destroyed by force. */
  forced: Array<{ heldMs: number; stack: string | undefined }>;
  /** Waiters rejected with ERR_POOL_CLOSED. */
  rejectedWaiters: number;
  /** destroy() errors and timeouts. */
  errors: unknown[];
  /** True when nothing was forced and no destroy failed. */
  ok: boolean;
}
