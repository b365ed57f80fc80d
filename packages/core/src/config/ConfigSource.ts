/**
 * Reads a YAML (or JSON) config text safely and keeps the document so that any path in the
 * result can be mapped back to a line and column. Safety settings: YAML 1.2 core schema (a
 * `%YAML 1.1` directive is refused), unique keys, no merge keys, at most 50 alias expansions,
 * a size cap, and `${VAR}` / `${VAR:-default}` interpolation in values only. An interpolated value
 * keeps its meaning: it stays the string the environment holds unless that string reads back
 * exactly as a number or boolean (the schema has the last word, see validateConfig), and the
 * source remembers which variables a value came from, so that errors name them instead of
 * quoting the value.
 */
import { basename } from "node:path";
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, visit, type Document, type Node } from "yaml";
import type { ConfigIssue } from "./ConfigError.js";

/** Largest config file read, in bytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most alias expansions allowed when building the config value (alias bombs). */
export const MAX_ALIAS_COUNT = 50;

export type PathSegment = string | number;

/** Where a config came from; maps value paths to positions. */
export interface ConfigSource {
  /** Absolute file path, or `<object>`. */
  readonly file: string;
  /** Folder relative paths resolve against. */
  readonly dir: string;
  /** Position of the key (or sequence item) at `path`; the nearest existing ancestor when the path is absent. */
  positionOf(path: readonly PathSegment[]): { line: number; column: number } | undefined;
  /** Where the value at `path` came from when the environment supplied part of it; undefined when it is written in the file. */
  originOf?(path: readonly PathSegment[]): ValueOrigin | undefined;
  /** The literal text of the plain (unquoted) scalar at exactly `path` (`0755`, `0o755`), or undefined. */
  plainTextOf?(path: readonly PathSegment[]): string | undefined;
}

/** A value built by `${VAR}` interpolation from the environment. */
export interface ValueOrigin {
  /** The environment variables read into it, in order (a `${VAR:-default}` that fell back is not listed). */
  readonly variables: readonly string[];
  /** The scalar was exactly one unquoted `${VAR}`: its type may follow the schema. */
  readonly whole: boolean;
  /** The interpolated text. Never show it: it may be a secret. */
  readonly text: string;
}

/** How an error names a value that came from the environment, without quoting it: `the value of ${DB_PASSWORD} (from the environment)`. */
export function describeOrigin(origin: ValueOrigin): string {
  const vars = origin.variables.map((v) => `\${${v}}`);
  const list = vars.length === 1 ? vars[0] : `${vars.slice(0, -1).join(", ")} and ${vars[vars.length - 1]}`;
  return origin.whole ? `the value of ${list} (from the environment)` : `a string built from ${list} (from the environment)`;
}

/** A source without positions (config objects and JS config files). */
export const positionlessSource = (file: string, dir: string): ConfigSource => ({ file, dir, positionOf: () => undefined });

const pathKey = (path: readonly PathSegment[]): string => JSON.stringify(path.map(String));

/** Renders a path as `resources.db.max` / `plugins[1].options`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const stripPosition = (message: string): string => message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");

const keyOf = (n: unknown): unknown => (isScalar(n) ? n.value : n);

class YamlSource implements ConfigSource {
  constructor(
    readonly file: string,
    readonly dir: string,
    readonly doc: Document,
    readonly lineCounter: LineCounter,
    /** Path of the config inside the document (`["custodian"]` in package.json). */
    readonly prefix: readonly PathSegment[],
    /** Interpolated values by path (without the prefix). */
    readonly origins: ReadonlyMap<string, ValueOrigin>,
  ) {}

  originOf(path: readonly PathSegment[]): ValueOrigin | undefined {
    return this.origins.get(pathKey(path));
  }

  plainTextOf(path: readonly PathSegment[]): string | undefined {
    let node: unknown = this.doc.contents;
    for (const seg of [...this.prefix, ...path]) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) node = node.items.find((p) => String(keyOf(p.key)) === String(seg))?.value;
      else if (isSeq(node) && typeof seg === "number") node = node.items[seg];
      else return undefined;
    }
    if (isAlias(node)) node = node.resolve(this.doc);
    return isScalar(node) && node.type === "PLAIN" ? node.source : undefined;
  }

  positionOf(path: readonly PathSegment[]): { line: number; column: number } | undefined {
    let node: unknown = this.doc.contents;
    let offset = (node as Node | null)?.range?.[0] ?? 0;
    for (const seg of [...this.prefix, ...path]) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => String(keyOf(p.key)) === String(seg));
        if (pair === undefined) break;
        offset = (pair.key as Node | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && seg < node.items.length) {
        node = node.items[seg];
        offset = (node as Node | null)?.range?.[0] ?? offset;
      } else break;
    }
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}

/** The result of reading a config text: a value when there were no issues. */
export interface ParsedConfig {
  value: unknown;
  source: ConfigSource;
  issues: ConfigIssue[];
}

