/**
 * One tracked resource as the kernel sees it (`Rec`: state, value, owner, dependencies, release
 * functions) and the handle a caller holds (`Handle`). The handle holds only its record and the
 * kernel's one release function: no closure per resource. A record never holds its handle, so a
 * handle dropped without release() can be garbage-collected and reported.
 */
import { redactString } from "../redact.js";
import type { ReleaseContext, ResourceHandle, ResourceOutcome, ResourceState } from "../types.js";
import type { HookResource } from "./hooks.js";

/** A release or force function of a resource. */
export type Release<T> = (value: T, ctx: ReleaseContext) => void | Promise<void>;

/** What a record needs to know of the scope that owns it (a `ScopeImpl`; kept structural so this module imports no scope). */
export interface RecScope {
  readonly name: string;
  readonly recs: Set<Rec>;
}

/** Shared by every resource without dependencies (never mutated). */
export const NO_DEPS: Rec[] = [];

/** Internal record of one tracked resource. Never holds its (GC-tracked) handle. */
export class Rec {
  state: ResourceState;
  value: unknown = undefined;
  /** Live resources that depend on this one; made on first use (most resources have none). */
  dependents: Set<Rec> | undefined = undefined;
  leakFlagged = false;
  stack: string | undefined;
  /** Resolves when creation has finished (either way). */
  ready: Promise<void> | undefined;
  createAbort: AbortController | undefined;
  releasing: Promise<ResourceOutcome | undefined> | undefined;
  /** Cuts the current release phase short (set while a release phase is pending). */
  escalate: (() => void) | undefined;
  /** True once the forced phase has started: the global force point must not cut it short. */
  inForcePhase = false;
  /** The one shared handle of a declared (singleton) resource. */
  sharedHandle: ResourceHandle | undefined;
  scope: RecScope | undefined;

  constructor(
    readonly seq: number,
    readonly id: string,
    readonly type: string,
    readonly name: string | undefined,
    readonly release: Release<unknown>,
    readonly force: Release<unknown> | undefined,
    readonly timeoutMs: number | undefined,
    readonly describe: ((v: unknown) => Record<string, unknown> | undefined) | undefined,
    readonly deps: Rec[],
    readonly acquiredAt: number,
    state: ResourceState,
  ) {
    this.state = state;
    this.shownName = name === undefined ? undefined : redactString(name);
  }

  /** The name as shown in events, snapshots, reports and messages: credentials redacted. */
  readonly shownName: string | undefined;

  info(): HookResource {
    return { id: this.id, type: this.type, name: this.name, value: this.value };
  }

  subject(): string {
    return this.shownName === undefined ? `Resource ${this.id} (${this.type})` : `Resource "${this.shownName}" (${this.type}, ${this.id})`;
  }
}

/** The caller's handle of one resource: a view of its record plus the kernel's release function. */
export class Handle<T> implements ResourceHandle<T> {
  readonly #rec: Rec;
  readonly #release: (rec: Rec) => Promise<ResourceOutcome>;
  constructor(rec: Rec, release: (rec: Rec) => Promise<ResourceOutcome>) {
    this.#rec = rec;
    this.#release = release;
  }
  get id(): string {
    return this.#rec.id;
  }
  get type(): string {
    return this.#rec.type;
  }
  get name(): string | undefined {
    return this.#rec.name;
  }
  get value(): T {
    return this.#rec.value as T;
  }
  get state(): ResourceState {
    return this.#rec.state;
  }
  release(): Promise<ResourceOutcome> {
    return this.#release(this.#rec);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#release(this.#rec);
  }
}
