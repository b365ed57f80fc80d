import { onTestFinished } from "vitest";
import { createKernel, ManualClock, type CreateKernelOptions, type Kernel, type KernelEvent } from "@custodian/core";

/** A kernel on a manual clock, shut down when the test ends. */
export async function makeKernel(options: CreateKernelOptions = {}): Promise<{ kernel: Kernel; clock: ManualClock; events: KernelEvent[] }> {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock();
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

/** The data of the plugin events of `plugin` named `name`. */
export const pluginEvents = (events: KernelEvent[], plugin: string, name: string): Array<Record<string, unknown>> =>
  events.flatMap((e) => (e.type === "plugin:event" && e.plugin === plugin && e.name === name ? [e.data] : []));
