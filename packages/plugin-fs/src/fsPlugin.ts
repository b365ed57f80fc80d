/**
 * The fs plugin: registers `fs.file`, `fs.writeStream`, `fs.tempdir`, `fs.tempfile` and
 * `fs.watcher`, reaps temp folders left by dead processes at start, and turns a FileHandle closed
 * by garbage collection (Node's DEP0137 warning) into a leak report.
 */
import { watch, type FSWatcher } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { definePlugin, type Kernel } from "@custodian/core";
import { FsInvalidSpecError } from "./errors.js";
import { ManagedRoot, type ReapResult } from "./ManagedRoot.js";
import { fileSchema, fsPluginSchema, tempdirSchema, tempfileSchema, watcherSchema, writeStreamSchema } from "./schema.js";
import { TrackedWriteStream, type TrackedWriteStreamOptions } from "./TrackedWriteStream.js";

/** Options of the fs plugin. */
export interface FsPluginOptions {
  /**
   * Managed root for temp dirs and files: a folder private to this user (mode 0700 when created;
   * a root others can write to is refused). Default `<os.tmpdir()>/custodian-<uid>/<app>`.
   */
  root?: string;
  /** Application name in the default root. Default "app". */
  app?: string;
  /**
   * Folder relative paths resolve against. Default `kernel.configDir` (the config file's folder);
   * a relative baseDir resolves against that folder too.
   */
  baseDir?: string;
  /** Reap folders of dead processes at start. Default true. */
  reap?: boolean;
}

/** Spec of an `fs.file` resource. */
export interface FileSpec {
  path: string;
  flags?: string;
  mode?: number;
  datasync?: boolean;
}

/** Spec of an `fs.writeStream` resource. */
export interface WriteStreamSpec extends TrackedWriteStreamOptions {
  path: string;
}

/** Spec of an `fs.tempdir` resource. */
export interface TempdirSpec {
  /** Relative path inside this process's folder of the managed root. Default: generated. */
  subpath?: string;
  prefix?: string;
}

/** Spec of an `fs.tempfile` resource. */
export interface TempfileSpec extends TempdirSpec {
  suffix?: string;
  mode?: number;
}

/** Spec of an `fs.watcher` resource. */
export interface WatcherSpec {
  path: string;
  recursive?: boolean;
  persistent?: boolean;
  encoding?: BufferEncoding | "buffer";
}

/** The value of an `fs.tempdir` or `fs.tempfile` resource. */
export interface TempPath {
  /** Absolute, real path inside this process's folder of the managed root. */
  readonly path: string;
}

/** What the plugin knows about one kernel: its root and the last reap. */
export interface FsPluginState {
  readonly root: ManagedRoot;
  readonly reaped: ReapResult | undefined;
}

const states = new WeakMap<Kernel, FsPluginState>();

/** The fs plugin's state on `kernel` (its managed root and start-time reap result), if applied. */
export function fsPluginState(kernel: Kernel): FsPluginState | undefined {
  return states.get(kernel);
}

const GC_WARNING = /^Closing file descriptor (\d+) on garbage collection/;

/** One process 'warning' listener shared by every kernel's fs plugin (no MaxListeners warning with many kernels). */
const gcSubscribers = new Set<(fd: number) => void>();
const onProcessWarning = (warning: Error): void => {
  const m = GC_WARNING.exec(warning.message);
  if (m === null) return;
  const fd = Number(m[1]);
  for (const fn of gcSubscribers) fn(fd);
};
function subscribeGcWarnings(fn: (fd: number) => void): () => void {
  if (gcSubscribers.size === 0) process.on("warning", onProcessWarning);
  gcSubscribers.add(fn);
  return () => {
    if (gcSubscribers.delete(fn) && gcSubscribers.size === 0) process.off("warning", onProcessWarning);
  };
}

