/**
 * A bounded, ordered delivery queue with retries and exponential backoff on the kernel clock.
 * Overflow drops the oldest notification and counts it; at shutdown, what could not be sent
 * before the deadline is counted as undelivered. Nothing leaves the queue uncounted.
 */
import type { Clock, Deadline, TimerHandle } from "@custodian/core";
import { DeliveryFailedError } from "../errors.js";
import { postJson, type Agents, type Target } from "../http.js";

/** Delivery counts of one sink (notifications, i.e. POSTs). */
export interface DeliveryStats {
  sent: number;
  /** Gave up after every retry. */
  failed: number;
  retried: number;
  /** Pushed out of a full queue. */
  dropped: number;
  /** Not confirmed: still queued or in flight when the shutdown deadline passed (one in flight may have been processed). */
  undelivered: number;
  queued: number;
}

export interface DeliveryItem {
  target: Target;
  body: string;
  alerts: number;
}

export interface DeliveryOptions {
  sink: string;
  clock: Clock;
  agents: Agents;
  maxQueue: number;
  retries: number;
  backoffMs: number;
  timeoutMs: number;
  report(name: "notification:sent" | "notification:failed" | "notification:dropped", data: Record<string, unknown>): void;
}

const MAX_BACKOFF_MS = 60_000;

export class DeliveryQueue {
  readonly stats: DeliveryStats = { sent: 0, failed: 0, retried: 0, dropped: 0, undelivered: 0, queued: 0 };
  readonly #o: DeliveryOptions;
  readonly #queue: DeliveryItem[] = [];
  #running = false;
  #idle: Array<() => void> = [];
  readonly #abort = new AbortController();
  #stopped = false;
  #backoffTimer: TimerHandle | undefined;
  #wakeBackoff: (() => void) | undefined;

  constructor(options: DeliveryOptions) {
    this.#o = options;
  }

  push(item: DeliveryItem): void {
    if (this.#stopped) {
      this.stats.undelivered++;
      return;
    }
    if (this.#queue.length >= this.#o.maxQueue) {
      const old = this.#queue.shift()!;
      this.stats.dropped++;
      this.#o.report("notification:dropped", { sink: this.#o.sink, target: old.target.display, alerts: old.alerts, reason: "queue-full" });
    }
    this.#queue.push(item);
    this.stats.queued = this.#queue.length;
    if (!this.#running) void this.#run();
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Delivers what is queued until `deadline`; then aborts what is in flight and counts the rest
   * as undelivered. Resolves with the number of undelivered notifications.
   */
  async drain(deadline: Deadline): Promise<number> {
    let timer: TimerHandle | undefined;
    const expired = new Promise<void>((resolve) => {
      timer = this.#o.clock.setTimeout(resolve, deadline.remainingMs());
    });
    // Retry pauses end early at shutdown: send again now rather than after the deadline.
    this.#wakeBackoff?.();
    await Promise.race([this.idle(), expired]);
    this.#o.clock.clearTimeout(timer);
    this.#stopped = true;
    const left = this.#queue.length + (this.#running ? 1 : 0);
    this.#queue.length = 0;
    this.stats.queued = 0;
    this.#abort.abort();
    this.#wakeBackoff?.();
    this.stats.undelivered += left;
    await this.idle();
    return left;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0 && !this.#stopped) {
        const item = this.#queue.shift()!;
        this.stats.queued = this.#queue.length;
        await this.#deliver(item);
      }
    } finally {
      this.#running = false;
      const waiting = this.#idle;
      this.#idle = [];
      for (const w of waiting) w();
    }
  }

  async #deliver(item: DeliveryItem): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.#o.retries; attempt++) {
      if (this.#stopped) return; // counted by drain()
      if (attempt > 0) {
        this.stats.retried++;
        await this.#pause(Math.min(MAX_BACKOFF_MS, this.#o.backoffMs * 2 ** (attempt - 1)));
        if (this.#stopped) return;
      }
      try {
        const status = await postJson(item.target, item.body, {
          clock: this.#o.clock,
          timeoutMs: this.#o.timeoutMs,
          agents: this.#o.agents,
          signal: this.#abort.signal,
        });
        this.stats.sent++;
        this.#o.report("notification:sent", { sink: this.#o.sink, target: item.target.display, alerts: item.alerts, status, attempts: attempt + 1 });
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (this.#stopped) return;
    this.stats.failed++;
    const status = (lastError as { status?: number }).status;
    const error = new DeliveryFailedError(
      this.#o.sink,
      item.target.display,
      `${(lastError as Error).message} after ${this.#o.retries + 1} attempt(s)`,
      status,
      { cause: lastError },
    );
    this.#o.report("notification:failed", { sink: this.#o.sink, target: item.target.display, alerts: item.alerts, attempts: this.#o.retries + 1, error });
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.#o.clock.clearTimeout(this.#backoffTimer);
        this.#backoffTimer = undefined;
        this.#wakeBackoff = undefined;
        resolve();
      };
      this.#wakeBackoff = wake;
      this.#backoffTimer = this.#o.clock.setTimeout(wake, ms);
    });
  }
}
