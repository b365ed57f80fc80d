/**
 * The alertmanager sink: POST /api/v2/alerts to each URL, like Prometheus does: firing alerts
 * are re-sent every `resend_delay` with `endsAt` ahead (so Alertmanager resolves them on its own
 * if this process dies), resolutions are sent with `endsAt = resolvedAt` and re-sent every
 * `resend_delay` for 15 minutes (so one failed POST does not leave the alert firing in Alertmanager
 * until its old `endsAt`), and at kernel shutdown every firing alert is sent with `endsAt = now`.
 * `startsAt` is when the alert started firing.
 */
import { parseDuration, type Deadline } from "@custodian/core";
import type { Alert, AlertChange } from "../AlertEngine.js";
import { createAgents, makeTarget, type Agents, type Target } from "../http.js";
import type { AlertmanagerSinkConfig } from "../schema.js";
import { DeliveryQueue, type DeliveryStats } from "./DeliveryQueue.js";
import { iso, shownMap, type Sink, type SinkContext } from "./Sink.js";

/** One element of the body of POST /api/v2/alerts. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** How long resolved alerts are re-sent (Prometheus's resolvedRetention). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export class AlertmanagerSink implements Sink {
  readonly kind = "alertmanager" as const;
  readonly name: string;
  readonly #ctx: SinkContext;
  readonly #targets: Target[];
  readonly #agents: Agents = createAgents();
  readonly #queues: DeliveryQueue[];
  readonly #resendMs: number;
  #lastResend = -Infinity;
  /** Fingerprints sent by notify() at `#justSentAt`: the resend of the same evaluation skips them. */
  #justSent = new Set<string>();
  #justSentAt = NaN;
  /** Resolved alerts still re-sent, by fingerprint, until resolvedAt + RESOLVED_RETENTION_MS. */
  readonly #resolved = new Map<string, Alert>();

  constructor(cfg: AlertmanagerSinkConfig, name: string, ctx: SinkContext) {
    this.name = name;
    this.#ctx = ctx;
    this.#resendMs = parseDuration(cfg.resend_delay ?? "1m", `sinks.${name}.resend_delay`);
    this.#targets = cfg.urls.map((u) => makeTarget(new URL("api/v2/alerts", u.endsWith("/") ? u : `${u}/`).href, cfg.headers));
    // One queue per URL: a slow Alertmanager does not hold back the others.
    this.#queues = this.#targets.map(
      () =>
        new DeliveryQueue({
          sink: name,
          clock: ctx.clock,
          agents: this.#agents,
          maxQueue: cfg.max_queue ?? 100,
          retries: cfg.retries ?? 3,
          backoffMs: parseDuration(cfg.backoff ?? "1s", `sinks.${name}.backoff`),
          timeoutMs: parseDuration(cfg.timeout ?? "10s", `sinks.${name}.timeout`),
          report: (event, data) => ctx.report(event, { ...data, kind: "alertmanager" }),
        }),
    );
  }

  /** Where this sink posts, without credentials. */
  get targets(): string[] {
    return this.#targets.map((t) => t.display);
  }

  notify(changes: readonly AlertChange[]): void {
    const now = this.#ctx.clock.now();
    const out: PostableAlert[] = [];
    if (this.#justSentAt !== now) {
      this.#justSent.clear();
      this.#justSentAt = now;
    }
    for (const { alert } of changes) {
      if (alert.state === "firing") {
        // Fired again: the resolution is history.
        this.#resolved.delete(alert.fingerprint);
        if (alert.inhibited) continue;
        out.push(this.#postable(alert, now + this.#validForMs()));
        this.#justSent.add(alert.fingerprint);
      } else if (alert.state === "resolved") {
        out.push(this.#postable(alert, alert.resolvedAt ?? now));
        this.#resolved.set(alert.fingerprint, alert);
        this.#justSent.add(alert.fingerprint);
      }
    }
    this.#send(out);
  }

  tick(active: readonly Alert[]): void {
    const now = this.#ctx.clock.now();
    if (now - this.#lastResend < this.#resendMs) return;
    this.#lastResend = now;
    const skip = this.#justSentAt === now ? this.#justSent : undefined;
    const firing = active.filter((a) => a.state === "firing" && !a.inhibited && skip?.has(a.fingerprint) !== true);
    const out = firing.map((a) => this.#postable(a, now + this.#validForMs()));
    // As Prometheus: resolved alerts are re-sent for 15 minutes, so a lost resolution is repaired.
    for (const [fp, a] of this.#resolved) {
      if (now - (a.resolvedAt ?? now) >= RESOLVED_RETENTION_MS) this.#resolved.delete(fp);
      else if (skip?.has(fp) !== true) out.push(this.#postable(a, a.resolvedAt ?? now));
    }
    this.#send(out);
  }

  async shutdown(firing: readonly Alert[], deadline: Deadline): Promise<void> {
    const now = this.#ctx.clock.now();
    this.#send(firing.filter((a) => !a.inhibited).map((a) => this.#postable(a, now)));
    await Promise.all(this.#queues.map((q) => q.drain(deadline)));
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }

  async idle(): Promise<void> {
    await Promise.all(this.#queues.map((q) => q.idle()));
  }

  stats(): DeliveryStats {
    const s: DeliveryStats = { sent: 0, failed: 0, retried: 0, dropped: 0, undelivered: 0, queued: 0 };
    for (const q of this.#queues) for (const k of Object.keys(s) as Array<keyof DeliveryStats>) s[k] += q.stats[k];
    return s;
  }

  /** As Prometheus: endsAt = now + 4 × max(evaluation interval, resend delay). */
  #validForMs(): number {
    return 4 * Math.max(this.#ctx.evaluationIntervalMs, this.#resendMs);
  }

  #postable(a: Alert, endsAt: number): PostableAlert {
    const p: PostableAlert = { labels: shownMap(a.labels), annotations: shownMap(a.annotations), startsAt: iso(a.firedAt ?? a.activeAt), endsAt: iso(endsAt) };
    // Alertmanager checks generatorURL as a URI: leave it out rather than send "".
    if (this.#ctx.externalURL !== "") p.generatorURL = this.#ctx.externalURL;
    return p;
  }

  #send(alerts: PostableAlert[]): void {
    if (alerts.length === 0) return;
    const body = JSON.stringify(alerts);
    this.#targets.forEach((t, i) => this.#queues[i].push({ target: t, body, alerts: alerts.length }));
  }
}
