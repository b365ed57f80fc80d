/**
 * The kernel: tracks every resource (state, age, owner, dependencies) and releases them in
 * dependency order within a hard deadline — graceful first, forced at the budget, abandoned when
 * neither settles, errors aggregated. `features.deadlineCleanup: off` switches to the legacy
 * strategy (sequential, reverse acquisition order, no deadline) for rollback.
 */
import type { Observable } from "rxjs";
import { KernelClosedError, KernelError } from "../errors.js";
import { EventBus } from "../events/EventBus.js";
import { redactString, redactValue } from "../redact.js";
import type { KernelEvent } from "../events/KernelEvent.js";
import type { KernelSettings } from "../config/normalize.js";
import { kAcquireIn, kAdoptIn, kAssertScopeOpen, kCloseScope, ScopeImpl, type Scope, type ScopeHost, type ScopeOptions } from "../scope/Scope.js";
import type { Clock, TimerHandle } from "../time/Clock.js";
import type {
  AcquireSpec,
  AdoptOptions,
  CreateContext,
  CustodianConfig,
  DependencyRef,
  HistoryEntry,
  ReleaseOutcomeKind,
  ResourceHandle,
  ResourceOutcome,
  ResourceSnapshot,
  SnapshotOptions,
  ResourceState,
  ResourceTypeDefinition,
  ShutdownReport,
} from "../types.js";
import { PluginRegistry } from "../registry/PluginRegistry.js";
import { assertTimeoutMs, checkTypeDefinition } from "./checkInput.js";
import { CORE_FEATURES, FeatureRegistry, type Features } from "./Features.js";
import { guardExit } from "./exitGuard.js";
import { createHooks, type KernelHooks } from "./hooks.js";
import type { Kernel as KernelApi, ReportedLeak } from "./KernelApi.js";
import { Handle, Rec, type Release } from "./ResourceRecord.js";
import { emitReportedLeak, LeakTimer } from "./leaks.js";
import { ResourceTable } from "./ResourceTable.js";
import { hasTaps, Releaser } from "./Releaser.js";
import { runShutdownHook, ShutdownForcing, shutdownReport, unreleasedLine } from "./shutdown.js";
import { installSignalHandlers } from "./signals.js";

const noop = (): void => {};
/**
 * The Custodian kernel: the facade that wires the resource table, scopes, the releaser, shutdown
 * and leak detection. Create it with `createKernel()`; callers see it as the `Kernel` interface.
 */
export class Kernel implements KernelApi, ScopeHost {
  /** Lifecycle hooks (tapable), frozen. */
  readonly hooks: KernelHooks;
  /** Resolved feature flags. */
  readonly features: Features;
  /** The injected clock. */
  readonly clock: Clock;
  /** The configuration the kernel was created with (frozen). */
  readonly config: Readonly<CustodianConfig>;
  /**
   * The absolute folder that relative paths resolve against: the loaded config file's folder, or
   * createKernel's `cwd` option (default process.cwd()) for a config object or when no file was
   * found. The loader already resolves config values a schema marks `"x-custodian": "path"`;
   * plugins resolve everything else against it (a module path in a spec, a path in an ad-hoc
   * `acquire()`, a relative option given in code).
   * @example
   *   definePlugin<{ dir?: string }>({ name: "files", apply(kernel, options) { const dir = resolve(kernel.configDir, options.dir ?? ".") } })
   */
  readonly configDir: string;

