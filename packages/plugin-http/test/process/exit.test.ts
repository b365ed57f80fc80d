// Process-level test: runs the built plugin in a child process, with real time on purpose (a
// process that exits by itself is what it proves). Bounded by the test timeout.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stall, startServer } from "../helpers/servers.js";

const app = fileURLToPath(new URL("../fixtures/stalled-client.mjs", import.meta.url));
const drain503 = fileURLToPath(new URL("../fixtures/drain-503.mjs", import.meta.url));

describe("process exit after shutdown", () => {
  it("a client with a stalled request exits on its own right after kernel.shutdown(): no handle is left", async () => {
    const srv = await startServer(stall);
    const child = spawn(process.execPath, [app, `${srv.url}/never`, "500ms"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    let reportAt = 0;
    child.stdout.on("data", () => (reportAt ||= out.includes("REPORT") ? Date.now() : 0));
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    clearTimeout(timer);
    const exitedAt = Date.now();
    expect(code, out).toBe(0);
    const report = JSON.parse(out.slice(out.indexOf("REPORT ") + 7).split("\n")[0]) as { elapsedMs: number; outcomes: string[]; request: string };
    expect(report.outcomes).toEqual(["api:forced"]);
    expect(report.request).toBe("ERR_HTTP_REQUEST_ABORTED");
    expect(report.elapsedMs).toBeLessThan(500 + 250);
    // It exits by itself; the kernel's ref'd hold timer is cleared when shutdown completes.
    expect(exitedAt - reportAt).toBeLessThan(1_000);
    await srv.allClosed();
  });

  it('awaited work holds the loop: `await handle.release()` of a "503" server whose listener is unref\'d exits 0 after drainDelay (not 13)', async () => {
    const child = spawn(process.execPath, [drain503], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code, out).toBe(0);
    const result = JSON.parse(out.slice(out.indexOf("RESULT ") + 7).split("\n")[0]) as { outcome: string; elapsedMs: number };
    expect(result.outcome).toBe("released");
    expect(result.elapsedMs).toBeGreaterThanOrEqual(300);
  });
});
