import { mkdtemp, rm } from "node:fs/promises";
import { readdirSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import type { CustodianConfig, Kernel, KernelEvent, ManualClock } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";
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
  const t = await createTestKernel({ config, plugins: [{ plugin: fsPlugin, options }] });
  onTestFinished(async () => void (await t.close()));
  return t;
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
