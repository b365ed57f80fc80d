import { once } from "node:events";
import { existsSync, readdirSync, realpathSync, type FSWatcher } from "node:fs";
import { mkdir, open, readFile, rm, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it, onTestFinished } from "vitest";
import { createKernel, ManualClock, type AcquireSpec, type CreateKernelOptions, type Kernel, type KernelEvent } from "@custodian/core";
import {
  fileSchema,
  fsPlugin,
  fsPluginState,
  tempdirSchema,
  tempfileSchema,
  watcherSchema,
  writeStreamSchema,
  type FsPluginOptions,
  type TempPath,
} from "../src/index.js";
import { createTestKernel } from "@custodian/core/testing";
import { makeFsKernel, scratchDir } from "./helpers/fsKernel.js";

const distEntry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const builtPlugin = existsSync(distEntry);
if (!builtPlugin) console.warn("fsPlugin.test.ts: YAML module test skipped: packages are not built (run `npx tsc -b`)");

const pluginEvents = (events: KernelEvent[], name: string) =>
  events.filter((e): e is Extract<KernelEvent, { type: "plugin:event" }> => e.type === "plugin:event" && e.name === name);

describe("fsPlugin", () => {
  it("registers the five types, each with a JSON schema for its YAML spec", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root") });
    expect(
      kernel
        .types()
        .filter((t) => t.startsWith("fs."))
        .sort(),
    ).toEqual(["fs.file", "fs.tempdir", "fs.tempfile", "fs.watcher", "fs.writeStream"]);
    expect(kernel.getType("fs.file")?.schema).toBe(fileSchema);
    expect(kernel.getType("fs.writeStream")?.schema).toBe(writeStreamSchema);
    expect(kernel.getType("fs.tempdir")?.schema).toBe(tempdirSchema);
    expect(kernel.getType("fs.tempfile")?.schema).toBe(tempfileSchema);
    expect(kernel.getType("fs.watcher")?.schema).toBe(watcherSchema);
  });

  it("fs.file: a relative path resolves against baseDir; release datasyncs and closes; snapshot shows the open handle", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const h = await kernel.acquire<FileHandle>({ type: "fs.file", name: "out", path: "data.txt", flags: "w", datasync: true });
    const fh = h.value;
    await fh.write("payload");
    expect(kernel.snapshot()).toEqual([
      expect.objectContaining({ name: "out", type: "fs.file", details: { path: join(dir, "data.txt"), flags: "w", fd: fh.fd, open: true } }),
    ]);
    expect((await h.release()).outcome).toBe("released");
    expect(fh.fd).toBe(-1);
    expect(await readFile(join(dir, "data.txt"), "utf8")).toBe("payload");
  });

  it("snapshot details name every open handle of each type", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const t = await kernel.acquire<TempPath>({ type: "fs.tempfile", name: "scratch", suffix: ".json" });
    await kernel.acquire({ type: "fs.tempdir", name: "work" });
    const s = await kernel.acquire({ type: "fs.writeStream", name: "log", path: "log.txt" });
    await kernel.acquire({ type: "fs.watcher", name: "watch", path: "." });
    (s.value as NodeJS.WritableStream).write("12345");
    const details = Object.fromEntries(kernel.snapshot().map((r) => [r.name, r.details]));
    expect(details.scratch).toEqual({ path: t.value.path });
    expect(t.value.path.endsWith(".json")).toBe(true);
    expect((details.work as { path: string }).path.startsWith(realpathSync(join(dir, "root")))).toBe(true);
    expect(details.log).toMatchObject({ path: join(dir, "log.txt"), acceptedBytes: 5, refusedBytes: 0 });
    expect(typeof (details.log as { fd: unknown }).fd).toBe("number");
    expect(details.watch).toEqual({ path: dir, recursive: false, error: undefined });
  });

  it("fs.watcher: reports changes and is closed at release", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const h = await kernel.acquire<FSWatcher>({ type: "fs.watcher", path: "." });
    const w = h.value;
    const changed = once(w, "change");
    await writeFile(join(dir, "new.txt"), "x");
    const [, filename] = (await changed) as [string, string];
    expect(filename).toBe("new.txt");
    const closed = once(w, "close");
    expect((await h.release()).outcome).toBe("released");
    await closed;
  });

  it("temp entries are removed at release; this process's folder is removed at shutdown", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    const clock = new ManualClock();
    const kernel = await createKernel({ env: {}, config: {}, clock, plugins: [{ plugin: fsPlugin, options: { root } }] });
    onTestFinished(async () => void (await kernel.shutdown()));
    expect(existsSync(root)).toBe(false); // created on first use
    const d = await kernel.acquire<TempPath>({ type: "fs.tempdir", subpath: "nested/work" });
    const f = await kernel.acquire<TempPath>({ type: "fs.tempfile" });
    await writeFile(join(d.value.path, "inner.txt"), "x");
    expect(readdirSync(root)).toHaveLength(1);
    const processDir = fsPluginState(kernel)!.root.processDir!;
    expect(JSON.parse(await readFile(join(processDir, ".custodian-process.json"), "utf8"))).toMatchObject({ pid: process.pid });
    const dPath = d.value.path;
    expect((await d.release()).outcome).toBe("released");
    expect(existsSync(dPath)).toBe(false);
    expect(existsSync(f.value.path)).toBe(true);
    const report = await kernel.shutdown();
    expect(report.ok).toBe(true);
    expect(readdirSync(root)).toEqual([]);
  });

  it("the default root is <os.tmpdir()>/custodian-<uid>/<app>", async () => {
    const app = `fs-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const expected = join(tmpdir(), `custodian-${process.getuid!()}`, app);
    const { kernel } = await makeFsKernel({ app });
    // One hook, in this order: removing the root while the kernel still releases into it races.
    onTestFinished(async () => {
      await kernel.shutdown();
      await rm(expected, { recursive: true, force: true });
    });
    const t = await kernel.acquire<TempPath>({ type: "fs.tempfile" });
    expect(t.value.path.startsWith(realpathSync(expected) + "/")).toBe(true);
    expect(fsPluginState(kernel)!.root.path).toBe(expected);
  });

  it("an ad-hoc spec without a path fails with ERR_FS_INVALID_SPEC", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root") });
    for (const type of ["fs.file", "fs.writeStream", "fs.watcher"]) {
      await expect(kernel.acquire({ type })).rejects.toMatchObject({ code: "ERR_FS_INVALID_SPEC" });
    }
  });

  it("resources declared in a YAML file: specs are checked by the types' schemas and paths resolve against the file's folder", async () => {
    const dir = await scratchDir();
    const file = join(dir, "resource.config.yaml");
    await writeFile(
      file,
      ["resources:", "  log:", "    type: fs.writeStream", "    path: out/log.txt", "  scratch:", "    type: fs.tempdir", "    prefix: job-", ""].join("\n"),
    );
    await mkdir(join(dir, "out"));
    const clock = new ManualClock();
    const kernel = await createKernel({ env: {}, config: file, clock, plugins: [{ plugin: fsPlugin, options: { root: join(dir, "root") } }] });
    onTestFinished(async () => void (await kernel.shutdown()));
    const log = await kernel.acquire<NodeJS.WritableStream>("log");
    log.value.write("declared");
    const scratch = await kernel.acquire<TempPath>("scratch");
    expect(scratch.value.path).toMatch(/\/job-[0-9a-f]{12}$/);
    expect((await kernel.shutdown()).ok).toBe(true);
    expect(await readFile(join(dir, "out", "log.txt"), "utf8")).toBe("declared");

    await writeFile(file, ["resources:", "  log:", "    type: fs.writeStream", "    pth: out/log.txt", ""].join("\n"));
    await expect(createKernel({ env: {}, config: file, clock, plugins: [{ plugin: fsPlugin, options: { root: join(dir, "root") } }] })).rejects.toMatchObject({
      code: "ERR_CONFIG_INVALID",
    });
  });

  it("a FileHandle closed by garbage collection (DEP0137) becomes a leak-suspected event naming the file when it is known", async () => {
    const dir = await scratchDir();
    const { kernel, events } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    // A handle opened outside Custodian, dropped without close(): Node closes it on GC and warns.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let fd = -1;
    await (async () => {
      const fh = await open(join(dir, "f.txt"), "w");
      fd = fh.fd;
    })();
    const leaks = () => events.filter((e) => e.type === "resource:leak-suspected") as Array<Extract<KernelEvent, { type: "resource:leak-suspected" }>>;
    for (let i = 0; i < 50 && leaks().length === 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const [untracked] = leaks();
    expect(untracked).toMatchObject({ id: `fd:${fd}`, resourceType: "fs.file", reason: "garbage-collected", data: { fd, path: undefined } });

    // A handle the plugin opened: the warning's fd maps back to its path and resource.
    await writeFile(join(dir, "known.txt"), "");
    const h = await kernel.acquire<FileHandle>({ type: "fs.file", name: "known", path: "known.txt" });
    process.emitWarning(`Closing file descriptor ${h.value.fd} on garbage collection`);
    await new Promise((r) => setImmediate(r));
    const known = leaks()[1];
    expect(known).toMatchObject({
      id: h.id,
      name: "known",
      resourceType: "fs.file",
      reason: "garbage-collected",
      data: { fd: h.value.fd, path: join(dir, "known.txt") },
    });
    expect(known.detail).toContain("known.txt");
  });

  it("many kernels share one process 'warning' listener, removed when the last one shuts down", async () => {
    const dir = await scratchDir();
    const before = process.listenerCount("warning");
    const kernels = [];
    for (let i = 0; i < 12; i++)
      kernels.push(await createKernel({ env: {}, config: {}, plugins: [{ plugin: fsPlugin, options: { root: join(dir, "root") } }] }));
    expect(process.listenerCount("warning")).toBe(before + 1);
    for (const k of kernels) expect((await k.shutdown()).ok).toBe(true);
    expect(process.listenerCount("warning")).toBe(before);
  });

  it.skipIf(!builtPlugin && process.env.CI !== "true")(
    "listed in YAML by module: options are checked by the plugin's schema and a relative root resolves against the file's folder",
    async () => {
      const dir = await scratchDir();
      const file = join(dir, "resource.config.yaml");
      const yaml = (app: string): string =>
        [
          "plugins:",
          `  - module: ${JSON.stringify(distEntry)}`,
          "    options:",
          "      root: ./tmp-root",
          `      app: ${JSON.stringify(app)}`,
          "resources:",
          "  scratch:",
          "    type: fs.tempfile",
          "",
        ].join("\n");
      await writeFile(file, yaml("ok-app"));
      const kernel = await createKernel({ env: {}, config: file, clock: new ManualClock() });
      onTestFinished(async () => void (await kernel.shutdown()));
      const t = await kernel.acquire<TempPath>("scratch");
      expect(t.value.path.startsWith(join(realpathSync(dir), "tmp-root") + "/")).toBe(true);
      await writeFile(file, yaml("bad app!"));
      await expect(createKernel({ env: {}, config: file, clock: new ManualClock() })).rejects.toMatchObject({
        code: "ERR_CONFIG_INVALID",
        issues: [expect.objectContaining({ path: "plugins[0].options.app", line: 5 })],
      });
    },
  );
});

describe("fsPlugin: relative paths", () => {
  /** conf/app.yaml with input files next to it, and a decoy input.txt in the folder passed as cwd. */
  const project = async (yaml: string): Promise<{ dir: string; conf: string }> => {
    const dir = await scratchDir();
    const conf = join(dir, "conf");
    await mkdir(join(conf, "out"), { recursive: true });
    await mkdir(join(conf, "data"));
    await writeFile(join(conf, "app.yaml"), yaml);
    await writeFile(join(conf, "input.txt"), "next to the config");
    await writeFile(join(conf, "data", "input.txt"), "in baseDir");
    await writeFile(join(dir, "input.txt"), "in the cwd folder");
    return { dir, conf };
  };
  const start = async (options: Pick<CreateKernelOptions, "config" | "cwd">, fsOptions: FsPluginOptions): Promise<Kernel> => {
    const t = await createTestKernel({ plugins: [{ plugin: fsPlugin, options: { reap: false, ...fsOptions } }], ...options });
    onTestFinished(async () => void (await t.close()));
    return t.kernel;
  };
  const read = async (kernel: Kernel, path: string): Promise<string> => {
    const h = await kernel.acquire<FileHandle>({ type: "fs.file", path });
    try {
      return await h.value.readFile("utf8");
    } finally {
      await h.release();
    }
  };
  const write = async (kernel: Kernel, nameOrSpec: string | AcquireSpec, text: string): Promise<void> => {
    const h = await kernel.acquire<NodeJS.WritableStream>(nameOrSpec);
    h.value.write(text);
    expect((await h.release()).outcome).toBe("released");
  };

  it("with a config file, a relative root and ad-hoc fs.file/fs.writeStream paths resolve against its folder, like declared ones", async () => {
    const { dir, conf } = await project("resources:\n  log:\n    type: fs.writeStream\n    path: out/declared.log\n");
    const kernel = await start({ config: "conf/app.yaml", cwd: dir }, { root: "root" });
    expect(fsPluginState(kernel)?.root.path).toBe(join(conf, "root"));
    expect(await read(kernel, "input.txt")).toBe("next to the config");
    await write(kernel, { type: "fs.writeStream", path: "out/adhoc.log" }, "ad-hoc");
    await write(kernel, "log", "declared");
    expect(await readFile(join(conf, "out", "adhoc.log"), "utf8")).toBe("ad-hoc");
    expect(await readFile(join(conf, "out", "declared.log"), "utf8")).toBe("declared");
  });

  it("a relative baseDir given in code resolves against the config file's folder", async () => {
    const { dir, conf } = await project("shutdown:\n  deadline: 2s\n");
    const kernel = await start({ config: join(conf, "app.yaml"), cwd: dir }, { baseDir: "data", root: "root" });
    expect(fsPluginState(kernel)?.root.path).toBe(join(conf, "data", "root"));
    expect(await read(kernel, "input.txt")).toBe("in baseDir");
  });

  it("with a config object, relative paths resolve against createKernel's cwd option", async () => {
    const { dir } = await project("");
    const kernel = await start({ config: {}, cwd: dir }, { root: "root" });
    expect(fsPluginState(kernel)?.root.path).toBe(join(dir, "root"));
    expect(await read(kernel, "input.txt")).toBe("in the cwd folder");
  });
});
