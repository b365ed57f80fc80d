/**
 * Every event the kernel emits, as one discriminated union on `type`. Events name past facts.
 */
import type { ReleaseOutcomeKind, ShutdownReport } from "../types.js";

interface ResourceRef {
  id: string;
  resourceType: string;
  name: string | undefined;
}

export type KernelEvent =
  | ({ type: "resource:acquiring"; at: number } & ResourceRef)
  | ({ type: "resource:acquired"; at: number; elapsedMs: number } & ResourceRef)
  | ({ type: "resource:acquire-failed"; at: number; error: unknown } & ResourceRef)
  | ({ type: "resource:releasing"; at: number; budgetMs: number; reason: string } & ResourceRef)
  | ({ type: "resource:released"; at: number; outcome: ReleaseOutcomeKind; elapsedMs: number; error?: unknown } & ResourceRef)
  | ({ type: "resource:settled-late"; at: number; settled: "fulfilled" | "rejected"; error?: unknown } & ResourceRef)
  | ({
      type: "resource:leak-suspected";
      at: number;
      ageMs: number;
      reason: "held-too-long" | "garbage-collected" | (string & {});
      stack?: string;
      detail?: string;
      data?: Record<string, unknown>;
    } & ResourceRef)
  | { type: "kernel:shutdown-started"; at: number; reason: string; strategy: "deadline" | "legacy"; deadlineMs: number; resources: number }
  | ({ type: "kernel:deadline-exceeded"; at: number; scope: "resource" } & ResourceRef)
  | { type: "kernel:deadline-exceeded"; at: number; scope: "global"; outstanding: number }
  | { type: "kernel:shutdown-completed"; at: number; report: ShutdownReport }
  | { type: "kernel:signal"; at: number; signal: string; count: number }
  | { type: "hook:error"; at: number; hook: string; tap: string; error: unknown }
  | { type: "plugin:applied"; at: number; plugin: string; elapsedMs: number }
  | { type: "plugin:event"; at: number; plugin: string; name: string; data: Record<string, unknown> };

export type KernelEventType = KernelEvent["type"];
