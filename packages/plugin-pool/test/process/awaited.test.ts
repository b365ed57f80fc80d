// Process-level tests: each runs test/fixtures/awaited.mjs (the BUILT package) in a child process
// whose only pending work is one plugin-pool promise, with real time on purpose (whether the
// process stays alive is what they prove). Awaited work must hold the process until it settles by
// the pool's own timer; idle state must hold nothing. Every wait is on the child's exit.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = fileURLToPath(new URL("../fixtures/awaited.mjs", import.meta.url));

interface Run {
  code: number | null;
  result: Record<string, unknown> | undefined;
  /** Child clock time from its start to its exit. */
  exitMs: number;
  out: string;
}

async function run(scenario: string): Promise<Run> {
  const child = spawn(process.execPath, [fixture, scenario], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(kill);
  const lines = out.split("\n");
  const line = lines.find((l) => l.startsWith("RESULT "));
  const exit = lines.find((l) => l.startsWith("EXIT "));
  return {
    code,
    result: line === undefined ? undefined : (JSON.parse(line.slice(7)) as Record<string, unknown>),
    exitMs: exit === undefined ? Number.NaN : (JSON.parse(exit.slice(5)) as { elapsedMs: number }).elapsedMs,
    out,
  };
}

describe("awaited pool work holds the process until it settles", () => {
  it("pool.acquire() while the first create is retried resolves after the retries, exit 0", async () => {
    const r = await run("acquire-retry");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ id: 3, attempts: 3 });
  });

  it("pool.acquire() with acquireTimeoutMs: Infinity: the retry timers alone hold the process", async () => {
    const r = await run("acquire-retry-no-deadline");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ id: 3, attempts: 3 });
  });

  it("pool.use() while the first create is retried runs the function, exit 0", async () => {
    const r = await run("use-retry");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ value: 20, attempts: 2 });
  });

  it("pool.ready() with min: 1 whose first create fails resolves after the retry, exit 0", async () => {
    const r = await run("ready-retry");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ size: 1, attempts: 2 });
  });

  it("a kernel service whose pool (min: 1, ready) fails its first create starts after the retry, exit 0", async () => {
    const r = await run("kernel-ready-retry");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ size: 1, attempts: 2 });
  });

  it("pool.ready() against a create that keeps failing rejects with ERR_POOL_CREATE_UNAVAILABLE", async () => {
    const r = await run("ready-fails");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ error: "ERR_POOL_CREATE_UNAVAILABLE", attempts: 3 });
  });

  it("an acquire waiting on its timeout with nothing else alive rejects with ERR_POOL_ACQUIRE_TIMEOUT at the deadline", async () => {
    const r = await run("acquire-timeout");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ error: "ERR_POOL_ACQUIRE_TIMEOUT" });
    expect(r.result!.elapsedMs).toBeGreaterThanOrEqual(290);
  });

  it("the acquire deadline holds while an idle resource is validated by a validate() that never settles", async () => {
    const r = await run("acquire-timeout-validating");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ error: "ERR_POOL_ACQUIRE_TIMEOUT" });
    expect(r.result!.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(r.result!.elapsedMs).toBeLessThan(2_000); // far below validateTimeoutMs (5 s)
  });

  it("close({ deadlineMs: 300 }) with a borrowed resource outstanding forces it at the deadline, exit 0", async () => {
    const r = await run("close-deadline");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ forced: 1, ok: false });
    expect(r.result!.elapsedMs).toBeGreaterThanOrEqual(290);
  });

  it("close() waiting for a destroy() that never settles ends at destroyTimeoutMs with the error reported", async () => {
    const r = await run("close-destroy-timeout");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ errors: 1, ok: false });
  });

  it("pool.destroy(r) waiting for a destroy() that never settles resolves at destroyTimeoutMs with a destroy-failed event", async () => {
    const r = await run("destroy-timeout");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ failed: ["requested"] });
    expect(r.result!.elapsedMs).toBeGreaterThanOrEqual(290);
  });

  it("WorkQueue.wait() on a handler that never settles rejects with ERR_QUEUE_WAIT_TIMEOUT", async () => {
    const r = await run("queue-wait");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ error: "ERR_QUEUE_WAIT_TIMEOUT" });
  });

  it("WorkQueue.close({ deadlineMs: 300 }) with a handler that never settles aborts it at the deadline", async () => {
    const r = await run("queue-close");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ aborted: 1, ok: false });
    expect(r.result!.elapsedMs).toBeGreaterThanOrEqual(290);
  });
});

describe("idle pool state holds nothing", () => {
  it("an idle pool (min resources, reaping on), a breaker registry and an open breaker let the process exit at once", async () => {
    const r = await run("idle");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ size: 2, breakers: 1, state: "open" });
    // Reap interval 10 s, idle TTL 60 s, breaker open 60 s: none of them may hold the process.
    expect(r.exitMs - (r.result!.elapsedMs as number)).toBeLessThan(1_000);
  });

  it("after an acquire timed out, the pending create retry (3 s away) does not hold the process", async () => {
    const r = await run("idle-after-timeout");
    expect(r.code, r.out).toBe(0);
    expect(r.result).toMatchObject({ error: "ERR_POOL_ACQUIRE_TIMEOUT", attempts: 1 });
    expect(r.exitMs - (r.result!.elapsedMs as number)).toBeLessThan(1_500);
  });
});
