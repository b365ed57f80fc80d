import { copyFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import {
  CONFIG_SEARCH_PLACES,
  configSchemaOf,
  createKernel,
  definePlugin,
  findConfigFile,
  isConfigError,
  ManualClock,
  normalizedConfigOf,
  type CreateKernelOptions,
  type Kernel,
} from "../../src/index.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "plugins");
const root = mkdtempSync(join(tmpdir(), "custodian-load-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh folder (with a package.json, so searches stop there) holding the given files. */
function folder(files: Record<string, string>, pkg: Record<string, unknown> | false = { name: "app", type: "module" }): string {
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  if (pkg !== false) writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function kernelOf(options: CreateKernelOptions): Promise<Kernel> {
  const kernel = await createKernel({ env: {}, exit: () => {}, ...options });
  onTestFinished(async () => {
    await kernel.shutdown();
  });
  return kernel;
}

async function configErrorOf(p: Promise<unknown>) {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

describe("good configs", () => {
  it("applies the core defaults and deep-freezes the result", async () => {
    const dir = folder({ "resource.config.yaml": "shutdown:\n  deadline: 2s\n" });
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml") });
    expect(kernel.config).toEqual({
      shutdown: { deadline: "2s", signals: [], exitCode: "zero-on-success", report: "summary" },
      release: { defaultTimeout: "5s" },
      tracking: { captureStacks: false, historySize: 1000 },
    });
    expect(Object.isFrozen(kernel.config.shutdown)).toBe(true);
    expect(() => {
      (kernel.config.shutdown as { deadline: string }).deadline = "1s";
    }).toThrow(TypeError);
  });

  it("loads plugins from the file, validates their options and the resource specs, and applies defaults of both", async () => {
    const dir = folder({
      "resource.config.yaml": `
plugins:
  - module: ${FIXTURES}/fake-pool.mjs
    options: { label: main }
resources:
  db:
    type: pool
    url: postgres://localhost/app
    timeout: 2s
  cache:
    type: cache
    dependsOn: [db]
features:
  poolFastPath: on
`,
    });
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml") });
    const db = await kernel.acquire<{ spec: Record<string, unknown>; options: Record<string, unknown> }>("db");
    expect(db.value.options).toEqual({ label: "main", metrics: false });
    expect(db.value.spec).toEqual({ url: "postgres://localhost/app", max: 10, min: 0 });
    expect(kernel.features.list()).toContainEqual(expect.objectContaining({ name: "poolFastPath", enabled: true, source: "config" }));
    expect(kernel.features.list()).toContainEqual(expect.objectContaining({ name: "deadlineCleanup", enabled: true, source: "default" }));
    const schema = configSchemaOf(kernel) as { properties: { features: { properties: Record<string, unknown> } } };
    expect(Object.keys(schema.properties.features.properties)).toEqual(["deadlineCleanup", "poolFastPath"]);
  });

  it("an environment variable overrides a flag set in the file", async () => {
    const dir = folder({ "resource.config.yaml": "features:\n  deadlineCleanup: off\n" });
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml"), env: { CUSTODIAN_FEATURE_DEADLINE_CLEANUP: "on" } });
    expect(kernel.features.list()).toContainEqual(expect.objectContaining({ name: "deadlineCleanup", enabled: true, source: "env" }));
  });

  it("resolves relative plugin paths against the config file's folder, not the working directory", async () => {
    const dir = folder({ "conf/resource.config.yaml": "plugins: [./plugins/pool.mjs]\nresources:\n  db: { type: pool, max: 2 }\n" });
    mkdirSync(join(dir, "conf", "plugins"));
    copyFileSync(join(FIXTURES, "fake-pool.mjs"), join(dir, "conf", "plugins", "pool.mjs"));
    const kernel = await kernelOf({ config: "conf/resource.config.yaml", cwd: dir });
    expect(kernel.types()).toContain("pool");
    expect(kernel.config.plugins).toEqual([{ module: join(dir, "conf", "plugins", "pool.mjs"), options: { metrics: false } }]);
  });

  it("resolves options marked as paths against the config file's folder and normalises sizes", async () => {
    const dir = folder({
      "conf/app.yaml": `plugins: ["${FIXTURES}/fake-pool.mjs"]\nresources:\n  c:\n    type: cache\n    dir: ./tmp\n    maxBytes: 10MB\n  d:\n    type: cache\n    dir: /abs/x\n`,
    });
    const kernel = await kernelOf({ config: join(dir, "conf", "app.yaml") });
    const c = await kernel.acquire<{ spec: Record<string, unknown> }>("c");
    expect(c.value.spec).toEqual({ dir: join(dir, "conf", "tmp"), maxBytes: "10MB" });
    expect((kernel.config.resources as unknown as Record<string, { dir: string }>).d.dir).toBe("/abs/x");
    expect(normalizedConfigOf(kernel)).toMatchObject({ resources: { c: { maxBytes: 10_000_000 } } });
  });

  it("normalizedConfigOf({ redact: true }) hides values the schema marks as secrets", async () => {
    const dir = folder({
      "resource.config.yaml": `plugins: ["${FIXTURES}/fake-pool.mjs"]\nresources:\n  c:\n    type: cache\n    connectionString: opaque-value\n`,
    });
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml") });
    expect(normalizedConfigOf(kernel, { redact: true })).toMatchObject({ resources: { c: { connectionString: "[redacted]" } } });
    expect(normalizedConfigOf(kernel)).toMatchObject({ resources: { c: { connectionString: "opaque-value" } } });
  });

  it("a resource type whose schema ajv rejects is ERR_PLUGIN_INVALID naming the type", async () => {
    const dir = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/bad-type-schema.mjs"]\n` });
    await expect(createKernel({ config: join(dir, "resource.config.yaml"), env: {} })).rejects.toMatchObject({
      code: "ERR_PLUGIN_INVALID",
      message: expect.stringContaining('Resource type "weird" has a spec schema that ajv (strict mode) rejects'),
    });
  });

  it("normalizedConfigOf gives durations in ms", async () => {
    const dir = folder({ "resource.config.yaml": "shutdown:\n  deadline: 2m\n  reserve: 250ms\ntracking:\n  leakThreshold: 1h\n" });
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml") });
    expect(normalizedConfigOf(kernel)).toMatchObject({
      shutdown: { deadline: 120_000, reserve: 250 },
      tracking: { leakThreshold: 3_600_000 },
      release: { defaultTimeout: 5_000 },
    });
    expect(kernel.config.shutdown?.deadline).toBe("2m");
  });
});

describe("nothing starts on an invalid config", () => {
  it("no plugin is applied when the file has errors", async () => {
    const g = globalThis as { __custodianApplies?: number };
    g.__custodianApplies = 0;
    const dir = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/counting.mjs"]\nshutdown:\n  deadline: never\n` });
    await configErrorOf(createKernel({ config: join(dir, "resource.config.yaml"), env: {} }));
    expect(g.__custodianApplies).toBe(0);
    const ok = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/counting.mjs"]\n` });
    await kernelOf({ config: join(ok, "resource.config.yaml") });
    expect(g.__custodianApplies).toBe(1);
  });
});

describe("every problem of a file in one error, before anything is applied", () => {
  const g = globalThis as { __custodianStoreApplies?: number; __custodianStore?: unknown };
  // Every problem the loader knows, one per line, with its own code; nothing else on the line.
  const BROKEN = [
    "shutdown:", //                                       1
    "  deadline: soon", //                                2  schema
    "  signals: [SIGTERM]", //                            3
    "plugins:", //                                        4
    `  - ${FIXTURES}/declared-store.mjs`, //              5
    "features:", //                                       6
    "  storeFastPth: on", //                              7  unknown flag
    "store:", //                                          8  the plugin's own section
    "  ttlSeconds: -1", //                                9
    "resources:", //                                      10
    "  cache:", //                                        11
    "    type: stor", //                                  12 unknown type
    "  big:", //                                          13
    "    type: store", //                                 14
    "    size: 0", //                                     15 the type's spec schema
    "",
  ].join("\n");

  it("lists the schema error, the unknown flag, the plugin section error, the unknown type and the bad spec, each with its code and position", async () => {
    g.__custodianStoreApplies = 0;
    const sigterm = process.listenerCount("SIGTERM");
    const dir = folder({ "resource.config.yaml": BROKEN });
    const error = await configErrorOf(createKernel({ config: join(dir, "resource.config.yaml"), env: {}, exit: () => {} }));
    expect(error.code).toBe("ERR_CONFIG_INVALID");
    expect(error.issues.map((i) => [i.code, `${i.line}:${i.column}`, i.path])).toEqual([
      ["ERR_CONFIG_INVALID", "2:3", "shutdown.deadline"],
      ["ERR_FEATURE_UNKNOWN", "7:3", "features.storeFastPth"],
      ["ERR_CONFIG_INVALID", "9:3", "store.ttlSeconds"],
      ["ERR_KERNEL_UNKNOWN_TYPE", "12:5", "resources.cache.type"],
      ["ERR_CONFIG_INVALID", "15:5", "resources.big.size"],
    ]);
    expect(error.issues.every((i) => i.file === join(dir, "resource.config.yaml"))).toBe(true);
    expect(error.message).toContain(
      '12:5 resources.cache.type: unknown resource type "stor"; did you mean "store"?; registered types: store. Add the plugin that provides it to plugins. [ERR_KERNEL_UNKNOWN_TYPE]',
    );
    // Nothing started: no plugin applied, no signal handler installed.
    expect(g.__custodianStoreApplies).toBe(0);
    expect(process.listenerCount("SIGTERM")).toBe(sigterm);
  });

  it("the same file, fixed, starts: the plugin owns its section and gets it as options", async () => {
    g.__custodianStoreApplies = 0;
    const fixed = BROKEN.replace("soon", "2s")
      .replace("storeFastPth", "storeFastPath")
      .replace("-1", "30")
      .replace("stor\n", "store\n")
      .replace("size: 0", "size: 2");
    const dir = folder({ "resource.config.yaml": fixed });
    const sigterm = process.listenerCount("SIGTERM");
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml") });
    expect(process.listenerCount("SIGTERM")).toBe(sigterm + 1);
    expect(g.__custodianStoreApplies).toBe(1);
    expect(g.__custodianStore).toEqual({ ttlSeconds: 30 });
    expect(kernel.features.isEnabled("storeFastPath")).toBe(true);
    expect((await kernel.acquire<{ spec: unknown }>("cache")).value.spec).toEqual({ size: 8 });
    await kernel.shutdown();
    expect(process.listenerCount("SIGTERM")).toBe(sigterm);
  });

  it("a feature flag overridden in the environment with a bad value joins the same error", async () => {
    g.__custodianStoreApplies = 0;
    const dir = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/declared-store.mjs"]\nresources:\n  a:\n    type: stor\n` });
    const error = await configErrorOf(createKernel({ config: join(dir, "resource.config.yaml"), env: { CUSTODIAN_FEATURE_STORE_FAST_PATH: "maybe" } }));
    expect(error.issues.map((i) => [i.code, i.line, i.path])).toEqual([
      ["ERR_KERNEL_UNKNOWN_TYPE", 4, "resources.a.type"],
      ["ERR_FEATURE_INVALID_VALUE", undefined, "features.storeFastPath"],
    ]);
    expect(g.__custodianStoreApplies).toBe(0);
  });

  it("counts what plugins given in code declare", async () => {
    g.__custodianStoreApplies = 0;
    const declaring = definePlugin({
      name: "queue",
      features: [{ name: "queueBatching", default: false, description: "x" }],
      types: { queue: { schema: { type: "object", additionalProperties: false, properties: { depth: { type: "integer" } } } } },
      apply: (k) => k.registerType("queue", { release() {} }),
    });
    const text = "features:\n  queueBatching: on\nresources:\n  q:\n    type: queue\n    depth: deep\n  r:\n    type: queu\n";
    const dir = folder({ "resource.config.yaml": text });
    const error = await configErrorOf(createKernel({ config: join(dir, "resource.config.yaml"), plugins: [declaring], env: {} }));
    expect(error.issues.map((i) => [i.code, `${i.line}:${i.column}`, i.path])).toEqual([
      ["ERR_CONFIG_INVALID", "6:5", "resources.q.depth"],
      ["ERR_KERNEL_UNKNOWN_TYPE", "8:5", "resources.r.type"],
    ]);
  });

  it("a module that cannot be loaded does not hide the other plugins' option errors; flags and types stay open", async () => {
    const text = [
      "plugins:",
      "  - ./missing.mjs", //                              2:5 not found
      `  - module: ${FIXTURES}/declared-store.mjs`,
      "    options:",
      "      ttlSeconds: soon", //                         5:7 the loaded plugin's options
      "shutdown:",
      "  deadline: soon", //                              7:3 schema
      "features:",
      "  missingFlag: on", //                             may be the missing plugin's: not reported
      "resources:",
      "  a:",
      "    type: missing-type", //                         may be the missing plugin's: not reported
      "",
    ].join("\n");
    const dir = folder({ "resource.config.yaml": text });
    const error = await configErrorOf(createKernel({ config: join(dir, "resource.config.yaml"), env: {} }));
    expect(error.issues.map((i) => [i.code, `${i.line}:${i.column}`, i.path])).toEqual([
      ["ERR_CONFIG_INVALID", "2:5", "plugins[0]"],
      ["ERR_CONFIG_INVALID", "5:7", "plugins[1].options.ttlSeconds"],
      ["ERR_CONFIG_INVALID", "7:3", "shutdown.deadline"],
    ]);
  });
});

describe("plugins from config", () => {
  it("a plugin that owns a top-level section (configKey) validates it with positions and receives it as options", async () => {
    const bad = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/section-owner.mjs"]\nalerts:\n  rules:\n    - name: A\n      limit: 0\n` });
    const error = await createKernel({ env: {}, cwd: bad, exit: () => {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isConfigError(error)).toBe(true);
    expect((error as { issues: Array<{ line: number; column: number; path: string }> }).issues).toMatchObject([
      { line: 5, column: 7, path: "alerts.rules[0].limit" },
    ]);
    const good = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/section-owner.mjs"]\nalerts:\n  rules:\n    - name: A\n      limit: 3\n` });
    await kernelOf({ cwd: good });
    expect((globalThis as { __custodianSection?: unknown }).__custodianSection).toEqual({ rules: [{ name: "A", limit: 3 }] });
  });

  it("apply() is bounded by the plugin's start deadline, and the error names the plugin", async () => {
    const clock = new ManualClock();
    const dir = folder({ "resource.config.yaml": `plugins: ["${FIXTURES}/hangs.mjs"]\n` });
    let settled = false;
    const creating = createKernel({ config: join(dir, "resource.config.yaml"), env: {}, clock }).finally(() => {
      settled = true;
    });
    const assertion = expect(creating).rejects.toMatchObject({ code: "ERR_PLUGIN_TIMEOUT", message: expect.stringContaining('Plugin "hangs"') });
    // The module loads with real I/O; step the manual clock until the deadline fires.
    const started = performance.now();
    while (!settled && performance.now() - started < 10_000) {
      await new Promise((r) => setImmediate(r));
      await clock.advance(100);
    }
    await assertion;
    expect(clock.now()).toBeGreaterThanOrEqual(1000);
  });
});

describe("${VAR} interpolation", () => {
  it("interpolates values, applies defaults, types whole plain scalars and keeps quoted ones strings", async () => {
    const dir = folder({
      "resource.config.yaml": [
        "tracking:",
        "  historySize: ${HISTORY}",
        "  leakThreshold: ${LEAK:-30s}",
        "alerts:",
        '  quoted: "${HISTORY}"',
        "  inside: http://${HOST}:${PORT:-8080}/x",
        "  empty: ${EMPTY:-fallback}",
        "  literal: $${NOT_A_VAR}",
        "  flag: ${FLAG}",
        "",
      ].join("\n"),
    });
    const kernel = await kernelOf({ config: join(dir, "resource.config.yaml"), env: { HISTORY: "20", HOST: "example.org", EMPTY: "", FLAG: "true" } });
    expect(kernel.config.tracking).toMatchObject({ historySize: 20, leakThreshold: "30s" });
    expect(kernel.config.alerts).toEqual({ quoted: "20", inside: "http://example.org:8080/x", empty: "fallback", literal: "${NOT_A_VAR}", flag: true });
  });

  it("reports every missing variable with its position", async () => {
    const dir = folder({ "resource.config.yaml": "alerts:\n  a: ${ONE}\n  b: x-${TWO}-${THREE:-3}\n" });
    const error = await configErrorOf(createKernel({ config: join(dir, "resource.config.yaml"), env: {} }));
    expect(error.issues.map((i) => [i.line, i.column, i.path, i.message.split(" ").slice(0, 3).join(" ")])).toEqual([
      [2, 6, "alerts.a", "environment variable ONE"],
      [3, 6, "alerts.b", "environment variable TWO"],
    ]);
  });
});

describe("search", () => {
  const deadlines = CONFIG_SEARCH_PLACES.map((_, i) => `${i + 1}s`);
  const body = (place: string, i: number): string => {
    if (place.endsWith(".json") && place !== "package.json") return JSON.stringify({ shutdown: { deadline: deadlines[i] } });
    if (place.endsWith(".cjs")) return `module.exports = { shutdown: { deadline: "${deadlines[i]}" } };`;
    if (place.endsWith(".js") || place.endsWith(".mjs")) return `export default { shutdown: { deadline: "${deadlines[i]}" } };`;
    return `shutdown:\n  deadline: ${deadlines[i]}\n`;
  };

  it(`finds files in this order: ${CONFIG_SEARCH_PLACES.join(", ")}`, async () => {
    const files: Record<string, string> = {};
    CONFIG_SEARCH_PLACES.forEach((p, i) => {
      if (p !== "package.json") files[p] = body(p, i);
    });
    const last = CONFIG_SEARCH_PLACES.length - 1;
    const dir = folder(files, { name: "app", type: "module", custodian: { shutdown: { deadline: deadlines[last] } } });
    const seen: string[] = [];
    for (const [i, place] of CONFIG_SEARCH_PLACES.entries()) {
      expect(await findConfigFile(dir)).toBe(join(dir, place));
      const kernel = await createKernel({ cwd: dir, env: {}, exit: () => {} });
      seen.push(String(kernel.config.shutdown?.deadline));
      await kernel.shutdown();
      if (place !== "package.json") unlinkSync(join(dir, place));
      expect(i).toBeLessThanOrEqual(last);
    }
    expect(seen).toEqual(deadlines);
  });

  it("searches up from a sub-folder and stops at the folder holding package.json", async () => {
    const outer = folder({ "resource.config.yaml": "shutdown:\n  deadline: 7s\n" }, false);
    const dir = join(outer, "app");
    mkdirSync(join(dir, "src", "deep"), { recursive: true });
    const k1 = await kernelOf({ cwd: join(outer, "x") });
    void k1;
    writeFileSync(join(dir, "package.json"), "{}");
    const k2 = await kernelOf({ cwd: join(dir, "src", "deep") });
    expect(k2.config.shutdown?.deadline).toBe("5s"); // the outer file is above the project root
    writeFileSync(join(dir, "resource.config.yml"), "shutdown:\n  deadline: 3s\n");
    const k3 = await kernelOf({ cwd: join(dir, "src", "deep") });
    expect(k3.config.shutdown?.deadline).toBe("3s");
    expect(await findConfigFile(join(dir, "src"))).toBe(join(dir, "resource.config.yml"));
  });

  it("no config anywhere means core defaults", async () => {
    const dir = folder({});
    const kernel = await kernelOf({ cwd: dir });
    expect(kernel.config).toMatchObject({ shutdown: { deadline: "5s" } });
    expect(await findConfigFile(dir)).toBeUndefined();
  });

  it("an empty resource.config.yaml found by search is an error, not silently skipped", async () => {
    const dir = folder({ "resource.config.yaml": "  \n", ".custodianrc.json": "{}" });
    const error = await configErrorOf(createKernel({ cwd: dir, env: {} }));
    expect(error.issues[0]).toMatchObject({ file: join(dir, "resource.config.yaml"), line: 1, column: 1 });
  });

  it("JSON files and package.json keep positions", async () => {
    const dir = folder({ ".custodianrc.json": '{\n  "shutdown": {\n    "deadline": "soon"\n  }\n}\n' });
    const e1 = await configErrorOf(createKernel({ cwd: dir, env: {} }));
    expect(e1.issues[0]).toMatchObject({ line: 3, column: 5, path: "shutdown.deadline" });
    const dir2 = folder({}, { name: "app", custodian: { tracking: { historySize: -1 } } });
    const e2 = await configErrorOf(createKernel({ cwd: dir2, env: {} }));
    expect(e2.issues[0]).toMatchObject({ file: join(dir2, "package.json"), line: 5, column: 7, path: "tracking.historySize" });
  });

  it(".custodianrc without an extension is YAML", async () => {
    const dir = folder({ ".custodianrc": "release:\n  defaultTimeout: 1s\n" });
    const kernel = await kernelOf({ cwd: dir });
    expect(kernel.config.release?.defaultTimeout).toBe("1s");
  });

  it("a JS config may hold plugin descriptors; its errors name the file without a position", async () => {
    const dir = folder({
      "custodian.config.mjs": `export default { plugins: [{ name: "inline", apply(k) { k.registerType("thing", { release() {} }) } }], resources: { t: { type: "thing" } } };`,
    });
    const kernel = await kernelOf({ cwd: dir });
    expect(kernel.types()).toEqual(["thing"]);
    const bad = folder({ "custodian.config.mjs": `export default { shutdown: { deadline: -1 } };` });
    const error = await configErrorOf(createKernel({ cwd: bad, env: {} }));
    expect(error.issues).toEqual([expect.objectContaining({ file: join(bad, "custodian.config.mjs"), line: undefined, path: "shutdown.deadline" })]);
  });

  it("a missing file, a folder, or a package.json without a custodian key is a ConfigError naming it", async () => {
    const error = await configErrorOf(createKernel({ config: join(root, "nope.yaml"), env: {} }));
    expect(error.issues[0].message).toContain("config file not found");
    const dir = folder({});
    expect((await configErrorOf(createKernel({ config: dir, env: {} }))).issues[0].message).toBe("config path is not a file");
    const e3 = await configErrorOf(createKernel({ config: join(dir, "package.json"), env: {} }));
    expect(e3.issues[0]).toMatchObject({ file: join(dir, "package.json"), message: 'no "custodian" key in this package.json' });
  });
});

describe("config objects", () => {
  it("are validated too, without positions, and never mutated", async () => {
    const config = { shutdown: { deadline: "1s" }, resources: { a: { type: "t" } } };
    const t = definePlugin({ name: "t", apply: (k) => k.registerType("t", { release() {} }) });
    const kernel = await kernelOf({ config, plugins: [t] });
    expect(kernel.config.release).toEqual({ defaultTimeout: "5s" });
    expect(config).toEqual({ shutdown: { deadline: "1s" }, resources: { a: { type: "t" } } });
    const error = await configErrorOf(createKernel({ config: { shutdown: { dedline: "1s" } } as never, env: {} }));
    expect(error.issues).toEqual([
      {
        code: "ERR_CONFIG_INVALID",
        file: "<object>",
        line: undefined,
        column: undefined,
        path: "shutdown.dedline",
        message: 'unknown key "dedline"; did you mean "deadline"?',
      },
    ]);
    expect(error.message).toBe('Invalid configuration (1 error):\n  <object> shutdown.dedline: unknown key "dedline"; did you mean "deadline"?');
  });

  it("may hold non-plain values (buffers, instances): kept by reference, not frozen", async () => {
    const key = Buffer.from("k");
    const t = definePlugin({ name: "t", apply: (k) => k.registerType("t", { create: (spec) => spec, release() {} }) });
    const kernel = await kernelOf({ config: { resources: { a: { type: "t", key } } }, plugins: [t] });
    const h = await kernel.acquire<{ key: Buffer }>("a");
    expect(h.value.key).toBe(key);
    expect(Object.isFrozen(kernel.config.resources)).toBe(true);
  });

  it("keep the kernel's own codes for unknown flags and types", async () => {
    await expect(createKernel({ config: { features: { nope: true } }, env: {} })).rejects.toMatchObject({ code: "ERR_FEATURE_UNKNOWN" });
    await expect(createKernel({ config: { resources: { a: { type: "missing" } } }, env: {} })).rejects.toMatchObject({ code: "ERR_KERNEL_UNKNOWN_TYPE" });
  });

  it("resource specs are checked by their type's schema", async () => {
    const t = definePlugin({
      name: "t",
      apply: (k) => k.registerType("t", { schema: { type: "object", properties: { size: { type: "integer" } } }, release() {} }),
    });
    const error = await configErrorOf(createKernel({ config: { resources: { a: { type: "t", size: "big" } } }, plugins: [t], env: {} }));
    expect(error.issues).toEqual([expect.objectContaining({ path: "resources.a.size", message: 'must be an integer; received a string ("big")' })]);
  });
});

describe("kernel.configDir", () => {
  it("is the folder of a config file given by path, not the cwd option; plugins see it in apply()", async () => {
    const dir = folder({ "conf/app.yaml": "shutdown:\n  deadline: 2s\n" });
    let seen: string | undefined;
    const spy = definePlugin({
      name: "spy",
      apply(k) {
        seen = k.configDir;
      },
    });
    const kernel = await kernelOf({ config: "conf/app.yaml", cwd: dir, plugins: [spy] });
    expect(kernel.configDir).toBe(join(dir, "conf"));
    expect(seen).toBe(join(dir, "conf"));
  });

  it("is the folder of the file a search found (YAML or JS), not the folder the search started from", async () => {
    const yaml = folder({ "resource.config.yaml": "shutdown:\n  deadline: 2s\n", "src/deep/.keep": "" });
    expect((await kernelOf({ cwd: join(yaml, "src", "deep") })).configDir).toBe(yaml);
    const js = folder({ "custodian.config.mjs": "export default { shutdown: { deadline: '2s' } };", "src/.keep": "" });
    expect((await kernelOf({ cwd: join(js, "src") })).configDir).toBe(js);
  });

  it("is the absolute cwd option for a config object or when no file is found", async () => {
    const dir = folder({});
    expect((await kernelOf({ config: {}, cwd: relative(process.cwd(), dir) })).configDir).toBe(dir);
    expect((await kernelOf({ cwd: dir })).configDir).toBe(dir);
    expect((await kernelOf({ config: {} })).configDir).toBe(process.cwd());
  });
});
