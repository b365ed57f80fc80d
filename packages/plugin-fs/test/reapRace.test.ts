// An attacker races the reaper: while a dead process's folder is being reaped, another process
// swaps it for a symlink to a "victim" folder outside the root whose files have the same names.
// A path-based recursive delete then follows the link and deletes the victim's files (measured
// before the fix: victim files deleted in some of 2,000 rounds). Nothing outside the root may ever go,
// and the reap result must list exactly what was removed.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { lstatSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { ManagedRoot, MARKER, type ReapResult } from "../src/index.js";
import { hostTag } from "../src/ProcessMarker.js";
import { makeFsKernel, scratchDir } from "./helpers/fsKernel.js";

const attackerScript = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "reap-attacker.mjs");
const ROUNDS = 2_000;
/** Bound in time too: a slow machine runs fewer rounds rather than hanging CI. */
const MAX_MS = 30_000;
const FILES = 16;

/** A pid that existed a moment ago and has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

/** The uid/gid of `nobody` when this process may switch to it (it runs as root), else undefined. */
function nobody(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync("id", ["-u", "nobody"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "nobody"], { encoding: "utf8" });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout), gid: Number(g.stdout) };
}

interface Reply {
  ready?: boolean;
  uid?: number;
  swapped?: boolean;
  code?: string;
}

async function startAttacker(ids?: { uid: number; gid: number }): Promise<{ proc: ChildProcess; uid: number; next: () => Promise<Reply> }> {
  const proc = fork(attackerScript, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], cwd: "/", ...ids });
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  const next = async (): Promise<Reply> => ((await once(proc, "message")) as [Reply])[0];
  const hello = await next();
  return { proc, uid: hello.uid!, next };
}

/** A victim folder outside the root, with files named like the candidate's. */
async function makeVictim(dir: string): Promise<{ path: string; intact: () => boolean }> {
  const path = join(dir, "victim");
  await mkdir(path, { mode: 0o755 });
  for (let i = 0; i < FILES; i++) await writeFile(join(path, `f${i}`), "precious");
  return { path, intact: () => readdirSync(path).length === FILES };
}

/** A folder that looks like a dead process's: a valid marker and FILES files. */
function plantCandidate(root: string, pid: number, round: number): string {
  const path = join(root, `p${pid}-${hostTag()}-${round.toString(16).padStart(8, "0")}`);
  mkdirSync(path, { mode: 0o700 });
  writeFileSync(join(path, MARKER), JSON.stringify({ pid, startTicks: null, startedAt: 0, host: hostname() }));
  for (let i = 0; i < FILES; i++) writeFileSync(join(path, `f${i}`), "reapable");
  return path;
}

const exists = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs the race: each round plants a dead process's folder, starts a reap, and lets the attacker
 * swap the folder at a random moment. Checks after every round that the victim is intact and that
 * the reap listed the folder as removed exactly when it is gone.
 */
async function race(root: string, victim: { path: string; intact: () => boolean }, attacker: Awaited<ReturnType<typeof startAttacker>>) {
  const reaper = new ManagedRoot(root, Date.now());
  const pid = deadPid();
  const stats = { rounds: 0, swapped: 0, swappedAndRemoved: 0, caughtMidReap: 0, removed: 0, denied: 0, victimLost: 0, misreported: 0 };
  const started = Date.now();
  for (let round = 0; round < ROUNDS && Date.now() - started < MAX_MS; round++) {
    const path = plantCandidate(root, pid, round);
    const reply = attacker.next();
    attacker.proc.send({ path, victim: victim.path, delayUs: Math.floor(Math.random() * 1500) });
    const result: ReapResult = await reaper.reap();
    const { swapped, code } = await reply;
    stats.rounds++;
    if (code === "EACCES" || code === "EPERM") stats.denied++;
    // Where the planted (real) folder is now, unless it was removed.
    const real = swapped === true ? `${path}.old` : path;
    // The real folder may be reaped under either name (a folder's marker, not its name, says whose it is).
    const removed = result.removed.includes(real);
    if (removed) stats.removed++;
    if (swapped === true) stats.swapped++;
    if (swapped === true && removed) stats.swappedAndRemoved++;
    // The swap landed between the reaper's check and its rename: the symlink was caught and put back.
    if (result.skipped.some((e) => e.reason.startsWith("it was replaced"))) stats.caughtMidReap++;
    if (!victim.intact()) stats.victimLost++;
    // Listed as removed exactly when the real folder is gone; nothing else is ever listed.
    if (removed === exists(real) || result.removed.some((p) => p !== real) || result.failed.length > 0) stats.misreported++;
    if (stats.victimLost > 0 || stats.misreported > 0) {
      console.error("reapRace: round", round, { swapped, code, result, realExists: exists(real) });
      break;
    }
    // Clean up the attacker's leftovers: its symlink (never its target) and the folder it moved.
    if (exists(path) && lstatSync(path).isSymbolicLink()) unlinkSync(path);
    rmSync(`${path}.old`, { recursive: true, force: true });
    rmSync(path, { recursive: true, force: true });
  }
  return stats;
}

