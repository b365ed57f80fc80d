/**
 * What the page shows, kept in the process: a rolling time series of live resources by type and
 * state, the live resources themselves (redacted), pools, breakers, alerts, suspected leaks and —
 * once shutdown starts — each resource's outcome as it settles. Fed by `kernel.events$` and
 * `kernel.snapshot()`; sampled on the kernel's clock so tests drive it with a ManualClock.
 */
import { redactValue, type Kernel, type KernelEvent, type ReleaseOutcomeKind, type ResourceSnapshot, type TimerHandle } from "@custodian/core";

/** Bounds what one value can ship to the browser: a resource's `details` never carry a whole object graph. */
const SHOWN_LIMITS = { maxDepth: 4, maxKeys: 40, maxItems: 40, maxString: 2_000 } as const;
/** A value as the page shows it: redacted by core's one redaction module, size bounded. */
const redact = (value: unknown): unknown => redactValue(value, [], SHOWN_LIMITS);
/** A string as the page shows it: redacted, length bounded. */
const redactString = (text: string): string => redactValue(text, [], SHOWN_LIMITS) as string;

/** One point of the time series: live resources by type and by state at time `t`. */
export interface Sample {
  t: number;
  byType: Record<string, number>;
  byState: Record<string, number>;
}

/** A live resource as shown on the page. */
export interface ResourceView {
  id: string;
  type: string;
  name: string | undefined;
  state: string;
  acquiredAt: number;
  ageMs: number;
  scope: string | undefined;
  /** Ids of the live resources this one depends on (names resolved). */
  dependsOn: string[];
  stack?: string;
  details?: unknown;
  /** Set when the kernel suspected a leak: "held-too-long", "garbage-collected", ... */
  leak?: string;
  /** True for the dashboard's own server. */
  self?: boolean;
}

/** A pool, read from a resource's `details` ({ size, borrowed, idle, pending, max }). */
export interface PoolView {
  id: string;
  name: string | undefined;
  type: string;
  size?: number;
  borrowed?: number;
  idle?: number;
  pending?: number;
  max?: number;
}

/** A circuit breaker's last transition, from `plugin:event` pool/breaker:state. */
export interface BreakerView {
  key: string;
  state: string;
  from: string | undefined;
  at: number;
  transitions: number;
}

/** An alert, from `plugin:event` alerts/alert:state. */
export interface AlertView {
  name: string;
  state: string;
  labels: unknown;
  value: unknown;
  since: number;
}

/** One settled resource during shutdown. */
export interface OutcomeView {
  id: string;
  type: string;
  name: string | undefined;
  outcome: ReleaseOutcomeKind;
  elapsedMs: number;
  /** When it settled, in ms since shutdown started. */
  atMs: number;
  /** When its release started, in ms since shutdown started (undefined when it never started). */
  startMs?: number;
  /** The budget its graceful release was given. */
  budgetMs?: number;
  error?: unknown;
}

/** Shutdown as it happens. */
export interface ShutdownView {
  startedAt: number;
  reason: string;
  strategy: "deadline" | "legacy";
  deadlineMs: number;
  /** The resources live when shutdown started (besides the dashboard itself). */
  resources: Array<{ id: string; type: string; name: string | undefined }>;
  /** Releases under way: id → { atMs, budgetMs }. */
  releasing: Record<string, { atMs: number; budgetMs: number }>;
  /** The first 1,000 outcomes; `moreOutcomes` counts the rest. */
  outcomes: OutcomeView[];
  moreOutcomes: number;
  /** Ms since start when the global force point passed with work outstanding. */
  deadlineExceededAtMs?: number;
  /** True once every resource but the dashboard has settled. */
  settled: boolean;
}

/** A kernel event as shown in the page's log (redacted). */
export interface EventView {
  at: number;
  type: string;
  text: string;
  data?: unknown;
}

