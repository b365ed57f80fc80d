import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { isKernelError, type ResourceOutcome } from "@custodian/core";
import type { TrackedWriteStream } from "../src/index.js";
import { makeFsKernel, scratchDir } from "./helpers/fsKernel.js";

const MiB = 1024 * 1024;

/** 1 MiB whose bytes depend on `i`, so that a reordered or missing chunk changes the checksum. */
const chunkOf = (i: number): Buffer => {
  const b = Buffer.allocUnsafe(MiB);
  for (let off = 0; off < MiB; off += 4) b.writeUInt32LE((i * 2654435761 + off) >>> 0, off);
  return b;
};

/** Writes chunks and records which ones write() accepted (a refusal is ERR_FS_STREAM_CLOSING in the callback). */
function recorder(stream: TrackedWriteStream) {
  const chunks: Array<{ data: Buffer; done: Promise<string | undefined> }> = [];
  return {
    write(data: Buffer): void {
      const done = new Promise<string | undefined>((resolve) => stream.write(data, (err) => resolve((err as { code?: string } | null | undefined)?.code)));
      chunks.push({ data, done });
    },
    async accepted(): Promise<Buffer[]> {
      const codes = await Promise.all(chunks.map((c) => c.done));
      return chunks.filter((_, i) => codes[i] !== "ERR_FS_STREAM_CLOSING").map((c) => c.data);
    },
    async refused(): Promise<number> {
      const codes = await Promise.all(chunks.map((c) => c.done));
      return codes.filter((c) => c === "ERR_FS_STREAM_CLOSING").length;
    },
  };
}

const sha = (data: Buffer | Buffer[]): string => {
  const h = createHash("sha256");
  for (const b of Array.isArray(data) ? data : [data]) h.update(b);
  return h.digest("hex");
};

