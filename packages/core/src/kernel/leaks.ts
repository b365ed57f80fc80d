/**
 * Leak detection: three ways a tracked resource becomes a `resource:leak-suspected` event.
 * A handle garbage-collected without release() (a FinalizationRegistry the kernel registers each
 * non-shared handle with), a resource held longer than `leakThreshold` (one timer, armed for the
 * oldest unflagged active resource only), and a leak a plugin reports (`kernel.reportLeak`).
 * Flagged resources stay tracked and are released at shutdown.
 */
import type { EventBus } from "../events/EventBus.js";
import { redactString, redactValue } from "../redact.js";
import type { Clock, TimerHandle } from "../time/Clock.js";
import type { ReportedLeak } from "./KernelApi.js";
import type { Rec } from "./ResourceRecord.js";

/** A registry that reports a handle garbage-collected while its resource is still active. */
export function createGcLeakWatch(live: ReadonlyMap<string, Rec>, clock: Clock, bus: EventBus): FinalizationRegistry<string> {
  return new FinalizationRegistry((id) => {
    const rec = live.get(id);
    if (rec === undefined || rec.state !== "active") return;
    bus.emit({
      type: "resource:leak-suspected",
      at: clock.now(),
      id,
      resourceType: rec.type,
      name: rec.shownName,
      ageMs: clock.now() - rec.acquiredAt,
      reason: "garbage-collected",
      stack: rec.stack,
      detail: "its handle was garbage-collected without release(); it stays tracked and is released at shutdown",
    });
  });
}

/** Emits a leak a plugin found; names, details and data are redacted. */
export function emitReportedLeak(leak: ReportedLeak, live: ReadonlyMap<string, Rec>, clock: Clock, bus: EventBus): void {
  if (!bus.observed) return;
  const rec = live.get(leak.id);
  const now = clock.now();
  bus.emit({
    type: "resource:leak-suspected",
    at: now,
    id: leak.id,
    resourceType: leak.type,
    name: leak.name === undefined ? undefined : redactString(leak.name),
    ageMs: leak.ageMs ?? (rec === undefined ? 0 : now - rec.acquiredAt),
    reason: leak.reason,
    stack: rec?.stack,
    detail: leak.detail === undefined ? undefined : redactString(leak.detail),
    data: leak.data === undefined ? undefined : (redactValue(leak.data) as Record<string, unknown>),
  });
}

/**
 * Flags resources held longer than `thresholdMs`, once each. One timer at most, for the oldest
 * unflagged active resource (the live table is in acquisition order); none while nothing is active,
 * none after stop().
 */
export class LeakTimer {
  readonly #clock: Clock;
  readonly #live: ReadonlyMap<string, Rec>;
  readonly #thresholdMs: number;
  readonly #bus: EventBus;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(clock: Clock, live: ReadonlyMap<string, Rec>, thresholdMs: number, bus: EventBus) {
    this.#clock = clock;
    this.#live = live;
    this.#thresholdMs = thresholdMs;
    this.#bus = bus;
  }

  /** True while a check is scheduled. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Schedules the next check, for the oldest unflagged active resource (if any). */
  arm(): void {
    if (this.#stopped) return;
    let oldest: Rec | undefined;
    // Only active resources: one still being created past the threshold would re-arm a 0 ms timer
    // forever. The kernel arms again when a resource becomes active.
    for (const r of this.#live.values()) {
      if (!r.leakFlagged && r.state === "active") {
        oldest = r;
        break;
      }
    }
    if (oldest === undefined) return;
    const at = oldest.acquiredAt + this.#thresholdMs;
    this.#timer = this.#clock.setTimeout(() => this.#check(), Math.max(0, at - this.#clock.now()));
  }

  /** Shutdown started: no more checks. */
  stop(): void {
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const now = this.#clock.now();
    for (const r of this.#live.values()) {
      if (r.leakFlagged || r.state !== "active") continue;
      const age = now - r.acquiredAt;
      if (age < this.#thresholdMs) break; // insertion order = acquisition order: the rest are younger
      r.leakFlagged = true;
      this.#bus.emit({
        type: "resource:leak-suspected",
        at: now,
        id: r.id,
        resourceType: r.type,
        name: r.shownName,
        ageMs: age,
        reason: "held-too-long",
        stack: r.stack,
      });
    }
    this.arm();
  }
}
