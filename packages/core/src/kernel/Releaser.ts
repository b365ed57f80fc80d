/**
 * The releaser: one resource's release runs graceful → forced → abandoned. The graceful phase gets
 * its budget; when it runs out (or the global force point cuts it short) the release is aborted and
 * the type's `force` gets the force window, never past the hard deadline; what settles in neither
 * is abandoned, and its late settling becomes an event, never an unhandled rejection. A group
 * release (a handle with dependents, a scope, shutdown) follows the pure plan of releasePlan.ts.
 * The fast path (an active resource, no release taps, a synchronous release) arms no timer and
 * allocates no promise race.
 */
import { DeadlineExceededError, ReleaseAbandonedError, ReleaseFailedError, ReleaseLateError } from "../errors.js";
import type { EventBus } from "../events/EventBus.js";
import type { KernelEvent } from "../events/KernelEvent.js";
import type { KernelSettings } from "../config/normalize.js";
import { redactString } from "../redact.js";
import { deadlineAt, type Deadline } from "../scope/Deadline.js";
import type { Clock, TimerHandle } from "../time/Clock.js";
import type { ReleaseContext, ReleaseOutcomeKind, ResourceOutcome } from "../types.js";
import type { KernelHooks } from "./hooks.js";
import { chainBelow, closure, groupReserveMs, newestFirst, releaseBudgetMs } from "./releasePlan.js";
import type { Rec } from "./ResourceRecord.js";

/** How a wait on a release phase ended. */
export type Settled = { timeout: true } | { timeout: false; ok: true } | { timeout: false; ok: false; error: unknown };

/** Records the end of a release (drops the resource from the table, writes history, emits). */
export type FinishRelease = (rec: Rec, outcome: ReleaseOutcomeKind, started: number, error: unknown) => ResourceOutcome;

/** How a group is released. */
export interface GroupOptions {
  reason: string;
  /** The group's hard deadline (Infinity: none). */
  deadlineAt: number;
  /** `features.deadlineCleanup: off`: one at a time, reverse acquisition order, no deadline. */
  legacy: boolean;
  /** Outside shutdown: dependencies outside the group stay, so they take no share of the budget. */
  groupOnly: boolean;
}

