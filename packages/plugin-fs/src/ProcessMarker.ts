/**
 * Who a folder in the managed root belongs to. Each process works in `p<pid>-<host>-<random>`
 * (deletions go through `q<pid>-<host>-<random>`) and writes a marker with its pid and start time;
 * the reaper reads the owner from the marker, or, when the marker is missing or unreadable (a failed
 * start on a full disk), from the folder's name, and removes the folder once that process is gone.
 */
import { createHash, randomBytes } from "node:crypto";
import { constants, readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

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

/** The owner of a folder: from its marker, or only from its name (pid and host tag). */
export interface FolderOwner {
  pid: number;
  startTicks: number | null;
  /** Host name from a marker, or the host tag from a folder name. */
  host: string;
  from: "marker" | "name";
}

let ownTag: { host: string; tag: string } | undefined;

/** Eight hex digits naming the host in folder names. @internal */
export function hostTag(host = hostname()): string {
  if (ownTag?.host === host) return ownTag.tag;
  const tag = createHash("sha256").update(host).digest("hex").slice(0, 8);
  if (host === hostname()) ownTag = { host, tag };
  return tag;
}

const FOLDER_NAME = /^([pq])(\d{1,10})-([0-9a-f]{8})-[0-9a-f]{8}$/;

/** A fresh folder name for this process: `p` for its working folder, `q` for its quarantine. @internal */
export const folderName = (kind: "p" | "q"): string => `${kind}${process.pid}-${hostTag()}-${randomBytes(4).toString("hex")}`;

/** True for a quarantine folder name of this process. @internal */
export const isOwnQuarantine = (name: string): boolean => name.startsWith(`q${process.pid}-${hostTag()}-`);

/** Start time of `pid` in clock ticks since boot, or null when /proc is unavailable. */
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

/** True when a process with this pid and start time still exists. */
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

/** True when `owner` is this host: a marker's host name, or a folder name's host tag. @internal */
export const isThisHost = (owner: FolderOwner): boolean => (owner.from === "marker" ? owner.host === hostname() : owner.host === hostTag());

// O_NOFOLLOW: a marker that is a symlink is not a marker; O_NONBLOCK: a FIFO planted there cannot block the open.
const MARKER_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads the marker of `dir`: a regular file owned by `uid` (when given), opened without following a
 * symlink. Undefined when there is none or it is not valid.
 */
export async function readMarker(dir: string, uid: number | undefined): Promise<FolderOwner | undefined> {
  let fh;
  try {
    fh = await open(join(dir, MARKER), MARKER_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > 4096 || (uid !== undefined && st.uid !== uid)) return undefined;
    const data = JSON.parse(await fh.readFile("utf8")) as Partial<ProcessMarker>;
    if (typeof data.pid !== "number" || !Number.isInteger(data.pid) || data.pid <= 0) return undefined;
    return { pid: data.pid, startTicks: typeof data.startTicks === "number" ? data.startTicks : null, host: String(data.host), from: "marker" };
  } catch {
    return undefined;
  } finally {
    await fh.close();
  }
}

/** The owner a Custodian folder name (`p…` or `q…`) states, or undefined for any other name. @internal */
export function ownerFromName(name: string): FolderOwner | undefined {
  const m = FOLDER_NAME.exec(name);
  if (m === null) return undefined;
  const pid = Number(m[2]);
  return pid > 0 ? { pid, startTicks: null, host: m[3], from: "name" } : undefined;
}
