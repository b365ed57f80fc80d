/**
 * The live table: every tracked resource by id (in acquisition order) and by name, the bounded
 * history of released ones, and what a snapshot shows. Adding a record and finishing one are the
 * hot path: one record, one outcome object (doubling as the history entry), no closures.
 */
import type { KernelSettings } from "../config/normalize.js";
import { KernelError } from "../errors.js";
import type { EventBus } from "../events/EventBus.js";
import { redactFlat, redactString } from "../redact.js";
import type { Clock } from "../time/Clock.js";
import type { DependencyRef, HistoryEntry, ReleaseOutcomeKind, ResourceOutcome, ResourceSnapshot, ResourceState } from "../types.js";
import { createGcLeakWatch } from "./leaks.js";
import { NO_DEPS, Rec, type RecScope, type Release } from "./ResourceRecord.js";

/** The kernel's live resources and recent history. */
export class ResourceTable {
  /** Live resources by id, in acquisition order. */
  readonly live = new Map<string, Rec>();
  /** Live resources by name (names of live resources are unique). */
  readonly byName = new Map<string, Rec>();
  /** Reports handles garbage-collected without release(); records are unregistered when they finish. */
  readonly finalizer: FinalizationRegistry<string>;
  readonly #clock: Clock;
  readonly #settings: KernelSettings;
  readonly #bus: EventBus;
  readonly #history: HistoryEntry[] = [];
  #historyNext = 0;
  #seq = 0;

  constructor(clock: Clock, settings: KernelSettings, bus: EventBus) {
    this.#clock = clock;
    this.#settings = settings;
    this.#bus = bus;
    this.finalizer = createGcLeakWatch(this.live, clock, bus);
  }

  /**
   * Adds a record (and links it to its dependencies and scope).
   * @throws KernelError ERR_KERNEL_INVALID_ARGUMENT when a live resource already has `name`
   */
  add(
    type: string,
    name: string | undefined,
    release: Release<unknown>,
    force: Release<unknown> | undefined,
    timeoutMs: number | undefined,
    describe: ((v: unknown) => Record<string, unknown> | undefined) | undefined,
    deps: Rec[],
    scope: RecScope | undefined,
    state: ResourceState,
  ): Rec {
    if (name !== undefined && this.byName.has(name)) {
      throw new KernelError("ERR_KERNEL_INVALID_ARGUMENT", `A live resource is already named "${redactString(name)}"; names of live resources are unique`);
    }
    const seq = ++this.#seq;
    const rec = new Rec(seq, "r" + seq, type, name, release, force, timeoutMs, describe, deps, this.#clock.now(), state);
    for (const d of deps) (d.dependents ??= new Set()).add(rec);
    const rate = this.#settings.stackSampleRate;
    if (rate > 0 && (rate >= 1 || Math.random() < rate)) rec.stack = new Error("acquired here").stack;
    this.live.set(rec.id, rec);
    if (name !== undefined) this.byName.set(name, rec);
    if (scope !== undefined) {
      rec.scope = scope;
      scope.recs.add(rec);
    }
    return rec;
  }
  drop(rec: Rec, state: ResourceState): void {
    rec.state = state;
    this.live.delete(rec.id);
    if (rec.name !== undefined && this.byName.get(rec.name) === rec) this.byName.delete(rec.name);
    for (const d of rec.deps) d.dependents?.delete(rec);
    rec.scope?.recs.delete(rec);
    this.finalizer.unregister(rec);
  }
  finish(rec: Rec, outcome: ReleaseOutcomeKind, started: number, error: unknown): ResourceOutcome {
    const now = this.#clock.now();
    this.drop(rec, outcome);
    rec.sharedHandle = undefined;
    // One object serves as the caller's outcome and the history entry: one allocation, not two.
    const result: ResourceOutcome & HistoryEntry = {
      id: rec.id,
      type: rec.type,
      name: rec.shownName,
      outcome,
      elapsedMs: now - started,
      acquiredAt: rec.acquiredAt,
      releasedAt: now,
    };
    if (error !== undefined) result.error = error;
    const size = this.#settings.historySize;
    if (size > 0) {
      if (this.#history.length < size) this.#history.push(result);
      else this.#history[this.#historyNext] = result;
      this.#historyNext = (this.#historyNext + 1) % size;
    }
    if (this.#bus.observed)
      this.#bus.emit({ type: "resource:released", at: now, id: rec.id, resourceType: rec.type, name: rec.shownName, outcome, elapsedMs: now - started, error });
    // Keep the value only as long as something holds it.
    rec.value = undefined;
    return result;
  }
  snapshot(now: number, types?: readonly string[]): ResourceSnapshot[] {
    const out: ResourceSnapshot[] = [];
    const only = types === undefined ? undefined : new Set(types);
    for (const r of this.live.values()) {
      if (only !== undefined && !only.has(r.type)) continue;
      let details: Record<string, unknown> | undefined;
      if (r.describe !== undefined && r.state === "active") {
        try {
          details = redactFlat(r.describe(r.value)) as Record<string, unknown> | undefined;
        } catch (error) {
          details = { error: redactString(error instanceof Error ? error.message : String(error)) };
        }
      }
      const s: ResourceSnapshot = {
        id: r.id,
        type: r.type,
        name: r.shownName,
        state: r.state,
        acquiredAt: r.acquiredAt,
        ageMs: now - r.acquiredAt,
        dependsOn: r.deps.map((d) => d.shownName ?? d.id),
        scope: r.scope === undefined ? undefined : redactString(r.scope.name),
      };
      if (r.stack !== undefined) s.stack = r.stack;
      if (details !== undefined) s.details = details;
      out.push(s);
    }
    return out;
  }
  history(): HistoryEntry[] {
    const n = this.#history.length;
    const ordered = n < this.#settings.historySize ? this.#history : [...this.#history.slice(this.#historyNext), ...this.#history.slice(0, this.#historyNext)];
    return ordered.map(({ id, type, name, outcome, acquiredAt, releasedAt }) => ({ id, type, name, outcome, acquiredAt, releasedAt }));
  }

  /**
   * The live records `refs` name, for adopt() (synchronous: dependencies must be live already).
   * @throws KernelError ERR_KERNEL_UNKNOWN_RESOURCE
   */
  liveDeps(refs: ReadonlyArray<DependencyRef> | undefined): Rec[] {
    if (refs === undefined || refs.length === 0) return NO_DEPS;
    return refs.map((ref) => {
      const live = typeof ref === "string" ? this.byName.get(ref) : ref !== null && typeof ref === "object" ? this.live.get(ref.id) : undefined;
      // "acquiring" stays allowed: an acquire hook may adopt parts of the resource it is creating.
      if (live === undefined || (live.state !== "active" && live.state !== "acquiring")) {
        throw new KernelError(
          "ERR_KERNEL_UNKNOWN_RESOURCE",
          `dependsOn: ${typeof ref === "string" ? `"${ref}"` : `resource ${(ref as { id?: string })?.id}`} is not a live resource (adopt() is synchronous: acquire dependencies first)`,
        );
      }
      return live;
    });
  }
}
