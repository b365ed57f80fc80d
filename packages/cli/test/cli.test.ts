import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { run } from "../src/index.js";

// These tests run the BUILT binary as a child process (npm test builds first).
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const BIN = join(repo, "packages", "cli", "dist", "bin.js");
const FIXTURES = join(repo, "packages", "core", "test", "config", "fixtures", "plugins");
const ALERTS_PLUGIN = join(repo, "packages", "plugin-alerts", "dist", "index.js");
const ATTACHABLE = join(here, "fixtures", "attachable.mjs");
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
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { PATH: process.env.PATH ?? "", FIXTURES, ALERTS_PLUGIN, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
      },
    );
  });
}

const GOOD = `# a good file
plugins:
  - module: \${FIXTURES}/typed-pool.mjs
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
      'resource.config.yaml:6:5 resources.Db.type: unknown resource type "pool"; registered types: (none). Add the plugin that provides it to plugins. [ERR_KERNEL_UNKNOWN_TYPE]',
      "4 errors in resource.config.yaml",
      "",
    ]);
    expect(r.stderr).not.toContain("\u001b[");
  });

  it("loads the plugins a file lists, so unknown types and flags are positioned errors", async () => {
    const dir = project({
      "resource.config.yaml": 'plugins: ["${FIXTURES}/typed-pool.mjs"]\nresources:\n  db:\n    type: pol\nfeatures:\n  poolFastPth: on\n',
    });
    const r = await cli(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('resource.config.yaml:4:5 resources.db.type: unknown resource type "pol"; did you mean "pool"?');
    expect(r.stderr).toContain('resource.config.yaml:6:3 features.poolFastPth: unknown feature flag "poolFastPth"; did you mean "poolFastPath"?');
  });

  it("prints every problem of a file in one run: schema, unknown flag, plugin section, unknown type, resource spec", async () => {
    const dir = project({
      "resource.config.yaml": [
        "shutdown:",
        "  deadline: soon",
        "plugins:",
        '  - "${FIXTURES}/declared-store.mjs"',
        '  - "${ALERTS_PLUGIN}"',
        "features:",
        "  storeFastPth: on",
        "alerts:",
        "  rules:",
        "    - name: Broken",
        "      kind: threshold",
        "      select: { type: store }",
        "      treshold: 3",
        "resources:",
        "  cache:",
        "    type: stor",
        "  big:",
        "    type: store",
        "    size: 0",
        "",
      ].join("\n"),
    });
    const r = await cli(["validate", "resource.config.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      'resource.config.yaml:2:3 shutdown.deadline: must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received a string ("soon")',
      'resource.config.yaml:7:3 features.storeFastPth: unknown feature flag "storeFastPth"; did you mean "storeFastPath"?; declared flags: deadlineCleanup, storeFastPath [ERR_FEATURE_UNKNOWN]',
      'resource.config.yaml:10:7 alerts.rules[0].threshold: missing required key "threshold"',
      'resource.config.yaml:13:7 alerts.rules[0].treshold: unknown key "treshold"; did you mean "threshold"?',
      'resource.config.yaml:16:5 resources.cache.type: unknown resource type "stor"; did you mean "store"?; registered types: store. Add the plugin that provides it to plugins. [ERR_KERNEL_UNKNOWN_TYPE]',
      "resource.config.yaml:19:5 resources.big.size: must be >= 1",
      "6 errors in resource.config.yaml",
      "",
    ]);
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
  for (const command of ["validate", "print-config", "schema", "rules", "dashboard"]) {
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
    expect(r.stdout).toContain("  rules export --prometheus [file] [-o out.yaml]");
    expect(r.stdout).toContain("  dashboard --pid N [--port P]");
  });
  it("custodian help rules, and custodian rules export --help", async () => {
    for (const args of [
      ["help", "rules"],
      ["rules", "export", "--help"],
    ]) {
      const r = await cli(args, root);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout).toContain("Usage: custodian rules export --prometheus [file] [-o out.yaml]");
    }
  });
});

describe("custodian print-config", () => {
  it("prints the resolved config: defaults, env, durations in ms, secrets redacted", async () => {
    const dir = project({ "resource.config.yaml": GOOD });
    const r = await cli(["print-config", "--json"], dir, { DB_PASSWORD: "pa55" });
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout) as Record<string, any>;
    expect(config.shutdown).toEqual({ deadline: 60_000, signals: [], exitCode: "zero-on-success", report: "summary" });
    expect(config.release).toEqual({ defaultTimeout: 5_000 });
    expect(config.resources.db).toEqual({
      type: "pool",
      url: "postgres://app:[redacted]@db.internal:5432/app?sslmode=require",
      password: "[redacted]",
      acquireTimeout: 2_000,
      max: 10,
      min: 0,
    });
    expect(config.plugins).toEqual([{ module: join(FIXTURES, "typed-pool.mjs"), options: { metrics: false } }]);
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

describe("custodian print-config hides every shape of secret (issue 13 §5)", () => {
  // A plugin whose type takes any option, so the config can carry each measured shape.
  const KINDS = `export default { name: "kinds", types: { kind: { schema: { type: "object", additionalProperties: true } } }, apply(kernel) {
  kernel.registerType("kind", { schema: { type: "object", additionalProperties: true }, create: () => ({}), release() {} });
} };
`;
  const SECRETS = ["KvSecret3", "PwKeySecret5", "ghp_UserOnlyToken7", "ssAtPart8", "HeaderTok9", "CookieVal10", "ApiKeyVal11", "PrivKey12"];
  const config = (dir: string): string => `plugins:
  - module: ${join(dir, "kinds.mjs")}
