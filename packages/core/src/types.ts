/**
 * Public types of the Custodian kernel: resource types, handles, release contexts, reports
 * and the shape of the configuration object.
 */
import type { Clock } from "./time/Clock.js";
import type { Deadline } from "./scope/Deadline.js";

/** Lifecycle state of a tracked resource. */
export type ResourceState = "acquiring" | "active" | "releasing" | "released" | "failed" | "forced" | "abandoned";

/** How a release ended. */
export type ReleaseOutcomeKind = "released" | "failed" | "forced" | "abandoned";

/** What a resource type's `create` receives besides its spec. */
export interface CreateContext {
  /** Kernel-assigned id of the resource being created. */
  readonly id: string;
  /** Name of the resource (declared name, or the `name` given to acquire/adopt). */
  readonly name: string | undefined;
  /** Values of the resources this one depends on, by name (or id when unnamed). */
  readonly dependencies: ReadonlyMap<string, unknown>;
  /** Aborts when the kernel shuts down while the resource is still being created. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
}

/** What `release` and `force` receive. */
export interface ReleaseContext {
  /** Fires when this release's budget ends; honour it to avoid being abandoned. */
  readonly signal: AbortSignal;
  /** The release budget: `deadline.remainingMs()` is the time left. */
  readonly deadline: Deadline;
  /** Why the resource is released: "release", "scope", "shutdown" or the shutdown reason. */
  readonly reason: string;
  readonly clock: Clock;
}

/**
 * A resource type: how to create, release and force a value. Registered with
 * `kernel.registerType(type, definition)`, usually from a plugin's `apply`.
 */
export interface ResourceTypeDefinition<T = unknown, S = Record<string, unknown>> {
  create?(spec: S, ctx: CreateContext): T | Promise<T>;
  /** Graceful release: flush, drain, close. Should honour `ctx.signal`. */
  release(value: T, ctx: ReleaseContext): void | Promise<void>;
  /** Forced release at the budget: destroy, abort, kill. Optional. */
  force?(value: T, ctx: ReleaseContext): void | Promise<void>;
  /** Default graceful budget for resources of this type. */
  timeoutMs?: number;
  /** JSON Schema of this type's resource spec in resource.config.yaml (checked by the config loader). */
  schema?: Record<string, unknown>;
  /** Extra live details shown in `kernel.snapshot()` (open sockets, handles, ...). */
  describe?(value: T): Record<string, unknown> | undefined;
}

/** Options of `kernel.adopt(value, options)`. */
export interface AdoptOptions<T = unknown> {
  type: string;
  name?: string;
  release: (value: T, ctx: ReleaseContext) => void | Promise<void>;
  force?: (value: T, ctx: ReleaseContext) => void | Promise<void>;
  timeoutMs?: number;
  dependsOn?: ReadonlyArray<DependencyRef>;
  describe?: (value: T) => Record<string, unknown> | undefined;
}

/** Spec for an ad-hoc acquisition: `kernel.acquire({ type, name?, dependsOn?, ...spec })`. */
export interface AcquireSpec {
  type: string;
  name?: string;
  dependsOn?: ReadonlyArray<DependencyRef>;
  timeoutMs?: number;
  [option: string]: unknown;
}

/** A dependency: a resource name, a handle, or a handle id. */
export type DependencyRef = string | { readonly id: string };

/** One resource's line in a release or shutdown report. */
export interface ResourceOutcome {
  id: string;
  type: string;
  name: string | undefined;
  outcome: ReleaseOutcomeKind;
  elapsedMs: number;
  error?: unknown;
}

/** What `kernel.shutdown()` resolves with. It never throws. */
export interface ShutdownReport {
  strategy: "deadline" | "legacy";
  reason: string;
  ok: boolean;
  elapsedMs: number;
  deadlineMs: number;
  outcomes: ResourceOutcome[];
  /**
   * One entry per resource that did not end `released`, then the shutdown hook's errors (a tap that
   * threw, the hook's budget exceeded, what a tap passed to `ctx.reportError`); undefined when `ok`.
   */
  errors: AggregateError | undefined;
}

/** A live resource as shown by `kernel.snapshot()`. */
/** Options of `kernel.snapshot()`. */
export interface SnapshotOptions {
  /** Only resources of these types (all when omitted). */
  readonly types?: readonly string[];
}

export interface ResourceSnapshot {
  id: string;
  type: string;
  name: string | undefined;
  state: ResourceState;
  acquiredAt: number;
  ageMs: number;
  dependsOn: string[];
  scope: string | undefined;
  stack?: string;
  details?: Record<string, unknown>;
}

/** A released resource as kept in the bounded history. */
export interface HistoryEntry {
  id: string;
  type: string;
  name: string | undefined;
  outcome: ReleaseOutcomeKind;
  acquiredAt: number;
  releasedAt: number;
}

/** A handle on a tracked resource. `await using h = await kernel.acquire(...)` releases it. */
export interface ResourceHandle<T = unknown> extends AsyncDisposable {
  readonly id: string;
  readonly type: string;
  readonly name: string | undefined;
  readonly value: T;
  readonly state: ResourceState;
  /** Releases this resource (and, first, anything still live that depends on it). Idempotent. */
  release(): Promise<ResourceOutcome>;
}

/** A resource declared in configuration. */
export interface ResourceDeclaration {
  type: string;
  dependsOn?: string[];
  /** Graceful release budget (duration string or ms). */
  timeout?: string | number;
  /** Labels alert rules select and group by; not passed to the type's `create`. */
  labels?: Record<string, string>;
  [option: string]: unknown;
}

/** The configuration object, shaped like resource.config.yaml. */
export interface CustodianConfig {
  shutdown?: {
    /** Global shutdown deadline. Default "5s". */
    deadline?: string | number;
    /** Part of the deadline kept for the forced phase. Default: 10% of the deadline, at most 1s. */
    reserve?: string | number;
    /** Signals that start shutdown (the first) and force it (the second). Default none. */
    signals?: string[];
    /**
     * Exit code after a signal-initiated shutdown: "zero-on-success" (default) exits 0 when clean and
     * 1 otherwise; "conventional" exits 128 + the signal number (143 for SIGTERM) when clean, 1 otherwise.
     */
    exitCode?: "zero-on-success" | "conventional";
    /** What a signal-initiated shutdown prints on stderr: "summary" (default), "table" or "silent". */
    report?: "silent" | "summary" | "table";
  };
  release?: {
    /** Budget of a single `handle.release()` outside shutdown. Default "5s". */
    defaultTimeout?: string | number;
  };
  features?: Record<string, boolean | "on" | "off">;
  tracking?: {
    /** A resource held longer than this emits `resource:leak-suspected` once. Off by default. */
    leakThreshold?: string | number;
    /** Capture acquisition stacks: false (default), true, or a sample rate in (0, 1]. */
    captureStacks?: boolean | number;
    /** How many released resources the history keeps. Default 1000. */
    historySize?: number;
  };
  resources?: Record<string, ResourceDeclaration>;
  plugins?: unknown[];
  [section: string]: unknown;
}
