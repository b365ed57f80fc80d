// Process-level tests: these run the built kernel in a child process and use real time, on purpose
// (a process exit is what they prove). Each is bounded.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const app = fileURLToPath(new URL("../fixtures/signal-app.mjs", import.meta.url));

interface Run {
  code: number | null;
  out: string;
  exitedAt: number;
}

interface Started {
  child: ReturnType<typeof spawn>;
  ready: Promise<void>;
  done: Promise<Run & { err: string }>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [app, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("READY")) onReady();
  });
  child.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  // "close", not "exit": every byte the child wrote to its pipes has been read by then.
  const done = new Promise<Run & { err: string }>((resolve) => child.on("close", (code) => resolve({ code, out, err, exitedAt: Date.now() })));
  return { child, ready, done };
}

describe("signals and process exit", () => {
  it("SIGTERM with a hanging release exits with code 1 within deadline + 1s and prints the report", async () => {
    const { child, ready, done } = start(["500ms", "signals"]);
    await ready;
    const sentAt = Date.now();
    child.kill("SIGTERM");
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.exitedAt - sentAt).toBeLessThan(500 + 1_000);
    expect(run.out).toContain('REPORT {"ok":false,"outcomes":["stuck:abandoned","ok:released"]}');
  });

  it("a second signal forces everything and exits within a moment", async () => {
    const { child, ready, done } = start(["60s", "signals"]);
    await ready;
    child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const secondAt = Date.now();
    child.kill("SIGTERM");
    const run = await done;
    expect(run.code).toBe(1);
    expect(run.exitedAt - secondAt).toBeLessThan(600); // 100 ms target plus process scheduling
  });

  it("a hang that holds no handle cannot end in a silent exit 0: the deadline timer holds the process", async () => {
    const { done } = start(["300ms", "await"]);
    const run = await done;
    expect(run.out).toContain('"stuck:abandoned"');
    expect(run.code).toBe(1);
  });

  it("after shutdown resolves nothing Custodian owns keeps the process alive", async () => {
    const startedAt = Date.now();
    const { done } = start(["500ms", "clean"]);
    const run = await done;
    expect(run.out).toContain("CLEAN true");
    expect(run.code).toBe(0);
    expect(run.exitedAt - startedAt).toBeLessThan(10_000);
  });
});

/** Starts the app, sends `signal` once it is ready, and returns how it ended. */
async function signalled(args: string[], signal: NodeJS.Signals = "SIGTERM"): Promise<Run & { err: string }> {
  const { child, ready, done } = start(args);
  await ready;
  child.kill(signal);
  return done;
}

describe("shutdown.exitCode (issue 13 §2) and shutdown.report (issue 14)", () => {
  it("default: a clean SIGTERM shutdown exits 0 and prints one line on stderr", async () => {
    const run = await signalled(["2s", "signals-clean"]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/^custodian: SIGTERM: shut down cleanly in \d+ ms \(1 resource released\); exit code 0\n$/);
  });

  it("default: a forced resource exits 1 and prints the table of what was not released", async () => {
    const run = await signalled(["300ms", "signals"]);
    expect(run.code).toBe(1);
    const lines = run.err.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^custodian: SIGTERM: shutdown ended in \d+ ms: 1 of 2 resources not released; exit code 1$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([
      ["RESOURCE", "TYPE", "OUTCOME"],
      ["stuck", "t", "abandoned"],
    ]);
  });

  it('"conventional" exits 128 + the signal number when clean: 143 for SIGTERM, 130 for SIGINT (terminus users expect it)', async () => {
    expect((await signalled(["2s", "signals-clean", "conventional"], "SIGTERM")).code).toBe(143);
    expect((await signalled(["2s", "signals-clean", "conventional"], "SIGINT")).code).toBe(130);
  });

  it('"conventional" still exits 1 when a resource was not released', async () => {
    expect((await signalled(["300ms", "signals", "conventional"])).code).toBe(1);
  });

  it('report "silent" prints nothing; "table" lists every resource', async () => {
    const silent = await signalled(["2s", "signals-clean", "zero-on-success", "silent"]);
    expect([silent.code, silent.err]).toEqual([0, ""]);
    const table = await signalled(["2s", "signals-clean", "zero-on-success", "table"]);
    expect(table.code).toBe(0);
    expect(table.err.split("\n").map((l) => l.trim().split(/\s+/).slice(0, 3))).toContainEqual(["ok", "t", "released"]);
  });
});
