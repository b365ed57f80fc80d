/**
 * What every sink implements, and the context the plugin hands it.
 */
import { redactValue, type Clock, type Deadline } from "@custodian/core";
import type { Alert, AlertChange } from "../AlertEngine.js";
import type { DeliveryStats } from "./DeliveryQueue.js";

export interface SinkContext {
  readonly clock: Clock;
  readonly evaluationIntervalMs: number;
  readonly externalURL: string;
  /** Emits a plugin event `alerts/<name>` on the kernel's events$. */
  report(name: string, data: Record<string, unknown>): void;
  /** Writes one log line (log sink). */
  write(stream: "stdout" | "stderr", line: string): void;
}

export interface Sink {
  readonly name: string;
  readonly kind: "log" | "webhook" | "alertmanager";
  /** State changes of one evaluation (already filtered by the sink's `match`). */
  notify(changes: readonly AlertChange[]): void;
  /** After each evaluation: every alert currently pending or firing that the sink matches. */
  tick(active: readonly Alert[]): void;
  /**
   * At shutdown: send what is owed before `deadline` (the alertmanager sink resolves `firing`
   * with endsAt = now; the webhook sink flushes its groups). Counts what it could not send.
   */
  shutdown(firing: readonly Alert[], deadline: Deadline): Promise<void>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  stats(): DeliveryStats;
}

/** Labels or annotations as a sink sends them: credentials redacted by core's one redaction module. */
export const shownMap = (map: Readonly<Record<string, string>>): Record<string, string> => redactValue(map) as Record<string, string>;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Alertmanager's zero time, used as `endsAt` of firing alerts in webhook payloads. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

export const matches = (labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>> | undefined): boolean => {
  if (want === undefined) return true;
  for (const k in want) if (labels[k] !== want[k]) return false;
  return true;
};