const noop = (): void => {};
/** A release context whose AbortController is made only when someone asks for the signal. */
export class LazyReleaseContext implements ReleaseContext {
  #ac: AbortController | undefined;
  #deadline: Deadline | undefined;
  readonly #at: number;
  constructor(
    readonly clock: Clock,
    at: number,
    readonly reason: string,
  ) {
    this.#at = at;
  }
  get signal(): AbortSignal {
    return (this.#ac ??= new AbortController()).signal;
  }
  get deadline(): Deadline {
    return (this.#deadline ??= deadlineAt(this.clock, this.#at));
  }
  abort(reason: unknown): void {
    (this.#ac ??= new AbortController()).abort(reason);
  }
}

/** After a second signal, forced work gets this long before it is abandoned (the process exits at 100 ms). */
export const FORCE_NOW_WINDOW_MS = 50;
/** `isUsed()` also counts interceptors, and every hook carries the isolating one: count taps. */
export const hasTaps = (hook: { taps: unknown[] }): boolean => hook.taps.length > 0;
const isPromiseLike = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";

/** Runs releases for one kernel. */
export class Releaser {
  /** True once the kernel forces everything (the global force point, or a second signal). */
  forcing = false;
  /** Resolves at the global force point while shutdown runs: a group stops waiting for dependents then. */
  forceReached: Promise<void> | undefined;
  /** Set when the kernel has closed: the last late settling completes the event stream. */
  closed = false;
  readonly clock: Clock;
  readonly hooks: KernelHooks;
  readonly #bus: EventBus;
  readonly #live: ReadonlyMap<string, Rec>;
  readonly #settings: KernelSettings;
  readonly #finish: FinishRelease;
  readonly #isLive = (rec: Rec): boolean => this.#live.has(rec.id);
  /** Abandoned releases still pending: events$ completes once they have settled too. */
  #lateOutstanding = 0;

  constructor(clock: Clock, hooks: KernelHooks, bus: EventBus, live: ReadonlyMap<string, Rec>, settings: KernelSettings, finish: FinishRelease) {
    this.clock = clock;
    this.hooks = hooks;
    this.#bus = bus;
    this.#live = live;
    this.#settings = settings;
    this.#finish = finish;
  }

  /** Abandoned releases whose promise has not settled yet. */
  get lateOutstanding(): number {
    return this.#lateOutstanding;
  }

  /**
   * Releases `recs` and everything live that depends on them: dependents first, independent
   * resources in parallel, started in reverse acquisition order. Each release gets
   * min(its timeout, its share of what remains before the group's force point).
   */
  async releaseGroup(recs: Rec[], opts: GroupOptions): Promise<ResourceOutcome[]> {
    if (opts.legacy) return this.#releaseLegacy(recs, opts.reason);
    const hardAt = opts.deadlineAt;
    const reserve = groupReserveMs(hardAt, this.clock.now(), this.#settings.reserveMs);
    const forceAt = hardAt - reserve;
    const memo = new Map<Rec, Promise<ResourceOutcome | undefined>>();
    const chains = new Map<Rec, number>();
    // Outside shutdown, dependencies outside this group stay and take no share; during shutdown
    // every live dependency is released after this group, so each level keeps its share.
    const members = opts.groupOnly ? closure(recs) : undefined;
    const run = (rec: Rec): Promise<ResourceOutcome | undefined> => {
      let p = memo.get(rec);
      if (p !== undefined) return p;
      p = (async () => {
        const dependents = rec.dependents === undefined ? [] : [...rec.dependents];
        if (dependents.length > 0) {
          const all = Promise.all(dependents.map(run));
          await (this.forceReached === undefined ? all : Promise.race([all, this.forceReached]));
        }
        const budget = releaseBudgetMs({
          timeoutMs: rec.timeoutMs,
          forceAt,
          now: this.clock.now(),
          chainBelow: Number.isFinite(forceAt) && !this.forcing ? chainBelow(rec, chains, this.#isLive, members) : 0,
          releaseTimeoutMs: this.#settings.releaseTimeoutMs,
          forcing: this.forcing,
        });
        return this.releaseOne(rec, budget, reserve, hardAt, opts.reason);
      })();
      memo.set(rec, p);
      return p;
    };
    const ordered = newestFirst(recs);
    await Promise.all(ordered.map(run));
    // Dependents released along the way are reported too; newest first, as teardown reads.
    const out: Array<[number, ResourceOutcome]> = [];
    for (const [rec, p] of memo) {
      const o = await p;
      if (o !== undefined) out.push([rec.seq, o]);
    }
    return out.sort((a, b) => b[0] - a[0]).map(([, o]) => o);
  }

  /** Legacy cleanup: one at a time, reverse acquisition order, no deadline. */
  async #releaseLegacy(recs: Rec[], reason: string): Promise<ResourceOutcome[]> {
    const out: ResourceOutcome[] = [];
    const ordered = newestFirst(closure(recs));
    for (let i = 0; i < ordered.length; i++) {
      if (this.forcing) {
        // Second signal: what is left is forced at once, in parallel, each within the backstop window.
        const rest = await Promise.all(ordered.slice(i).map((r) => this.releaseOne(r, 0, FORCE_NOW_WINDOW_MS, Infinity, reason)));
        for (const o of rest) if (o !== undefined) out.push(o);
        break;
      }
      const o = await this.releaseOne(ordered[i], Infinity, Infinity, Infinity, reason);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  /**
   * Waits for `p` up to `ms` on the kernel clock; `rec.escalate` ends the wait early. The timer is
   * ref'd: someone awaits this release (a caller, a scope, shutdown), and a hung release that
   * holds no handle must still end at its budget, not in an early exit of the process. It is
   * cleared as soon as the wait ends.
   */
  within(p: PromiseLike<unknown>, ms: number, rec: Rec): Promise<Settled> {
    return new Promise<Settled>((resolve) => {
      let done = false;
      let timer: TimerHandle | undefined;
      const finish = (s: Settled): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) this.clock.clearTimeout(timer);
        rec.escalate = undefined;
        resolve(s);
      };
      if (Number.isFinite(ms)) timer = this.clock.setTimeout(() => finish({ timeout: true }), ms, { ref: true });
      rec.escalate = () => finish({ timeout: true });
      p.then(
        () => finish({ timeout: false, ok: true }),
        (error: unknown) => finish({ timeout: false, ok: false, error }),
      );
    });
  }

  /**
   * Releases one resource: graceful within `budgetMs`, then abort + force within `forceWindowMs`
   * (never past `hardAt`), else abandoned. Memoised: a second call returns the same promise.
   */
  releaseOne(rec: Rec, budgetMs: number, forceWindowMs: number, hardAt: number, reason: string): Promise<ResourceOutcome | undefined> {
    if (rec.releasing !== undefined) return rec.releasing;
    if (rec.state === "active" && !hasTaps(this.hooks.release)) {
      // Fast path: a synchronous release needs no timer, no promise race, no AbortController.
      const started = this.clock.now();
      const ctx = new LazyReleaseContext(this.clock, started + budgetMs, reason);
      if (this.#bus.observed) {
        rec.state = "releasing";
        this.#announce(rec, started, budgetMs, reason);
      }
      let result: unknown;
      try {
        result = rec.release(rec.value, ctx);
      } catch (error) {
        return (rec.releasing = Promise.resolve(this.#finish(rec, "failed", started, new ReleaseFailedError(rec.subject(), error))));
      }
      if (!isPromiseLike(result)) return (rec.releasing = Promise.resolve(this.#settledOk(rec, started, budgetMs)));
      return (rec.releasing = this.#releaseSlow(rec, budgetMs, forceWindowMs, hardAt, reason, ctx, started, result));
    }
    return (rec.releasing = this.#releaseSlow(rec, budgetMs, forceWindowMs, hardAt, reason, undefined, this.clock.now(), undefined));
  }

  /** Emits `resource:releasing` (once per release: the fast path or the slow one). */
  #announce(rec: Rec, started: number, budgetMs: number, reason: string): void {
    this.#bus.emit({
      type: "resource:releasing",
      at: started,
      id: rec.id,
      resourceType: rec.type,
      name: rec.shownName,
      budgetMs,
      reason: redactString(reason),
    });
  }

  async #releaseSlow(
    rec: Rec,
    budgetMs: number,
    forceWindowMs: number,
    hardAt: number,
    reason: string,
    givenCtx: LazyReleaseContext | undefined,
    started: number,
    pending: PromiseLike<unknown> | undefined,
  ): Promise<ResourceOutcome | undefined> {
    const budgetEnd = started + budgetMs;
    if (rec.state === "acquiring") {
      const s = await this.within(rec.ready!, budgetMs, rec);
      if (s.timeout) {
        rec.createAbort?.abort(new DeadlineExceededError(`Creating ${rec.subject()}`, budgetMs));
        const error = new ReleaseAbandonedError(`${rec.subject()} (still being created)`);
        rec.ready!.then(() => {
          // Created after all: release it in the background, observed, never unhandled.
          if (rec.state === "acquiring" || rec.state === "active")
            this.#observeLate(
              rec,
              Promise.resolve().then(() => rec.release(rec.value, new LazyReleaseContext(this.clock, Infinity, "late"))),
            );
        }, noop);
        return this.#finish(rec, "abandoned", started, error);
      }
      if (!this.#live.has(rec.id)) return undefined; // creation failed: nothing to release
    }
    const ctx = givenCtx ?? new LazyReleaseContext(this.clock, budgetEnd, reason);
    rec.state = "releasing";
    // A release that began on the fast path has announced itself already.
    if (pending === undefined) this.#announce(rec, started, budgetMs, ctx.reason);
    let work: Promise<unknown>;
    if (pending !== undefined) {
      work = Promise.resolve(pending);
    } else {
      work = (async () => {
        if (hasTaps(this.hooks.release)) await this.hooks.release.promise(rec.info(), ctx);
        await rec.release(rec.value, ctx);
      })();
    }
    const remaining = Math.max(0, budgetEnd - this.clock.now());
    const first = await this.within(work, remaining, rec);
    if (!first.timeout) {
      return first.ok ? this.#settledOk(rec, started, budgetMs) : this.#finish(rec, "failed", started, new ReleaseFailedError(rec.subject(), first.error));
    }
    // Budget over (or escalated): abort, force, and give the force its window.
    rec.inForcePhase = true;
    const elapsed = this.clock.now() - started;
    const exceeded = new DeadlineExceededError(`Releasing ${rec.subject()}`, elapsed);
    ctx.abort(exceeded);
    this.#bus.emit({ type: "kernel:deadline-exceeded", at: this.clock.now(), scope: "resource", id: rec.id, resourceType: rec.type, name: rec.shownName });
    this.callDeadlineHook({ scope: "resource", resource: rec.info(), outstanding: 1 });
    const forceWork: Promise<unknown> = rec.force === undefined ? work : Promise.resolve().then(() => rec.force!(rec.value, ctx));
    const window = Math.max(0, Math.min(forceWindowMs, hardAt - this.clock.now()));
    const second = this.forcing && window === 0 ? ({ timeout: true } as Settled) : await this.within(forceWork, window, rec);
    if (!second.timeout) {
      if (!second.ok && rec.force !== undefined) {
        this.#observeLate(rec, work);
        return this.#finish(rec, "failed", started, new ReleaseFailedError(`${rec.subject()} (force)`, second.error));
      }
      if (rec.force !== undefined) this.#observeLate(rec, work);
      return this.#finish(rec, "forced", started, exceeded);
    }
    this.#observeLate(rec, work);
    if (rec.force !== undefined) this.#observeLate(rec, forceWork);
    return this.#finish(rec, "abandoned", started, new ReleaseAbandonedError(rec.subject(), { cause: exceeded }));
  }

  /**
   * A graceful release settled: `released` only when the clock, read now, is within its budget. A
   * release that blocked the event loop past it (or whose promise settled before the budget timer
   * could fire) is failed with ERR_RELEASE_LATE.
   */
  #settledOk(rec: Rec, started: number, budgetMs: number): ResourceOutcome {
    const elapsed = this.clock.now() - started;
    if (elapsed <= budgetMs) return this.#finish(rec, "released", started, undefined);
    return this.#finish(rec, "failed", started, new ReleaseLateError(rec.subject(), budgetMs, elapsed));
  }

  /** Watches an abandoned promise: its late settling becomes an event, never an unhandled rejection. */
  #observeLate(rec: Rec, p: Promise<unknown>): void {
    this.#lateOutstanding++;
    const settled = (event: KernelEvent): void => {
      this.#bus.emit(event);
      if (--this.#lateOutstanding === 0 && this.closed) this.#bus.complete();
    };
    p.then(
      () => settled({ type: "resource:settled-late", at: this.clock.now(), id: rec.id, resourceType: rec.type, name: rec.shownName, settled: "fulfilled" }),
      (error: unknown) =>
        settled({ type: "resource:settled-late", at: this.clock.now(), id: rec.id, resourceType: rec.type, name: rec.shownName, settled: "rejected", error }),
    );
  }

  callDeadlineHook(ctx: Parameters<KernelHooks["deadline"]["promise"]>[0]): void {
    if (!hasTaps(this.hooks.deadline)) return;
    this.hooks.deadline.promise(ctx).catch((error: unknown) => this.#bus.emit({ type: "hook:error", at: this.clock.now(), hook: "deadline", tap: "?", error }));
  }
}
