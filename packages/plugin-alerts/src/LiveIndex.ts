/**
 * The live resources as rules see them, kept up to date by kernel events instead of a
 * `kernel.snapshot()` per evaluation: `resource:acquiring` / `acquired` add a resource,
 * `releasing` changes its state, `released` / `acquire-failed` remove it. Per type, resources stay
 * oldest first, in arrays updated in place (a resource joins at the end: it is the youngest), so
 * an evaluation allocates nothing here and only refreshes ages. What events do not carry (describe() details, scope, dependencies) still needs a snapshot:
 * `needsSnapshot(rules)` says when.
 */
import type { Kernel, KernelEvent, ResourceSnapshot, ResourceState } from "@custodian/core";
import type { RuleConfig } from "./schema.js";
import { exactValues, type ResourceView } from "./selector.js";

/** A view whose snapshot part and labels the index updates in place. */
interface LiveView extends ResourceView {
  readonly snap: ResourceSnapshot & { state: ResourceState; ageMs: number };
  labels: Readonly<Record<string, string>>;
}

interface TypeList {
  readonly byId: Map<string, LiveView>;
  readonly list: LiveView[];
}

/** `by` and `select` fields that events carry; anything else needs the snapshot. */
const EVENT_PATHS = new Set(["type", "state", "name", "id", "labels"]);

/**
 * True when some rule reads what only `kernel.snapshot()` provides: a `measure` (describe()
 * details), a `by` path over details, scope or dependencies, or labels that describe() may add.
 */
export function needsSnapshot(rules: readonly RuleConfig[], describedLabels: boolean): boolean {
  return rules.some((r) => ruleNeedsSnapshot(r, describedLabels));
}

function ruleNeedsSnapshot(r: RuleConfig, describedLabels: boolean): boolean {
  if (r.kind === "transitions" || r.kind === "event") return false;
  if ("measure" in r && r.measure !== undefined) return true;
  if (describedLabels && r.select?.labels !== undefined) return true;
  for (const b of r.by ?? []) {
    const head = b.split(".")[0];
    if (!EVENT_PATHS.has(head) || (head === "labels" && describedLabels)) return true;
  }
  return false;
}

/**
 * The resource types whose snapshot the rules need (`kernel.snapshot({ types })`), or undefined
 * when some rule that needs one does not name its types exactly (then every type is needed).
 */
export function snapshotTypes(rules: readonly RuleConfig[], describedLabels: boolean): string[] | undefined {
  const types = new Set<string>();
  for (const r of rules) {
    if (!ruleNeedsSnapshot(r, describedLabels)) continue;
    const exact = "select" in r ? exactValues(r.select?.type) : undefined;
    if (exact === undefined) return undefined;
    for (const t of exact) types.add(t);
  }
  return [...types];
}

export class LiveIndex {
  readonly #types = new Map<string, TypeList>();
  readonly #byId = new Map<string, LiveView>();
  readonly #labelsOf: (name: string | undefined) => Readonly<Record<string, string>>;
  #byType = new Map<string, readonly ResourceView[]>();
  #dirty = true;

  constructor(labelsOf: (name: string | undefined) => Readonly<Record<string, string>>) {
    this.#labelsOf = labelsOf;
  }

  /** Adds what is live now (resources adopted before the plugin subscribed). */
  seed(kernel: Kernel): void {
    for (const s of kernel.snapshot()) if (!this.#byId.has(s.id)) this.#add(s.id, s.type, s.name, s.state, s.acquiredAt);
  }

  /** Applies one kernel event. */
  observe(e: KernelEvent): void {
    switch (e.type) {
      case "resource:acquiring":
        this.#add(e.id, e.resourceType, e.name, "acquiring", e.at);
        return;
      case "resource:acquired": {
        const v = this.#byId.get(e.id);
        if (v === undefined) this.#add(e.id, e.resourceType, e.name, "active", e.at - e.elapsedMs);
        else v.snap.state = "active";
        return;
      }
      case "resource:releasing": {
        const v = this.#byId.get(e.id);
        if (v !== undefined) v.snap.state = "releasing";
        return;
      }
      case "resource:released":
      case "resource:acquire-failed":
        this.#remove(e.id);
        return;
    }
  }

  /** Per type, oldest first, with ages as of `now`. */
  byType(now: number): ReadonlyMap<string, readonly ResourceView[]> {
    if (this.#dirty) {
      const out = new Map<string, readonly ResourceView[]>();
      for (const [type, t] of this.#types) out.set(type, t.list);
      this.#byType = out;
      this.#dirty = false;
    }
    for (const v of this.#byId.values()) v.snap.ageMs = now - v.snap.acquiredAt;
    return this.#byType;
  }

  /**
   * Copies what only a snapshot has (details, labels from details, scope, dependencies) onto the
   * views: the views and per-type arrays are reused, nothing is rebuilt per evaluation.
   */
  refresh(snaps: readonly ResourceSnapshot[]): void {
    for (const s of snaps) {
      let v = this.#byId.get(s.id);
      if (v === undefined) {
        this.#add(s.id, s.type, s.name, s.state, s.acquiredAt);
        v = this.#byId.get(s.id)!;
      }
      const snap = v.snap;
      snap.state = s.state;
      snap.details = s.details;
      snap.scope = s.scope;
      snap.dependsOn = s.dependsOn;
      const detailLabels = s.details?.labels;
      v.labels =
        detailLabels !== null && typeof detailLabels === "object"
          ? { ...this.#labelsOf(s.name), ...(detailLabels as Record<string, string>) }
          : this.#labelsOf(s.name);
    }
  }

  get size(): number {
    return this.#byId.size;
  }

  #add(id: string, type: string, name: string | undefined, state: ResourceState, acquiredAt: number): void {
    const v: LiveView = {
      snap: { id, type, name, state, acquiredAt, ageMs: 0, dependsOn: [], scope: undefined },
      labels: this.#labelsOf(name),
    };
    this.#byId.set(id, v);
    let t = this.#types.get(type);
    if (t === undefined) {
      this.#types.set(type, (t = { byId: new Map(), list: [] }));
      this.#dirty = true;
    }
    t.byId.set(id, v);
    // Events come in time order: the newcomer is the youngest, unless seeded from an older snapshot.
    const last = t.list.length === 0 ? undefined : t.list[t.list.length - 1];
    if (last === undefined || last.snap.acquiredAt <= acquiredAt) t.list.push(v);
    else
      t.list.splice(
        t.list.findIndex((x) => x.snap.acquiredAt > acquiredAt),
        0,
        v,
      );
  }

  #remove(id: string): void {
    const v = this.#byId.get(id);
    if (v === undefined) return;
    this.#byId.delete(id);
    const t = this.#types.get(v.snap.type)!;
    t.byId.delete(id);
    t.list.splice(t.list.lastIndexOf(v), 1);
    if (t.byId.size === 0) {
      this.#types.delete(v.snap.type);
      this.#dirty = true;
    }
  }
}
