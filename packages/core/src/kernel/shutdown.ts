/**
 * The pieces of a kernel shutdown: the global force point and hard deadline (and a second signal's
 * "force everything now"), the shutdown hook run within its budget, the report, and the line
 * written to stderr when the process exits mid-shutdown. The kernel's `shutdown()` sequences them.
 */
import { DeadlineExceededError, KernelError } from "../errors.js";
import type { EventBus } from "../events/EventBus.js";
import { redactString } from "../redact.js";
import { deadlineAt } from "../scope/Deadline.js";
import type { Clock, TimerHandle } from "../time/Clock.js";
import type { ResourceOutcome, ShutdownReport } from "../types.js";
import type { KernelHooks, ShutdownContext } from "./hooks.js";
import { FORCE_NOW_WINDOW_MS, hasTaps, type Releaser } from "./Releaser.js";
import { newestFirst, shutdownHookBudgetMs } from "./releasePlan.js";
import { Rec } from "./ResourceRecord.js";

const noop = (): void => {};

/**
 * When the kernel stops waiting: at the force point every graceful release still pending is cut
 * short (forced); at the hard deadline whatever is still pending is abandoned. A second signal
 * forces everything at once and abandons what is left after FORCE_NOW_WINDOW_MS.
 */
export class ShutdownForcing {
  readonly #clock: Clock;
  readonly #live: ReadonlyMap<string, Rec>;
  readonly #releaser: Releaser;
  readonly #bus: EventBus;
  #forcePoint: (() => void) | undefined;
  #forceNowTimer: TimerHandle | undefined;

  constructor(clock: Clock, live: ReadonlyMap<string, Rec>, releaser: Releaser, bus: EventBus) {
    this.#clock = clock;
    this.#live = live;
    this.#releaser = releaser;
    this.#bus = bus;
  }

  /** Arms the force point and the hard deadline; returns their timers (cleared by the caller). */
  arm(forceAt: number, hardAt: number): TimerHandle[] {
    this.#releaser.forceReached = new Promise<void>((resolve) => {
      this.#forcePoint = () => {
        if (this.#releaser.forcing) return;
        this.#releaser.forcing = true;
        resolve();
        const outstanding = [...this.#live.values()].filter((r) => r.state !== "released");
        if (outstanding.length > 0) {
          this.#bus.emit({ type: "kernel:deadline-exceeded", at: this.#clock.now(), scope: "global", outstanding: outstanding.length });
          this.#releaser.callDeadlineHook({ scope: "global", outstanding: outstanding.length });
        }
        // A resource already forcing keeps its force window (only the hard deadline cuts it).
        for (const r of outstanding) if (!r.inForcePhase) r.escalate?.();
      };
    });
    return [
      this.#clock.setTimeout(() => this.#forcePoint?.(), Math.max(0, forceAt - this.#clock.now())),
      this.#clock.setTimeout(() => this.abandonAll(), Math.max(0, hardAt - this.#clock.now())),
    ];
  }

  /** At the hard deadline: whatever is still pending is abandoned now. */
  abandonAll(): void {
    this.#forcePoint?.();
    for (const r of this.#live.values()) r.escalate?.();
  }

  /** Second signal: force everything at once. */
  forceNow(): void {
    this.#forcePoint?.();
    // The legacy strategy has no force point: this is what makes its remaining releases force too.
    this.#releaser.forcing = true;
    for (const r of this.#live.values()) r.escalate?.();
    this.#clock.clearTimeout(this.#forceNowTimer);
    this.#forceNowTimer = this.#clock.setTimeout(() => this.abandonAll(), FORCE_NOW_WINDOW_MS);
  }

  /** Shutdown ended: the second signal's backstop is no longer needed. */
  clear(): void {
    this.#clock.clearTimeout(this.#forceNowTimer);
  }
}

/** What a shutdown hook run needs. */
export interface ShutdownHookRun {
  hooks: KernelHooks;
  clock: Clock;
  releaser: Releaser;
  live: ReadonlyMap<string, Rec>;
  isLive: (rec: Rec) => boolean;
  bus: EventBus;
  reserveMs: number;
  /** Where failures go (they end up in the report). */
  errors: unknown[];
}

/**
 * Runs the `shutdown` hook within its budget (the share of one dependency level); on timeout its
 * signal is aborted and the failure goes into the report.
 */
export async function runShutdownHook(run: ShutdownHookRun, reason: string, strategy: "deadline" | "legacy", start: number, hardAt: number): Promise<void> {
  if (!hasTaps(run.hooks.shutdown)) return;
  const ac = new AbortController();
  // Plugins get the share of one dependency level of what remains before the force point.
  const budget = strategy === "legacy" ? Infinity : shutdownHookBudgetMs(run.live.values(), run.isLive, hardAt, run.reserveMs, start);
  const ctx: ShutdownContext = {
    reason,
    strategy,
    signal: ac.signal,
    deadline: deadlineAt(run.clock, start + budget),
    reportError: (error: unknown) => void run.errors.push(error instanceof Error ? error : new KernelError("ERR_SHUTDOWN_HOOK_FAILED", String(error))),
  };
  const dummy = new Rec(0, "shutdown-hook", "hook", undefined, noop, undefined, undefined, undefined, [], start, "releasing");
  const s = await run.releaser.within(run.hooks.shutdown.promise(ctx), budget, dummy);
  if (s.timeout) {
    const error = new DeadlineExceededError("The shutdown hook", budget);
    ac.abort(error);
    run.errors.push(error);
    run.bus.emit({ type: "hook:error", at: run.clock.now(), hook: "shutdown", tap: "*", error });
  }
}

/** The shutdown report: every outcome, and every failure (resources, then hook errors) aggregated. */
export function shutdownReport(p: {
  strategy: "deadline" | "legacy";
  reason: string;
  elapsedMs: number;
  deadlineMs: number;
  outcomes: ResourceOutcome[];
  hookErrors: readonly unknown[];
}): ShutdownReport {
  const { outcomes, hookErrors } = p;
  const failed = outcomes.filter((o) => o.outcome !== "released").map((o) => o.error ?? new KernelError("ERR_RELEASE_FAILED", `${o.id} ended ${o.outcome}`));
  const errors = [...failed, ...hookErrors];
  const summary = [
    failed.length > 0 ? `${failed.length} of ${outcomes.length} resources did not release cleanly` : "",
    hookErrors.length > 0 ? `${hookErrors.length} shutdown hook error(s)` : "",
  ]
    .filter((x) => x !== "")
    .join("; ");
  return {
    strategy: p.strategy,
    reason: redactString(p.reason),
    ok: errors.length === 0,
    elapsedMs: p.elapsedMs,
    deadlineMs: p.deadlineMs,
    outcomes,
    errors: errors.length === 0 ? undefined : new AggregateError(errors, summary),
  };
}

/** What `process.exit()` during this shutdown leaves behind, for stderr ("" when nothing). */
export function unreleasedLine(live: ReadonlyMap<string, Rec>, reason: string): string {
  const left = newestFirst(live.values());
  if (left.length === 0) return "";
  return `custodian: the process exited while shutdown ("${redactString(reason)}") was running; not released: ${left.map((r) => r.subject()).join(", ")}`;
}
