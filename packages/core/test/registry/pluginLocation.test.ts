// Errors from a user's plugin say where: the plugin file's file:line:col and the config entry's
// position (issue 14, "Tell the user what happened").
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createKernel, isConfigError } from "../../src/index.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "config", "fixtures", "plugins");
const distEntry = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "custodian-pluginloc-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function folder(files: Record<string, string>): string {
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const failureOf = (config: string): Promise<unknown> =>
  createKernel({ config, env: {}, exit: () => {} }).then(
    () => {
      throw new Error("expected createKernel to fail");
    },
    (e: unknown) => e,
  );

describe("plugin errors are positioned", () => {
  it("an import-time throw names the plugin file's line and column, at the config entry's position", async () => {
    const dir = folder({ "resource.config.yaml": `shutdown:\n  deadline: 1s\nplugins:\n  - ${FIXTURES}/throws-on-import.mjs\n` });
    const error = await failureOf(join(dir, "resource.config.yaml"));
    if (!isConfigError(error)) throw error;
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ code: "ERR_PLUGIN_INVALID", line: 4, column: 5, path: "plugins[0]" });
    expect(error.issues[0].message).toContain(`failed to load: boom at import (at ${FIXTURES}/throws-on-import.mjs:2:7)`);
  });

  it("a syntax error in a plugin file gives its line and column (Node's import() reports none; run in plain Node, not vitest's loader)", async () => {
    const plugin = ["// A plugin with a syntax error on line 4.", "export default {", '  name: "broken",', "  apply() { return 1 +; },", "};", ""].join("\n");
    const dir = folder({ "broken.mjs": plugin, "resource.config.yaml": "plugins:\n  - ./broken.mjs\n" });
    const script = `import { createKernel } from ${JSON.stringify(distEntry)};
      try { await createKernel({ config: ${JSON.stringify(join(dir, "resource.config.yaml"))}, env: {} }); }
      catch (e) { console.log(JSON.stringify(e.issues)); }`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script]);
    const issues = JSON.parse(stdout) as Array<{ code: string; line: number; column: number; message: string }>;
    expect(issues[0]).toMatchObject({ code: "ERR_PLUGIN_INVALID", line: 2, column: 5 });
    expect(issues[0].message).toBe(`plugin module "./broken.mjs" failed to load: Unexpected token ';' (at ${join(dir, "broken.mjs")}:4:23)`);
  });

  it("an apply() failure names where it was thrown and which config entry listed the plugin", async () => {
    const dir = folder({ "resource.config.yaml": `plugins:\n  - ${FIXTURES}/typed-options.mjs\n  - module: ${FIXTURES}/throws-in-apply.mjs\n` });
    const file = join(dir, "resource.config.yaml");
    const error = (await failureOf(file)) as { code?: string; message: string };
    expect(error.code).toBe("ERR_PLUGIN_APPLY");
    expect(error.message).toBe(
      `Plugin "throws-in-apply" failed in apply(): apply went wrong (thrown at ${FIXTURES}/throws-in-apply.mjs:6:11; listed at ${file}:3:5 plugins[1])`,
    );
  });
});
