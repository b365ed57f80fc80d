/**
 * The managed root: the one folder under which Custodian creates temp dirs and files, and the
 * only place it ever deletes from. It must be private to this user (see rootSafety.ts). Each
 * process works in its own folder marked with its pid and start time; folders of processes that no
 * longer exist are reaped when a plugin starts, and every deletion goes through a quarantine folder
 * (see Quarantine.ts) so that a folder swapped for a symlink is never followed.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, realpath, rmdir, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { FsNotOwnedError, FsOutsideRootError, FsUnsafeRootError } from "./errors.js";
import {
  folderName,
  isOwnQuarantine,
  isProcessAlive,
  isThisHost,
  MARKER,
  ownerFromName,
  processStartTicks,
  readMarker,
  type ProcessMarker,
} from "./ProcessMarker.js";
import { Quarantine, type EntryIdentity } from "./Quarantine.js";
import { checkAncestors, checkRoot, currentUid } from "./rootSafety.js";

export { MARKER, isProcessAlive, processStartTicks, type ProcessMarker };

/** An entry of the root that a reap pass left alone, and why. */
export interface ReapSkipped {
  path: string;
  reason: string;
}

/** What a reap pass did. Only `removed` lists folders that were deleted, and only whole ones. */
export interface ReapResult {
  /** Folders removed completely (their process no longer exists). */
  removed: string[];
  /** Folders kept because their process is alive. */
  alive: string[];
  /** Entries left alone (not this user's, not a real directory, not a Custodian folder, another host, swapped while reaped). */
  skipped: ReapSkipped[];
  /** Removals that stopped partway (an entry inside was not this user's, or an I/O error): not listed in `removed`. */
  failed: Array<{ path: string; error: Error }>;
}

interface Owned extends EntryIdentity {
  kind: "dir" | "file";
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

const isInside = (parent: string, child: string): boolean => {
  const rel = relative(parent, child);
  return rel !== "" && !rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel);
};

/**
 * One managed root. `check()` checks it; `reap()` removes folders of dead processes;
 * `createDir()` / `createFile()` make entries in this process's folder; `remove()` deletes only
 * what this instance created and still finds unchanged.
 */
