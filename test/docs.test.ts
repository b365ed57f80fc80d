/**
 * Every YAML block in README.md, docs/*.md and packages/*\/README.md is a config that
 * `custodian validate` accepts, as written. A block that is part of a larger file says where it
 * goes with a comment on the line before its fence, and is validated there:
 *
 *   <!-- yaml-check: under alerts.rules with @custodian/plugin-alerts -->   (placed at that path)
 *   <!-- yaml-check: in examples/custom-plugin -->                         (validated as a file of that folder,
 *                                                                            so `./plugins/…` is a real plugin)
 *   <!-- yaml-check: invalid (reason) -->                                  (shows an error: must fail validation)
 *   <!-- yaml-check: skip (reason) -->                                     (not validated; counted below)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "@custodian/cli";
import { afterAll, describe, expect, it } from "vitest";
import { type Block, blocksOf, docFiles, ROOT } from "./docBlocks.js";
/** Variables the documented blocks read without a default, as a user would have set them. */
const ENV = { HOOK_KEY: "docs-test-key" };

const indent = (text: string, by: number): string =>
  text
    .split("\n")
    .map((l) => (l === "" ? l : " ".repeat(by) + l))
    .join("\n");

/** Places a block at a dotted path of an otherwise empty config, listing the plugins it needs. */
function wrap(text: string, path: string, plugins: string[]): string {
  const keys = path.split(".");
  let out = plugins.length > 0 ? `plugins: [${plugins.map((p) => JSON.stringify(p)).join(", ")}]\n` : "";
  keys.forEach((k, depth) => (out += `${" ".repeat(depth * 2)}${k}:\n`));
  return out + indent(text, keys.length * 2);
}

const yamlBlocks = docFiles()
  .flatMap(blocksOf)
  .filter((b) => b.lang === "yaml");
const skipped = yamlBlocks.filter((b) => b.directive?.startsWith("yaml-check: skip"));
const invalid = yamlBlocks.filter((b) => b.directive?.startsWith("yaml-check: invalid"));
const checked = yamlBlocks.filter((b) => !skipped.includes(b) && !invalid.includes(b));

const scratch = mkdtempSync(join(ROOT, "test", ".docs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function validate(block: Block, n: number): Promise<{ code: number; out: string }> {
  const d = block.directive?.replace(/^yaml-check:\s*(invalid \(.+\))?/, "") ?? "";
  const under = /^under (\S+)(?: with (.+))?$/.exec(d);
  const inDir = /^in (\S+)$/.exec(d);
  if (d !== "" && under === null && inDir === null) throw new Error(`${block.file}:${block.line}: unknown directive "${block.directive}"`);
  const text = under === null ? block.text : wrap(block.text, under[1]!, (under[2] ?? "").split(/[\s,]+/).filter(Boolean));
  // `in <folder>`: a file of that folder (removed afterwards), so relative plugin paths are real files.
  const dir = inDir === null ? scratch : join(ROOT, inDir[1]!);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `.docs-block-${process.pid}-${n}.yaml`);
  writeFileSync(file, text);
  let out = "";
  try {
    const code = await run(["validate", file], { stdout: (s) => (out += s), stderr: (s) => (out += s), cwd: ROOT, env: ENV });
    return { code, out };
  } finally {
    rmSync(file, { force: true });
  }
}

describe("documented YAML", () => {
  it("finds the blocks; every skipped one gives its reason", () => {
    // Printed so a reviewer sees the count: a block that stops being validated is visible.
    console.log(`docs YAML blocks: ${yamlBlocks.length} (${checked.length} valid, ${invalid.length} deliberately invalid, ${skipped.length} skipped)`);
    expect(checked.length).toBeGreaterThanOrEqual(18);
    for (const b of [...skipped, ...invalid]) expect(b.directive, `${b.file}:${b.line}`).toMatch(/^yaml-check: (skip|invalid) \(.+\)$/);
    // None is skipped today; raise this only with a reason in the block's directive.
    expect(skipped.length).toBe(0);
  });

  it.each(checked.map((b, n) => [`${b.file}:${b.line}`, b, n] as const))("%s is valid as written", async (_where, block, n) => {
    const { code, out } = await validate(block, n);
    expect(code, `${block.file}:${block.line}: custodian validate says\n${out}`).toBe(0);
    expect(out).toMatch(/^valid /);
  });

  it.each(invalid.map((b, n) => [`${b.file}:${b.line}`, b, checked.length + n] as const))("%s fails validation, as it says", async (_where, block, n) => {
    const { code, out } = await validate(block, n);
    expect(code, out).toBe(1);
    expect(out).toMatch(/\d+ errors? in /);
  });
});

describe("documentation links", () => {
  const REPO = "https://example.invalid/custodian/";
  it("every relative link and every link into this repository's tree names a file that exists", () => {
    const missing: string[] = [];
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const path = target!.split("#")[0]!;
        if (path === "") continue;
        let resolved: string | undefined;
        if (path.startsWith(REPO)) resolved = join(ROOT, path.slice(REPO.length).replace(/^(blob|raw|tree)\/main\//, ""));
        else if (!/^[a-z]+:/.test(path)) resolved = join(ROOT, dirname(file), path);
        if (resolved !== undefined && !existsSync(resolved)) missing.push(`${file}: ${target}`);
      }
      // A package README ships in its tarball without the repository around it.
      if (file.startsWith("packages/")) for (const [link] of text.matchAll(/\]\(\.\.\/[^)]*\)/g)) missing.push(`${file}: ${link} leaves the package`);
    }
    expect(missing).toEqual([]);
  });
});
