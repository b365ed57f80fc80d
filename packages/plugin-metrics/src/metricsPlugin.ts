/**
 * The metrics plugin: a prom-client Registry owned by the kernel (never the global default),
 * with gauges filled from `kernel.snapshot()` at scrape time, counters and a histogram fed by
 * `kernel.events$`, and an optional `/metrics` endpoint the kernel closes at shutdown.
 */
import { definePlugin, redactString, type Kernel, type KernelEvent, type PluginDescriptor, type ResourceSnapshot } from "@custodian/core";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { MetricsNotAppliedError } from "./errors.js";
import { serveMetrics } from "./metricsEndpoint.js";
import { metricsSchema, validateMetricsOptions, type MetricsOptions } from "./schema.js";

/** The metrics runtime of one kernel. */
export interface MetricsApi {
  /** The kernel's own registry. */
  readonly registry: Registry;
  /** The exposition text (what `/metrics` serves). */
  metrics(): Promise<string>;
  readonly contentType: string;
  /** URL of the `/metrics` endpoint when enabled. */
  readonly url: string | undefined;
}

const runtimes = new WeakMap<Kernel, MetricsApi>();

/**
 * The metrics runtime of a kernel.
 * @throws MetricsNotAppliedError ERR_METRICS_NOT_APPLIED when the plugin is not applied.
 */
export function metricsOf(kernel: Kernel): MetricsApi {
  const api = runtimes.get(kernel);
  if (api === undefined) throw new MetricsNotAppliedError();
  return api;
}

/** Snapshot detail fields of pool-like resources and the gauge (without prefix) of each. */
export const POOL_GAUGES: Readonly<Record<string, string>> = Object.freeze({
  size: "pool_size",
  borrowed: "pool_in_use",
  idle: "pool_idle",
  pending: "pool_pending",
  max: "pool_capacity",
});

/** Breaker states as the `breaker_state` gauge encodes them. */
export const BREAKER_STATES: Readonly<Record<string, number>> = Object.freeze({ closed: 0, "half-open": 1, open: 2 });

/** Kernel events counted by `events_total{event,type}` (acquire/release have their own metrics). */
const COUNTED_EVENTS = new Set<KernelEvent["type"]>([
  "resource:acquire-failed",
  "resource:leak-suspected",
  "resource:settled-late",
  "kernel:deadline-exceeded",
  "kernel:signal",
  "kernel:shutdown-started",
  "hook:error",
]);

/** Counted events that carry no resource type (their only series is `type=""`). */
const TYPELESS_EVENTS = new Set<KernelEvent["type"]>(["kernel:deadline-exceeded", "kernel:signal", "kernel:shutdown-started", "hook:error"]);

/**
 * A breaker's identity in the event data: `breaker`, else `key` (pool), else `agent` + `origin`
 * (plugin-http's `{ agent, origin }`).
 */
function breakerId(d: Record<string, unknown>): string | undefined {
  const s = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
  const agent = s(d.agent);
  const origin = s(d.origin);
  const id = s(d.breaker) ?? s(d.key) ?? (agent !== undefined && origin !== undefined ? `${agent} ${origin}` : (agent ?? origin));
  // Label values are shown to every scraper: redacted here too, whoever emitted the event.
  return id === undefined ? undefined : redactString(id);
}

