// Runs each example as a child process (built output; npm test builds first).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const run = (example: string, args: string[] = []) =>
  spawnSync(process.execPath, [fileURLToPath(new URL(`../dist/${example}/main.js`, import.meta.url)), ...args], {
    encoding: "utf8",
    timeout: 20_000,
  });

describe("examples", () => {
  it("kernel-tour forces the stalled download within the deadline and exits 1 with a report", () => {
    const r = run("kernel-tour", ["--deadline", "600ms"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Shutdown report \(deadline, \d+ms of 600ms, ok=false\)/);
    expect(r.stdout).toMatch(/stalled-download\s+forced/);
    expect(r.stdout).toMatch(/db\s+released/);
    const elapsed = Number(/Shutdown report \(deadline, (\d+)ms/.exec(r.stdout)![1]);
    expect(elapsed).toBeLessThanOrEqual(600);
  });

  it("alerts: rules fire and resolve on the kernel clock, metrics show them, shutdown closes the endpoint", () => {
    const r = run("alerts");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("PoolNearlyExhausted: pending -> firing (orders-db is 0.9 full)");
    expect(r.stdout).toContain("PoolNearlyExhausted: firing -> resolved");
    expect(r.stdout).toMatch(/SocketHeld: inactive -> firing \(oldest forgotten-socket held \d+ms\)/);
    expect(r.stdout).toContain("BreakerFlapping: inactive -> firing");
    expect(r.stdout).toContain('custodian_breaker_state{breaker="orders-db"} 2');
    expect(r.stdout).toContain('custodian_alerts{alertname="SocketHeld",state="firing"} 1');
    expect(r.stdout).toMatch(/shutdown: ok=true; .*metrics-endpoint released/);
    expect(r.stdout).toContain("metrics endpoint closed with the kernel");
  });

  it("await-using releases every request's scope, on success and on throw, and shuts down clean", () => {
    const r = run("await-using");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("GET /fail -> 500 error: handler failed");
    expect(r.stdout).toMatch(/tx 1 committed\ntx 2 rolled back\ntx 3 committed/);
    expect(r.stdout).toContain("after the requests: 1 live resource(s) (api)");
    expect(r.stdout).toMatch(/shutdown: ok in \d+ms/);
  });

  it("custom-plugin: a JS plugin declared in YAML stops one child gracefully and forces the stubborn one", () => {
    const r = run("custom-plugin");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/stubborn: forced in \d+ms/);
    expect(r.stdout).toMatch(/well-behaved: released in \d+ms/);
    expect(r.stdout).toContain("no child process survived");
  });
});
