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

function start(args: string[]): { child: ReturnType<typeof spawn>; ready: Promise<void>; done: Promise<Run> } {
  const child = spawn(process.execPath, [app, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes("READY")) onReady();
  });
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<Run>((resolve) => child.on("exit", (code) => resolve({ code, out, exitedAt: Date.now() })));
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