describe("fs.writeStream", () => {
  it("shutdown while 50 MB are still being written: every accepted byte is on disk (size and sha256)", async () => {
    const dir = await scratchDir();
    const { kernel, events } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir }, { shutdown: { deadline: "30s" } });
    const h = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: "out.bin" });
    const stream = h.value; // the kernel drops its reference once released
    const rec = recorder(stream);
    for (let i = 0; i < 50; i++) rec.write(chunkOf(i));
    // Still writing: most of the 50 MB sits in the stream's buffer.
    expect(stream.writableLength).toBeGreaterThan(10 * MiB);
    const shutdown = kernel.shutdown();
    // Shutdown has started, the release has not: these are still accepted.
    for (let i = 50; i < 52; i++) rec.write(chunkOf(i));
    // Once the release began, the application keeps writing: refused, and the stream is not destroyed.
    while (!events.some((e) => e.type === "resource:releasing")) await new Promise((r) => setImmediate(r));
    expect(stream.writableLength).toBeGreaterThan(0);
    for (let i = 52; i < 55; i++) rec.write(chunkOf(i));
    const report = await shutdown;
    expect(report.ok).toBe(true);
    expect(report.outcomes.map((o) => o.outcome)).toEqual(["released"]);
    const accepted = await rec.accepted();
    expect(accepted).toHaveLength(52);
    expect(await rec.refused()).toBe(3);
    const file = await readFile(join(dir, "out.bin"));
    expect(file.length).toBe(52 * MiB);
    expect(sha(file)).toBe(sha(accepted));
    expect(stream.closed).toBe(true);
  });

  it("a deadline too short for the flush: destroyed at the budget and the report names the bytes not flushed", async () => {
    const dir = await scratchDir();
    const { kernel, clock, events } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir }, { shutdown: { deadline: "1s" } });
    const h = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: join(dir, "short.bin") });
    // Make the flush deterministically slower than the deadline: occupy every libuv threadpool thread
    // with a FIFO open that blocks until a writer appears, so the first write is queued, not done.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const fifos = Array.from({ length: threads }, (_, i) => join(dir, `fifo${i}`));
    for (const f of fifos) execFileSync("mkfifo", [f]);
    const blockers = fifos.map((f) => open(f, "r"));
    let unblocked = false;
    const unblock = async (): Promise<void> => {
      if (unblocked) return;
      unblocked = true;
      const writers = fifos.map((f) => openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
      const readers = await Promise.all(blockers);
      for (const fd of writers) closeSync(fd);
      for (const r of readers) await r.close();
    };
    // Whatever happens, never leave the threadpool blocked for the tests that follow.
    onTestFinished(unblock);
    const rec = recorder(h.value);
    for (let i = 0; i < 50; i++) rec.write(chunkOf(i));
    const shutdown = kernel.shutdown();
    await clock.advance(900); // the force point: 1s minus the 10% reserve
    // Unblock the threadpool: the queued write completes, then the destroyed stream closes.
    await unblock();
    const report = await shutdown;

    expect(report.ok).toBe(false);
    const outcome = report.outcomes[0] as ResourceOutcome;
    expect(outcome.outcome).toBe("failed");
    expect(isKernelError(outcome.error, "ERR_RELEASE_FAILED")).toBe(true);
    const cause = (outcome.error as Error).cause as { code: string; acceptedBytes: number; unflushedBytes: number; writtenBytes: number };
    expect(cause.code).toBe("ERR_FS_WRITE_INCOMPLETE");
    const accepted = await rec.accepted();
    expect(cause.acceptedBytes).toBe(accepted.length * MiB);
    expect(cause.unflushedBytes).toBeGreaterThan(0);
    // What the report says is on disk is what is on disk: a prefix of the accepted bytes.
    const file = await readFile(join(dir, "short.bin"));
    expect(file.length).toBe(cause.acceptedBytes - cause.unflushedBytes);
    expect(cause.writtenBytes).toBe(file.length);
    expect(sha(file)).toBe(sha(Buffer.concat(accepted).subarray(0, file.length)));
    // The same shortfall is announced as an event.
    const ev = events.find((e) => e.type === "plugin:event" && e.name === "write-incomplete");
    expect(ev).toMatchObject({ plugin: "fs", data: { unflushedBytes: cause.unflushedBytes, acceptedBytes: cause.acceptedBytes } });
  });

  it("a write after release, or after the user's own end(), is refused without destroying buffered data", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const h = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: "a.txt" });
    const s = h.value;
    expect(s.write("hello ")).toBe(true);
    s.end("world");
    const refused = new Promise<unknown>((resolve) => s.write("late", resolve));
    expect(await refused).toMatchObject({ code: "ERR_FS_STREAM_CLOSING" });
    const outcome = await h.release();
    expect(outcome.outcome).toBe("released");
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("hello world");
    expect(s.refusedBytes).toBe(4);
  });

  it("append mode counts only this stream's bytes; an open error surfaces at acquire", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const first = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: "log.txt", flags: "a" });
    first.value.write("one\n");
    await first.release();
    const second = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: "log.txt", flags: "a" });
    second.value.write("two\n");
    expect(second.value.acceptedBytes).toBe(4);
    expect((await second.release()).outcome).toBe("released");
    expect(await readFile(join(dir, "log.txt"), "utf8")).toBe("one\ntwo\n");
    expect((await stat(join(dir, "log.txt"))).size).toBe(8);
    await expect(kernel.acquire({ type: "fs.writeStream", path: "log.txt", flags: "wx" })).rejects.toMatchObject({ code: "EEXIST" });
    await expect(kernel.acquire({ type: "fs.writeStream", path: "missing/dir/x.txt" })).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("fsync: the file is fsync'ed after the last write and before close; without it, it is not", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const synced = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: "durable.txt", fsync: true });
    const plain = await kernel.acquire<TrackedWriteStream>({ type: "fs.writeStream", path: "plain.txt" });
    const [s1, s2] = [synced.value, plain.value];
    s1.write("durable");
    s2.write("plain");
    expect(s1.synced).toBe(false);
    expect((await synced.release()).outcome).toBe("released");
    expect((await plain.release()).outcome).toBe("released");
    expect(s1.synced).toBe(true);
    expect(s2.synced).toBe(false);
    expect(await readFile(join(dir, "durable.txt"), "utf8")).toBe("durable");
  });
});
