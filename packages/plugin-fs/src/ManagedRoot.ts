/**
 * The managed root: the one folder under which Custodian creates temp dirs and files, and the
 * only place it ever deletes from. Each process works in its own folder marked with its pid and
 * start time; folders of processes that no longer exist are reaped when a plugin starts.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, readFile, realpath, rm, unlink, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { FsNotOwnedError, FsOutsideRootError, FsUnsafeRootError } from "./errors.js";

/** Name of the marker file inside each process folder. */
export const MARKER = ".custodian-process.json";

/** What a process folder's marker holds. */
export interface ProcessMarker {
  pid: number;
  /** Process start time in clock ticks since boot (Linux /proc/<pid>/stat field 22); null elsewhere. */
  startTicks: number | null;
  /** Wall-clock start of the process (ms), for humans. */
  startedAt: number;
  host: string;
}

/** What a reap pass did. */
export interface ReapResult {
  /** Process folders removed (their process no longer exists). */
  removed: string[];
  /** Process folders kept because their process is alive. */
  alive: string[];
  /** Entries left alone: no marker, not a real directory, another host, or a removal that failed. */
  skipped: string[];
}

interface Owned {
  dev: number;
  ino: number;
  kind: "dir" | "file";
}

/** Start time of `pid` in clock ticks since boot, or null when /proc is unavailable. @internal */
export function processStartTicks(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** True when a process with this pid and start time still exists. @internal */
export function isProcessAlive(marker: Pick<ProcessMarker, "pid" | "startTicks">): boolean {
  try {
    process.kill(marker.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (marker.startTicks === null) return true;
  const now = processStartTicks(marker.pid);
  // A different start time means the pid was reused by another process.
  return now === null || now === marker.startTicks;
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

const isInside = (parent: string, child: string): boolean => {
  const rel = relative(parent, child);
  return rel !== "" && !rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel);
};

/**
 * One managed root. `open()` checks it; `reap()` removes folders of dead processes;
 * `createDir()` / `createFile()` make entries in this process's folder; `remove()` deletes only
 * what this instance created and still finds unchanged.
 */
export class ManagedRoot {
  /** The root as configured (absolute). */
  readonly path: string;
  #real: string | undefined;
  #processDir: Promise<string> | undefined;
  #processDirReal: string | undefined;
  readonly #owned = new Map<string, Owned>();
  readonly #self: ProcessMarker;

  constructor(path: string, now: number) {
    this.path = resolve(path);
    this.#self = { pid: process.pid, startTicks: processStartTicks(process.pid), startedAt: Math.round(now - process.uptime() * 1000), host: hostname() };
  }

  /** Number of live entries this instance created. */
  get size(): number {
    return this.#owned.size;
  }

  /** This process's folder, once created. */
  get processDir(): string | undefined {
    return this.#processDirReal;
  }

  /** Entries this instance created and has not removed yet. */
  entries(): string[] {
    return [...this.#owned.keys()];
  }

  /**
   * Checks the root (when it exists) and returns its real path; creates it when `create` is set.
   * @throws FsUnsafeRootError ERR_FS_UNSAFE_ROOT when it is a symlink, not a directory, or owned by another user.
   */
  async #ensureRoot(create: boolean): Promise<string | undefined> {
    if (this.#real !== undefined) return this.#real;
    if (create) {
      await mkdir(dirname(this.path), { recursive: true });
      try {
        await mkdir(this.path, { mode: 0o700 });
      } catch (error) {
        if (errno(error) !== "EEXIST") throw error;
      }
    }
    let st;
    try {
      st = await lstat(this.path);
    } catch (error) {
      if (errno(error) === "ENOENT" && !create) return undefined;
      throw error;
    }
    if (st.isSymbolicLink()) throw new FsUnsafeRootError(this.path, "it is a symbolic link (someone else could point it anywhere)");
    if (!st.isDirectory()) throw new FsUnsafeRootError(this.path, "it is not a directory");
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) throw new FsUnsafeRootError(this.path, `it is owned by uid ${st.uid}, not by this process (uid ${uid})`);
    this.#real = await realpath(this.path);
    return this.#real;
  }

  /** Checks the root without creating it (it is created on first use). */
  async check(): Promise<void> {
    await this.#ensureRoot(false);
  }

  /** Removes the folders of processes that no longer exist. Never follows a symlink; leaves unmarked entries alone. */
  async reap(): Promise<ReapResult> {
    const result: ReapResult = { removed: [], alive: [], skipped: [] };
    const root = await this.#ensureRoot(false);
    if (root === undefined) return result;
    for (const name of await readdir(root)) {
      const dir = join(root, name);
      const marker = await readMarker(dir);
      if (marker === undefined || marker.host !== this.#self.host) {
        result.skipped.push(dir);
        continue;
      }
      if (isProcessAlive(marker)) {
        result.alive.push(dir);
        continue;
      }
      try {
        // Re-checked right before deleting: still a real directory directly under the root.
        const st = await lstat(dir);
        if (!st.isDirectory() || (await realpath(dir)) !== dir) throw new FsNotOwnedError(dir, "it changed into something other than a process folder");
        // fs.rm removes symlinks inside the folder, never what they point to.
        await rm(dir, { recursive: true, force: true });
        result.removed.push(dir);
      } catch {
        result.skipped.push(dir);
      }
    }
    return result;
  }

  #ensureProcessDir(): Promise<string> {
    return (this.#processDir ??= (async () => {
      const root = (await this.#ensureRoot(true))!;
      for (;;) {
        const dir = join(root, `p${process.pid}-${randomBytes(4).toString("hex")}`);
        try {
          await mkdir(dir, { mode: 0o700 });
        } catch (error) {
          if (errno(error) === "EEXIST") continue;
          throw error;
        }
        await writeFile(join(dir, MARKER), JSON.stringify(this.#self), { flag: "wx", mode: 0o600 });
        this.#processDirReal = dir;
        return dir;
      }
    })().catch((error: unknown) => {
      this.#processDir = undefined;
      throw error;
    }));
  }

  /**
   * Resolves `name` inside this process's folder; generates one from `prefix`/`suffix` when absent.
   * Touches nothing when it refuses.
   * @throws FsOutsideRootError ERR_FS_OUTSIDE_ROOT for `..` escapes, absolute paths elsewhere, or a symlink out.
   */
  async resolveInside(name: string | undefined, prefix = "tmp-", suffix = ""): Promise<string> {
    // Lexical checks first, so that a refused path creates not even the root.
    if (name !== undefined) {
      if (name === "" || name.includes("\0")) throw new FsOutsideRootError(name, this.path, "empty or NUL in name");
      if (isAbsolute(name)) {
        const inRoot = this.#real !== undefined && this.#processDirReal !== undefined && isInside(this.#processDirReal, name);
        if (!inRoot) throw new FsOutsideRootError(name, this.path, "absolute path outside this process's folder");
      } else if (name.split(/[\\/]/).includes("..")) {
        throw new FsOutsideRootError(name, this.path, '".." escape');
      }
    }
    for (const part of [prefix, suffix]) {
      if (/[\\/\0]/.test(part) || part === "..") throw new FsOutsideRootError(part, this.path, "a prefix or suffix must not contain a path separator");
    }
    const base = await this.#ensureProcessDir();
    const target = name === undefined ? join(base, `${prefix}${randomBytes(6).toString("hex")}${suffix}`) : resolve(base, name);
    if (!isInside(base, target)) throw new FsOutsideRootError(name ?? target, this.path, "resolves outside this process's folder");
    // Fast path: a generated name sits directly in this process's folder (a real path we created).
    if (name === undefined) return target;
    // Symlinks: the deepest existing ancestor must really be inside the folder.
    let probe = dirname(target);
    for (;;) {
      try {
        const real = await realpath(probe);
        if (real !== base && !isInside(base, real)) throw new FsOutsideRootError(name, this.path, `"${probe}" is a symlink to "${real}"`);
        break;
      } catch (error) {
        if (errno(error) !== "ENOENT") throw error;
        probe = dirname(probe);
      }
    }
    return target;
  }

  /**
   * Creates a directory inside this process's folder and remembers it as owned.
   * @throws FsOutsideRootError ERR_FS_OUTSIDE_ROOT
   */
  async createDir(name?: string, prefix = "tmp-"): Promise<string> {
    const target = await this.resolveInside(name, prefix);
    if (name !== undefined) await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await mkdir(target, { mode: 0o700 });
    await this.#own(target, "dir");
    return target;
  }

  /**
   * Creates an empty file (exclusively: never opens an existing file or a symlink) and remembers it.
   * @throws FsOutsideRootError ERR_FS_OUTSIDE_ROOT
   */
  async createFile(name?: string, prefix = "tmp-", suffix = "", mode = 0o600): Promise<string> {
    const target = await this.resolveInside(name, prefix, suffix);
    if (name !== undefined) await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    const fh = await open(target, "wx", mode);
    await fh.close();
    await this.#own(target, "file");
    return target;
  }

  async #own(path: string, kind: Owned["kind"]): Promise<void> {
    const st = await lstat(path);
    this.#owned.set(path, { dev: st.dev, ino: st.ino, kind });
  }

  /**
   * Deletes an entry this instance created, if it is still what was created. Already gone is fine.
   * @throws FsNotOwnedError ERR_FS_NOT_OWNED when it was never created here or has been replaced
   * @throws FsOutsideRootError ERR_FS_OUTSIDE_ROOT when a parent folder now leads out of the root
   */
  async remove(path: string): Promise<void> {
    const owned = this.#owned.get(path);
    if (owned === undefined) throw new FsNotOwnedError(path, "Custodian did not create it");
    let st;
    try {
      st = await lstat(path);
    } catch (error) {
      if (errno(error) === "ENOENT") {
        this.#owned.delete(path);
        return;
      }
      throw error;
    }
    if (st.isSymbolicLink()) throw new FsNotOwnedError(path, "it has been replaced by a symbolic link");
    if (st.dev !== owned.dev || st.ino !== owned.ino) throw new FsNotOwnedError(path, "it has been replaced by another file or folder");
    const parent = await realpath(dirname(path));
    if (this.#processDirReal === undefined || (parent !== this.#processDirReal && !isInside(this.#processDirReal, parent))) {
      throw new FsOutsideRootError(path, this.path, `its parent now resolves to "${parent}"`);
    }
    if (owned.kind === "dir") await rm(path, { recursive: true, force: true });
    else await unlink(path);
    this.#owned.delete(path);
  }

  /**
   * Removes this process's folder (with the intermediate folders a `subpath` created) once every
   * entry created here has been removed. Returns true when removed; false while entries remain.
   */
  async removeProcessDir(): Promise<boolean> {
    const dir = this.#processDirReal;
    if (dir === undefined || this.#owned.size > 0) return false;
    try {
      const st = await lstat(dir);
      if (!st.isDirectory() || (await realpath(dir)) !== dir) return false;
      await rm(dir, { recursive: true, force: true });
      this.#processDir = undefined;
      this.#processDirReal = undefined;
      return true;
    } catch {
      return false;
    }
  }
}

async function readMarker(dir: string): Promise<ProcessMarker | undefined> {
  try {
    const st = await lstat(dir);
    if (!st.isDirectory()) return undefined;
    const file = join(dir, MARKER);
    const mst = await lstat(file);
    if (!mst.isFile()) return undefined;
    const data = JSON.parse(await readFile(file, "utf8")) as Partial<ProcessMarker>;
    if (typeof data.pid !== "number" || !Number.isInteger(data.pid) || data.pid <= 0) return undefined;
    return {
      pid: data.pid,
      startTicks: typeof data.startTicks === "number" ? data.startTicks : null,
      startedAt: Number(data.startedAt),
      host: String(data.host),
    };
  } catch {
    return undefined;
  }
}