resources:
  db:
    type: kind
    conninfo: "password=KvSecret3 host=db.internal port=5432"
    pw: PwKeySecret5
    api: http://ghp_UserOnlyToken7@api.example.com/repos
    dsn: postgres://app:p@ssAtPart8@db.internal/app
    headers:
      AUTHORIZATION: Bearer HeaderTok9
      Cookie: sid=CookieVal10
      accept: application/json
    "x-api-key": ApiKeyVal11
    private_key: PrivKey12
    passwordPolicy: strict
`;

  for (const json of [false, true]) {
    it(`prints none of them${json ? " (--json)" : ""}, and keeps settings named like secrets`, async () => {
      const dir = project({ "kinds.mjs": KINDS });
      writeFileSync(join(dir, "resource.config.yaml"), config(dir));
      const r = await cli(json ? ["print-config", "--json"] : ["print-config"], dir);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(SECRETS.filter((s) => r.stdout.includes(s))).toEqual([]);
      const db = (json ? JSON.parse(r.stdout) : parse(r.stdout)).resources.db as Record<string, unknown>;
      expect(db).toEqual({
        type: "kind",
        conninfo: "password=[redacted] host=db.internal port=5432",
        pw: "[redacted]",
        api: "http://[redacted]@api.example.com/repos",
        dsn: "postgres://app:[redacted]@db.internal/app",
        headers: { AUTHORIZATION: "[redacted]", Cookie: "[redacted]", accept: "application/json" },
        "x-api-key": "[redacted]",
        private_key: "[redacted]",
        passwordPolicy: "strict",
      });
    });
  }
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

const ALERTS = `alerts:
  evaluationInterval: 30s
  rules:
    - name: TooManySockets
      kind: threshold
      select: { type: http.socket }
      threshold: 200
      for: 1m
      labels: { severity: warning }
      annotations: { summary: "{{ $value }} sockets in use" }
    - name: PoolNearlyFull
      kind: threshold
      select: { type: pool }
      measure: details.borrowed / details.max
      by: [name]
      threshold: 0.9
      keep_firing_for: 2m
    - name: SocketsHeldLong
      kind: held_longer_than
      select: { type: http.socket }
      duration: 5m
    - name: PoolExhaustionSoon
      kind: forecast
      select: { type: pool }
      measure: details.borrowed / details.max
      by: [name]
      window: 10m
      horizon: 30m
      limit: 1
    - name: BreakerFlapping
      kind: transitions
      on: { event: plugin:event, plugin: pool, name: breaker:state-changed }
      by: [data.breaker]
      window: 5m
      count: 4
    - name: ShutdownDeadlineExceeded
      kind: event
      on: { event: kernel:deadline-exceeded }
      labels: { severity: critical }
    - name: PaymentsBusy
      kind: threshold
      select: { labels: { team: payments } }
      threshold: 10