const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one string; `$${` is a literal `${`. Only the
 * environment's own keys count (`${constructor}` is not set). Returns the missing names and the
 * names whose value was used.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): { value: string; missing: string[]; used: string[] } {
  const missing: string[] = [];
  const used: string[] = [];
  const value = text.replace(VAR, (whole, name: string | undefined, fallback: string | undefined) => {
    if (name === undefined) return "${";
    const v = Object.hasOwn(env, name) && typeof env[name] === "string" ? env[name] : undefined;
    if (fallback !== undefined && (v === undefined || v === "")) return fallback;
    if (v === undefined) {
      missing.push(name);
      return whole;
    }
    used.push(name);
    return v;
  });
  return { value, missing, used };
}

/**
 * A plain (unquoted) scalar that is exactly one `${...}` becomes a number or boolean only when the
 * text reads back exactly: `${PORT}` = "8080" → 8080, but "1e3", "1.50", "0755" and a 20-digit id
 * stay strings. The schema can still ask for the other type (validateConfig).
 */
export const retypeExact = (s: string): unknown => {
  if (s === "true") return true;
  if (s === "false") return false;
  const n = Number(s);
  return s.trim() !== "" && Number.isFinite(n) && String(n) === s ? n : s;
};

/** The parser's "please use YAML.parseAllDocuments()", said in config terms. */
function multipleDocuments(file: string, text: string): string {
  const n = parseAllDocuments(text, { schema: "core" });
  const count = Array.isArray(n) ? n.length : 2;
  return `${basename(file)} holds ${count} YAML documents (separated by ---); Custodian reads one. Merge them into one mapping, or keep the others in files of their own`;
}

/** Path of the node a visitor is at, from the visitor's ancestor list. */
function pathFromAncestors(ancestors: readonly unknown[], key: number | "key" | "value" | null, node: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const a = chain[i];
    const next = chain[i + 1];
    if (isPair(a)) out.push(String(keyOf(a.key)));
    else if (isSeq(a)) out.push(a.items.indexOf(next as never));
  }
  void key;
  return out;
}

/**
 * Parses a YAML or JSON config text. Never throws: problems come back as issues with positions.
 * @param prefix where the config sits inside the document (`["custodian"]` for package.json)
 */
export function parseConfigText(
  file: string,
  dir: string,
  text: string,
  env: Record<string, string | undefined>,
  prefix: readonly PathSegment[] = [],
): ParsedConfig {
  const lineCounter = new LineCounter();
  const issues: ConfigIssue[] = [];
  const at = (offset: number, path: string, message: string): void => {
    const { line, col } = lineCounter.linePos(offset);
    issues.push({ file, line, column: col, path, message });
  };
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    issues.push({
      file,
      line: 1,
      column: 1,
      path: "",
      message: `config file is ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB; the limit is ${MAX_CONFIG_BYTES / 1024 / 1024} MiB. Is this the right file?`,
    });
    return { value: undefined, source: positionlessSource(file, dir), issues };
  }
  const doc = parseDocument(text, { lineCounter, schema: "core", uniqueKeys: true, merge: false, prettyErrors: true, keepSourceTokens: false });
  const origins = new Map<string, ValueOrigin>();
  const source = new YamlSource(file, dir, doc, lineCounter, prefix, origins);
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = e.linePos?.[0];
    const message =
      e.code === "DUPLICATE_KEY"
        ? `duplicate key ${JSON.stringify((/^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0] ?? "").trim().replace(/^["']|["']$/g, ""))}; each key may appear once in a mapping`
        : e.code === "MULTIPLE_DOCS"
          ? multipleDocuments(file, text)
          : `YAML ${e.name === "YAMLWarning" ? "error" : "syntax error"}: ${stripPosition(e.message)}`;
    issues.push({ file, line: pos?.line, column: pos?.col, path: "", message });
  }
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== "1.2") {
    const offset = Math.max(0, text.indexOf("%YAML"));
    at(
      offset,
      "",
      `%YAML ${doc.directives.yaml.version} directive is not supported: config files are YAML 1.2 (core schema, no "yes"/"no" booleans, no merge keys). Remove the directive.`,
    );
  }
  if (issues.length > 0) return { value: undefined, source, issues };

  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === "key" || typeof node.value !== "string" || !node.value.includes("${")) return;
      const original = node.value;
      const { value, missing, used } = interpolate(original, env);
      const path = pathFromAncestors(ancestors, key, node);
      for (const name of missing) {
        at(
          node.range?.[0] ?? 0,
          formatPath(path.slice(prefix.length)),
          `environment variable ${name} is not set and has no default; set it or write \${${name}:-default}`,
        );
      }
      const whole = /^\$\{[^}]*\}$/.test(original) && node.type === "PLAIN";
      if (used.length > 0) origins.set(pathKey(path.slice(prefix.length)), { variables: used, whole, text: value });
      node.value = whole ? retypeExact(value) : value;
    },
  });
  if (issues.length > 0) return { value: undefined, source, issues };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    let offset = 0;
    visit(doc, {
      Alias(_k, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    at(
      offset,
      "",
      `too many alias expansions (more than ${MAX_ALIAS_COUNT}); aliases that nest aliases grow exponentially (${error instanceof Error ? error.message : String(error)})`,
    );
    return { value: undefined, source, issues };
  }
  for (const seg of prefix) value = (value as Record<string, unknown> | undefined)?.[seg as string];
  return { value, source, issues };
}
