/**
 * Validates a config value against a composed schema with ajv 8 (strict, useDefaults, allErrors)
 * and turns ajv's errors into readable, positioned issues with "did you mean" suggestions.
 */
import { isAbsolute, resolve } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parseDuration, parseSize } from "./duration.js";
import type { KernelErrorCode } from "../errors.js";
import type { ConfigIssue } from "./ConfigError.js";
import { formatPath, type ConfigSource, type PathSegment } from "./ConfigSource.js";
import { CUSTODIAN_KEYWORD, RESOURCE_NAME_PATTERN } from "./schema.js";

/** Edit distance with adjacent transpositions (optimal string alignment); small strings only. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate to `word`, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0.5 : distance(word, c);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

const suggest = (word: string, candidates: string[]): string => {
  const m = didYouMean(word, candidates);
  return m === undefined ? "" : `; did you mean "${m}"?`;
};

const describe = (v: unknown): string => {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  const s = JSON.stringify(v);
  return `${typeof v === "string" ? "a string" : `a ${typeof v}`} (${s.length > 40 ? s.slice(0, 37) + "..." : s})`;
};

const KIND_MESSAGE: Record<string, string> = {
  duration: 'must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0',
  size: 'must be a size like "10MB", "512KiB" or a number of bytes >= 0',
};

const toSegments = (instancePath: string): PathSegment[] =>
  instancePath === ""
    ? []
    : instancePath
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));

/**
 * Drops ajv's summary errors: `if`, an `enum` beside a `type` error on the same value ("must be a
 * string" says it; `type: 5` is not also an unknown type), and the branches of an anyOf where one
 * branch clearly applies.
 */
function simplify(errors: ErrorObject[]): ErrorObject[] {
  // Same value, same (sub)schema: `{ type: string, enum }`. An enum that is one branch of an anyOf stays.
  const mistyped = new Set(errors.filter((e) => e.keyword === "type").map((e) => `${e.instancePath} ${e.schemaPath.slice(0, -"type".length)}`));
  let out = errors.filter(
    (e) =>
      e.keyword !== "if" &&
      !e.schemaPath.includes("/propertyNames/") &&
      !(e.keyword === "enum" && mistyped.has(`${e.instancePath} ${e.schemaPath.slice(0, -"enum".length)}`)),
  );
  const unions = out.filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf").sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const u of unions) {
    if (!out.includes(u)) continue;
    const prefix = u.schemaPath + "/";
    const branchErrs = out.filter((e) => e.schemaPath.startsWith(prefix));
    const kind = (u.parentSchema as Record<string, unknown> | undefined)?.[CUSTODIAN_KEYWORD];
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of branchErrs) {
      const i = e.schemaPath.slice(prefix.length).split("/")[0];
      byBranch.set(i, [...(byBranch.get(i) ?? []), e]);
    }
    const n = ((u.schema as unknown[] | undefined) ?? []).length;
    const matching = [...Array(n).keys()]
      .map(String)
      .filter(
        (i) =>
          !(byBranch.get(i) ?? []).some(
            (e) => (e.keyword === "type" || e.keyword === "enum") && e.instancePath === u.instancePath && e.schemaPath === `${prefix}${i}/${e.keyword}`,
          ),
      );
    if (kind === undefined && matching.length === 1) {
      const keep = new Set(byBranch.get(matching[0]) ?? []);
      out = out.filter((e) => e !== u && (!branchErrs.includes(e) || keep.has(e)));
    } else {
      out = out.filter((e) => !branchErrs.includes(e));
    }
  }
  return out;
}

/** What one ajv error becomes: where, what, and the code the kernel would give the same problem. */
interface Described {
  path: PathSegment[];
  message: string;
  code?: KernelErrorCode;
}

