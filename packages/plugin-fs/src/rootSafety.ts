/**
 * Whether a folder may serve as a managed root: a real directory of its own, owned by this user,
 * that no other user can write to or swap out from under us. Path-based deletion is only safe when
 * nobody else can write the folder it deletes from, so this is checked before anything is reaped.
 */
import { lstat, realpath } from "node:fs/promises";
import type { Stats } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, isAbsolute, relative, sep } from "node:path";
import { FsRootNotPrivateError, FsUnsafeRootError } from "./errors.js";

const STICKY = 0o1000;
const WRITABLE_BY_OTHERS = 0o022;

/** The uid of this process, or undefined where there is none (Windows: POSIX ownership does not apply). @internal */
export const currentUid = (): number | undefined => process.getuid?.();

/** "0777" for a mode, as `ls` and `chmod` write it. @internal */
export const octalMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, "0");

const contains = (parent: string, child: string): boolean => {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith(".." + sep) && rel !== ".." && !isAbsolute(rel));
};

async function realOrSelf(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/**
 * Checks the root's own entry (already `lstat`ed as `st`) and returns its real path.
 * @throws FsUnsafeRootError ERR_FS_UNSAFE_ROOT a symlink, not a directory, or owned by another user
 * @throws FsRootNotPrivateError ERR_FS_ROOT_NOT_PRIVATE writable by group or others, a shared system
 *   folder (`/`, the home folder, the temp folder or one containing them), or under a folder another
 *   user can write to
 */
export async function checkRoot(path: string, st: Stats): Promise<string> {
  if (st.isSymbolicLink()) throw new FsUnsafeRootError(path, "it is a symbolic link (someone else could point it anywhere)");
  if (!st.isDirectory()) throw new FsUnsafeRootError(path, "it is not a directory");
  const real = await realpath(path);
  for (const shared of new Set([await realOrSelf(tmpdir()), await realOrSelf(homedir())])) {
    if (contains(real, shared))
      throw new FsRootNotPrivateError(
        path,
        `it is ${real === shared ? "" : "a folder containing "}the shared folder ${JSON.stringify(shared)}, where other programs keep their files`,
        `Set the plugin's "root" option to a folder of its own (the default is <os.tmpdir()>/custodian-<uid>/<app>)`,
      );
  }
  const uid = currentUid();
  if (uid === undefined) return real;
  if (st.uid !== uid) throw new FsUnsafeRootError(path, `it is owned by uid ${st.uid}, not by this process (uid ${uid})`);
  if ((st.mode & WRITABLE_BY_OTHERS) !== 0)
    throw new FsRootNotPrivateError(
      path,
      `its mode is ${octalMode(st.mode)}: other users can write to it, and could swap a folder for a symlink while it is being reaped`,
      `Run \`chmod 700 ${real}\`, or set the plugin's "root" option to a folder only you can write`,
    );
  await checkAncestors(path, dirname(real));
  return real;
}

/**
 * Checks `dir` and every folder above it (those that exist): each must be owned by root or this
 * user, and not writable by group or others unless sticky (like /tmp). Otherwise another user
 * could rename the root away and put their own folder or a symlink in its place.
 * @throws FsRootNotPrivateError ERR_FS_ROOT_NOT_PRIVATE
 */
export async function checkAncestors(root: string, dir: string): Promise<void> {
  const uid = currentUid();
  if (uid === undefined) return;
  for (; ; dir = dirname(dir)) {
    let up;
    try {
      up = await lstat(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || dirname(dir) === dir) throw error;
      continue; // Not created yet: it will be, with mode 0700.
    }
    if (up.uid !== 0 && up.uid !== uid)
      throw new FsRootNotPrivateError(
        root,
        `the folder above it, ${JSON.stringify(dir)}, is owned by uid ${up.uid}, who could replace the root`,
        `Remove ${JSON.stringify(dir)} (as its owner) so that it is created again with mode 0700, or set the plugin's "root" option to a folder under one you own`,
      );
    if ((up.mode & WRITABLE_BY_OTHERS) !== 0 && (up.mode & STICKY) === 0)
      throw new FsRootNotPrivateError(
        root,
        `the folder above it, ${JSON.stringify(dir)}, has mode ${octalMode(up.mode)}: other users can rename the root away`,
        `Run \`chmod go-w ${dir}\` (or set its sticky bit), or set the plugin's "root" option to a folder under one only you can write`,
      );
    if (dirname(dir) === dir) return;
  }
}
