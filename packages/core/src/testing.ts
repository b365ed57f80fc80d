/**
 * Test support for code built on Custodian (your plugins, your services), independent of the test
 * runner: a kernel on a ManualClock with no config search, no environment and every event recorded.
 * @example
 *   import { createTestKernel } from "@custodian/core/testing"
 *   const t = await createTestKernel({ plugins: [myPlugin] })
 *   onTestFinished(async () => void (await t.close()))   // vitest; afterEach elsewhere
 *   const h = await t.kernel.acquire({ type: "my.thing" })
 *   await t.clock.advance(5_000)               // drive time instead of sleeping
 *   expect(t.pluginEvents("my-plugin", "thing:opened")).toHaveLength(1)
 */
import { createKernel, type CreateKernelOptions } from "./kernel/createKernel.js";
import type { Kernel } from "./kernel/KernelApi.js";
import type { KernelEvent } from "./events/KernelEvent.js";
import type { ShutdownReport } from "./types.js";
import { ManualClock } from "./time/ManualClock.js";
import { definePlugin } from "./registry/definePlugin.js";

const RECORDER = "custodian:test-recorder";

/** The `data` of the `plugin:event`s in `events` that `plugin` emitted under `name`, in order. */
export const pluginEventsOf = (events: readonly KernelEvent[], plugin: string, name: string): Array<Record<string, unknown>> =>
  events.flatMap((e) => (e.type === "plugin:event" && e.plugin === plugin && e.name === name ? [e.data] : []));

export interface TestKernel {
  readonly kernel: Kernel;
  readonly clock: ManualClock;
  /** Every event the kernel emitted, in order, from before the plugins in `options.plugins` applied. */
  readonly events: KernelEvent[];
  /** The `data` of the `plugin:event`s that `plugin` emitted under `name`. */
  pluginEvents(plugin: string, name: string): Array<Record<string, unknown>>;
  /**
   * Shuts the kernel down, advancing the manual clock past any deadline so that a hanging release
   * cannot hang the test. Idempotent; resolves with the shutdown report.
   */
  close(): Promise<ShutdownReport>;
}

export interface TestKernelOptions extends CreateKernelOptions {
  /** How far `close()` advances the clock while shutting down. Default 60s. */
  closeAdvanceMs?: number;
}

/**
 * A kernel for tests. Unlike createKernel(), `config` defaults to `{}` (no resource.config.yaml is
 * searched from the working directory) and `env` to `{}` (no CUSTODIAN_FEATURE_* of the shell leaks in).
 * `clock` must be a ManualClock if given.
 */
export async function createTestKernel(options: TestKernelOptions = {}): Promise<TestKernel> {
  const { closeAdvanceMs = 60_000, ...rest } = options;
  if (rest.clock !== undefined && !(rest.clock instanceof ManualClock)) throw new TypeError("createTestKernel: clock must be a ManualClock");
  const clock = (rest.clock as ManualClock | undefined) ?? new ManualClock();
  const events: KernelEvent[] = [];
  // A first plugin subscribes, so that what the tested plugins emit while applying is recorded too.
  const recorder = definePlugin({
    name: RECORDER,
    apply: (k) =>
      void k.events$.subscribe((e) => {
        if (!(e.type === "plugin:applied" && e.plugin === RECORDER)) events.push(e);
      }),
  });
  const kernel = await createKernel({ env: {}, config: {}, ...rest, clock, plugins: [recorder, ...(rest.plugins ?? [])] });
  let closing: Promise<ShutdownReport> | undefined;
  return {
    kernel,
    clock,
    events,
    pluginEvents: (plugin, name) => pluginEventsOf(events, plugin, name),
    close() {
      closing ??= (async () => {
        const report = kernel.shutdown("test finished");
        await clock.advance(closeAdvanceMs);
        return report;
      })();
      return closing;
    },
  };
}
