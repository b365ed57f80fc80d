// `validate`, `print-config`, `schema` and `rules export` have no side effects (issue 13 §6): they
// check the config from the plugins' schemas and declared types without running apply(). And the
// CLI exits with its code after printing, whatever a plugin left running (§1). These run the BUILT
// binary as a child process; every wait is on the child's exit.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const BIN = join(repo, "packages", "cli", "dist", "bin.js");
const dist = (pkg: string): string => join(repo, "packages", pkg, "dist", "index.js");
const CORE_FIXTURES = join(repo, "packages", "core", "test", "config", "fixtures", "plugins");
const root = mkdtempSync(join(tmpdir(), "custodian-cli-fx-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function project(config: string): string {
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "app" }');
  writeFileSync(join(dir, "resource.config.yaml"), config);
  return dir;
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 }, (_e, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** A port this test holds for its duration. */
async function takenPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

describe("validate, print-config, schema and rules export do not run plugins' apply()", { timeout: 120_000 }, () => {
  it("a plugin's apply() side effect does not happen (it does with validate --apply)", async () => {
    const dir = project(`plugins:\n  - ${join(here, "fixtures", "marks-apply.mjs")}\n`);
    const mark = join(dir, "applied");
    for (const args of [["validate"], ["print-config"], ["schema", "resource.config.yaml"], ["rules", "export", "--prometheus"]]) {
      const r = await cli(args, dir, { APPLY_MARK: mark });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(existsSync(mark), args.join(" ")).toBe(false);
    }
    const r = await cli(["validate", "--apply"], dir, { APPLY_MARK: mark });
    expect(r.code).toBe(0);
    expect(existsSync(mark)).toBe(true);
  });

  it("with the metrics and dashboard plugins nothing listens: the metrics port is taken, validate still passes, no dashboard token is printed", async () => {
    const port = await takenPort();
    const config = [
      "plugins:",
      `  - module: ${dist("plugin-metrics")}`,
      "    options:",
      `      endpoint: { host: 127.0.0.1, port: ${port} }`,
      `  - module: ${dist("plugin-dashboard")}`,
      "    options: { port: 0 }",
      "",
    ].join("\n");
    const dir = project(config);
    for (const args of [["validate"], ["print-config"]]) {
      const r = await cli(args, dir);
      expect(r.stderr, args.join(" ")).toBe("");
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).not.toMatch(/token|http:\/\//i);
    }
  });

  it("does not reap a dead process's folder in a plugin-fs root", async () => {
    const fsRoot = join(root, `fs-root-${++n}`);
    const dead = join(fsRoot, "dead-process");
    mkdirSync(dead, { recursive: true, mode: 0o700 });
    // A pid no process can have (above Linux's pid_max), on this host: the reaper would remove it.
    writeFileSync(join(dead, ".custodian-process.json"), JSON.stringify({ pid: 2_147_483_646, startTicks: null, startedAt: 0, host: hostname() }));
    const dir = project(`plugins:\n  - module: ${dist("plugin-fs")}\n    options:\n      root: ${fsRoot}\n`);
    for (const args of [["validate"], ["print-config"]]) {
      const r = await cli(args, dir);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(existsSync(dead), args.join(" ")).toBe(true);
    }
  });

  it("a plugin that does not declare its types: resources of undeclared types are not checked, and a note says so", async () => {
    const dir = project(`plugins: ["${join(CORE_FIXTURES, "fake-pool.mjs")}"]\nresources:\n  db:\n    type: pol\n`);
    const r = await cli(["validate"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("valid resource.config.yaml: 1 resource, 1 plugin, 0 feature flags set\n");
    expect(r.stderr).toBe(
      'note: plugin "fake-pool" does not declare the resource types it registers ("types" in its descriptor), so resources whose type no plugin declares were not checked; "custodian validate --apply" applies the plugins and checks them\n',
    );
    const applied = await cli(["validate", "--apply"], dir);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('resources.db.type: unknown resource type "pol"; did you mean "pool"?');
  });
});

describe("the CLI exits with its code, whatever a plugin left running", { timeout: 120_000 }, () => {
  it("validate --apply: a plugin whose apply() never settles and holds no handle prints ERR_PLUGIN_TIMEOUT and exits 1", async () => {
    const dir = project(`plugins: ["${join(CORE_FIXTURES, "hangs.mjs")}"]\n`);
    const r = await cli(["validate", "--apply"], dir);
    expect(r.stderr).toBe('error: ERR_PLUGIN_TIMEOUT: Plugin "hangs" did not finish apply() within 1000ms; check what it awaits or raise its startTimeoutMs\n');
    expect(r.code).toBe(1);
  });

  it("a plugin that leaks an interval (at import and in apply): validate and validate --apply exit 0 after printing", async () => {
    const dir = project(`plugins: ["${join(here, "fixtures", "leaky.mjs")}"]\n`);
    for (const args of [["validate"], ["validate", "--apply"], ["print-config"]]) {
      const r = await cli(args, dir);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout, args.join(" ")).not.toBe("");
    }
  });

  it("a leaked interval and an invalid file: exit 1 after printing every error", async () => {
    const dir = project(`plugins: ["${join(here, "fixtures", "leaky.mjs")}"]\nshutdown:\n  dedline: 5s\n`);
    const r = await cli(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('shutdown.dedline: unknown key "dedline"');
  });
});
