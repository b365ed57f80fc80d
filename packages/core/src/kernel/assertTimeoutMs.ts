/**
 * The one check of a per-resource or per-scope release budget where it enters the kernel.
 */
import { KernelError } from "../errors.js";

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
