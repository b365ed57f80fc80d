import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createKernel, formatIssue, isConfigError, type ConfigError } from "../../src/index.js";
import { badCases } from "./badCorpus.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "plugins");
const root = mkdtempSync(join(tmpdir(), "custodian-bad-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function issuesOf(name: string, text: string, file = "resource.config.yaml"): Promise<ConfigError> {
  const dir = join(root, name.replace(/[^a-z0-9]+/gi, "-"));
  const path = join(dir, file);
  rmSync(dir, { recursive: true, force: true });
  (await import("node:fs")).mkdirSync(dir, { recursive: true });
  writeFileSync(path, text);
  try {
    const kernel = await createKernel({ config: path, cwd: dir, env: { FIXTURES }, exit: () => {} });
    await kernel.shutdown();
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error(`${name}: expected a ConfigError, the config was accepted`);
}

describe("bad config corpus", () => {
  it("has at least 40 cases with distinct names", () => {
    expect(badCases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(badCases.map((c) => c.name)).size).toBe(badCases.length);
  });

  for (const c of badCases) {
    it(c.name, async () => {
      const text = typeof c.text === "function" ? c.text() : c.text;
      const error = await issuesOf(c.name, text, c.file);
      expect(error.code).toBe("ERR_CONFIG_INVALID");
      const lines = error.issues.map((i) => formatIssue(i, { relativeTo: () => "" }).trimStart());
      // Each expected entry is "line:col path: fragment"; fragments after the first (no position) extend the previous issue.
      const positioned = c.expect.filter((e) => /^\d+:\d+ /.test(e));
      expect(lines, lines.join("\n")).toHaveLength(positioned.length);
      let i = -1;
      for (const e of c.expect) {
        if (/^\d+:\d+ /.test(e)) {
          i++;
          const [pos, rest] = [e.slice(0, e.indexOf(" ")), e.slice(e.indexOf(" ") + 1)];
          const [line, column] = pos.split(":").map(Number);
          expect({ line: error.issues[i].line, column: error.issues[i].column }, lines[i]).toEqual({ line, column });
          expect(lines[i]).toContain(`${pos} ${rest}`);
        } else expect(lines[i]).toContain(e);
      }
      expect(error.issues.every((x) => x.file.endsWith(c.file ?? "resource.config.yaml"))).toBe(true);
      expect(error.message).toContain(`Invalid configuration (${positioned.length} error`);
    });
  }
});
