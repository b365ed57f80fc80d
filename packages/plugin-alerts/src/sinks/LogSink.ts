/**
 * The log sink: one structured (JSON) line per alert state change.
 */
import type { AlertChange } from "../AlertEngine.js";
import type { LogSinkConfig } from "../schema.js";
import { iso, shownMap, type Sink, type SinkContext } from "./Sink.js";
import type { DeliveryStats } from "./DeliveryQueue.js";

const LEVEL: Record<string, string> = { firing: "warn", pending: "info", resolved: "info", inactive: "info" };

export class LogSink implements Sink {
  readonly kind = "log" as const;
  readonly name: string;
  readonly #ctx: SinkContext;
  readonly #stream: "stdout" | "stderr";
  readonly #stats: DeliveryStats = { sent: 0, failed: 0, retried: 0, dropped: 0, undelivered: 0, queued: 0 };

  constructor(cfg: LogSinkConfig, name: string, ctx: SinkContext) {
    this.name = name;
    this.#ctx = ctx;
    this.#stream = cfg.stream ?? "stderr";
  }

  notify(changes: readonly AlertChange[]): void {
    for (const c of changes) {
      const a = c.alert;
      const line = JSON.stringify({
        level: LEVEL[a.state],
        time: iso(this.#ctx.clock.now()),
        msg: `alert ${a.name} ${a.state}`,
        plugin: "alerts",
        alertname: a.name,
        state: a.state,
        from: c.from,
        fingerprint: a.fingerprint,
        value: a.value,
        inhibited: a.inhibited,
        labels: shownMap(a.labels),
        annotations: shownMap(a.annotations),
        activeAt: iso(a.activeAt),
        ...(a.resolvedAt === undefined ? {} : { resolvedAt: iso(a.resolvedAt) }),
      });
      this.#ctx.write(this.#stream, line + "\n");
      this.#stats.sent++;
    }
  }

  tick(): void {}

  async shutdown(): Promise<void> {}

  idle(): Promise<void> {
    return Promise.resolve();
  }

  stats(): DeliveryStats {
    return { ...this.#stats };
  }
}