/** Everything the page renders, pushed as one JSON message. */
export interface DashboardState {
  now: number;
  pid: number;
  kernelState: "running" | "closing" | "closed";
  windowMs: number;
  sampleMs: number;
  total: number;
  counts: { byType: Record<string, Record<string, number>>; byState: Record<string, number> };
  /** Oldest first, at most `maxResources`. */
  resources: ResourceView[];
  leaks: Array<{ id: string; type: string; name: string | undefined; reason: string; ageMs: number; at: number }>;
  pools: PoolView[];
  breakers: BreakerView[];
  alerts: AlertView[];
  released: Record<string, number>;
  shutdown: ShutdownView | undefined;
  /** The newest sample; the page appends it to its series. */
  sample: Sample | undefined;
  /** The whole series (first message only). */
  series?: Sample[];
  /** The newest events (first message only; later ones arrive one by one). */
  events?: EventView[];
}

export interface DashboardModelOptions {
  windowMs: number;
  sampleMs: number;
  maxResources: number;
  /** The id of the dashboard's own resource, once adopted. */
  selfId(): string | undefined;
}

const POOL_KEYS = ["size", "borrowed", "idle", "pending", "max"] as const;
const MAX_EVENTS = 200;
/** Breakers and alerts are keyed by whatever plugins send: keep the most recent ones only. */
const MAX_KEYED = 500;
const MAX_OUTCOMES = 1_000;

/** @internal Collects the dashboard's state from a kernel; `onChange` fires on every kernel event. */
export class DashboardModel {
  readonly #kernel: Kernel;
  readonly #opts: DashboardModelOptions;
  readonly #series: Sample[] = [];
  readonly #events: KernelEvent[] = [];
  #eventsNext = 0;
  readonly #leaks = new Map<string, { reason: string; at: number; ageMs: number }>();
  readonly #breakers = new Map<string, BreakerView>();
  readonly #alerts = new Map<string, AlertView>();
  readonly #released: Record<string, number> = { released: 0, failed: 0, forced: 0, abandoned: 0 };
  readonly #listeners = new Set<(kind: "event" | "sample", event?: KernelEvent) => void>();
  #shutdown: ShutdownView | undefined;
  #settledWaiters: Array<() => void> = [];
  #timer: TimerHandle | undefined;
  #unsubscribe: (() => void) | undefined;
  #pendingShutdownIds = new Set<string>();

  constructor(kernel: Kernel, opts: DashboardModelOptions) {
    this.#kernel = kernel;
    this.#opts = opts;
  }

  /** Subscribes to the kernel and starts sampling. */
  start(): void {
    const sub = this.#kernel.events$.subscribe({ next: (e) => this.#onEvent(e) });
    this.#unsubscribe = () => sub.unsubscribe();
    this.#takeSample();
  }

  /** Unsubscribes and stops the sample timer. Idempotent. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#kernel.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wakeSettled();
  }

  /** Calls `fn` after each kernel event and each sample. Returns the unsubscribe function. */
  onChange(fn: (kind: "event" | "sample", event?: KernelEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get series(): readonly Sample[] {
    return this.#series;
  }

  get shutdown(): ShutdownView | undefined {
    return this.#shutdown;
  }

  /**
   * Resolves when shutdown has started and every resource live at its start (but the dashboard)
   * has settled, or when `signal` aborts.
   */
  whenOthersSettled(signal?: AbortSignal): Promise<void> {
    if (this.#othersSettled() || signal?.aborted === true) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal?.removeEventListener("abort", done);
        this.#settledWaiters = this.#settledWaiters.filter((w) => w !== done);
        resolve();
      };
      signal?.addEventListener("abort", done, { once: true });
      this.#settledWaiters.push(done);
    });
  }