`;

const EXPORTED = ["TooManySockets", "PoolNearlyFull", "SocketsHeldLong", "PoolExhaustionSoon", "BreakerFlapping", "ShutdownDeadlineExceeded"];

interface RulesFile {
  groups: Array<{
    name: string;
    interval: string;
    rules: Array<{ alert: string; expr: string; for?: string; keep_firing_for?: string; labels?: Record<string, string> }>;
  }>;
}

const PROMTOOL = ["/usr/bin/promtool", "/usr/local/bin/promtool"].find((p) => existsSync(p));
const mustRun = process.env.CI === "true";
if (PROMTOOL === undefined && !mustRun)
  console.log("custodian rules export: promtool check skipped: promtool is not installed (.ci/install-alertmanager.sh installs Debian's prometheus package)");

function promtool(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(PROMTOOL ?? "promtool", args, { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

describe("custodian rules export --prometheus", () => {
  it("prints the alerts section as a Prometheus rules file; rules with no PromQL equivalent are listed in its header", async () => {
    const dir = project({ "resource.config.yaml": ALERTS });
    const r = await cli(["rules", "export", "--prometheus"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = parse(r.stdout) as RulesFile;
    expect(doc.groups.map((g) => [g.name, g.interval])).toEqual([["custodian", "30s"]]);
    const rules = doc.groups[0]!.rules;
    expect(rules.map((x) => x.alert)).toEqual(EXPORTED);
    expect(rules[0]).toMatchObject({ for: "1m", labels: { severity: "warning" } });
    expect(rules[0]!.expr).toContain('custodian_resources{type="http.socket", state="active"}');
    expect(rules[1]).toMatchObject({ keep_firing_for: "2m" });
    expect(rules[3]!.expr).toMatch(/^predict_linear\(/);
    expect(r.stdout).toMatch(/^# Not exported .*\n#\s+PaymentsBusy: selects on resource labels/m);
  });

  it("-o writes the file and prints a summary", async () => {
    const dir = project({ "resource.config.yaml": ALERTS });
    const r = await cli(["rules", "export", "--prometheus", "resource.config.yaml", "-o", "custodian.rules.yml"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("wrote custodian.rules.yml: 6 of 7 rules from resource.config.yaml (1 with no PromQL equivalent, listed in the file's header)\n");
    const written = readFileSync(join(dir, "custodian.rules.yml"), "utf8");
    expect((parse(written) as RulesFile).groups[0]!.rules.map((x) => x.alert)).toEqual(EXPORTED);
  });

  it.skipIf(PROMTOOL === undefined && !mustRun)("promtool check rules accepts the written file (CI=true requires promtool)", async () => {
    const dir = project({ "resource.config.yaml": ALERTS });
    const r = await cli(["rules", "export", "--prometheus", "--output", "out.yaml"], dir);
    expect(r.code).toBe(0);
    const check = await promtool(["check", "rules", join(dir, "out.yaml")]);
    expect(check.stdout + check.stderr).toContain(`SUCCESS: ${EXPORTED.length} rules found`);
    expect(check.code).toBe(0);
  });

  it.skipIf(PROMTOOL === undefined && !mustRun)("promtool check rules accepts the export of the repository's own resource.config.yaml", async () => {
    const dir = project({});
    const out = join(dir, "repo-rules.yaml");
    const r = await cli(["rules", "export", "--prometheus", "resource.config.yaml", "-o", out], repo);
    expect(r.code).toBe(0);
    const check = await promtool(["check", "rules", out]);
    expect(check.stdout + check.stderr).toContain("SUCCESS: 3 rules found");
    expect(check.code).toBe(0);
  });

  it("validates the section with line numbers when the file lists plugin-alerts", async () => {
    const dir = project({
      "resource.config.yaml": 'plugins: ["${ALERTS_PLUGIN}"]\nalerts:\n  rules:\n    - name: Broken\n      kind: threshold\n      treshold: 3\n',
    });
    const r = await cli(["rules", "export", "--prometheus"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      'resource.config.yaml:4:7 alerts.rules[0].threshold: missing required key "threshold"',
      'resource.config.yaml:6:7 alerts.rules[0].treshold: unknown key "treshold"; did you mean "threshold"?',
      "2 errors in resource.config.yaml",
      "",
    ]);
  });

  it("validates the section (ERR_ALERTS_INVALID_RULE) when the file does not list plugin-alerts", async () => {
    const dir = project({
      "resource.config.yaml":
        "alerts:\n  rules:\n    - name: Twice\n      kind: event\n      on: { event: kernel:signal }\n    - name: Twice\n      kind: event\n      on: { event: kernel:signal }\n",
    });
    const r = await cli(["rules", "export", "--prometheus"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('resource.config.yaml alerts.rules[1].name (rule "Twice"): duplicates the name of rule 0');
    expect(r.stderr).toContain("1 error in the alerts section of resource.config.yaml (ERR_ALERTS_INVALID_RULE)");
  });

  it("exports the repository's own config: the demo's rules, Custodian-only template values replaced", async () => {
    const r = await cli(["rules", "export", "--prometheus", "resource.config.yaml"], repo);
    expect(r.code).toBe(0);
    const rules = (parse(r.stdout) as RulesFile).groups[0]!.rules as Array<{ alert: string; annotations?: Record<string, string> }>;
    expect(rules.map((x) => x.alert)).toEqual(["SlowDownload", "WorkersSaturated", "ReleaseForced"]);
    expect(rules[0].annotations?.summary).not.toContain("$oldest");
  });

  it("exits 1 when the output cannot be written", async () => {
    const dir = project({ "resource.config.yaml": ALERTS });
    const r = await cli(["rules", "export", "--prometheus", "-o", join(dir, "missing", "dir", "out.yaml")], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write .*out\.yaml: ENOENT/);
  });
});

describe("usage errors of rules and dashboard", () => {
  it("exit 2 with a usage message", async () => {
    const dir = project({ "resource.config.yaml": ALERTS });
    const cases = [
      ["rules"],
      ["rules", "export"],
      ["rules", "export", "resource.config.yaml"],
      ["rules", "import", "--prometheus"],
      ["rules", "export", "--prometheus", "a.yaml", "b.yaml"],
      ["rules", "export", "--prometheus", "-o"],
      ["rules", "export", "--json"],
      ["dashboard"],
      ["dashboard", "--pid"],
      ["dashboard", "--pid", "abc"],
      ["dashboard", "--pid", "0"],
      ["dashboard", "--pid", "12", "resource.config.yaml"],
      ["dashboard", "--pid", "12", "--port", "70000"],
      ["validate", "--pid", "12"],
    ];
    for (const args of cases) {
      const r = await cli(args, dir);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr, args.join(" ")).toMatch(/^usage error: /);
    }
  }, 120_000); // 14 runs of the binary: slow on a loaded machine
});

/** Starts the attachable fixture and resolves once it printed READY; killed (SIGTERM) when the test ends. */
async function attachable(token: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, [ATTACHABLE], { env: { PATH: process.env.PATH ?? "", DASHBOARD_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] });
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  await new Promise<void>((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
      if (stdout.includes(`READY ${child.pid}\n`)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`fixture exited (${code}) before READY: ${stderr}`)));
  });
  return child as ChildProcess & { pid: number };
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe.skipIf(process.platform === "win32")("custodian dashboard --pid", () => {
  it("attaches to a running process and prints the URL with its token; the URL answers 200 with the token, 401 without", async () => {
    const token = "cli-attach-token-0123456789";
    const child = await attachable(token);
    const port = await freePort();
    const r = await cli(["dashboard", "--pid", String(child.pid), "--port", String(port)], root);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`http://127.0.0.1:${port}/?token=${token}\n`);
    const url = new URL(r.stdout.trim());
    const withToken = await fetch(new URL(`/api/state?token=${token}`, url));
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toHaveProperty("resources");
    const page = await fetch(url, { redirect: "manual" });
    expect(page.status).toBe(303); // the token is traded for a cookie
    expect((await fetch(url.origin + "/", { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(url.origin + "/")).status).toBe(401);
    expect((await fetch(url.origin + "/api/state")).status).toBe(401);
    // A second attach gets the dashboard already running.
    const again = await cli(["dashboard", "--pid", String(child.pid)], root);
    expect(again).toEqual({ code: 0, stdout: r.stdout, stderr: "" });
  });

  it("exits 1 with ERR_DASHBOARD_ATTACH when the process has no attach endpoint", async () => {
    const plain = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
    onTestFinished(() => void plain.kill("SIGKILL"));
    const r = await cli(["dashboard", "--pid", String(plain.pid)], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^error: ERR_DASHBOARD_ATTACH: Cannot attach to process ${plain.pid}: .*listenForAttach\\(kernel\\)`));
    expect(r.stderr).not.toContain("no process");
  });

  it("says so when no process has that pid", async () => {
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => gone.once("exit", resolve));
    const r = await cli(["dashboard", "--pid", String(gone.pid)], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERR_DASHBOARD_ATTACH");
    expect(r.stderr).toContain(`(no process ${gone.pid} is running)`);
  });

  it("colours the error only when asked (bin.ts asks only on a TTY)", async () => {
    const err: string[] = [];
    const io = { stdout: () => {}, stderr: (s: string) => err.push(s), cwd: root, env: {} };
    expect(await run(["dashboard", "--pid", String(2 ** 22 + 4321)], { ...io, color: { stdout: true, stderr: true } })).toBe(1);
    expect(err.join("")).toContain("\u001b[31merror\u001b[39m: ERR_DASHBOARD_ATTACH");
    err.length = 0;
    expect(await run(["dashboard", "--pid", String(2 ** 22 + 4321)], io)).toBe(1);
    expect(err.join("")).not.toContain("\u001b[");
  });
});
