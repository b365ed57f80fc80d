import { writeFile } from "node:fs/promises";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { FileHandle } from "node:fs/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { createKernel, type ResourceHandle } from "@custodian/core";
import { fsPlugin, type TempPath, type TrackedWriteStream } from "../src/index.js";
import { fdCount, fdsUnder, scratchDir } from "./helpers/fsKernel.js";

describe("many handles", () => {
  it("hundreds of temp files, dirs, file handles, streams and watchers are released within the deadline; no fd is left open", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    const before = fdCount();
    // The real clock on purpose: "within the deadline" is measured, and nothing may be forced.
    const kernel = await createKernel({ env: {}, config: { shutdown: { deadline: "10s" } }, plugins: [{ plugin: fsPlugin, options: { root, baseDir: dir } }] });
    onTestFinished(async () => void (await kernel.shutdown()));
    const files: Array<ResourceHandle<TempPath>> = [];
    for (let i = 0; i < 300; i++) files.push(await kernel.acquire<TempPath>({ type: "fs.tempfile", suffix: ".dat" }));
    for (let i = 0; i < 100; i++) await kernel.acquire({ type: "fs.tempdir" });
    for (let i = 0; i < 200; i++) {
      const fh = await kernel.acquire<FileHandle>({ type: "fs.file", path: files[i].value.path, flags: "r+", datasync: i % 2 === 0 });
      await fh.value.write(`file ${i}`);
    }
    for (let i = 0; i < 50; i++) {
      const s = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: `stream-${i}.log` });
      s.value.write("x".repeat(10_000));
    }
    for (let i = 0; i < 20; i++) await kernel.acquire({ type: "fs.watcher", path: files[i].value.path });
    expect(fdsUnder(dir).length).toBe(250);
    expect(kernel.snapshot()).toHaveLength(670);

    const report = await kernel.shutdown();
    expect(report.ok).toBe(true);
    expect(report.elapsedMs).toBeLessThan(10_000);
    expect(new Set(report.outcomes.map((o) => o.outcome))).toEqual(new Set(["released"]));
    expect(report.outcomes).toHaveLength(670);
    expect(fdsUnder(dir)).toEqual([]);
    // A handful of process-wide fds (libuv's inotify instance, for one) may stay; hundreds may not.
    expect(fdCount() - before).toBeLessThanOrEqual(3);
    // Every temp entry and this process's folder are gone; the streams' files stay.
    expect(readdirSync(root)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.startsWith("stream-"))).toHaveLength(50);
  });

  it("a file handle released on its own closes its fd at once", async () => {
    const dir = await scratchDir();
    await writeFile(join(dir, "f.txt"), "abc");
    const kernel = await createKernel({ env: {}, config: {}, plugins: [{ plugin: fsPlugin, options: { root: join(dir, "root"), baseDir: dir } }] });
    onTestFinished(async () => void (await kernel.shutdown()));
    const h = await kernel.acquire<FileHandle>({ type: "fs.file", path: "f.txt" });
    const fh = h.value;
    expect(fdsUnder(join(dir, "f.txt"))).toHaveLength(1);
    expect((await h.release()).outcome).toBe("released");
    expect(fh.fd).toBe(-1);
    expect(fdsUnder(join(dir, "f.txt"))).toEqual([]);
  });
});
