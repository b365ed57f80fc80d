import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configSchemaOf, createKernel } from "../../src/index.js";

type S = Record<string, any>;
const DOC = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "docs", "config.md");

const typeOf = (s: S): string => {
  const kind = s["x-custodian"];
  if (kind === "duration" || kind === "size") return kind;
  if (s.anyOf) return (s.anyOf as S[]).map(typeOf).join(" \\| ");
  if (s.enum && s.enum.length === 1 && s.enum[0] === "") return "string";
  if (s.enum) return (s.enum as unknown[]).map((v) => `\`${String(v)}\``).join(" \\| ");
  if (s.type === "array") return `list of ${typeOf(s.items ?? {})}`;
  if (s.type === "object") return "mapping";
  return String(s.type ?? "any");
};
const cell = (v: unknown): string => (v === undefined ? "" : `\`${JSON.stringify(v)}\``);
const row = (key: string, s: S): string => `| \`${key}\` | ${typeOf(s)} | ${cell(s.default)} | ${String(s.description ?? "")} |`;

/** The reference table, generated from the composed schema of a core-only kernel. */
function referenceTable(schema: S): string {
  const rows = ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"];
  for (const [section, s] of Object.entries(schema.properties as Record<string, S>)) {
    rows.push(row(section, s));
    if (section === "resources") {
      rows.push(row("resources.<name>", { type: "object", description: "One resource; the other keys are the options of its type." }));
      const common = s.additionalProperties.properties as Record<string, S>;
      for (const [k, v] of Object.entries(common)) rows.push(row(`resources.<name>.${k}`, v));
    } else if (section === "plugins") {
      const [str, obj] = s.items.anyOf as S[];
      rows.push(row("plugins[]", { ...str, description: s.items.description }));
      for (const [k, v] of Object.entries(obj.properties as Record<string, S>)) rows.push(row(`plugins[].${k}`, v));
    } else if (s.properties) {
      for (const [k, v] of Object.entries(s.properties as Record<string, S>)) rows.push(row(`${section}.${k}`, v));
    }
  }
  return rows.join("\n");
}

describe("docs/config.md", () => {
  it("has a reference table that matches the schema (regenerate it from this test's output when it fails)", async () => {
    const kernel = await createKernel({ config: {}, env: {}, exit: () => {} });
    const expected = referenceTable(configSchemaOf(kernel) as S);
    await kernel.shutdown();
    const doc = readFileSync(DOC, "utf8");
    const start = doc.indexOf("<!-- reference:start -->");
    const end = doc.indexOf("<!-- reference:end -->");
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const table = doc.slice(start + "<!-- reference:start -->".length, end).trim();
    expect(table, `expected table:\n${expected}`).toBe(expected);
  });
});
