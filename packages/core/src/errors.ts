/**
 * Every error core throws: one base class, one stable code per failure (ERR_<AREA>_<PROBLEM>).
 * A released code is never reused. Plugins extend KernelError with codes of their own.
 */

import { redactString } from "./redact.js";

const kKernelError = Symbol.for("custodian.error");

/** Every error code of core, keyed by itself. */
export const CoreErrorCodes = Object.freeze({
  ERR_KERNEL_CLOSED: "ERR_KERNEL_CLOSED",
  ERR_KERNEL_UNKNOWN_TYPE: "ERR_KERNEL_UNKNOWN_TYPE",
  ERR_KERNEL_DUPLICATE_TYPE: "ERR_KERNEL_DUPLICATE_TYPE",
  ERR_KERNEL_UNKNOWN_RESOURCE: "ERR_KERNEL_UNKNOWN_RESOURCE",
  ERR_KERNEL_DEPENDENCY_CYCLE: "ERR_KERNEL_DEPENDENCY_CYCLE",
  ERR_KERNEL_INVALID_ARGUMENT: "ERR_KERNEL_INVALID_ARGUMENT",
  ERR_KERNEL_ACQUIRE_HOOK: "ERR_KERNEL_ACQUIRE_HOOK",
  ERR_DEADLINE_EXCEEDED: "ERR_DEADLINE_EXCEEDED",
  ERR_RELEASE_ABANDONED: "ERR_RELEASE_ABANDONED",
  ERR_RELEASE_FAILED: "ERR_RELEASE_FAILED",
  ERR_RELEASE_LATE: "ERR_RELEASE_LATE",
  ERR_SHUTDOWN_HOOK_FAILED: "ERR_SHUTDOWN_HOOK_FAILED",
  ERR_PLUGIN_INVALID: "ERR_PLUGIN_INVALID",
  ERR_PLUGIN_DUPLICATE: "ERR_PLUGIN_DUPLICATE",
  ERR_PLUGIN_DEPENDENCY: "ERR_PLUGIN_DEPENDENCY",
  ERR_PLUGIN_TIMEOUT: "ERR_PLUGIN_TIMEOUT",
  ERR_PLUGIN_APPLY: "ERR_PLUGIN_APPLY",
  ERR_FEATURE_UNKNOWN: "ERR_FEATURE_UNKNOWN",
  ERR_FEATURE_INVALID_VALUE: "ERR_FEATURE_INVALID_VALUE",
  ERR_DURATION_INVALID: "ERR_DURATION_INVALID",
  ERR_CONFIG_INVALID: "ERR_CONFIG_INVALID",
} as const);

export type CoreErrorCode = keyof typeof CoreErrorCodes;
/** Core codes plus any plugin's own `ERR_*` code. */
export type KernelErrorCode = CoreErrorCode | (string & {});

/** Base class of every Custodian error; match it with `isKernelError`, not `instanceof`. */
export class KernelError extends Error {
  readonly [kKernelError] = true;
  readonly code: KernelErrorCode;
  constructor(code: KernelErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** True for any Custodian error (from any installed copy of core), optionally of one code. */
export const isKernelError = (e: unknown, code?: KernelErrorCode): e is KernelError =>
  typeof e === "object" && e !== null && kKernelError in e && (code === undefined || (e as KernelError).code === code);

/** acquire/adopt/scope after shutdown started. */
export class KernelClosedError extends KernelError {
  constructor(operation: string, options?: ErrorOptions) {
    super("ERR_KERNEL_CLOSED", `Cannot ${operation}: the kernel is shutting down or closed. Acquire resources before calling shutdown().`, options);
  }
}

/** A deadline passed with work outstanding. */
export class DeadlineExceededError extends KernelError {
  readonly budgetMs: number;
  constructor(subject: string, budgetMs: number, options?: ErrorOptions) {
    super("ERR_DEADLINE_EXCEEDED", `${subject} did not finish within its budget of ${Math.round(budgetMs)}ms`, options);
    this.budgetMs = budgetMs;
  }
}

/** A release (and its force) settled neither way in time; references were dropped. */
export class ReleaseAbandonedError extends KernelError {
  constructor(subject: string, options?: ErrorOptions) {
    super("ERR_RELEASE_ABANDONED", `${subject} settled neither by release nor by force before its deadline and was abandoned`, options);
  }
}

/** A resource type's release (or force) rejected. The original error is the cause, unchanged; the message quotes it redacted. */
export class ReleaseFailedError extends KernelError {
  constructor(subject: string, cause: unknown) {
    super("ERR_RELEASE_FAILED", `${subject} failed to release: ${redactString(cause instanceof Error ? cause.message : String(cause))}`, { cause });
  }
}

/** A release settled, but only after its budget had ended: reported failed, never released. */
export class ReleaseLateError extends KernelError {
  readonly budgetMs: number;
  readonly elapsedMs: number;
  constructor(subject: string, budgetMs: number, elapsedMs: number) {
    super(
      "ERR_RELEASE_LATE",
      `${subject} settled ${Math.round(elapsedMs)}ms after its release started, past its budget of ${Math.round(budgetMs)}ms, so it is not reported released; make release() honour ctx.signal and not block the event loop, or raise its timeoutMs`,
    );
    this.budgetMs = budgetMs;
    this.elapsedMs = elapsedMs;
  }
}
