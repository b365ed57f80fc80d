/**
 * Validates a config value against a composed schema with ajv 8 (strict, useDefaults, allErrors)
 * and turns ajv's errors into readable, positioned issues with "did you mean" suggestions. A value
 * interpolated from the environment takes the type the schema asks for when its text reads exactly
 * as that type, and an error about it names its variable, never its value.
 */
import { isAbsolute, resolve } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parseDuration, parseSize } from "./duration.js";
import type { KernelErrorCode } from "../errors.js";
import type { ConfigIssue } from "./ConfigError.js";
import { describeOrigin, formatPath, type ConfigSource, type PathSegment, type ValueOrigin } from "./ConfigSource.js";
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
  mode: 'must be a file mode written as a quoted octal string like "0644" or "0755" (or 0o755)',
};

/** A file mode as a string: `"0755"`, `"755"`, `"0o755"`. */
const MODE_TEXT = /^(0o?)?([0-7]{3,4})$/;

/** Why a number given as a file mode is refused, or undefined when it is not ambiguous. */
function ambiguousMode(value: number, written: string | undefined): string | undefined {
  // Only a literal of the file can be ambiguous: 0o755 says it is octal, a config object holds a JS number.
  if (written === undefined || /^0o/i.test(written)) return undefined;
  const digits = /^0?([0-7]{3,4})$/.exec(written)?.[1];
  const hint = digits === undefined ? '"0644"' : `"0${digits.replace(/^0/, "")}"`;
  return `file mode ${written} is a decimal number in YAML 1.2 (${written} = 0o${value.toString(8)}), not the octal mode it looks like; quote it: ${hint} (or write 0o${digits ?? "644"})`;
}

/** What the schema's `type` asks for, read from the interpolated text when it reads exactly so. */
function asType(text: string, wanted: readonly string[]): { value: unknown } | undefined {
  if (wanted.includes("string")) return { value: text };
  if (wanted.includes("boolean") && (text === "true" || text === "false")) return { value: text === "true" };
  const integral = /^[-+]?\d+$/.test(text);
  if (wanted.includes("integer") && integral && Number.isSafeInteger(Number(text))) return { value: Number(text) };
  if (wanted.includes("number") && /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n) && (!integral || Number.isSafeInteger(n))) return { value: n };
  }
  return undefined;
}

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

