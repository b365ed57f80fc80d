// Awaited work holds the process: each case runs the built kernel in a child process whose only
// pending work is one Custodian promise that Custodian settles by its own timer, and checks the
// documented result and exit code (not 13, not a silent 0). Real time on purpose: a process exit
// is what they prove; every wait is on the child's exit.
// Peer: generic-pool. Its acquire timeout (lib/ResourceRequest.js, a plain setTimeout, never
// unref'd) holds the process while acquire() is awaited, which its test
// "acquireTimeout handles timed out acquire calls" (test/generic-pool-acquiretimeout-test.js)
// relies on; the timers nobody awaits (eviction, the destroy timeout in lib/Pool.js) are unref'd.
// "destroyTimeout handles timed out destroy calls" / "... non timed out destroy calls"
// (test/generic-pool-destroytimeout-test.js) carry over as the handle.release() cases below.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const app = fileURLToPath(new URL("../fixtures/awaited-app.mjs", import.meta.url));

function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [app, ...args], { timeout: 20_000 }, (_error, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("a process whose only pending work is an awaited Custodian promise", () => {
  it("createKernel: a plugin whose apply() never settles and holds no handle hits its start timeout (exit 1, not 13)", async () => {
    const r = await run("start-timeout");
    expect(r.stdout).toBe('RESULT "ERR_PLUGIN_TIMEOUT"\n');
    expect(r.code).toBe(1);
  });

  it("handle.release(): a hung release and force end abandoned at budget + force window (exit 1, not 13)", async () => {
    const r = await run("release");
    expect(r.stdout).toBe('RESULT "abandoned"\n');
    expect(r.code).toBe(1);
  });

  it("handle.release(): a release done well within its budget is released, and its 60 s budget timer does not hold the process (exit 0)", async () => {
    const r = await run("release-in-time");
    expect(r.stdout).toBe('RESULT "released"\n');
    expect(r.code).toBe(0);
  });

  it("scope.close(): a hung release ends abandoned at the scope's budget (exit 1, not 13)", async () => {
    const r = await run("scope");
    expect(r.stdout).toBe('RESULT ["stuck:abandoned"]\n');
    expect(r.code).toBe(1);
  });

  it("acquire(): a rejected acquire hook releases the new resource, and acquire rejects once that release is abandoned (exit 1, not 13)", async () => {
    const r = await run("acquire");
    expect(r.stdout).toBe('RESULT "ERR_KERNEL_ACQUIRE_HOOK"\n');
    expect(r.code).toBe(1);
  });

  it("shutdown(): a hung release ends abandoned at the deadline (exit 1, not 0)", async () => {
    const r = await run("shutdown");
    expect(r.stdout).toBe('RESULT ["stuck:abandoned"]\n');
    expect(r.code).toBe(1);
  });
});

describe("process.exit() while shutdown runs", () => {
  it("called inside a release: exit code 1, and stderr names the resources that were not released", async () => {
    const r = await run("exit-in-release");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not released: Resource "exits" (t, r3), Resource "stuck" (t, r1)');
    expect(r.stderr).not.toContain('"done"');
  });

  it("a non-zero code given to process.exit() is kept; the resources are still named", async () => {
    const r = await run("exit-in-release", "3");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('not released: Resource "exits" (t, r3), Resource "stuck" (t, r1)');
  });
});
