import { mkdtemp, rm } from "node:fs/promises";
import { readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { createKernel, ManualClock, type CustodianConfig, type Kernel, type KernelEvent } from "@custodian/core";
import { fsPlugin, type FsPluginOptions } from "../../src/index.js";

/** A fresh folder under the OS temp dir, removed when the test ends. */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "custodian-fs-test-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A kernel on a manual clock with the fs plugin, shut down when the test ends. */
export async function makeFsKernel(
  options: FsPluginOptions,
  config: CustodianConfig = {},
): Promise<{ kernel: Kernel; clock: ManualClock; events: KernelEvent[] }> {
  const clock = new ManualClock();
  const kernel = await createKernel({ env: {}, config, clock, plugins: [{ plugin: fsPlugin, options }] });
  const events: KernelEvent[] = [];
  kernel.events$.subscribe((e) => events.push(e));
  onTestFinished(async () => {
    const p = kernel.shutdown("test finished");
    await clock.advance(60_000);
    await p;
  });
  return { kernel, clock, events };
}

/** Open fds of this process whose target is under `prefix` (Linux /proc). */
export function fdsUnder(prefix: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(prefix)) out.push(target);
    } catch {
      // Closed between readdir and readlink (the readdir's own fd, for one).
    }
  }
  return out;
}

/** Number of open fds of this process. */
export const fdCount = (): number => readdirSync("/proc/self/fd").length;
