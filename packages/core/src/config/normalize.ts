/**
 * Turns a configuration object into the kernel's internal settings: durations in ms, defaults
 * applied. Schema validation with file positions lives in the config loader; this step only
 * checks what the kernel itself relies on.
 */
import { KernelError } from "../errors.js";
import type { CustodianConfig, ResourceDeclaration } from "../types.js";
import { parseDuration } from "./duration.js";

/** @internal */
export interface KernelSettings {
  deadlineMs: number;
  reserveMs: number;
  signals: string[];
  /** Exit code policy after a signal-initiated shutdown. */
  exitCode: "zero-on-success" | "conventional";
  /** What a signal-initiated shutdown prints on stderr. */
  report: "silent" | "summary" | "table";
  releaseTimeoutMs: number;
  leakThresholdMs: number | undefined;
  stackSampleRate: number;
  historySize: number;
  features: Record<string, unknown>;
  resources: Record<string, ResourceDeclaration & { timeoutMs?: number }>;
}

export const DEFAULT_DEADLINE_MS = 5_000;

/** Default reserve for the forced phase: 10% of the deadline, at most 1s. */
export const defaultReserveMs = (deadlineMs: number): number => Math.min(1_000, deadlineMs * 0.1);

/** `value` when it is one of `allowed`, the first of them when undefined. */
function oneOf<const T extends readonly string[]>(value: unknown, allowed: T, name: string): T[number] {
  if (value === undefined) return allowed[0];
  if (typeof value === "string" && allowed.includes(value)) return value;
  throw new KernelError("ERR_CONFIG_INVALID", `${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; received ${JSON.stringify(value)}`);
}

/** @internal */
export function normalizeConfig(config: CustodianConfig): KernelSettings {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new KernelError(
      "ERR_CONFIG_INVALID",
      `config must be an object shaped like resource.config.yaml; received ${Array.isArray(config) ? "an array" : typeof config}`,
    );
  }
  const deadlineMs = parseDuration(config.shutdown?.deadline ?? DEFAULT_DEADLINE_MS, "shutdown.deadline");
  const reserveMs = config.shutdown?.reserve === undefined ? defaultReserveMs(deadlineMs) : parseDuration(config.shutdown.reserve, "shutdown.reserve");
  if (reserveMs > deadlineMs) {
    throw new KernelError("ERR_CONFIG_INVALID", `shutdown.reserve (${reserveMs}ms) must not exceed shutdown.deadline (${deadlineMs}ms)`);
  }
  const captureStacks = config.tracking?.captureStacks ?? false;
  const stackSampleRate = captureStacks === true ? 1 : captureStacks === false ? 0 : Number(captureStacks);
  if (!(stackSampleRate >= 0 && stackSampleRate <= 1)) {
    throw new KernelError("ERR_CONFIG_INVALID", `tracking.captureStacks must be a boolean or a rate in [0, 1]; received ${JSON.stringify(captureStacks)}`);
  }
  const resources: KernelSettings["resources"] = {};
  for (const [name, decl] of Object.entries(config.resources ?? {})) {
    if (decl === null || typeof decl !== "object" || typeof decl.type !== "string") {
      throw new KernelError("ERR_CONFIG_INVALID", `resources.${name} must be an object with a string "type"`);
    }
    resources[name] = decl.timeout === undefined ? { ...decl } : { ...decl, timeoutMs: parseDuration(decl.timeout, `resources.${name}.timeout`) };
  }
  return {
    deadlineMs,
    reserveMs,
    signals: [...(config.shutdown?.signals ?? [])],
    exitCode: oneOf(config.shutdown?.exitCode, ["zero-on-success", "conventional"] as const, "shutdown.exitCode"),
    report: oneOf(config.shutdown?.report, ["summary", "silent", "table"] as const, "shutdown.report"),
    releaseTimeoutMs: parseDuration(config.release?.defaultTimeout ?? DEFAULT_DEADLINE_MS, "release.defaultTimeout"),
    leakThresholdMs: config.tracking?.leakThreshold === undefined ? undefined : parseDuration(config.tracking.leakThreshold, "tracking.leakThreshold"),
    stackSampleRate,
    historySize: config.tracking?.historySize ?? 1000,
    features: { ...(config.features ?? {}) },
    resources,
  };
}

/**
 * Checks declared dependencies: every name exists and there is no cycle.
 * @throws KernelError ERR_KERNEL_UNKNOWN_RESOURCE, ERR_KERNEL_DEPENDENCY_CYCLE
 */
export function checkDependencies(resources: Record<string, { dependsOn?: string[] }>): void {
  const state = new Map<string, 1 | 2>();
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(" -> ");
      throw new KernelError("ERR_KERNEL_DEPENDENCY_CYCLE", `Dependency cycle in resources: ${cycle}. Remove one of these dependsOn entries.`);
    }
    state.set(name, 1);
    for (const dep of resources[name].dependsOn ?? []) {
      if (!Object.hasOwn(resources, dep)) {
        throw new KernelError(
          "ERR_KERNEL_UNKNOWN_RESOURCE",
          `resources.${name}.dependsOn names "${dep}", which is not declared; declared: ${Object.keys(resources).join(", ")}`,
        );
      }
      visit(dep, [...path, name]);
    }
    state.set(name, 2);
  };
  for (const name of Object.keys(resources)) visit(name, []);
}