  /** The current state; `full` adds the whole series and the recent events. */
  state(full: boolean): DashboardState {
    const snap = this.#kernel.snapshot();
    const now = this.#kernel.clock.now();
    const selfId = this.#opts.selfId();
    const byType: Record<string, Record<string, number>> = {};
    const byState: Record<string, number> = {};
    const idOf = new Map<string, string>();
    for (const r of snap) {
      (byType[r.type] ??= {})[r.state] = (byType[r.type][r.state] ?? 0) + 1;
      byState[r.state] = (byState[r.state] ?? 0) + 1;
      idOf.set(r.id, r.id);
      if (r.name !== undefined) idOf.set(r.name, r.id);
    }
    const pools: PoolView[] = [];
    const resources: ResourceView[] = [];
    for (const r of snap) {
      const pool = poolOf(r);
      if (pool !== undefined) pools.push(pool);
      if (resources.length >= this.#opts.maxResources) continue;
      const view: ResourceView = {
        id: r.id,
        type: r.type,
        name: r.name === undefined ? undefined : redactString(r.name),
        state: r.state,
        acquiredAt: r.acquiredAt,
        ageMs: r.ageMs,
        scope: r.scope,
        dependsOn: r.dependsOn.map((d) => idOf.get(d) ?? d),
      };
      if (r.stack !== undefined) view.stack = redactString(trimStack(r.stack));
      if (r.details !== undefined) view.details = redact(r.details);
      const leak = this.#leaks.get(r.id);
      if (leak !== undefined) view.leak = leak.reason;
      if (r.id === selfId) view.self = true;
      resources.push(view);
    }
    const live = new Set(snap.map((r) => r.id));
    const leaks = [...this.#leaks]
      .filter(([id]) => live.has(id))
      .map(([id, l]) => {
        const r = snap.find((s) => s.id === id)!;
        return { id, type: r.type, name: r.name === undefined ? undefined : redactString(r.name), reason: l.reason, ageMs: r.ageMs, at: l.at };
      });
    const state: DashboardState = {
      now,
      pid: process.pid,
      kernelState: this.#kernel.state,
      windowMs: this.#opts.windowMs,
      sampleMs: this.#opts.sampleMs,
      total: snap.length,
      counts: { byType, byState },
      resources,
      leaks,
      pools,
      breakers: [...this.#breakers.values()],
      alerts: [...this.#alerts.values()].filter((a) => a.state === "firing" || a.state === "pending"),
      released: { ...this.#released },
      shutdown: this.#shutdown,
      sample: this.#series[this.#series.length - 1],
    };
    if (full) {
      state.series = this.#series.slice();
      const ordered = this.#events.length < MAX_EVENTS ? this.#events : [...this.#events.slice(this.#eventsNext), ...this.#events.slice(0, this.#eventsNext)];
      state.events = ordered.slice(-50).map(eventView);
    }
    return state;
  }

  #takeSample(): void {
    this.#timer = undefined;
    const snap = this.#kernel.snapshot();
    const sample: Sample = { t: this.#kernel.clock.now(), byType: {}, byState: {} };
    for (const r of snap) {
      sample.byType[r.type] = (sample.byType[r.type] ?? 0) + 1;
      sample.byState[r.state] = (sample.byState[r.state] ?? 0) + 1;
    }
    this.#series.push(sample);
    const oldest = sample.t - this.#opts.windowMs;
    let drop = 0;
    while (drop < this.#series.length && this.#series[drop].t < oldest) drop++;
    if (drop > 0) this.#series.splice(0, drop);
    for (const fn of this.#listeners) fn("sample");
    if (this.#unsubscribe !== undefined) this.#timer = this.#kernel.clock.setTimeout(() => this.#takeSample(), this.#opts.sampleMs);
  }

  #onEvent(e: KernelEvent): void {
    this.#apply(e);
    // Raw events in a ring; log lines are formatted only when someone reads them.
    if (this.#events.length < MAX_EVENTS) this.#events.push(e);
    else this.#events[this.#eventsNext] = e;
    this.#eventsNext = (this.#eventsNext + 1) % MAX_EVENTS;
    for (const fn of this.#listeners) fn("event", e);
    if (this.#othersSettled()) this.#wakeSettled();
  }

  /** Folds one event into the state. */
  #apply(e: KernelEvent): void {
    const selfId = this.#opts.selfId();
    switch (e.type) {
      case "resource:acquire-failed":
        if (this.#shutdown !== undefined && this.#pendingShutdownIds.delete(e.id)) this.#shutdown.settled = this.#pendingShutdownIds.size === 0;
        return;
      case "resource:releasing":
        if (this.#shutdown !== undefined && e.id !== selfId)
          this.#shutdown.releasing[e.id] = { atMs: e.at - this.#shutdown.startedAt, budgetMs: finite(e.budgetMs) };
        return;
      case "resource:released": {
        this.#released[e.outcome] = (this.#released[e.outcome] ?? 0) + 1;
        if (this.#leaks.size > 0) this.#leaks.delete(e.id);
        const sd = this.#shutdown;
        if (sd !== undefined && e.id !== selfId) {
          const rel = sd.releasing[e.id];
          delete sd.releasing[e.id];
          this.#pendingShutdownIds.delete(e.id);
          const o: OutcomeView = { id: e.id, type: e.resourceType, name: nameOf(e), outcome: e.outcome, elapsedMs: e.elapsedMs, atMs: e.at - sd.startedAt };
          if (rel !== undefined) {
            o.startMs = rel.atMs;
            o.budgetMs = rel.budgetMs;
          }
          if (e.error !== undefined) o.error = redact(e.error);
          if (sd.outcomes.length < MAX_OUTCOMES) sd.outcomes.push(o);
          else sd.moreOutcomes++;
          sd.settled = this.#pendingShutdownIds.size === 0;
        }
        return;
      }
      case "resource:leak-suspected":
        // The dashboard lives as long as the process on purpose: not a leak.
        if (e.id !== selfId) this.#leaks.set(e.id, { reason: e.reason, at: e.at, ageMs: e.ageMs });
        return;
      case "kernel:shutdown-started": {
        const resources = this.#kernel
          .snapshot()
          .filter((r) => r.id !== selfId)
          .map((r) => ({ id: r.id, type: r.type, name: r.name === undefined ? undefined : redactString(r.name) }));
        this.#pendingShutdownIds = new Set(resources.map((r) => r.id));
        this.#shutdown = {
          startedAt: e.at,
          reason: redactString(e.reason),
          strategy: e.strategy,
          deadlineMs: finite(e.deadlineMs),
          resources: resources.slice(0, 500),
          releasing: {},
          outcomes: [],
          moreOutcomes: 0,
          settled: resources.length === 0,
        };
        return;
      }
      case "kernel:deadline-exceeded":
        if (e.scope === "global" && this.#shutdown !== undefined) this.#shutdown.deadlineExceededAtMs = e.at - this.#shutdown.startedAt;
        return;
      case "plugin:event":
        return this.#pluginEvent(e);
    }
  }

  #pluginEvent(e: Extract<KernelEvent, { type: "plugin:event" }>): void {
    const d = e.data ?? {};
    // Breaker transitions: plugin-pool's registry (`key`) and plugin-http's per-origin breakers (`origin`).
    const breakerKey = typeof d.key === "string" ? d.key : typeof d.origin === "string" ? d.origin : undefined;
    if ((e.plugin === "pool" || e.plugin === "http") && e.name === "breaker:removed" && breakerKey !== undefined) {
      this.#breakers.delete(breakerKey);
    } else if ((e.plugin === "pool" || e.plugin === "http") && (e.name === "breaker:state" || e.name === "breaker:state-changed") && breakerKey !== undefined) {
      const prev = this.#breakers.get(breakerKey);
      this.#breakers.delete(breakerKey); // re-inserted last: Map order is recency order
      if (this.#breakers.size >= MAX_KEYED) this.#breakers.delete(this.#breakers.keys().next().value!);
      this.#breakers.set(breakerKey, {
        key: redactString(breakerKey),
        state: String(d.to),
        from: d.from === undefined ? undefined : String(d.from),
        at: e.at,
        transitions: (prev?.transitions ?? 0) + 1,
      });
    } else if (e.plugin === "alerts" && (e.name === "alert:state" || e.name === "alert:state-changed") && typeof d.name === "string") {
      const state = String(d.state);
      if (state === "firing" || state === "pending") {
        const prev = this.#alerts.get(d.name);
        this.#alerts.delete(d.name);
        if (this.#alerts.size >= MAX_KEYED) this.#alerts.delete(this.#alerts.keys().next().value!);
        this.#alerts.set(d.name, {
          name: redactString(d.name),
          state,
          labels: redact(d.labels),
          value: redact(d.value),
          since: prev?.state === state ? prev.since : e.at,
        });
      } else {
        this.#alerts.delete(d.name);
      }
    }
  }

  #othersSettled(): boolean {
    return this.#shutdown !== undefined && this.#pendingShutdownIds.size === 0;
  }

  #wakeSettled(): void {
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const w of waiters) w();
  }
}

/** @internal One kernel event as a redacted log line. */
export function eventView(e: KernelEvent): EventView {
  const line = (text: string): EventView => ({ at: e.at, type: e.type, text });
  switch (e.type) {
    case "resource:acquired":
      return line(`${label(e)} acquired`);
    case "resource:acquiring":
      return line(`${label(e)} acquiring`);
    case "resource:acquire-failed":
      return line(`${label(e)} failed to acquire: ${errorText(e.error)}`);
    case "resource:releasing":
      return line(`${label(e)} releasing (${redactString(e.reason)}, budget ${fmtMs(e.budgetMs)})`);
    case "resource:released":
      return line(`${label(e)} ${e.outcome} in ${fmtMs(e.elapsedMs)}${e.error !== undefined ? `: ${errorText(e.error)}` : ""}`);
    case "resource:settled-late":
      return line(`${label(e)} settled late (${e.settled})`);
    case "resource:leak-suspected":
      return line(`${label(e)} suspected leak (${e.reason}, held ${fmtMs(e.ageMs)})`);
    case "kernel:shutdown-started":
      return line(`shutdown started (${redactString(e.reason)}, deadline ${fmtMs(e.deadlineMs)}, ${e.resources} resources)`);
    case "kernel:deadline-exceeded":
      return e.scope === "global" ? line(`force point passed with ${e.outstanding} outstanding`) : line(`${label(e)} exceeded its budget`);
    case "kernel:shutdown-completed":
      return line(`shutdown completed: ${e.report.ok ? "ok" : "not ok"} in ${fmtMs(e.report.elapsedMs)}`);
    case "kernel:signal":
      return line(`signal ${e.signal} (#${e.count})`);
    case "hook:error":
      return line(`hook ${e.hook} tap ${e.tap} failed: ${errorText(e.error)}`);
    case "plugin:applied":
      return line(`plugin ${e.plugin} applied in ${fmtMs(e.elapsedMs)}`);
    case "plugin:event":
      return { at: e.at, type: e.type, text: `${e.plugin}: ${e.name}`, data: redact(e.data ?? {}) };
  }
  return line((e as { type: string }).type);
}

function poolOf(r: ResourceSnapshot): PoolView | undefined {
  const d = r.details;
  if (d === undefined || d === null || typeof d !== "object") return undefined;
  if (typeof d.borrowed !== "number" && typeof d.pending !== "number") return undefined;
  const pool: PoolView = { id: r.id, name: r.name === undefined ? undefined : redactString(r.name), type: r.type };
  for (const k of POOL_KEYS) if (typeof d[k] === "number") pool[k] = d[k];
  return pool;
}

const nameOf = (e: { name: string | undefined }): string | undefined => (e.name === undefined ? undefined : redactString(e.name));
const label = (e: { id: string; resourceType: string; name: string | undefined }): string =>
  `${e.resourceType} ${e.name === undefined ? e.id : `"${redactString(e.name)}"`}`;
const finite = (n: number): number => (Number.isFinite(n) ? n : -1);
const fmtMs = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)}ms` : "∞");

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return redactString(`${typeof code === "string" ? code + ": " : ""}${error.message}`);
  }
  return redactString(String(error));
}

/** Drops the "Error: acquired here" line and the kernel's own frames: the first frame is the caller's. */
function trimStack(stack: string): string {
  return stack
    .split("\n")
    .slice(1)
    .filter((l) => !/[/\\]packages[/\\]core[/\\](src|dist)[/\\]|node_modules[/\\]@custodian[/\\]core[/\\]|node:internal/.test(l))
    .slice(0, 8)
    .map((l) => l.trim())
    .join("\n");
}