describe("the reaper raced by an attacker swapping a folder for a symlink", () => {
  it(`same user: in up to ${ROUNDS} rounds (${MAX_MS / 1000} s at most) no victim file is deleted and the result lists exactly what was removed`, async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    await mkdir(root, { mode: 0o700 });
    const victim = await makeVictim(dir);
    const attacker = await startAttacker();
    const stats = await race(root, victim, attacker);
    console.log("reapRace (same user):", JSON.stringify(stats));
    expect(stats.victimLost).toBe(0);
    expect(stats.misreported).toBe(0);
    expect(readdirSync(victim.path)).toHaveLength(FILES);
    // The race was real: the attacker did swap folders mid-reap, and the reaper still removed others.
    expect(stats.swapped).toBeGreaterThan(0);
    expect(stats.removed).toBeGreaterThan(0);
    // Only the quarantine folder is left in the root.
    expect(readdirSync(root).every((n) => n.startsWith("q"))).toBe(true);
  }, 120_000);

  const ids = nobody();
  const skip = ids === undefined && process.env.CI !== "true";
  if (skip)
    console.warn(
      `reapRace.test.ts: unprivileged-attacker tests skipped: ${process.getuid?.() === 0 ? 'no user "nobody" on this machine' : "they need root (to run the attacker as nobody)"}`,
    );

  it.skipIf(skip)("as root, with an unprivileged attacker: a root others can write is refused before anything is reaped", async () => {
    const dir = await scratchDir();
    await chmod(dir, 0o755);
    const victim = await makeVictim(dir);
    for (const mode of [0o777, 0o1777, 0o770]) {
      const root = join(dir, `root-${mode.toString(8)}`);
      await mkdir(root);
      await chmod(root, mode);
      const pid = deadPid();
      plantCandidate(root, pid, 1);
      await expect(makeFsKernel({ root })).rejects.toMatchObject({ code: "ERR_PLUGIN_APPLY", cause: { code: "ERR_FS_ROOT_NOT_PRIVATE" } });
      await expect(new ManagedRoot(root, Date.now()).reap()).rejects.toMatchObject({ code: "ERR_FS_ROOT_NOT_PRIVATE" });
      // Refused in the first place: the dead process's folder is still there.
      expect(readdirSync(root)).toHaveLength(1);
    }
    // The attacker, as nobody, can write such a root: it could plant and swap at will.
    const attacker = await startAttacker(ids);
    expect(attacker.uid).toBe(ids!.uid);
    const open = join(dir, "root-1777");
    const [planted] = readdirSync(open);
    const reply = attacker.next();
    attacker.proc.send({ path: join(open, planted), victim: victim.path, delayUs: 0 });
    // Sticky /tmp-like root: nobody cannot rename root's folder, but can add its own entries.
    expect((await reply).code).toBe("EPERM");
    expect(victim.intact()).toBe(true);
  });

  it.skipIf(skip)(
    `as root, with an unprivileged attacker against a private root: ${ROUNDS} rounds, nothing outside is deleted`,
    async () => {
      const dir = await scratchDir();
      const root = join(dir, "root");
      await mkdir(root, { mode: 0o700 });
      const victim = await makeVictim(dir);
      const attacker = await startAttacker(ids);
      expect(attacker.uid).toBe(ids!.uid);
      const stats = await race(root, victim, attacker);
      console.log("reapRace (nobody):", JSON.stringify(stats));
      expect(stats.victimLost).toBe(0);
      expect(stats.misreported).toBe(0);
      // The private root keeps the attacker out entirely.
      expect(stats.swapped).toBe(0);
      expect(stats.denied).toBe(stats.rounds);
      expect(stats.removed).toBe(stats.rounds);
    },
    120_000,
  );
});
