/**
 * The code blocks of the documentation (README.md, docs/*.md, packages/*\/README.md), each with
 * its position and the `<!-- yaml-check: … -->` / `<!-- ts-check: … -->` comment just before it.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

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

/**
 * Type-checks every `.ts` file in `scratch` (a folder two levels below the repository) with the
 * repository's tsc and settings; resolves with tsc's output ("" when clean).
 */
export async function typeCheckFolder(scratch: string): Promise<string> {
  writeFileSync(
    join(scratch, "tsconfig.json"),
    JSON.stringify({
      extends: "../../tsconfig.base.json",
      compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, types: ["node"] },
      include: ["*.ts"],
    }),
  );
  const tsc = join(ROOT, "node_modules", ".bin", "tsc");
  return promisify(execFile)(tsc, ["-p", join(scratch, "tsconfig.json")], { cwd: ROOT }).then(
    () => "",
    (err: { stdout?: string }) => String(err.stdout ?? err),
  );
}
