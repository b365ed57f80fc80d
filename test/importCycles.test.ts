// No import cycle in any package, type-only imports included (issue 16): a reader must be able to
// tell what depends on what. Every relative import and re-export of packages/*/src/**/*.ts
// (`import type` and `import("…")` too) becomes an edge; any strongly connected component with more
// than one module, or a module importing itself, is a cycle and is printed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** Relative specifiers of every static import/export, `import type` and dynamic `import()`. */
const SPECIFIER =
  /(?:\bimport\s+(?:type\s+)?(?:[\s\S]*?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[\s\S]*?\})\s+from\s+|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function importsOf(file: string, source: string): string[] {
  const out: string[] = [];
  // Comments may quote imports (doc examples): drop them first.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  for (const m of code.matchAll(SPECIFIER)) {
    const spec = m[1]!;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, join(base, "index.ts")];
    const hit = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (hit !== undefined) out.push(hit);
  }
  return out;
}

/** Cycles of a module graph: Tarjan's strongly connected components of size > 1, plus self-imports. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.reverse());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}

/** One concrete path around a component, for the message: a → b → … → a. */
function describeCycle(graph: ReadonlyMap<string, readonly string[]>, component: string[]): string {
  const members = new Set(component);
  const start = component[0]!;
  const path = [start];
  const seen = new Set([start]);
  let at = start;
  for (;;) {
    const next = (graph.get(at) ?? []).filter((n) => members.has(n));
    const back = next.find((n) => n === start);
    const fresh = next.find((n) => !seen.has(n));
    if (fresh === undefined || (back !== undefined && path.length > 1)) {
      path.push(back ?? next[0]!);
      break;
    }
    path.push(fresh);
    seen.add(fresh);
    at = fresh;
  }
  return path.map((p) => relative(root, p)).join(" → ");
}

describe("import cycles", () => {
  it("findCycles finds a type-level cycle and ignores a diamond", () => {
    const cyclic = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(findCycles(cyclic)).toEqual([["a", "b", "c"]]);
    const diamond = new Map([
      ["a", ["b", "c"]],
      ["b", ["d"]],
      ["c", ["d"]],
      ["d", []],
    ]);
    expect(findCycles(diamond)).toEqual([]);
  });

  it("the specifier scan sees import type, export from and import()", () => {
    const dir = join(root, "packages/core/src/kernel");
    const found = importsOf(
      join(dir, "x.ts"),
      'import type { Kernel } from "./Kernel.js";\nexport { x } from "../errors.js";\nconst m = await import("./hooks.js");\n// import { y } from "./Features.js";',
    ).map((p) => relative(root, p));
    expect(found).toEqual(["packages/core/src/kernel/Kernel.ts", "packages/core/src/errors.ts", "packages/core/src/kernel/hooks.ts"]);
  });

  const packagesDir = join(root, "packages");
  for (const pkg of readdirSync(packagesDir).sort()) {
    const src = join(packagesDir, pkg, "src");
    try {
      if (!statSync(src).isDirectory()) continue;
    } catch {
      continue;
    }
    it(`packages/${pkg}/src has no import cycle (type-only imports included)`, () => {
      const graph = new Map<string, string[]>();
      for (const file of tsFiles(src)) graph.set(file, importsOf(file, readFileSync(file, "utf8")));
      const cycles = findCycles(graph).map((c) => describeCycle(graph, c));
      expect(cycles, `import cycles:\n${cycles.join("\n")}`).toEqual([]);
    });
  }
});
