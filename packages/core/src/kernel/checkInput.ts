/**
 * The checks of what enters the kernel from code: a release budget (per resource, scope or type)
 * and a resource type definition.
 */
import { KernelError } from "../errors.js";
import type { ResourceTypeDefinition } from "../types.js";

/**
 * A per-resource or per-scope budget given (callers skip undefined, "inherit"): a number of
 * milliseconds >= 0 (Infinity: no budget of its own). NaN, negatives and non-numbers would silently
 * turn into "release at once" or "never", so they are refused where they enter.
 * @throws KernelError ERR_KERNEL_INVALID_ARGUMENT
 */
export function assertTimeoutMs(value: unknown, where: string): void {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new KernelError(
      "ERR_KERNEL_INVALID_ARGUMENT",
      `${where}: timeoutMs must be a number of milliseconds >= 0; received ${typeof value === "number" ? String(value) : JSON.stringify(value)}`,
    );
  }
}

/**
 * A resource type about to be registered: a non-empty name not registered yet, and a definition
 * with a release(value, ctx) function and a valid timeoutMs.
 * @throws KernelError ERR_KERNEL_DUPLICATE_TYPE, ERR_KERNEL_INVALID_ARGUMENT
 */
export function checkTypeDefinition(type: string, definition: ResourceTypeDefinition<any, any>, registered: ReadonlyMap<string, unknown>): void {
  if (typeof type !== "string" || type === "")
    throw new KernelError("ERR_KERNEL_INVALID_ARGUMENT", `registerType: type must be a non-empty string; received ${JSON.stringify(type)}`);
  if (registered.has(type))
    throw new KernelError("ERR_KERNEL_DUPLICATE_TYPE", `Resource type "${type}" is already registered; each type is registered by one plugin`);
  if (definition === null || typeof definition !== "object" || typeof definition.release !== "function") {
    throw new KernelError("ERR_KERNEL_INVALID_ARGUMENT", `registerType("${type}"): definition must be an object with a release(value, ctx) function`);
  }
  if (definition.timeoutMs !== undefined) assertTimeoutMs(definition.timeoutMs, `registerType("${type}")`);
}
