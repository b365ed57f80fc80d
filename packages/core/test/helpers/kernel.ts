import { onTestFinished } from "vitest";
import { createKernel, ManualClock, type CreateKernelOptions, type Kernel, type KernelEvent } from "../../src/index.js";

/** A kernel on a manual clock, shut down when the test ends. */
export async function makeKernel(options: CreateKernelOptions = {}): Promise<{ kernel: Kernel; clock: ManualClock; events: KernelEvent[] }> {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock();
  // config: {} so that no test picks up a resource.config.yaml found from the working directory.
  const kernel = await createKernel({ env: {}, config: {}, ...options, clock });
  const events: KernelEvent[] = [];
  kernel.events$.subscribe((e) => events.push(e));
  onTestFinished(async () => {
    const p = kernel.shutdown("test finished");
    await clock.advance(60_000);
    await p;
  });
  return { kernel, clock, events };
}

/** A promise that never settles. */
export const never = (): Promise<never> => new Promise<never>(() => {});

/** Resolves after `ms` on the manual clock. */
export const after = (clock: ManualClock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));