export class ManagedRoot {
  /** The root as configured (absolute). */
  readonly path: string;
  #real: string | undefined;
  /** Device and inode of the root when it was checked: a root replaced since is refused. */
  #rootId: EntryIdentity | undefined;
  #quarantine: Quarantine | undefined;
  #processDir: Promise<string> | undefined;
  #processDirReal: string | undefined;
  #processDirId: EntryIdentity | undefined;
  #removingProcessDir: Promise<boolean> | undefined;
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
   * Checks the root (when it exists) and returns its real path; creates it (and missing folders
   * above it) with mode 0700 when `create` is set. Checked again on every call (every reap, the
   * first use): a root that was replaced or opened up since is refused.
   * @throws FsUnsafeRootError ERR_FS_UNSAFE_ROOT a symlink, not a directory, or owned by another user
   * @throws FsRootNotPrivateError ERR_FS_ROOT_NOT_PRIVATE writable by others, a shared system folder, or under a folder others can write
   */
  async #ensureRoot(create: boolean): Promise<string | undefined> {
    if (create && this.#real === undefined) {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
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
      if (errno(error) !== "ENOENT" || create || this.#real !== undefined) throw error;
      // Not created yet: the folders above it must already be safe (a per-user folder pre-created by someone else is refused now, not at first use).
      await checkAncestors(this.path, dirname(this.path));
      return undefined;
    }
    // Checked in full every time (a few lstats): a root opened up or swapped since the last check is refused.
    const real = await checkRoot(this.path, st);
    if (this.#rootId !== undefined && (real !== this.#real || st.dev !== this.#rootId.dev || st.ino !== this.#rootId.ino))
      throw new FsUnsafeRootError(this.path, `it was replaced since it was first checked (it now resolves to ${JSON.stringify(real)})`);
    this.#real = real;
    this.#rootId = { dev: st.dev, ino: st.ino };
    this.#quarantine ??= new Quarantine(real, () => folderName("q"));
    return real;
  }

  /** Checks the root without creating it (it is created on first use). */
  async check(): Promise<void> {
    await this.#ensureRoot(false);
  }

  /**
   * Removes the folders of processes that no longer exist, and only those: entries owned by this
   * user, with a marker owned by this user (or, for a folder whose marker was never written, a
   * Custodian folder name) naming a process of this host that is gone. Each is moved into the
   * quarantine folder, checked again, and removed without following a symlink.
   * @throws FsUnsafeRootError ERR_FS_UNSAFE_ROOT / FsRootNotPrivateError ERR_FS_ROOT_NOT_PRIVATE when the root is not safe to reap
   */
  async reap(): Promise<ReapResult> {
    const result: ReapResult = { removed: [], alive: [], skipped: [], failed: [] };
    const root = await this.#ensureRoot(false);
    if (root === undefined) return result;
    const uid = currentUid();
    const quarantine = this.#quarantine!;
    for (const name of await readdir(root)) {
      const dir = join(root, name);
      if (dir === this.#processDirReal || isOwnQuarantine(name)) continue;
      const skip = (reason: string): void => void result.skipped.push({ path: dir, reason });
      let st;
      try {
        st = await lstat(dir);
      } catch {
        continue; // Gone since the readdir: nothing to do, nothing removed.
      }
      if (st.isSymbolicLink()) {
        skip("a symbolic link");
        continue;
      }
      if (!st.isDirectory()) {
        skip("not a directory");
        continue;
      }
      if (uid !== undefined && st.uid !== uid) {
        skip(`owned by uid ${st.uid}`);
        continue;
      }
      const owner = (await readMarker(dir, uid)) ?? ownerFromName(name);
      if (owner === undefined) {
        skip("no marker owned by this user and not a Custodian folder name");
        continue;
      }
      if (!isThisHost(owner)) {
        skip("a process of another host");
        continue;
      }
      if (isProcessAlive(owner)) {
        result.alive.push(dir);
        continue;
      }
      try {
        const done = await quarantine.remove(dir, st);
        if (done.status === "removed") result.removed.push(dir);
        else skip(done.reason);
      } catch (error) {
        result.failed.push({ path: dir, error: error as Error });
      }
    }
    await quarantine.close();
    return result;
  }

  #ensureProcessDir(): Promise<string> {
    return (this.#processDir ??= (async () => {
      const root = (await this.#ensureRoot(true))!;
      for (;;) {
        const dir = join(root, folderName("p"));
        try {
          await mkdir(dir, { mode: 0o700 });
        } catch (error) {
          if (errno(error) === "EEXIST") continue;
          throw error;
        }
        try {
          await writeFile(join(dir, MARKER), JSON.stringify(this.#self), { flag: "wx", mode: 0o600 });
        } catch (error) {
          // Best effort: what is left (a marker-less folder) is reaped by its name at the next start.
          await unlink(join(dir, MARKER)).catch(() => undefined);
          await rmdir(dir).catch(() => undefined);
          throw error;
        }
        const st = await lstat(dir);
        this.#processDirId = { dev: st.dev, ino: st.ino };
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
    const done = await this.#quarantine!.remove(path, owned);
    if (done.status === "replaced") throw new FsNotOwnedError(path, done.reason);
    this.#owned.delete(path);
  }

  /**
   * Removes this process's folder (with the intermediate folders a `subpath` created) once every
   * entry created here has been removed. Returns true when removed; false while entries remain.
   */
  removeProcessDir(): Promise<boolean> {
    return (this.#removingProcessDir ??= this.#removeProcessDir().finally(() => {
      this.#removingProcessDir = undefined;
    }));
  }

  async #removeProcessDir(): Promise<boolean> {
    const dir = this.#processDirReal;
    if (dir === undefined || this.#processDirId === undefined || this.#owned.size > 0) return false;
    try {
      const done = await this.#quarantine!.remove(dir, this.#processDirId);
      if (done.status === "replaced") return false;
      await this.#quarantine!.close();
      this.#processDir = undefined;
      this.#processDirReal = undefined;
      this.#processDirId = undefined;
      return true;
    } catch {
      return false;
    }
  }
}