const DEFAULT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Caps distinct label sets: past `max`, new sets are refused and counted. */
class SeriesCap {
  readonly #keys = new Set<string>();
  /** Label sets refused (this scrape for scrape-time gauges, since start for event counters). */
  refused = 0;
  constructor(
    readonly metric: string,
    readonly max: number,
  ) {}
  allow(key: string): boolean {
    if (this.#keys.has(key)) return true;
    if (this.#keys.size >= this.max) {
      this.refused++;
      return false;
    }
    this.#keys.add(key);
    return true;
  }
  delete(key: string): void {
    this.#keys.delete(key);
  }
  /** Scrape-time gauges start each scrape afresh. */
  clear(): void {
    this.#keys.clear();
    this.refused = 0;
  }
}

interface ScrapeData {
  byTypeState: Map<string, { type: string; state: string; n: number }>;
  oldest: Map<string, number>;
  /** The oldest active resource of each type: its name (or id) and id. */
  oldestOf: Map<string, { name: string; id: string }>;
  pools: Array<{ type: string; name: string; details: Record<string, unknown> }>;
}

/**
 * Creates the metrics plugin's descriptor (same as `metricsPlugin`).
 * @example
 *   const kernel = await createKernel({ plugins: [{ plugin: metricsPlugin, options: { endpoint: { port: 9464 } } }] })
 *   console.log(await metricsOf(kernel).metrics())
 */
export function createMetricsPlugin(): PluginDescriptor<MetricsOptions> {
  return definePlugin<MetricsOptions>({
    name: "metrics",
    version: "0.1.0",
    schema: metricsSchema as unknown as Record<string, unknown>,
    types: {},
    async apply(kernel, options) {
      const o = validateMetricsOptions(options ?? {});
      const p = o.prefix ?? "custodian_";
      const maxSeries = o.maxSeries ?? 500;
      const registry = new Registry();
      if (o.defaultLabels !== undefined) registry.setDefaultLabels(o.defaultLabels);
      const reg = [registry];

      const caps: SeriesCap[] = [];
      const cap = (metric: string): SeriesCap => {
        const c = new SeriesCap(metric, maxSeries);
        caps.push(c);
        return c;
      };

      // Scrape-time data: one snapshot per scrape, shared by every gauge's collect().
      let scrape: ScrapeData | undefined;
      const data = (): ScrapeData => {
        if (scrape !== undefined) return scrape;
        const d: ScrapeData = { byTypeState: new Map(), oldest: new Map(), oldestOf: new Map(), pools: [] };
        const snaps: ResourceSnapshot[] = kernel.snapshot();
        for (const s of snaps) {
          const key = `${s.type}\u0000${s.state}`;
          const c = d.byTypeState.get(key);
          if (c === undefined) d.byTypeState.set(key, { type: s.type, state: s.state, n: 1 });
          else c.n++;
          if (s.state === "active" && s.ageMs > (d.oldest.get(s.type) ?? -1)) {
            d.oldest.set(s.type, s.ageMs);
            d.oldestOf.set(s.type, { name: s.name ?? s.id, id: s.id });
          }
          if (s.details !== undefined && (typeof s.details.max === "number" || typeof s.details.borrowed === "number"))
            d.pools.push({ type: s.type, name: s.name === undefined ? s.id : redactString(s.name), details: s.details });
        }
        scrape = d;
        // prom-client calls every collect() in one synchronous loop: the cache lives for that loop only.
        queueMicrotask(() => (scrape = undefined));
        return d;
      };

      const resourcesCap = cap("resources");
      new Gauge({
        name: `${p}resources`,
        help: "Tracked resources by type and state",
        labelNames: ["type", "state"],
        registers: reg,
        collect() {
          this.reset();
          resourcesCap.clear();
          for (const c of data().byTypeState.values()) if (resourcesCap.allow(`${c.type}\u0000${c.state}`)) this.set({ type: c.type, state: c.state }, c.n);
        },
      });
      const oldestCap = cap("resource_oldest_age_seconds");
      new Gauge({
        name: `${p}resource_oldest_age_seconds`,
        help: "Age of the oldest active resource of each type",
        labelNames: ["type"],
        registers: reg,
        collect() {
          this.reset();
          oldestCap.clear();
          for (const [type, ms] of data().oldest) if (oldestCap.allow(type)) this.set({ type }, ms / 1000);
        },
      });
      // Which resource is the oldest (what an exported held_longer_than rule's $oldest reads).
      const oldestInfoCap = cap("resource_oldest_info");
      new Gauge({
        name: `${p}resource_oldest_info`,
        help: "The oldest active resource of each type (value 1): its name (or id) and id",
        labelNames: ["type", "name", "id"],
        registers: reg,
        collect() {
          this.reset();
          oldestInfoCap.clear();
          for (const [type, o] of data().oldestOf) if (oldestInfoCap.allow(type)) this.set({ type, name: o.name, id: o.id }, 1);
        },
      });
      for (const [field, metric] of Object.entries(POOL_GAUGES)) {
        const poolCap = cap(metric);
        new Gauge({
          name: `${p}${metric}`,
          help: `Pool ${field} (from snapshot details.${field} of resources that report it)`,
          labelNames: ["type", "name"],
          registers: reg,
          collect() {
            // Reset each scrape: a released pool's series disappears with it.
            this.reset();
            poolCap.clear();
            for (const pool of data().pools) {
              const v = pool.details[field];
              if (typeof v === "number" && poolCap.allow(`${pool.type}\u0000${pool.name}`)) this.set({ type: pool.type, name: pool.name }, v);
            }
          },
        });
      }

      const acquireCap = cap("acquire_duration_seconds");
      const acquireDuration = new Histogram({
        name: `${p}acquire_duration_seconds`,
        help: "Time to create a resource (resource:acquired elapsedMs), by type",
        labelNames: ["type"],
        buckets: o.buckets ?? DEFAULT_BUCKETS,
        registers: reg,
      });
      const releasesCap = cap("releases_total");
      const releases = new Counter({ name: `${p}releases_total`, help: "Releases by type and outcome", labelNames: ["type", "outcome"], registers: reg });
      const eventsCap = cap("events_total");
      const events = new Counter({
        name: `${p}events_total`,
        help: "Kernel events (failures, leaks, deadlines, signals, hook errors) by event and resource type",
        labelNames: ["event", "type"],
        registers: reg,
      });
      // Kernel events without a resource type exist at 0 from the start: a rule's increase() or
      // offset sees their first event (a lazily created series would start at 1).
      for (const event of COUNTED_EVENTS) {
        if (TYPELESS_EVENTS.has(event) && eventsCap.allow(`${event}\u0000`)) events.inc({ event, type: "" }, 0);
      }
      const pluginEventsCap = cap("plugin_events_total");
      const pluginEvents = new Counter({
        name: `${p}plugin_events_total`,
        help: "Plugin events by plugin and name",
        labelNames: ["plugin", "name"],
        registers: reg,
      });
      const reapedCap = cap("reaped_total");
      const reaped = new Counter({
        name: `${p}reaped_total`,
        help: "Resources reaped (idle or expired) by type, from `reaped` plugin events",
        labelNames: ["type"],
        registers: reg,
      });
      const breakerCap = cap("breaker_state");
      const breakerState = new Gauge({
        name: `${p}breaker_state`,
        help: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
        labelNames: ["breaker"],
        registers: reg,
      });
      const transitionsCap = cap("breaker_transitions_total");
      const transitions = new Counter({
        name: `${p}breaker_transitions_total`,
        help: "Circuit breaker state transitions",
        labelNames: ["breaker", "from", "to"],
        registers: reg,
      });
      const notificationsCap = cap("alert_notifications_total");
      const notifications = new Counter({
        name: `${p}alert_notifications_total`,
        help: "Alert notifications by sink and result (sent, failed, dropped, undelivered)",
        labelNames: ["sink", "kind", "result"],
        registers: reg,
      });

      // Alert states: fingerprint → state, counted at scrape time.
      const alertStates = new Map<string, { alertname: string; state: string }>();
      const alertsCap = cap("alerts");
      new Gauge({
        name: `${p}alerts`,
        help: "Alerts by name and state (pending, firing)",
        labelNames: ["alertname", "state"],
        registers: reg,
        collect() {
          this.reset();
          alertsCap.clear();
          const counts = new Map<string, { alertname: string; state: string; n: number }>();
          for (const a of alertStates.values()) {
            const k = `${a.alertname}\u0000${a.state}`;
            const c = counts.get(k);
            if (c === undefined) counts.set(k, { ...a, n: 1 });
            else c.n++;
          }
          for (const [k, c] of counts) if (alertsCap.allow(k)) this.set({ alertname: c.alertname, state: c.state }, c.n);
        },
      });

      const creating = new Set<string>();
      const onPluginEvent = (plugin: string, name: string, d: Record<string, unknown>): void => {
        if (pluginEventsCap.allow(`${plugin}\u0000${name}`)) pluginEvents.inc({ plugin, name });
        const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
        switch (name) {
          case "breaker:state-changed":
          case "breaker:state": {
            const breaker = breakerId(d);
            const from = str(d.from);
            const to = str(d.to);
            if (breaker === undefined || to === undefined) return;
            if (breakerCap.allow(breaker)) breakerState.set({ breaker }, BREAKER_STATES[to] ?? -1);
            if (transitionsCap.allow(`${breaker}\u0000${from}\u0000${to}`)) transitions.inc({ breaker, from: from ?? "", to });
            return;
          }
          case "breaker:removed": {
            const breaker = breakerId(d);
            if (breaker === undefined) return;
            // Series go with their breaker: a reaped breaker leaves nothing behind.
            breakerState.remove({ breaker });
            breakerCap.delete(breaker);
            for (const from of Object.keys(BREAKER_STATES)) {
              for (const to of Object.keys(BREAKER_STATES)) {
                transitions.remove({ breaker, from, to });
                transitionsCap.delete(`${breaker}\u0000${from}\u0000${to}`);
              }
            }
            return;
          }
          case "reaped": {
            const type = str(d.type) ?? plugin;
            const n = typeof d.count === "number" ? d.count : 1;
            if (reapedCap.allow(type)) reaped.inc({ type }, n);
            return;
          }
        }
        if (plugin !== "alerts") return;
        if (name === "alert:state-changed") {
          const fp = str(d.fingerprint);
          const alertname = str(d.alertname);
          const to = str(d.to);
          if (fp === undefined || alertname === undefined || to === undefined) return;
          if (to === "pending" || to === "firing") alertStates.set(fp, { alertname, state: to });
          else alertStates.delete(fp);
        } else if (name === "notification:sent" || name === "notification:failed" || name === "notification:dropped") {
          const sink = str(d.sink) ?? "";
          const kind = str(d.kind) ?? "";
          const result = name.slice("notification:".length);
          if (notificationsCap.allow(`${sink}\u0000${result}`)) notifications.inc({ sink, kind, result });
        } else if (name === "notifications:undelivered") {
          for (const [sink, n] of Object.entries((d.sinks ?? {}) as Record<string, number>)) {
            if (notificationsCap.allow(`${sink}\u0000undelivered`)) notifications.inc({ sink, kind: "", result: "undelivered" }, n);
          }
        }
      };

      // No unsubscribe: events$ completes after shutdown, and shutdown's own events still count.
      kernel.events$.subscribe((e) => {
        switch (e.type) {
          case "resource:acquiring":
            creating.add(e.id);
            return;
          case "resource:acquired":
            // Only created resources: adopt() emits acquired with elapsedMs 0 and no acquiring.
            if (creating.delete(e.id) && acquireCap.allow(e.resourceType)) acquireDuration.observe({ type: e.resourceType }, e.elapsedMs / 1000);
            return;
          case "resource:acquire-failed":
            creating.delete(e.id);
            break;
          case "resource:released":
            if (releasesCap.allow(`${e.resourceType}\u0000${e.outcome}`)) releases.inc({ type: e.resourceType, outcome: e.outcome });
            return;
          case "plugin:event":
            onPluginEvent(e.plugin, e.name, e.data);
            return;
        }
        if (COUNTED_EVENTS.has(e.type)) {
          const type = "resourceType" in e ? e.resourceType : "";
          if (eventsCap.allow(`${e.type}\u0000${type}`)) events.inc({ event: e.type, type });
        }
      });
      // Registered last: prom-client collects in registration order, so this sees this scrape's caps.
      new Gauge({
        name: `${p}metrics_series_refused`,
        help: "Label sets not exported because a metric reached maxSeries (scrape-time gauges: this scrape; counters: since start)",
        labelNames: ["metric"],
        registers: reg,
        collect() {
          this.reset();
          for (const c of caps) if (c.refused > 0) this.set({ metric: c.metric }, c.refused);
        },
      });

      const url = o.endpoint === undefined ? undefined : await serveMetrics(kernel, registry, o.endpoint);

      runtimes.set(kernel, {
        registry,
        metrics: () => registry.metrics(),
        contentType: registry.contentType,
        url,
      });
    },
  });
}

/** The metrics plugin. Options come with its entry in `plugins` (`{ module, options }`). */
export const metricsPlugin: PluginDescriptor<MetricsOptions> = createMetricsPlugin();
