// checkConfig: a config checked as createKernel would, from what plugins declare, without creating
// a kernel or running any apply() (issue 13 §6; what `custodian validate` uses).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkConfig, configSchemaOf, definePlugin, isConfigError, isKernelError, normalizedConfigOf } from "../../src/index.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "plugins");
const root = mkdtempSync(join(tmpdir(), "custodian-check-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function file(text: string): string {
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), '{ "name": "app" }');
  writeFileSync(join(dir, "resource.config.yaml"), text);
  return join(dir, "resource.config.yaml");
}

const g = globalThis as { __custodianStoreApplies?: number; __custodianApplies?: number };

describe("checkConfig", () => {
  it("validates against the declared option schemas, sections, flags and types, and never applies a plugin", async () => {
    const before = g.__custodianStoreApplies ?? 0;
    const path = file(
      `plugins: ["${FIXTURES}/declared-store.mjs", "${FIXTURES}/counting.mjs", "${FIXTURES}/hangs.mjs"]\nstore: { ttlSeconds: 5 }\nfeatures: { storeFastPath: on }\nresources:\n  s: { type: store }\n`,
    );
    const appliesBefore = g.__custodianApplies ?? 0;
    const checked = await checkConfig(path, { env: {} });
    expect(g.__custodianStoreApplies ?? 0).toBe(before);
    expect(g.__custodianApplies ?? 0).toBe(appliesBefore);
    expect(checked.plugins).toEqual(["declared-store", "counting", "hangs"]);
    expect(checked.untypedPlugins).toEqual(["counting", "hangs"]);
    expect(checked.filepath).toBe(path);
    expect(Object.isFrozen(checked.config.resources)).toBe(true);
    // Defaults of the declared type's schema are applied.
    expect(normalizedConfigOf(checked).resources).toEqual({ s: { type: "store", size: 8 } });
    const schema = configSchemaOf(checked) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain("store");
  });

  it("reports every problem at once, as the kernel would, with positions", async () => {
    const path = file(
      `plugins: ["${FIXTURES}/declared-store.mjs"]\nfeatures: { storeFastPth: on }\nresources:\n  s: { type: stor }\n  t: { type: store, size: 0 }\n`,
    );
    const error = await checkConfig(path, { env: {} }).catch((e: unknown) => e);
    expect(isConfigError(error)).toBe(true);
    const issues = (error as { issues: Array<{ line?: number; code?: string }> }).issues;
    expect(issues.map((i) => [i.line, i.code])).toEqual([
      [2, "ERR_FEATURE_UNKNOWN"],
      [4, "ERR_KERNEL_UNKNOWN_TYPE"],
      [5, "ERR_CONFIG_INVALID"],
    ]);
  });

  it("reports an unknown flag now even when a plugin does not declare its types (createKernel reports it after apply)", async () => {
    const path = file(`plugins: ["${FIXTURES}/fake-pool.mjs"]\nfeatures: { poolFastPth: on }\n`);
    const error = await checkConfig(path, { env: {} }).catch((e: unknown) => e);
    expect(isConfigError(error)).toBe(true);
    expect((error as { issues: Array<{ code?: string }> }).issues.map((i) => i.code)).toEqual(["ERR_FEATURE_UNKNOWN"]);
  });

  it("leaves resources of undeclared types unchecked, and says which plugins leave them so", async () => {
    const checked = await checkConfig(file(`plugins: ["${FIXTURES}/fake-pool.mjs"]\nresources:\n  db: { type: pol }\n`), { env: {} });
    expect(checked.untypedPlugins).toEqual(["fake-pool"]);
  });

  it("checks plugins given in code like createKernel: two owners of one flag are refused", async () => {
    const flag = { name: "shared", default: false, description: "x" };
    const a = definePlugin({ name: "a", types: {}, features: [flag], apply() {} });
    const b = definePlugin({ name: "b", types: {}, features: [flag], apply() {} });
    const error = await checkConfig({}, { env: {}, cwd: root, plugins: [a, b] }).catch((e: unknown) => e);
    expect(isKernelError(error, "ERR_PLUGIN_INVALID")).toBe(true);
  });
});
