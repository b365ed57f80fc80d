import { onTestFinished } from "vitest";
import type { CreateKernelOptions, Kernel, KernelEvent, ManualClock } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";

/** A kernel on a manual clock, shut down when the test ends. */
export async function makeKernel(options: CreateKernelOptions = {}): Promise<{ kernel: Kernel; clock: ManualClock; events: KernelEvent[] }> {
  const t = await createTestKernel(options);
  onTestFinished(async () => void (await t.close()));
  return t;
}

/** The data of the plugin events of `plugin` named `name`. */
export { pluginEventsOf as pluginEvents } from "@custodian/core/testing";
