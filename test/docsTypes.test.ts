/**
 * Every TypeScript block in README.md and packages/*\/README.md type-checks with the repository's
 * compiler settings. Each block becomes a module of its own in a scratch folder inside the
 * repository (so workspace packages resolve), checked by one `tsc` run. A block that shows a
 * fragment declares what it assumes in a comment on the line before its fence, which is put in
 * front of it:
 *
 *   <!-- ts-check: declare const kernel: import("@custodian/core").Kernel; -->
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { blocksOf, docFiles, ROOT, typeCheckFolder } from "./docBlocks.js";

const blocks = docFiles()
  .filter((f) => f.endsWith("README.md"))
  .flatMap(blocksOf)
  .filter((b) => b.lang === "ts");

const scratch = mkdtempSync(join(ROOT, "test", ".docs-ts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("every TypeScript block in the READMEs type-checks", { timeout: 120_000 }, async () => {
  console.log(`README TypeScript blocks: ${blocks.length}`);
  expect(blocks.length).toBeGreaterThanOrEqual(15);
  const origin = new Map<string, { where: string; shift: number }>();
  blocks.forEach((b, n) => {
    const prelude = b.directive?.startsWith("ts-check:") === true ? `${b.directive.slice("ts-check:".length).trim()}\n` : "";
    const name = `block${n}.ts`;
    // The block's first line is line `shift + 1` of the file; `export {}` makes each block a module.
    writeFileSync(join(scratch, name), `${prelude}${b.text}export {};\n`);
    origin.set(name, { where: `${b.file}:${b.line + 1}`, shift: prelude === "" ? 0 : prelude.split("\n").length - 1 });
  });
  const result = { out: await typeCheckFolder(scratch) };
  // Point each error at the README line it comes from.
  const errors = result.out
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) =>
      l.replace(/^.*?(block\d+\.ts)\((\d+),(\d+)\)/, (_m, file: string, line: string, col: string) => {
        const o = origin.get(file)!;
        const [doc, start] = o.where.split(/:(?=\d+$)/);
        return `${doc}:${Number(start) + Number(line) - 1 - o.shift}:${col}`;
      }),
    );
  expect(errors).toEqual([]);
});
