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
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "@custodian/cli";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Variables the documented blocks read without a default, as a user would have set them. */
const ENV = { HOOK_KEY: "docs-test-key" };

export interface Block {
  file: string;
  line: number;
  lang: string;
  text: string;
  /** The `<!-- yaml-check: … -->` / `<!-- ts-check: … -->` directive on the line before the fence. */
  directive?: string;
}

/** The documentation files whose code blocks are checked. */
export function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
  const packages = readdirSync(join(ROOT, "packages"))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => {
      try {
        readFileSync(join(ROOT, f));
        return true;
      } catch {
        return false;
      }
    });
  return ["README.md", ...docs, ...packages];
}

/** Fenced code blocks of one Markdown file, with the directive comment just before each. */
export function blocksOf(file: string): Block[] {
  const lines = readFileSync(join(ROOT, file), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const directive = /^<!--\s*((?:yaml|ts)-check:.*?)\s*-->\s*$/.exec(lines[i - 1] ?? "")?.[1];
    blocks.push({ file, line: i + 1, lang: open[1]!, text: lines.slice(i + 1, end).join("\n") + "\n", ...(directive === undefined ? {} : { directive }) });
    i = end;
  }
  return blocks;
}

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