function messageOf(e: ErrorObject, path: PathSegment[], origin: ValueOrigin | undefined): Described {
  const ps = e.parentSchema as Record<string, unknown> | undefined;
  const where = formatPath(path);
  // A value from the environment may be a secret: name its variable instead.
  const received = origin === undefined ? `received ${describe(e.data)}` : `received ${describeOrigin(origin)}`;
  const quoted = origin === undefined ? JSON.stringify(e.data) : describeOrigin(origin);
  const hint = (allowed: string[]): string => (origin === undefined && typeof e.data === "string" ? suggest(e.data, allowed) : "");
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
          message: `unknown resource type ${quoted}${hint(allowed)}; registered types: ${allowed.join(", ") || "(none)"}. Add the plugin that provides it to plugins.`,
        };
      }
      return {
        path,
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}${hint(allowed)}; ${received}`,
      };
    }
    case "const":
      return { path, message: `must be ${JSON.stringify(e.params.allowedValue)}; ${received}` };
    case "type":
      return {
        path,
        message: `must be ${String(e.params.type)
          .replace(/^(object)$/, "a mapping")
          .replace(/^(array)$/, "a list")
          .replace(/^(string|number|boolean|integer)$/, (t) => (t === "integer" ? "an integer" : `a ${t}`))}; ${received}`,
      };
    case "anyOf":
    case "oneOf": {
      const kind = ps?.[CUSTODIAN_KEYWORD];
      if (typeof kind === "string" && KIND_MESSAGE[kind] !== undefined) return { path, message: `${KIND_MESSAGE[kind]}; ${received}` };
      const branches = (e.schema as Array<Record<string, unknown>>).map((b) =>
        b.type !== undefined ? String(b.type) : b.enum !== undefined ? (b.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ") : "a value",
      );
      const flag = path.length === 2 && path[0] === "features";
      return { path, ...(flag ? { code: "ERR_FEATURE_INVALID_VALUE" } : {}), message: `must be ${branches.join(" or ")}; ${received}` };
    }
    case CUSTODIAN_KEYWORD:
      return { path, message: e.message ?? "is invalid" };
    default:
      return { path, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** Sets interpolated values to the type their `type` errors ask for; true when something changed. */
function retypeInterpolated(errors: readonly ErrorObject[], data: unknown, source: ConfigSource): boolean {
  let changed = false;
  const done = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== "type" || done.has(e.instancePath)) continue;
    const path = toSegments(e.instancePath);
    const origin = source.originOf?.(path);
    if (origin === undefined || !origin.whole || path.length === 0) continue;
    const wanted = String(e.params.type).split(",");
    const typed = asType(origin.text, wanted);
    if (typed === undefined || Object.is(typed.value, e.data)) continue;
    let parent = data as Record<string | number, unknown>;
    for (const seg of path.slice(0, -1)) parent = parent?.[seg] as Record<string | number, unknown>;
    if (parent === null || typeof parent !== "object") continue;
    parent[path[path.length - 1]] = typed.value;
    done.add(e.instancePath);
    changed = true;
  }
  return changed;
}

/** Options of validateConfig. */
export interface ValidateOptions {
  /** Convert durations to ms and sizes to bytes (for print-config). */
  normalize?: boolean;
  /** Replace values marked `"x-custodian": "secret"` with "[redacted]". */
  redact?: boolean;
}

/** What the `x-custodian` keyword needs during one (synchronous) validation. */
let context: { dir: string; normalize: boolean; redact: boolean; source: ConfigSource | undefined } = {
  dir: "/",
  normalize: false,
  redact: false,
  source: undefined,
};

interface KeywordCxt {
  instancePath: string;
  parentData: Record<string | number, unknown>;
  parentDataProperty: string | number;
}

/** The `x-custodian` keyword: resolves paths, redacts, normalises, and reads file modes. */
function custodianKeyword(kind: string, value: unknown, _ps: unknown, cxt?: KeywordCxt): boolean {
  custodianKeyword.errors = undefined;
  if (cxt === undefined || cxt.parentData === undefined) return true;
  const set = (v: unknown): void => {
    cxt.parentData[cxt.parentDataProperty] = v;
  };
  if (kind === "mode") return fileMode(value, toSegments(cxt.instancePath), set);
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
}
custodianKeyword.errors = undefined as Array<Partial<ErrorObject>> | undefined;

/** A file mode: an octal string becomes its number; a number the file wrote in decimal (`0755`, `755`) is refused. */
function fileMode(value: unknown, path: PathSegment[], set: (v: unknown) => void): boolean {
  const origin = context.source?.originOf?.(path);
  const text = typeof value === "string" ? value : origin?.whole === true ? origin.text : undefined;
  if (text !== undefined) {
    const m = MODE_TEXT.exec(text.trim());
    if (m !== null) set(parseInt(m[2], 8));
    // Not a mode: the anyOf beside this keyword reports it.
    return true;
  }
  if (typeof value !== "number") return true;
  const problem = ambiguousMode(value, context.source?.plainTextOf?.(path));
  if (problem === undefined) return true;
  custodianKeyword.errors = [{ keyword: CUSTODIAN_KEYWORD, message: problem, params: { kind: "mode" } }];
  return false;
}

function createAjv(): Ajv {
  const ajv = new Ajv({ strict: true, useDefaults: true, allErrors: true, verbose: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: CUSTODIAN_KEYWORD, schemaType: "string", modifying: true, errors: true, validate: custodianKeyword });
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
  context = { dir: source.dir, normalize: options.normalize === true, redact: options.redact === true, source };
  let ok: boolean;
  try {
    ok = check(data) as boolean;
    // An interpolated value the schema wants as another type: retyped from its text, then checked again.
    for (let round = 0; !ok && round < 3 && retypeInterpolated(check.errors ?? [], data, source); round++) ok = check(data) as boolean;
  } finally {
    context = saved;
  }
  if (ok) return [];
  return simplify(check.errors ?? []).map((e) => {
    const segments = toSegments(e.instancePath);
    const { path, message, code } = messageOf(e, segments, source.originOf?.(segments));
    const pos = source.positionOf(path);
    return { ...(code === undefined ? {} : { code }), file: source.file, line: pos?.line, column: pos?.column, path: formatPath(path), message };
  });
}
