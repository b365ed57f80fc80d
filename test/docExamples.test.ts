/**
 * Every `@example` in the doc comments of packages/*\/src type-checks against the packages' public
 * entry points. Each example becomes a module of its own: the public names it uses are imported
 * from the package that exports them, the example runs inside a block (so it may declare its own
 * `kernel`), and the free names examples lean on (`kernel`, `url`, `fetchJson`, ...) are declared
 * once below. `[...]` in an example stands for "elided" and is checked as `[]`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ROOT, typeCheckFolder } from "./docBlocks.js";

/** What examples use without defining, as a reader would have it in scope. */
const AMBIENT = `
import type pg from "pg";
import { resolve } from "node:path";
import { writeFileSync } from "node:fs";
import http from "node:http";
import { expect, onTestFinished } from "vitest";
import type { Kernel, PluginDescriptor } from "@custodian/core";
import type { AlertsConfig } from "@custodian/plugin-alerts";
// An example's fetch is undici's: Node 20's global fetch types its dispatcher with an older undici.
import { fetch } from "undici";
declare const kernel: Kernel;
declare const config: { alerts: AlertsConfig };
declare const url: URL;
declare const pid: number;
declare const poolSchema: Record<string, unknown>;
declare const myPlugin: PluginDescriptor;
declare const server: import("node:http").Server;
declare const socket: import("node:net").Socket;
declare const app: { get(path: string, handler: (req: unknown, res: { status(code: number): { end(): void } }) => void): void };
declare function fetchJson(url: string | URL): Promise<unknown>;
declare function request(url: URL): Promise<unknown>;
declare function connect(): Promise<{ query(sql: string): Promise<unknown>; end(): Promise<void> }>;
declare function createClient(options: unknown): { connect(): Promise<{ quit(): Promise<void> }> };
declare function listen(options: { signal: AbortSignal }): Promise<unknown>;
void [resolve, writeFileSync, http, expect, onTestFinished, fetch];
`;

interface Example {
  where: string;
  pkg: string;
  code: string;
}

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".ts") ? [p] : [];
  });

/** Every `@example` of a package's sources: the text after the tag up to the next tag or the comment's end. */
function examplesOf(pkg: string): Example[] {
  const out: Example[] = [];
  for (const file of walk(join(ROOT, "packages", pkg, "src"))) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const tag = /^\s*\*\s*@example\b ?(.*)$/.exec(line);
      if (tag === null) return;
      const code = tag[1] === "" ? [] : [tag[1]!];
      for (let j = i + 1; j < lines.length && !/^\s*\*\//.test(lines[j]!) && !/^\s*\*\s*@\w/.test(lines[j]!); j++) {
        code.push(lines[j]!.replace(/^\s*\* ?/, ""));
      }
      const text = code.map((l) => l.trimStart()).join("\n");
      // `export default x` is a module's last word; inside the checking block it is an expression.
      out.push({ where: `${relative(ROOT, file)}:${i + 1}`, pkg, code: text.replaceAll("[...]", "[]").replace(/^export default /gm, "void ") });
    });
  }
  return out;
}

/** Public names of each package's entry points (index.ts, testing.ts): name → module specifier (types as `type Name`). */
function publicNames(): Map<string, { from: string; type: boolean }> {
  const names = new Map<string, { from: string; type: boolean }>();
  for (const pkg of readdirSync(join(ROOT, "packages"))) {
    const manifest = JSON.parse(readFileSync(join(ROOT, "packages", pkg, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
    for (const [sub, target] of Object.entries(manifest.exports)) {
      const source = (target as { "@custodian/source"?: string } | null)?.["@custodian/source"];
      if (source === undefined) continue;
      const text = readFileSync(join(ROOT, "packages", pkg, source), "utf8");
      const from = manifest.name + sub.slice(1);
      for (const [, typeOnly, list] of text.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
        for (const item of list!.split(",")) {
          const trimmed = item.trim();
          const name = trimmed
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)
            .pop()!
            .trim();
          const type = typeOnly !== undefined || trimmed.startsWith("type ");
          if (name !== "" && name !== "default" && !names.has(name)) names.set(name, { from, type });
        }
      }
      for (const [, kind, name] of text.matchAll(/export\s+(?:async\s+)?(function|const|class|interface|type)\s+(\w+)/g)) {
        if (!names.has(name!)) names.set(name!, { from, type: kind === "interface" || kind === "type" });
      }
    }
  }
  return names;
}

const examples = readdirSync(join(ROOT, "packages")).flatMap(examplesOf);
const scratch = mkdtempSync(join(ROOT, "test", ".docs-examples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it("every @example in the sources type-checks against the public entry points", { timeout: 120_000 }, async () => {
  console.log(`@example blocks: ${examples.length}`);
  expect(examples.length).toBeGreaterThanOrEqual(25);
  const names = publicNames();
  const origin = new Map<string, Example>();
  examples.forEach((ex, n) => {
    const hoisted = ex.code.split("\n").filter((l) => l.startsWith("import "));
    const body = ex.code
      .split("\n")
      .filter((l) => !l.startsWith("import "))
      .join("\n");
    const used = new Set([...body.matchAll(/\b[A-Za-z_$][\w$]*\b/g)].map((m) => m[0]));
    const imported = new Set(hoisted.flatMap((l) => [...l.matchAll(/\b\w+\b/g)].map((m) => m[0])));
    const bySpecifier = new Map<string, string[]>();
    for (const name of used) {
      const pub = names.get(name);
      if (pub !== undefined && !imported.has(name)) bySpecifier.set(pub.from, [...(bySpecifier.get(pub.from) ?? []), pub.type ? `type ${name}` : name]);
    }
    const imports = [...bySpecifier].map(([from, list]) => `import { ${list.join(", ")} } from "${from}";`);
    const name = `example${n}.ts`;
    writeFileSync(join(scratch, name), `${AMBIENT}\n${[...hoisted, ...imports].join("\n")}\n{\n// ${ex.where}\n${body}\n}\nexport {};\n`);
    origin.set(name, ex);
  });
  const out = await typeCheckFolder(scratch);
  const errors = out
    .split("\n")
    .filter((l) => /example\d+\.ts\(/.test(l))
    .map((l) => {
      const file = /(example\d+\.ts)/.exec(l)![1]!;
      return `${origin.get(file)!.where} (${file}): ${l.replace(/^.*?: error /, "error ")}`;
    });
  expect(errors).toEqual([]);
});
