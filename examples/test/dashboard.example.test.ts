// Runs the dashboard example as a child process (built output; npm test builds first): it prints
// its address with the token, serves live state, and shuts itself down with an honest report.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("dashboard example", () => {
  it("serves the live workload behind its token, then forces the hung consumer at shutdown and exits 1", async () => {
    const main = fileURLToPath(new URL("../dist/dashboard/main.js", import.meta.url));
    const child = spawn(process.execPath, [main, "--for", "1500ms", "--deadline", "1s"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /custodian dashboard: (\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      void exited.then(() => reject(new Error(`exited before printing its address: ${err}`)));
    });
    const { origin, searchParams } = new URL(url);
    expect((await fetch(`${origin}/api/state`)).status).toBe(401);
    const state = (await (await fetch(`${origin}/api/state`, { headers: { authorization: `Bearer ${searchParams.get("token")}` } })).json()) as {
      total: number;
      pools: Array<{ name: string; max: number }>;
      resources: Array<{ details?: unknown }>;
    };
    expect(state.total).toBeGreaterThanOrEqual(5);
    expect(state.pools).toMatchObject([{ name: "db", max: 10 }]);
    expect(JSON.stringify(state)).not.toContain("s3cret");
    expect(await exited).toBe(1);
    expect(out).toMatch(/orders-consumer: forced in \d+ms/);
    expect(out).toMatch(/dashboard: released in \d+ms/);
    expect(out).toMatch(/shutdown: not ok in \d+ms/);
  });
});