  /**
   * Aborted when shutdown starts (also when createKernel fails, e.g. a plugin's apply() timed out),
   * with a KernelClosedError as its reason. Plugins pass it to their own long work (a connect, a
   * listen, a poll loop) so that nothing they start outlives the kernel.
   * @example
   *   definePlugin({ name: "server", async apply(kernel) { const server = await listen({ signal: kernel.signal }) } })
   */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  readonly #bus = new EventBus();
  readonly #abort = new AbortController();
  /** Failures of the shutdown hook (taps, its budget, ctx.reportError): they go into the report. */
  readonly #shutdownErrors: unknown[] = [];
  readonly #featureRegistry: FeatureRegistry;
  readonly #settings: KernelSettings;
  readonly #types = new Map<string, ResourceTypeDefinition<any, any>>();
  readonly #table: ResourceTable;
  readonly #live: Map<string, Rec>;
  readonly #byName: Map<string, Rec>;
  #state: "running" | "closing" | "closed" = "running";
  #shutdown: Promise<ShutdownReport> | undefined;
  /** The global hard deadline while closing (Infinity otherwise): releases started then derive from it. */
  #hardAt = Infinity;
  readonly #exit: (code: number) => void;
  readonly #releaser: Releaser;
  readonly #forcing: ShutdownForcing;
  readonly #isLive = (rec: Rec): boolean => this.#live.has(rec.id);
  readonly #finalizer: FinalizationRegistry<string>;
  /** Undefined when no leak threshold is configured. */
  readonly #leaks: LeakTimer | undefined;
  /** @internal */
  readonly plugins: PluginRegistry;

