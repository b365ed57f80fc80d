import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { describe, expect, it, onTestFinished } from "vitest";
import { fsPluginState, MARKER } from "../src/index.js";
import { processStartTicks } from "../src/ManagedRoot.js";
import { makeFsKernel, scratchDir } from "./helpers/fsKernel.js";

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, "fixtures", "tempdir-child.mjs");
const built = existsSync(join(here, "..", "dist", "index.js")) && existsSync(join(here, "..", "..", "core", "dist", "index.js"));
// The child runs the built packages. Locally an unbuilt tree skips (with this reason); in CI it must run.
const skipChild = !built && process.env.CI !== "true";
if (skipChild) console.warn("reap.test.ts: SIGKILL test skipped: packages are not built (run `npx tsc -b`)");

/** Starts the child and resolves with the temp dir it created. */
async function startChild(root: string): Promise<{ proc: ChildProcess; path: string }> {
  const proc = spawn(process.execPath, [child, root], { stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  const lines = createInterface({ input: proc.stdout! });
  const [line] = (await once(lines, "line")) as [string];
  return { proc, path: (JSON.parse(line) as { path: string }).path };
}

/** A pid that existed a moment ago and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("reaping temp folders of dead processes", () => {
  it.skipIf(skipChild)("a child killed with SIGKILL leaves its temp dir; the next start reaps it and keeps a live process's", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    const killed = await startChild(root);
    const alive = await startChild(root);
    expect(await readFile(join(killed.path, "data.txt"), "utf8")).toBe("work in progress");
    killed.proc.kill("SIGKILL");
    await once(killed.proc, "exit");
    expect(existsSync(killed.path)).toBe(true); // SIGKILL: no cleanup ran

    const { kernel } = await makeFsKernel({ root });
    const reaped = fsPluginState(kernel)!.reaped!;
    expect(reaped.removed).toEqual([dirname(killed.path)]);
    expect(reaped.alive).toEqual([dirname(alive.path)]);
    expect(existsSync(dirname(killed.path))).toBe(false);
    expect(existsSync(alive.path)).toBe(true);
  });

  it("a marker whose pid now belongs to another process (different start time) is reaped", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    const ticks = processStartTicks(process.pid);
    const stale = join(root, "p-reused");
    await mkdir(stale, { recursive: true });
    await writeFile(join(stale, MARKER), JSON.stringify({ pid: process.pid, startTicks: (ticks ?? 0) - 1, startedAt: 0, host: hostname() }));
    const mine = join(root, "p-mine");
    await mkdir(mine);
    await writeFile(join(mine, MARKER), JSON.stringify({ pid: process.pid, startTicks: ticks, startedAt: 0, host: hostname() }));
    const { kernel } = await makeFsKernel({ root });
    expect(fsPluginState(kernel)!.reaped).toMatchObject({ removed: ticks === null ? [] : [stale], alive: ticks === null ? [stale, mine].sort() : [mine] });
    expect(existsSync(mine)).toBe(true);
  });

  it("leaves unmarked folders, other hosts' folders and symlinks alone; never follows a link out", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    const pid = deadPid();
    const marker = (host: string): string => JSON.stringify({ pid, startTicks: null, startedAt: 0, host });
    // Outside the root, a folder that looks like a dead process's folder, with a canary.
    const outside = join(dir, "outside");
    await mkdir(outside);
    await writeFile(join(outside, MARKER), marker(hostname()));
    await writeFile(join(outside, "canary.txt"), "alive");
    await mkdir(join(root, "unmarked"), { recursive: true });
    await writeFile(join(root, "unmarked", "keep.txt"), "keep");
    await mkdir(join(root, "other-host"));
    await writeFile(join(root, "other-host", MARKER), marker("some-other-host"));
    await symlink(outside, join(root, "p-link"));
    // A dead process's folder holding a link to the outside canary: the link goes, the canary stays.
    await mkdir(join(root, "p-dead"));
    await writeFile(join(root, "p-dead", MARKER), marker(hostname()));
    await symlink(join(outside, "canary.txt"), join(root, "p-dead", "link"));

    const { kernel } = await makeFsKernel({ root });
    const reaped = fsPluginState(kernel)!.reaped!;
    expect(reaped.removed).toEqual([join(root, "p-dead")]);
    expect(reaped.skipped.sort()).toEqual([join(root, "other-host"), join(root, "p-link"), join(root, "unmarked")]);
    expect(readdirSync(root).sort()).toEqual(["other-host", "p-link", "unmarked"]);
    expect(await readFile(join(outside, "canary.txt"), "utf8")).toBe("alive");
    expect(readdirSync(outside).sort()).toEqual([MARKER, "canary.txt"].sort());
  });

  it("reap: false leaves dead processes' folders in place", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    await mkdir(join(root, "p-dead"), { recursive: true });
    await writeFile(join(root, "p-dead", MARKER), JSON.stringify({ pid: deadPid(), startTicks: null, startedAt: 0, host: hostname() }));
    const { kernel } = await makeFsKernel({ root, reap: false });
    expect(fsPluginState(kernel)!.reaped).toBeUndefined();
    expect(existsSync(join(root, "p-dead"))).toBe(true);
  });
});