function messageOf(e: ErrorObject, path: PathSegment[]): Described {
  const ps = e.parentSchema as Record<string, unknown> | undefined;
  const where = formatPath(path);
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys((ps?.properties as Record<string, unknown> | undefined) ?? {});
      if (where === "features") {
        return {
          path: [...path, key],
          code: "ERR_FEATURE_UNKNOWN",
          message: `unknown feature flag "${key}"${suggest(key, allowed)}; declared flags: ${allowed.join(", ") || "(none)"}`,
        };
      }
      const hint = suggest(key, allowed);
      const list = hint === "" && allowed.length > 0 && allowed.length <= 12 ? `; allowed keys: ${allowed.join(", ")}` : "";
      return { path: [...path, key], message: `unknown key "${key}"${hint}${list}` };
    }
    case "propertyNames": {
      const name = String(e.params.propertyName);
      return {
        path: [...path, name],
        message:
          where === "resources"
            ? `invalid resource name "${name}": names must match ${RESOURCE_NAME_PATTERN} (lowercase letters, digits and dashes, starting with a letter; at most 64 characters)`
            : `invalid key "${name}"`,
      };
    }
    case "required": {
      const key = String(e.params.missingProperty);
      const options = ((ps?.properties as Record<string, { enum?: unknown[] }> | undefined)?.[key]?.enum ?? []).map((v) => JSON.stringify(v));
      return { path: [...path, key], message: `missing required key "${key}"${options.length > 0 ? ` (one of ${options.join(", ")})` : ""}` };
    }
    case "enum": {
      const allowed = (e.params.allowedValues as unknown[]).filter((v) => v !== "").map(String);
      if (path.length === 3 && path[0] === "resources" && path[2] === "type") {
        return {
          path,
          code: "ERR_KERNEL_UNKNOWN_TYPE",
          message: `unknown resource type ${JSON.stringify(e.data)}${typeof e.data === "string" ? suggest(e.data, allowed) : ""}; registered types: ${allowed.join(", ") || "(none)"}. Add the plugin that provides it to plugins.`,
        };
      }
      return {
        path,
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}${typeof e.data === "string" ? suggest(e.data, allowed) : ""}; received ${describe(e.data)}`,
      };
    }
    case "const":
      return { path, message: `must be ${JSON.stringify(e.params.allowedValue)}; received ${describe(e.data)}` };
    case "type":
      return {
        path,
        message: `must be ${String(e.params.type)
          .replace(/^(object)$/, "a mapping")
          .replace(/^(array)$/, "a list")
          .replace(/^(string|number|boolean|integer)$/, (t) => (t === "integer" ? "an integer" : `a ${t}`))}; received ${describe(e.data)}`,
      };
    case "anyOf":
    case "oneOf": {
      const kind = ps?.[CUSTODIAN_KEYWORD];
      if (typeof kind === "string" && KIND_MESSAGE[kind] !== undefined) return { path, message: `${KIND_MESSAGE[kind]}; received ${describe(e.data)}` };
      const branches = (e.schema as Array<Record<string, unknown>>).map((b) =>
        b.type !== undefined ? String(b.type) : b.enum !== undefined ? (b.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ") : "a value",
      );
      const flag = path.length === 2 && path[0] === "features";
      return { path, ...(flag ? { code: "ERR_FEATURE_INVALID_VALUE" } : {}), message: `must be ${branches.join(" or ")}; received ${describe(e.data)}` };
    }
    default:
      return { path, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Options of validateConfig. */
export interface ValidateOptions {
  /** Convert durations to ms and sizes to bytes (for print-config). */
  normalize?: boolean;
  /** Replace values marked `"x-custodian": "secret"` with "[redacted]". */
  redact?: boolean;
}

/** What the `x-custodian` keyword needs during one (synchronous) validation. */
let context: { dir: string; normalize: boolean; redact: boolean } = { dir: "/", normalize: false, redact: false };

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: true, useDefaults: true, allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addKeyword({
    keyword: CUSTODIAN_KEYWORD,
    schemaType: "string",
    modifying: true,
    errors: false,
    validate(kind: string, value: unknown, _ps: unknown, cxt?: { parentData: Record<string | number, unknown>; parentDataProperty: string | number }) {
      if (cxt === undefined || cxt.parentData === undefined) return true;
      const set = (v: unknown): void => {
        cxt.parentData[cxt.parentDataProperty] = v;
      };
      try {
        if (kind === "path" && typeof value === "string" && value !== "" && !isAbsolute(value)) set(resolve(context.dir, value));
        else if (kind === "module" && typeof value === "string" && /^\.\.?(\/|$)/.test(value)) set(resolve(context.dir, value));
        else if (context.redact && kind === "secret" && value !== undefined && value !== null && value !== "") set("[redacted]");
        else if (context.normalize && kind === "duration" && (typeof value === "string" || typeof value === "number")) set(parseDuration(value));
        else if (context.normalize && kind === "size" && (typeof value === "string" || typeof value === "number")) set(parseSize(value));
      } catch {
        // Invalid values stay as they are; the anyOf beside this keyword reports them.
      }
      return true;
    },
  });
  return ajv;
}

const ajv = createAjv();
/** Compiled validators by schema text: createKernel compiles the same few schemas over and over. */
const compiled = new Map<string, { fn: ValidateFunction; schema: object }>();
const MAX_COMPILED = 64;

function compile(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = compiled.get(key);
  if (hit !== undefined) return hit.fn;
  const copy = JSON.parse(key) as Record<string, unknown>;
  const fn = ajv.compile(copy);
  if (compiled.size >= MAX_COMPILED) {
    const [oldKey, old] = compiled.entries().next().value!;
    compiled.delete(oldKey);
    ajv.removeSchema(old.schema);
  }
  compiled.set(key, { fn, schema: copy });
  return fn;
}

/**
 * Why a plugin's or a type's schema cannot be used (ajv strict mode), or undefined when it can.
 */
export function schemaProblem(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return "a schema must be a JSON Schema object";
  try {
    compile(schema as Record<string, unknown>);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Validates `data` in place (defaults written, relative paths resolved) and returns its issues.
 * @throws Error when the schema does not compile (check plugin and type schemas with schemaProblem first)
 */
export function validateConfig(schema: Record<string, unknown>, data: unknown, source: ConfigSource, options: ValidateOptions = {}): ConfigIssue[] {
  const check = compile(schema);
  const saved = context;
  context = { dir: source.dir, normalize: options.normalize === true, redact: options.redact === true };
  let ok: boolean;
  try {
    ok = check(data) as boolean;
  } finally {
    context = saved;
  }
  if (ok) return [];
  return simplify(check.errors ?? []).map((e) => {
    const { path, message, code } = messageOf(e, toSegments(e.instancePath));
    const pos = source.positionOf(path);
    return { ...(code === undefined ? {} : { code }), file: source.file, line: pos?.line, column: pos?.column, path: formatPath(path), message };
  });
}