  /** @internal Use createKernel(). */
  constructor(config: CustodianConfig, settings: KernelSettings, clock: Clock, exit: (code: number) => void, configDir: string) {
    this.config = config;
    this.configDir = configDir;
    this.#settings = settings;
    this.clock = clock;
    this.#exit = exit;
    this.#featureRegistry = new FeatureRegistry();
    for (const f of CORE_FEATURES) this.#featureRegistry.declare(f);
    this.features = this.#featureRegistry;
    this.hooks = createHooks((hook, tap, error) => {
      // A shutdown tap that fails leaves work undone (a flush, a final write): the report says so.
      if (hook === "shutdown" && this.#state === "closing") {
        this.#shutdownErrors.push(
          new KernelError("ERR_SHUTDOWN_HOOK_FAILED", `Shutdown tap "${tap}" failed: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          }),
        );
      }
      this.#emit({ type: "hook:error", at: this.clock.now(), hook, tap, error });
    });
    this.plugins = new PluginRegistry(this, (plugin, elapsedMs) => this.#emit({ type: "plugin:applied", at: this.clock.now(), plugin, elapsedMs }));
    this.#table = new ResourceTable(clock, settings, this.#bus);
    this.#live = this.#table.live;
    this.#byName = this.#table.byName;
    this.#releaser = new Releaser(clock, this.hooks, this.#bus, this.#live, settings, (rec, outcome, started, error) =>
      this.#table.finish(rec, outcome, started, error),
    );
    this.#forcing = new ShutdownForcing(clock, this.#live, this.#releaser, this.#bus);
    this.#finalizer = this.#table.finalizer;
    this.#leaks = settings.leakThresholdMs === undefined ? undefined : new LeakTimer(clock, this.#live, settings.leakThresholdMs, this.#bus);
  }

  /** The kernel's event stream (a discriminated union on `type`). Completes after shutdown. */
  get events$(): Observable<KernelEvent> {
    return this.#bus.events$;
  }

  /** "running", "closing" or "closed". */
  get state(): "running" | "closing" | "closed" {
    return this.#state;
  }

  /** @internal Settings after defaults (durations in ms). */
  get settings(): Readonly<KernelSettings> {
    return this.#settings;
  }

  /** @internal */
  get featureRegistry(): FeatureRegistry {
    return this.#featureRegistry;
  }

  /** Emits a plugin-defined event on `events$`. */
  emitPluginEvent(plugin: string, name: string, data: Record<string, unknown> = {}): void {
    if (this.#bus.observed) this.#emit({ type: "plugin:event", at: this.clock.now(), plugin, name, data: redactValue(data) as Record<string, unknown> });
  }

  /**
   * Reports a leak a plugin found (a file handle closed by GC, a socket nobody owns) as a
   * first-class `resource:leak-suspected` event. `id` defaults to the subject's own id when the
   * leaked thing is a tracked resource, else to whatever names it (e.g. "fd:12").
   */
  reportLeak(leak: ReportedLeak): void {
    emitReportedLeak(leak, this.#live, this.clock, this.#bus);
  }

  /** True when `events$` has a subscriber (skip building event payloads otherwise). */
  get observed(): boolean {
    return this.#bus.observed;
  }

  /**
   * Registers a resource type.
   * @throws KernelError ERR_KERNEL_DUPLICATE_TYPE, ERR_KERNEL_INVALID_ARGUMENT
   */
  registerType<T, S = Record<string, unknown>>(type: string, definition: ResourceTypeDefinition<T, S>): void {
    checkTypeDefinition(type, definition, this.#types);
    this.#types.set(type, definition);
  }

  /** True when `type` is registered. */
  hasType(type: string): boolean {
    return this.#types.has(type);
  }

  /** @internal The registered definition of `type`. */
  getType(type: string): ResourceTypeDefinition<any, any> | undefined {
    return this.#types.get(type);
  }

  /** Names of the registered resource types. */
  types(): string[] {
    return [...this.#types.keys()];
  }

  /**
   * Acquires a resource declared in config by name (shared: the same handle while it is live),
   * or creates one from an ad-hoc spec `{ type, name?, dependsOn?, ...options }`.
   * @throws KernelError ERR_KERNEL_CLOSED (at once, after shutdown started), ERR_KERNEL_UNKNOWN_RESOURCE,
   *   ERR_KERNEL_UNKNOWN_TYPE, ERR_KERNEL_ACQUIRE_HOOK
   */
  acquire<T = unknown>(nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>> {
    return this.#acquire<T>(undefined, nameOrSpec);
  }

  /**
   * Tracks a value created elsewhere. Synchronous; the `acquire` hook does not run.
   * @throws KernelError ERR_KERNEL_CLOSED, ERR_KERNEL_UNKNOWN_RESOURCE
   */
  adopt<T>(value: T, options: AdoptOptions<T>): ResourceHandle<T> {
    return this.#adopt(undefined, value, options);
  }

  /** Opens a scope whose resources are released together when it is disposed. */
  scope(name: string, options?: ScopeOptions): Scope {
    this.#assertOpen("open a scope");
    if (options?.timeoutMs !== undefined) assertTimeoutMs(options.timeoutMs, `scope("${name}")`);
    return new ScopeImpl(this, name, options?.timeoutMs, undefined);
  }

  /** Live resources, oldest first. */
  snapshot(options?: SnapshotOptions): ResourceSnapshot[] {
    return this.#table.snapshot(this.clock.now(), options?.types);
  }

  /** Recently released resources (a bounded ring buffer, oldest first). */
  history(): HistoryEntry[] {
    return this.#table.history();
  }

  /**
   * Releases everything within the configured deadline and resolves with the report. Never
   * throws. Idempotent: a second call returns the same promise.
   */
  shutdown(reason = "shutdown"): Promise<ShutdownReport> {
    return (this.#shutdown ??= this.#runShutdown(reason));
  }

  // ---------------------------------------------------------------------------------------------
  // Acquisition

  #assertOpen(operation: string): void {
    if (this.#state !== "running") throw new KernelClosedError(operation);
  }

  /** @internal */
  [kAssertScopeOpen](scope: ScopeImpl, operation: string): void {
    this.#assertOpen(operation);
    if (scope.closed) throw new KernelError("ERR_KERNEL_CLOSED", `Cannot ${operation}: scope "${redactString(scope.name)}" is closed`);
  }

  /** @internal */
  [kAcquireIn]<T>(scope: ScopeImpl, nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>> {
    return this.#acquire<T>(scope, nameOrSpec);
  }

  /** @internal */
  [kAdoptIn]<T>(scope: ScopeImpl, value: T, options: AdoptOptions<T>): ResourceHandle<T> {
    return this.#adopt(scope, value, options);
  }

  async #acquire<T>(scope: ScopeImpl | undefined, nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>> {
    if (this.#state !== "running") throw new KernelClosedError("acquire");
    if (scope !== undefined) this[kAssertScopeOpen](scope, "acquire");
    if (typeof nameOrSpec === "string") return (await this.#acquireDeclared(nameOrSpec)) as ResourceHandle<T>;
    if (nameOrSpec === null || typeof nameOrSpec !== "object" || typeof nameOrSpec.type !== "string") {
      throw new KernelError(
        "ERR_KERNEL_INVALID_ARGUMENT",
        `acquire() takes a declared resource name or a spec { type, name?, dependsOn?, ... }; received ${JSON.stringify(redactValue(nameOrSpec))}`,
      );
    }
    const { type, name, dependsOn, timeoutMs, ...spec } = nameOrSpec;
    if (timeoutMs !== undefined) assertTimeoutMs(timeoutMs, `acquire({ type: "${type}" })`);
    const deps = dependsOn === undefined || dependsOn.length === 0 ? [] : await this.#resolveDeps(dependsOn);
    return this.#create<T>(type, name, spec, deps, timeoutMs, scope, false);
  }

  async #acquireDeclared(name: string): Promise<ResourceHandle> {
    const live = this.#byName.get(name);
    if (live !== undefined) {
      if (live.state === "acquiring") await live.ready;
      if (live.sharedHandle !== undefined && live.state === "active") return live.sharedHandle;
      if (this.#state !== "running") throw new KernelClosedError("acquire");
      if (live.state === "active") {
        throw new KernelError("ERR_KERNEL_INVALID_ARGUMENT", `"${redactString(name)}" names a live resource that was not declared in config; use its handle`);
      }
    }
    const decl = this.#settings.resources[name];
    if (decl === undefined || !Object.hasOwn(this.#settings.resources, name)) {
      throw new KernelError(
        "ERR_KERNEL_UNKNOWN_RESOURCE",
        `No resource named "${redactString(name)}" is declared in config${this.#byName.size + Object.keys(this.#settings.resources).length > 0 ? `; declared: ${Object.keys(this.#settings.resources).join(", ") || "(none)"}` : ""}`,
      );
    }
    const { type, dependsOn, timeout: _timeout, labels: _labels, timeoutMs, ...spec } = decl;
    const deps: Rec[] = [];
    for (const dep of dependsOn ?? []) {
      await this.#acquireDeclared(dep);
      deps.push(this.#byName.get(dep)!);
    }
    return this.#create(type, name, spec, deps, timeoutMs, undefined, true);
  }

  async #resolveDeps(refs: ReadonlyArray<DependencyRef> | undefined): Promise<Rec[]> {
    if (refs === undefined || refs.length === 0) return [];
    const out: Rec[] = [];
    for (const ref of refs) {
      if (typeof ref === "string") {
        const live = this.#byName.get(ref);
        if (live !== undefined) {
          if (live.state === "acquiring") await live.ready;
          // Its creation may have failed meanwhile (or it is being released): never depend on a dead one.
          if (live.state === "active") {
            out.push(live);
            continue;
          }
        }
        if (Object.hasOwn(this.#settings.resources, ref)) {
          await this.#acquireDeclared(ref);
          out.push(this.#byName.get(ref)!);
          continue;
        }
      } else if (ref !== null && typeof ref === "object") {
        const live = this.#live.get(ref.id);
        if (live !== undefined && live.state === "active") {
          out.push(live);
          continue;
        }
      }
      throw new KernelError(
        "ERR_KERNEL_UNKNOWN_RESOURCE",
        `dependsOn: ${typeof ref === "string" ? `"${ref}"` : `resource ${(ref as { id?: string })?.id}`} is not a live or declared resource`,
      );
    }
    return out;
  }

  /** Adds a record to the table and arms the leak timer if none is armed. */
  #addRec(
    type: string,
    name: string | undefined,
    release: Release<unknown>,
    force: Release<unknown> | undefined,
    timeoutMs: number | undefined,
    describe: ((v: unknown) => Record<string, unknown> | undefined) | undefined,
    deps: Rec[],
    scope: ScopeImpl | undefined,
    state: ResourceState,
  ): Rec {
    const rec = this.#table.add(type, name, release, force, timeoutMs, describe, deps, scope, state);
    if (this.#leaks !== undefined && !this.#leaks.armed) this.#leaks.arm();
    return rec;
  }

  #adopt<T>(scope: ScopeImpl | undefined, value: T, options: AdoptOptions<T>): ResourceHandle<T> {
    if (this.#state !== "running") throw new KernelClosedError("adopt");
    if (scope !== undefined) this[kAssertScopeOpen](scope, "adopt");
    if (options === null || typeof options !== "object" || typeof options.type !== "string" || typeof options.release !== "function") {
      throw new KernelError("ERR_KERNEL_INVALID_ARGUMENT", "adopt(value, options): options must include type (string) and release(value, ctx)");
    }
    if (options.timeoutMs !== undefined) assertTimeoutMs(options.timeoutMs, `adopt(value, { type: "${options.type}" })`);
    const deps = this.#table.liveDeps(options.dependsOn);
    const rec = this.#addRec(
      options.type,
      options.name,
      options.release as Release<unknown>,
      options.force as Release<unknown> | undefined,
      options.timeoutMs,
      options.describe as ((v: unknown) => Record<string, unknown> | undefined) | undefined,
      deps,
      scope,
      "active",
    );
    rec.value = value;
    const handle = new Handle<T>(rec, this.#releaseHandle);
    // Unregistered on release: a dead cell left for the GC costs ~4x an unregister.
    this.#finalizer.register(handle, rec.id, rec);
    if (this.#bus.observed) {
      const at = this.clock.now();
      this.#emit({ type: "resource:acquired", at, id: rec.id, resourceType: rec.type, name: rec.shownName, elapsedMs: 0 });
    }
    return handle;
  }

  async #create<T>(
    type: string,
    name: string | undefined,
    spec: Record<string, unknown>,
    deps: Rec[],
    timeoutMs: number | undefined,
    scope: ScopeImpl | undefined,
    shared: boolean,
  ): Promise<ResourceHandle<T>> {
    const def = this.#types.get(type);
    if (def === undefined) {
      throw new KernelError(
        "ERR_KERNEL_UNKNOWN_TYPE",
        `Unknown resource type "${type}"${name ? ` (resource "${redactString(name)}")` : ""}; registered types: ${this.types().join(", ") || "(none)"}. Add the plugin that provides it.`,
      );
    }
    if (typeof def.create !== "function") {
      throw new KernelError(
        "ERR_KERNEL_INVALID_ARGUMENT",
        `Resource type "${type}" has no create(); track values of it with kernel.adopt(value, { type: "${type}", ... })`,
      );
    }
    if (this.#state !== "running") throw new KernelClosedError("acquire");
    // The scope may have closed while dependencies were resolved: its close would never see this one.
    if (scope !== undefined) this[kAssertScopeOpen](scope, "acquire");
    const rec = this.#addRec(
      type,
      name,
      def.release.bind(def) as Release<unknown>,
      def.force === undefined ? undefined : (def.force.bind(def) as Release<unknown>),
      timeoutMs ?? def.timeoutMs,
      def.describe === undefined ? undefined : def.describe.bind(def),
      deps,
      scope,
      "acquiring",
    );
    let markReady!: () => void;
    rec.ready = new Promise<void>((resolve) => (markReady = resolve));
    rec.createAbort = new AbortController();
    const started = this.clock.now();
    this.#emit({ type: "resource:acquiring", at: started, id: rec.id, resourceType: type, name: rec.shownName });
    const dependencies = new Map<string, unknown>();
    for (const d of deps) dependencies.set(d.name ?? d.id, d.value);
    const ctx: CreateContext = { id: rec.id, name, dependencies, signal: rec.createAbort.signal, clock: this.clock };
    try {
      rec.value = await def.create(spec, ctx);
    } catch (error) {
      this.#table.drop(rec, "failed");
      markReady();
      this.#emit({ type: "resource:acquire-failed", at: this.clock.now(), id: rec.id, resourceType: type, name: rec.shownName, error });
      throw error;
    }
    if (hasTaps(this.hooks.acquire)) {
      try {
        await this.hooks.acquire.promise(rec.info());
      } catch (cause) {
        rec.state = "active";
        markReady();
        await this.#releaseHandle(rec);
        throw new KernelError(
          "ERR_KERNEL_ACQUIRE_HOOK",
          `An acquire hook rejected ${rec.subject()}; the resource was released. Cause: ${redactString(cause instanceof Error ? cause.message : String(cause))}`,
          { cause },
        );
      }
    }
    rec.state = "active";
    markReady();
    if (this.#leaks !== undefined && !this.#leaks.armed && this.#state === "running") this.#leaks.arm();
    this.#emit({ type: "resource:acquired", at: this.clock.now(), id: rec.id, resourceType: type, name: rec.shownName, elapsedMs: this.clock.now() - started });
    if (this.#state !== "running") {
      // Shutdown started while creating: the shutdown releases it; the caller must not use it.
      throw new KernelClosedError("acquire");
    }
    // Likewise when its scope closed while creating: the scope's close releases it.
    if (scope !== undefined) this[kAssertScopeOpen](scope, "acquire");
    const handle = new Handle<T>(rec, this.#releaseHandle);
    if (shared) rec.sharedHandle = handle;
    else this.#finalizer.register(handle, rec.id, rec);
    return handle;
  }

  // ---------------------------------------------------------------------------------------------
  // Release

  readonly #releaseHandle = (rec: Rec): Promise<ResourceOutcome> => {
    if (rec.releasing !== undefined) return rec.releasing.then((o) => o ?? this.#outcomeOf(rec));
    if (!this.#legacy() && this.#state === "running" && (rec.dependents === undefined || rec.dependents.size === 0) && rec.state === "active") {
      const budget = rec.timeoutMs ?? this.#settings.releaseTimeoutMs;
      // An active resource always yields an outcome: no extra promise on the hot path.
      return this.#releaser.releaseOne(rec, budget, this.#settings.reserveMs, Infinity, "release") as Promise<ResourceOutcome>;
    }
    return this.#releaseGroup([rec], "release", this.#closingDeadline()).then((outs) => outs.find((o) => o.id === rec.id) ?? this.#outcomeOf(rec));
  };

  /** Releases `recs` and everything live that depends on them (see Releaser.releaseGroup). */
  #releaseGroup(recs: Rec[], reason: string, deadlineAt: number): Promise<ResourceOutcome[]> {
    return this.#releaser.releaseGroup(recs, { reason, deadlineAt, legacy: this.#legacy(), groupOnly: this.#state === "running" });
  }

  /** While shutdown runs, a release or scope close started elsewhere shares the global deadline. */
  #closingDeadline(): number {
    return this.#state === "closing" ? this.#hardAt : Infinity;
  }

  #outcomeOf(rec: Rec): ResourceOutcome {
    const outcome: ReleaseOutcomeKind = rec.state === "released" || rec.state === "forced" || rec.state === "abandoned" ? rec.state : "failed";
    return { id: rec.id, type: rec.type, name: rec.shownName, outcome, elapsedMs: 0 };
  }

  #legacy(): boolean {
    return !this.#featureRegistry.isEnabled("deadlineCleanup");
  }

  /** @internal */
  [kCloseScope](scope: ScopeImpl, parentDeadlineAt: number): Promise<ResourceOutcome[]> {
    const now = this.clock.now();
    const deadline = Math.min(parentDeadlineAt, scope.timeoutMs === undefined ? Infinity : now + scope.timeoutMs, this.#closingDeadline());
    return (async () => {
      const outcomes: ResourceOutcome[] = [];
      // Children were opened later: they close first, within what remains of ours.
      for (const child of [...scope.children].reverse()) outcomes.push(...(await child.close(deadline)));
      outcomes.push(...(await this.#releaseGroup([...scope.recs], "scope", deadline)));
      scope.parent?.children.delete(scope);
      return outcomes;
    })();
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown

  async #runShutdown(reason: string): Promise<ShutdownReport> {
    this.#state = "closing";
    this.#abort.abort(new KernelClosedError("continue"));
    const legacy = this.#legacy();
    const strategy = legacy ? "legacy" : "deadline";
    const start = this.clock.now();
    const deadlineMs = this.#settings.deadlineMs;
    const hardAt = legacy ? Infinity : start + deadlineMs;
    this.#hardAt = hardAt;
    // Process honesty: a hang that holds no handle must not end in a silent exit 0.
    const hold = this.clock.setTimeout(noop, legacy ? 2_147_483_647 : deadlineMs + 1_000, { ref: true });
    // Honesty at the process edge too: process.exit() before the report is done must not read as success.
    const unguard = guardExit(() => unreleasedLine(this.#live, reason));
    this.#leaks?.stop();
    this.#emit({ type: "kernel:shutdown-started", at: start, reason: redactString(reason), strategy, deadlineMs, resources: this.#live.size });
    let timers: TimerHandle[] = [];
    let outcomes: ResourceOutcome[] = [];
    try {
      if (!legacy) timers = this.#forcing.arm(hardAt - this.#settings.reserveMs, hardAt);
      await runShutdownHook(
        {
          hooks: this.hooks,
          clock: this.clock,
          releaser: this.#releaser,
          live: this.#live,
          isLive: this.#isLive,
          bus: this.#bus,
          reserveMs: this.#settings.reserveMs,
          errors: this.#shutdownErrors,
        },
        reason,
        strategy,
        start,
        hardAt,
      );
      outcomes = await this.#releaseGroup([...this.#live.values()], reason, hardAt);
    } catch (error) {
      // The release engine does not throw; if it ever does, the report says so rather than hanging.
      outcomes.push({ id: "kernel", type: "kernel", name: undefined, outcome: "failed", elapsedMs: this.clock.now() - start, error });
    } finally {
      for (const t of timers) this.clock.clearTimeout(t);
      this.#forcing.clear();
      this.clock.clearTimeout(hold);
      unguard();
    }
    const report = shutdownReport({
      strategy,
      reason,
      elapsedMs: this.clock.now() - start,
      deadlineMs: legacy ? Infinity : deadlineMs,
      outcomes,
      hookErrors: this.#shutdownErrors,
    });
    this.#state = "closed";
    this.#releaser.closed = true;
    this.#removeSignalHandlers();
    this.#emit({ type: "kernel:shutdown-completed", at: this.clock.now(), report });
    if (this.#releaser.lateOutstanding === 0) this.#bus.complete();
    return report;
  }

  // ---------------------------------------------------------------------------------------------
  // Signals and events

  /** @internal */
  installSignalHandlers(signals: string[]): void {
    this.#removeSignalHandlers = installSignalHandlers({
      signals,
      exitCode: this.#settings.exitCode,
      report: this.#settings.report,
      onSignal: (signal, count) => this.#emit({ type: "kernel:signal", at: this.clock.now(), signal, count }),
      shutdown: (signal) => this.shutdown(signal),
      forceNow: () => this.#forcing.forceNow(),
      exit: this.#exit,
    });
  }

  #removeSignalHandlers: () => void = noop;

  #emit(event: KernelEvent): void {
    this.#bus.emit(event);
  }
}
