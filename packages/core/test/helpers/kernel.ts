import { onTestFinished } from "vitest";
import type { CreateKernelOptions, Kernel, KernelEvent, ManualClock } from "../../src/index.js";
import { createTestKernel } from "../../src/testing.js";

/** A kernel on a manual clock, shut down when the test ends. */
export async function makeKernel(options: CreateKernelOptions = {}): Promise<{ kernel: Kernel; clock: ManualClock; events: KernelEvent[] }> {
  const t = await createTestKernel(options);
  onTestFinished(async () => void (await t.close()));
  return t;
}

/** A promise that never settles. */
export const never = (): Promise<never> => new Promise<never>(() => {});

/** Resolves after `ms` on the manual clock. */
export const after = (clock: ManualClock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));