/** The default managed root: a per-user folder in the OS temp folder, one subfolder per app. @internal */
export function defaultRoot(app: string): string {
  // Windows has no uid; its temp folder is per user already.
  const user = process.getuid?.() ?? userInfo().username;
  return join(tmpdir(), `custodian-${user}`, app);
}

function requirePath(type: string, spec: { path?: unknown }): string {
  if (typeof spec.path !== "string" || spec.path === "") {
    throw new FsInvalidSpecError(`${type}: "path" must be a non-empty string; received ${JSON.stringify(spec.path)}`);
  }
  return spec.path;
}

/**
 * The fs plugin.
 * @example
 *   const kernel = await createKernel({ plugins: [{ plugin: fsPlugin, options: { app: "importer" } }] })
 *   const dir = await kernel.acquire<TempPath>({ type: "fs.tempdir" })
 *   await dir.release() // removed, and only if it is still the folder Custodian created
 */
export const fsPlugin = definePlugin<FsPluginOptions>({
  name: "fs",
  version: "0.1.0",
  schema: fsPluginSchema,
  types: {
    "fs.file": { schema: fileSchema },
    "fs.writeStream": { schema: writeStreamSchema },
    "fs.tempdir": { schema: tempdirSchema },
    "fs.tempfile": { schema: tempfileSchema },
    "fs.watcher": { schema: watcherSchema },
  },
  async apply(kernel, options) {
    const baseDir = resolve(kernel.configDir, options.baseDir ?? ".");
    const app = options.app ?? "app";
    const root = new ManagedRoot(resolve(baseDir, options.root ?? defaultRoot(app)), kernel.clock.now());
    await root.check();
    const state: { root: ManagedRoot; reaped: ReapResult | undefined } = { root, reaped: undefined };
    if (options.reap !== false) state.reaped = await root.reap();
    states.set(kernel, state);

    /** fd -> what it was opened for: names the file when a GC warning reports the fd. */
    const openFds = new Map<number, { path: string; id: string; name: string | undefined }>();
    const fileInfo = new WeakMap<FileHandle, { path: string; flags: string; datasync: boolean; fd: number }>();
    const watcherInfo = new WeakMap<FSWatcher, { path: string; recursive: boolean; error?: string }>();

    const closeFile = async (fh: FileHandle): Promise<void> => {
      const info = fileInfo.get(fh);
      try {
        await fh.close();
      } finally {
        if (info !== undefined && openFds.get(info.fd)?.path === info.path) openFds.delete(info.fd);
      }
    };

    kernel.registerType<FileHandle, FileSpec>("fs.file", {
      schema: fileSchema,
      async create(spec, ctx) {
        const path = resolve(baseDir, requirePath("fs.file", spec));
        const flags = spec.flags ?? "r";
        const fh = await open(path, flags, spec.mode);
        fileInfo.set(fh, { path, flags, datasync: spec.datasync === true, fd: fh.fd });
        openFds.set(fh.fd, { path, id: ctx.id, name: ctx.name });
        return fh;
      },
      async release(fh) {
        const info = fileInfo.get(fh);
        if (info?.datasync === true && fh.fd !== -1) await fh.datasync();
        await closeFile(fh);
      },
      async force(fh) {
        await closeFile(fh);
      },
      describe(fh) {
        const info = fileInfo.get(fh);
        return { path: info?.path, flags: info?.flags, fd: fh.fd, open: fh.fd !== -1 };
      },
    });

    kernel.registerType<TrackedWriteStream, WriteStreamSpec>("fs.writeStream", {
      schema: writeStreamSchema,
      async create(spec) {
        const path = resolve(baseDir, requirePath("fs.writeStream", spec));
        const stream = new TrackedWriteStream(path, spec);
        // Surface open errors (ENOENT, EACCES, EEXIST with "wx") at acquire, not at the first write.
        await new Promise<void>((ok, fail) => {
          const onError = (error: Error): void => {
            stream.off("ready", onReady);
            fail(error);
          };
          const onReady = (): void => {
            stream.off("error", onError);
            ok();
          };
          stream.once("ready", onReady);
          stream.once("error", onError);
        });
        return stream;
      },
      release(stream) {
        return stream.endAndClose();
      },
      async force(stream, ctx) {
        try {
          await stream.destroyAndClose();
        } catch (error) {
          const e = error as { code?: string; unflushedBytes?: number; acceptedBytes?: number };
          if (e.code === "ERR_FS_WRITE_INCOMPLETE") {
            kernel.emitPluginEvent("fs", "write-incomplete", {
              path: String(stream.path),
              acceptedBytes: e.acceptedBytes,
              unflushedBytes: e.unflushedBytes,
              reason: ctx.reason,
            });
          }
          throw error;
        }
      },
      describe(stream) {
        return {
          path: String(stream.path),
          fd: (stream as unknown as { fd: number | null }).fd,
          acceptedBytes: stream.acceptedBytes,
          bytesWritten: stream.bytesWritten,
          pendingBytes: stream.writableLength,
          refusedBytes: stream.refusedBytes,
        };
      },
    });

    const releaseTemp = async (t: TempPath): Promise<void> => {
      await root.remove(t.path);
      if (kernel.state !== "running") await root.removeProcessDir();
    };
    const describeTemp = (t: TempPath): Record<string, unknown> => ({ path: t.path });

    kernel.registerType<TempPath, TempdirSpec>("fs.tempdir", {
      schema: tempdirSchema,
      async create(spec) {
        return Object.freeze({ path: await root.createDir(spec.subpath, spec.prefix ?? "tmp-") });
      },
      release: releaseTemp,
      describe: describeTemp,
    });

    kernel.registerType<TempPath, TempfileSpec>("fs.tempfile", {
      schema: tempfileSchema,
      async create(spec) {
        return Object.freeze({ path: await root.createFile(spec.subpath, spec.prefix ?? "tmp-", spec.suffix ?? "", spec.mode ?? 0o600) });
      },
      release: releaseTemp,
      describe: describeTemp,
    });

    kernel.registerType<FSWatcher, WatcherSpec>("fs.watcher", {
      schema: watcherSchema,
      create(spec, ctx) {
        const path = resolve(baseDir, requirePath("fs.watcher", spec));
        const w = watch(path, {
          recursive: spec.recursive === true,
          persistent: spec.persistent !== false,
          encoding: (spec.encoding ?? "utf8") as BufferEncoding,
        });
        const info: { path: string; recursive: boolean; error?: string } = { path, recursive: spec.recursive === true };
        watcherInfo.set(w, info);
        // An 'error' with no listener would crash the process; it becomes an event instead.
        w.on("error", (error: Error) => {
          info.error = error.message;
          kernel.emitPluginEvent("fs", "watcher-error", { id: ctx.id, name: ctx.name, path, error });
        });
        return w;
      },
      release(w) {
        w.close();
      },
      describe(w) {
        const info = watcherInfo.get(w);
        return { path: info?.path, recursive: info?.recursive, error: info?.error };
      },
    });

    // DEP0137: Node closes a FileHandle that was garbage-collected while open, and warns with its fd.
    const unsubscribe = subscribeGcWarnings((fd) => {
      const known = openFds.get(fd);
      if (known !== undefined) openFds.delete(fd);
      kernel.reportLeak({
        id: known?.id ?? `fd:${fd}`,
        type: "fs.file",
        name: known?.name ?? known?.path,
        reason: "garbage-collected",
        data: { fd, path: known?.path },
        detail:
          known === undefined
            ? `a FileHandle on fd ${fd} was closed by garbage collection; it was not opened through Custodian, so its path is unknown`
            : `the FileHandle of ${known.path} (fd ${fd}) was closed by garbage collection instead of being released`,
      });
    });

    kernel.hooks.shutdown.tapPromise("fs", async () => {
      unsubscribe();
      if (root.size === 0) await root.removeProcessDir();
    });
  },
});
