/**
 * The webhook sink: Alertmanager-v4-compatible payloads (existing receivers work unchanged),
 * grouped like Alertmanager's dispatcher (`group_by`, `group_wait`, `group_interval`,
 * `repeat_interval`), delivered through a bounded queue with retries.
 */
import { parseDuration, redactString, type Deadline, type TimerHandle } from "@custodian/core";
import type { Alert, AlertChange } from "../AlertEngine.js";
import { createAgents, makeTarget, type Agents, type Target } from "../http.js";
import type { WebhookSinkConfig } from "../schema.js";
import { DeliveryQueue, type DeliveryStats } from "./DeliveryQueue.js";
import { iso, shownMap, ZERO_TIME, type Sink, type SinkContext } from "./Sink.js";

interface Group {
  key: string;
  labels: Record<string, string>;
  alerts: Map<string, Alert>;
  timer: TimerHandle | undefined;
  lastSignature: string;
  lastSentAt: number;
  /** Fingerprints sent as firing: only those get a resolved notification. */
  notified: Set<string>;
}

/** The JSON body Alertmanager's webhook receiver sends (version 4). */
export interface WebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Array<{
    status: "firing" | "resolved";
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }>;
}

const common = (maps: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> => {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
};

export class WebhookSink implements Sink {
  readonly kind = "webhook" as const;
  readonly name: string;
  readonly #ctx: SinkContext;
  readonly #target: Target;
  readonly #agents: Agents = createAgents();
  readonly #queue: DeliveryQueue;
  readonly #groupBy: readonly string[] | "all";
  readonly #waitMs: number;
  readonly #intervalMs: number;
  readonly #repeatMs: number;
  readonly #sendResolved: boolean;
  readonly #maxAlerts: number;
  readonly #groups = new Map<string, Group>();

  constructor(cfg: WebhookSinkConfig, name: string, ctx: SinkContext) {
    this.name = name;
    this.#ctx = ctx;
    this.#target = makeTarget(cfg.url, cfg.headers);
    this.#groupBy = cfg.group_by?.includes("...") === true ? "all" : (cfg.group_by ?? ["alertname"]);
    this.#waitMs = parseDuration(cfg.group_wait ?? "30s", `sinks.${name}.group_wait`);
    this.#intervalMs = parseDuration(cfg.group_interval ?? "5m", `sinks.${name}.group_interval`);
    this.#repeatMs = parseDuration(cfg.repeat_interval ?? "4h", `sinks.${name}.repeat_interval`);
    this.#sendResolved = cfg.send_resolved ?? true;
    this.#maxAlerts = cfg.max_alerts ?? 0;
    this.#queue = new DeliveryQueue({
      sink: name,
      clock: ctx.clock,
      agents: this.#agents,
      maxQueue: cfg.max_queue ?? 100,
      retries: cfg.retries ?? 3,
      backoffMs: parseDuration(cfg.backoff ?? "1s", `sinks.${name}.backoff`),
      timeoutMs: parseDuration(cfg.timeout ?? "10s", `sinks.${name}.timeout`),
      report: (event, data) => ctx.report(event, { ...data, kind: "webhook" }),
    });
  }

  /** Where this sink posts, without credentials. */
  get target(): string {
    return this.#target.display;
  }

  notify(changes: readonly AlertChange[]): void {
    for (const { alert } of changes) {
      if (alert.state === "firing") {
        if (alert.inhibited) continue;
        this.#group(alert).alerts.set(alert.fingerprint, alert);
      } else if (alert.state === "resolved") {
        const g = this.#groups.get(this.#keyOf(alert).key);
        if (g === undefined || !g.alerts.has(alert.fingerprint)) continue;
        if (this.#sendResolved) g.alerts.set(alert.fingerprint, alert);
        else g.alerts.delete(alert.fingerprint);
      }
    }
  }

  tick(active: readonly Alert[]): void {
    // Keep annotations and values current for repeats; drop alerts that became inhibited.
    for (const a of active) {
      const g = this.#groups.get(this.#keyOf(a).key);
      if (g === undefined || !g.alerts.has(a.fingerprint) || a.state !== "firing") continue;
      if (a.inhibited) g.alerts.delete(a.fingerprint);
      else g.alerts.set(a.fingerprint, a);
    }
  }

  async shutdown(_firing: readonly Alert[], deadline: Deadline): Promise<void> {
    const now = this.#ctx.clock.now();
    for (const g of [...this.#groups.values()]) {
      // The receiver's last word must not stay "firing" forever: every firing alert leaves as resolved
      // now (one still in group_wait too: announced once, already over).
      if (this.#sendResolved) {
        for (const [fp, a] of g.alerts) {
          if (a.state !== "firing") continue;
          g.alerts.set(fp, Object.freeze({ ...a, state: "resolved", resolvedAt: now }));
          g.notified.add(fp);
        }
      }
      this.#flush(g, true);
    }
    await this.#queue.drain(deadline);
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  stats(): DeliveryStats {
    return { ...this.#queue.stats };
  }

  #keyOf(a: Alert): { key: string; labels: Record<string, string> } {
    const names = this.#groupBy === "all" ? Object.keys(a.labels).sort() : this.#groupBy;
    const labels: Record<string, string> = {};
    for (const n of names) if (a.labels[n] !== undefined) labels[n] = a.labels[n];
    const key = `{}:{${Object.keys(labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(labels[k])}`)
      .join(",")}}`;
    return { key, labels };
  }

  #group(a: Alert): Group {
    const { key, labels } = this.#keyOf(a);
    let g = this.#groups.get(key);
    if (g === undefined) {
      const group: Group = { key, labels, alerts: new Map(), timer: undefined, lastSignature: "", lastSentAt: -Infinity, notified: new Set() };
      group.timer = this.#ctx.clock.setTimeout(() => this.#flush(group, false), this.#waitMs);
      this.#groups.set(key, (g = group));
    }
    return g;
  }

  #flush(g: Group, final: boolean): void {
    this.#ctx.clock.clearTimeout(g.timer);
    g.timer = undefined;
    const now = this.#ctx.clock.now();
    // An alert that fired and resolved within one wait was never announced: nothing to resolve.
    for (const a of g.alerts.values()) if (a.state === "resolved" && !g.notified.has(a.fingerprint)) g.alerts.delete(a.fingerprint);
    const alerts = [...g.alerts.values()];
    const signatureOf = (list: Alert[]): string =>
      list
        .map((a) => `${a.fingerprint}:${a.state}`)
        .sort()
        .join(",");
    if (alerts.length > 0 && (signatureOf(alerts) !== g.lastSignature || now - g.lastSentAt >= this.#repeatMs)) {
      this.#send(g, alerts);
      for (const a of alerts) {
        if (a.state === "firing") g.notified.add(a.fingerprint);
        else g.notified.delete(a.fingerprint);
      }
      // Resolved alerts leave the group once sent: what was notified is the firing set.
      g.lastSignature = signatureOf(alerts.filter((a) => a.state === "firing"));
      g.lastSentAt = now;
    }
    for (const a of alerts) if (a.state === "resolved") g.alerts.delete(a.fingerprint);
    if (g.alerts.size === 0) {
      this.#groups.delete(g.key);
      return;
    }
    if (!final) g.timer = this.#ctx.clock.setTimeout(() => this.#flush(g, false), this.#intervalMs);
  }

  #send(g: Group, alerts: Alert[]): void {
    const shown = this.#maxAlerts > 0 ? alerts.slice(0, this.#maxAlerts) : alerts;
    const payload: WebhookPayload = {
      version: "4",
      groupKey: redactString(g.key),
      truncatedAlerts: alerts.length - shown.length,
      status: alerts.some((a) => a.state === "firing") ? "firing" : "resolved",
      receiver: this.name,
      groupLabels: shownMap(g.labels),
      commonLabels: shownMap(common(alerts.map((a) => a.labels))),
      commonAnnotations: shownMap(common(alerts.map((a) => a.annotations))),
      externalURL: this.#ctx.externalURL,
      alerts: shown.map((a) => ({
        status: a.state === "firing" ? "firing" : "resolved",
        labels: shownMap(a.labels),
        annotations: shownMap(a.annotations),
        startsAt: iso(a.firedAt ?? a.activeAt),
        endsAt: a.resolvedAt === undefined ? ZERO_TIME : iso(a.resolvedAt),
        generatorURL: this.#ctx.externalURL,
        fingerprint: a.fingerprint,
      })),
    };
    this.#queue.push({ target: this.#target, body: JSON.stringify(payload), alerts: shown.length });
  }
}
