import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/index.js";

// These tests run the BUILT binary as a child process (npm test builds first).
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const BIN = join(repo, "packages", "cli", "dist", "bin.js");
const FIXTURES = join(repo, "packages", "core", "test", "config", "fixtures", "plugins");
const root = mkdtempSync(join(tmpdir(), "custodian-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function project(files: Record<string, string>): string {
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "app" }');
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? "", FIXTURES, ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

const GOOD = `# a good file
plugins:
  - module: \${FIXTURES}/fake-pool.mjs
resources:
  db:
    type: pool
    url: postgres://app:s3cret@db.internal:5432/app?sslmode=require
    password: \${DB_PASSWORD:-hunter2}
    acquireTimeout: 2s
features:
  poolFastPath: on
shutdown:
  deadline: 1m
`;

const BAD = `shutdown:
  dedline: 5s
  reserve: -1
resources:
  Db:
    type: pool
`;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first (npm test does)`);
});

describe("custodian validate", () => {
  it("exits 0 with a one-line summary on a valid file", async () => {
    const dir = project({ "resource.config.yaml": GOOD });
    const r = await cli(["validate", "resource.config.yaml"], dir);
    expect(r).toEqual({ code: 0, stdout: "valid resource.config.yaml: 1 resource, 1 plugin, 1 feature flag set\n", stderr: "" });
  });

  it("finds the file from the working directory when none is given", async () => {
    const dir = project({ ".custodianrc.yaml": "shutdown:\n  deadline: 2s\n" });
    const r = await cli(["validate"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("valid .custodianrc.yaml: 0 resources, 0 plugins, 0 feature flags set\n");
  });

  it("exits 1 and prints every error as file:line:col path: message, without colours when not a TTY", async () => {
    const dir = project({ "resource.config.yaml": BAD });
    const r = await cli(["validate", "resource.config.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      'resource.config.yaml:2:3 shutdown.dedline: unknown key "dedline"; did you mean "deadline"?',
      'resource.config.yaml:3:3 shutdown.reserve: must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received a number (-1)',
      'resource.config.yaml:5:3 resources.Db: invalid resource name "Db": names must match ^[a-z][a-z0-9-]*$ (lowercase letters, digits and dashes, starting with a letter; at most 64 characters)',
      "3 errors in resource.config.yaml",
      "",
    ]);
    expect(r.stderr).not.toContain("\u001b[");
  });

  it("loads the plugins a file lists, so unknown types and flags are positioned errors", async () => {
    const dir = project({ "resource.config.yaml": "plugins: [\"${FIXTURES}/fake-pool.mjs\"]\nresources:\n  db:\n    type: pol\nfeatures:\n  poolFastPth: on\n" });
    const r = await cli(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('resource.config.yaml:4:5 resources.db.type: unknown resource type "pol"; did you mean "pool"?');
    expect(r.stderr).toContain('resource.config.yaml:6:3 features.poolFastPth: unknown feature flag "poolFastPth"; did you mean "poolFastPath"?');
  });

  it("exits 1 when no config file is found", async () => {
    const dir = project({});
    const r = await cli(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no config file found");
  });

  it("exits 2 on usage errors", async () => {
    const dir = project({});
    for (const args of [[], ["frobnicate"], ["validate", "--bogus"], ["validate", "a.yaml", "b.yaml"], ["validate", "--json"]]) {
      const r = await cli(args, dir);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/usage/i);
    }
  });

  it("validates the repository's own resource.config.yaml", async () => {
    const r = await cli(["validate", "resource.config.yaml"], repo);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid resource\.config\.yaml: /);
  });
});

describe("--help", () => {
  for (const command of ["validate", "print-config", "schema"]) {
    it(`custodian ${command} --help`, async () => {
      const r = await cli([command, "--help"], root);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: custodian ${command}`);
      expect(r.stdout).toContain("Exit codes");
    });
  }
  it("custodian --help lists the commands", async () => {
    const r = await cli(["--help"], root);
    expect(r.code).toBe(0);
    for (const c of ["validate", "print-config", "schema"]) expect(r.stdout).toContain(`  ${c} [file]`);
  });
});

describe("custodian print-config", () => {
  it("prints the resolved config: defaults, env, durations in ms, secrets redacted", async () => {
    const dir = project({ "resource.config.yaml": GOOD });
    const r = await cli(["print-config", "--json"], dir, { DB_PASSWORD: "pa55" });
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout) as Record<string, any>;
    expect(config.shutdown).toEqual({ deadline: 60_000, signals: [] });
    expect(config.release).toEqual({ defaultTimeout: 5_000 });
    expect(config.resources.db).toEqual({
      type: "pool",
      url: "postgres://app:[redacted]@db.internal:5432/app?sslmode=require",
      password: "[redacted]",
      acquireTimeout: 2_000,
      max: 10,
      min: 0,
    });
    expect(config.plugins).toEqual([{ module: join(FIXTURES, "fake-pool.mjs"), options: { metrics: false } }]);
    expect(r.stdout).not.toContain("pa55");
    expect(r.stdout).not.toContain("s3cret");
  });

  it("prints YAML by default", async () => {
    const dir = project({ "resource.config.yaml": "shutdown:\n  deadline: 2s\n" });
    const r = await cli(["print-config"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# resolved from resource.config.yaml\nshutdown:\n  deadline: 2000\n");
  });

  it("exits 1 with the errors of an invalid file", async () => {
    const dir = project({ "resource.config.yaml": BAD });
    const r = await cli(["print-config"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("resource.config.yaml:2:3 shutdown.dedline");
  });
});

describe("custodian schema", () => {
  it("prints the core schema as JSON", async () => {
    const r = await cli(["schema"], project({}));
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, any> };
    expect(Object.keys(schema.properties)).toEqual(["shutdown", "release", "features", "tracking", "resources", "plugins", "alerts"]);
    expect(Object.keys(schema.properties.features.properties)).toEqual(["deadlineCleanup"]);
  });

  it("composes the file's plugins: option schemas, resource types and flags", async () => {
    const dir = project({ "resource.config.yaml": GOOD });
    const r = await cli(["schema", "resource.config.yaml"], dir);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, any> };
    expect(schema.properties.resources.additionalProperties.properties.type.enum).toEqual(["cache", "pool"]);
    expect(Object.keys(schema.properties.features.properties)).toEqual(["deadlineCleanup", "poolFastPath"]);
    expect(JSON.stringify(schema.properties.plugins)).toContain('"metrics"');
  });
});

describe("run() in-process", () => {
  it("colours only when asked (bin.ts asks only on a TTY)", async () => {
    const dir = project({ "resource.config.yaml": BAD });
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (s: string) => err.push(s), cwd: dir, env: {} };
    expect(await run(["validate"], { ...io, color: { stdout: true, stderr: true } })).toBe(1);
    expect(err.join("")).toContain("\u001b[1mresource.config.yaml:2:3\u001b[22m");
    err.length = 0;
    expect(await run(["validate"], io)).toBe(1);
    expect(err.join("")).not.toContain("\u001b[");
  });
});

describe("the repository's resource.config.schema.json", () => {
  it("is what `custodian schema resource.config.yaml` prints (regenerate it with that command when plugins change)", async () => {
    const { readFileSync } = await import("node:fs");
    const r = await cli(["schema", "resource.config.yaml"], repo);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(repo, "resource.config.schema.json"), "utf8"))).toEqual(JSON.parse(r.stdout));
  });
});
