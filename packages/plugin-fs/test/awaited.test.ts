// Awaited work holds the process until it settles: a script whose only pending work is a write-stream
// flush, a temp dir release or a shutdown prints the promise's result and exits with code 0 (not 13,
// not before printing). The plugin arms no timer of its own: the flush and the removal hold the
// process through their own file system requests; the release budget is the kernel's timer.
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { closeSync, constants, existsSync, openSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { scratchDir } from "./helpers/fsKernel.js";

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, "fixtures", "awaited-child.mjs");
const built = existsSync(join(here, "..", "dist", "index.js")) && existsSync(join(here, "..", "..", "core", "dist", "index.js"));
const skip = !built && process.env.CI !== "true";
if (skip) console.warn("awaited.test.ts: skipped: packages are not built (run `npx tsc -b`)");

/** Runs the child; `onLine` sees each printed line as it comes. Resolves with every line and the exit code. */
async function run(mode: string, dir: string, onLine?: (line: Record<string, unknown>) => void) {
  const proc = spawn(process.execPath, [child, mode, dir], { stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: proc.stdout }).on("line", (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    onLine?.(line);
  });
  const [code] = (await once(proc, "exit")) as [number | null];
  return { lines, code };
}

describe.skipIf(skip)("a process whose only pending work is an fs release", () => {
  it("await release() of a write stream with 32 MiB buffered: prints released, every byte on disk, exit 0", async () => {
    const dir = await scratchDir();
    const { lines, code } = await run("flush", dir);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ outcome: "released", accepted: 32 * 1024 * 1024 });
    // Still buffered when the release was awaited: the flush was pending work.
    expect(lines[0].buffered).toBeGreaterThan(0);
    expect(statSync(join(dir, "out.bin")).size).toBe(32 * 1024 * 1024);
  });

  it("await release() of a temp dir with 500 files: prints released, the folder is gone, exit 0", async () => {
    const dir = await scratchDir();
    const { lines, code } = await run("tempdir", dir);
    expect(code).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ outcome: "released" })]);
    expect(existsSync(lines[0].path as string)).toBe(false);
  });

  it("await shutdown() with a write stream flushing and a temp dir: ok report, nothing left in the root, exit 0", async () => {
    const dir = await scratchDir();
    const { lines, code } = await run("shutdown", dir);
    expect(code).toBe(0);
    expect(lines).toEqual([{ ok: true, outcomes: [{ outcome: "released" }, { outcome: "released" }], tempdir: expect.any(String) }]);
    expect(statSync(join(dir, "out.bin")).size).toBe(16 * 1024 * 1024);
    expect(readdirSync(join(dir, "root"))).toEqual([]);
  });

  it("a flush blocked past its budget: the kernel's timer forces it, and the script prints ERR_FS_WRITE_INCOMPLETE and exits 0", async () => {
    const dir = await scratchDir();
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    // A reader that never reads: the child's open succeeds and its writes block once the pipe is full.
    const idle = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    onTestFinished(() => closeSync(idle));
    let drain: ReturnType<typeof spawn> | undefined;
    const { lines, code } = await run("force", dir, (line) => {
      // The force began (the budget ended): now let the blocked write finish.
      if (line.forcing === true) drain = spawn("cat", [fifo], { stdio: ["ignore", "ignore", "inherit"] });
    });
    expect(drain).toBeDefined();
    expect(code).toBe(0);
    expect(lines[0]).toEqual({ forcing: true });
    expect(lines[1]).toMatchObject({ outcome: "failed", code: "ERR_RELEASE_FAILED", cause: "ERR_FS_WRITE_INCOMPLETE", accepted: 4 * 1024 * 1024 });
    expect(lines[1].unflushed).toBeGreaterThan(0);
  });
});
