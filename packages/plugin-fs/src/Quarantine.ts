/**
 * Deletion that never follows a path out of the managed root. Node has no `openat`, so a folder is
 * first renamed into a private quarantine folder inside the root (same filesystem: one atomic
 * rename, which moves a symlink itself, never its target), then checked with `lstat` to be exactly
 * the entry that was judged (same device and inode, owned by this user), and only then removed by a
 * walk that `lstat`s every entry and never descends through a symlink. Anything else is put back.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, rename, rmdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { FsNotOwnedError } from "./errors.js";
import { currentUid } from "./rootSafety.js";

/** The identity of an entry when it was judged removable. */
export interface EntryIdentity {
  dev: number;
  ino: number;
}

/** What a removal did: removed it, found it gone, or found it replaced (and left it alone, saying why). */
export type RemoveResult = { status: "removed" } | { status: "vanished" | "replaced"; reason: string };

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

/**
 * Removes the tree at `path` (a quarantined entry) without following a symlink: every entry is
 * `lstat`ed, a symlink is unlinked (never its target), and an entry owned by another user stops the walk.
 * @throws FsNotOwnedError ERR_FS_NOT_OWNED at an entry owned by another user or swapped during the walk
 */
export async function removeTree(path: string, uid = currentUid()): Promise<void> {
  const st = await lstat(path);
  if (uid !== undefined && st.uid !== uid) throw new FsNotOwnedError(path, `it is owned by uid ${st.uid}`);
  if (!st.isDirectory()) return unlink(path);
  const names = await readdir(path);
  // In batches: a wide folder does not queue thousands of requests at once.
  for (let i = 0; i < names.length; i += 32) await Promise.all(names.slice(i, i + 32).map((name) => removeTree(join(path, name), uid)));
  // readdir follows a symlink; a folder swapped between the lstat and the readdir is caught here.
  const again = await lstat(path);
  if (again.dev !== st.dev || again.ino !== st.ino) throw new FsNotOwnedError(path, "it was replaced while it was being removed");
  await rmdir(path);
}

/**
 * A private folder in the root (mode 0700), created on first use, through which every deletion under
 * the root goes. `close()` removes it once no removal is in flight; the next removal makes a new one.
 */
export class Quarantine {
  readonly #root: string;
  readonly #newName: () => string;
  #ready: Promise<string> | undefined;
  #inFlight = 0;

  /** `newName` gives names the reaper recognises as this process's (reaped once the process is gone). */
  constructor(root: string, newName: () => string) {
    this.#root = root;
    this.#newName = newName;
  }

  #ensure(): Promise<string> {
    return (this.#ready ??= (async () => {
      const dir = join(this.#root, this.#newName());
      await mkdir(dir, { mode: 0o700 });
      return dir;
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    }));
  }

  /**
   * Removes `path` (an entry directly or deeper under the root) if it still is `expected`.
   * Resolves `vanished` when it is gone, `replaced` when it is not `expected` (then it is put back).
   * @throws FsNotOwnedError ERR_FS_NOT_OWNED when the walk met an entry it must not delete
   *   (what was already removed stays removed; the rest stays in the quarantine folder)
   */
  async remove(path: string, expected: EntryIdentity): Promise<RemoveResult> {
    this.#inFlight++;
    try {
      return await this.#remove(path, expected, await this.#ensure());
    } finally {
      this.#inFlight--;
    }
  }

  async #remove(path: string, expected: EntryIdentity, dir: string): Promise<RemoveResult> {
    const held = join(dir, randomBytes(8).toString("hex"));
    try {
      await rename(path, held);
    } catch (error) {
      if (errno(error) === "ENOENT") return { status: "vanished", reason: "it vanished before it could be removed" };
      throw error;
    }
    const st = await lstat(held);
    const uid = currentUid();
    if (st.dev !== expected.dev || st.ino !== expected.ino || st.isSymbolicLink() || (uid !== undefined && st.uid !== uid)) {
      // Not what was judged: someone swapped it. Never delete it; put it back unless the name was taken again.
      const back = await lstat(path).then(
        () => false,
        (e: unknown) => errno(e) === "ENOENT",
      );
      if (back) await rename(held, path);
      return {
        status: "replaced",
        reason: back ? "it was replaced while it was being removed; put back untouched" : `it was replaced while it was being removed; kept at ${held}`,
      };
    }
    await removeTree(held, uid);
    return { status: "removed" };
  }

  /** Removes the quarantine folder when no removal is in flight and it is empty. */
  async close(): Promise<void> {
    const ready = this.#ready;
    if (ready === undefined || this.#inFlight > 0) return;
    // Forgotten first: a removal that starts meanwhile makes a folder of its own.
    this.#ready = undefined;
    try {
      await rmdir(await ready);
    } catch {
      // Not empty (an entry that could not be put back) or already gone: reaped once this process is gone.
    }
  }
}
