/**
 * Selectors over resources (type, state, name, labels), `by` label paths, and `measure`
 * expressions such as `details.borrowed / details.max` that work on any type's snapshot details.
 */
import type { ResourceSnapshot } from "@custodian/core";
import type { Matcher, Op, SelectorConfig } from "./schema.js";

/** A resource as rules see it: its snapshot and its labels (config `resources.<name>.labels` + `details.labels`). */
export interface ResourceView {
  readonly snap: ResourceSnapshot;
  readonly labels: Readonly<Record<string, string>>;
}

export type ValueTest = (value: string | undefined) => boolean;

const REGEX_CACHE_MAX = 1024;

/** A regex test remembered per value: types and states repeat, so most tests are a Map lookup. */
function cached(re: RegExp, negate: boolean): ValueTest {
  const memo = new Map<string, boolean>();
  return (v) => {
    if (v === undefined) return negate;
    let hit = memo.get(v);
    if (hit === undefined) {
      hit = re.test(v) !== negate;
      if (memo.size < REGEX_CACHE_MAX) memo.set(v, hit);
    }
    return hit;
  };
}

/** Compiles a matcher; regexes are fully anchored, as in PromQL. */
export function compileMatcher(m: Matcher): ValueTest {
  if (typeof m === "string") return (v) => v === m;
  if (Array.isArray(m)) {
    const set = new Set(m);
    return (v) => v !== undefined && set.has(v);
  }
  if ("regex" in m) return cached(new RegExp(`^(?:${m.regex})$`), false);
  if ("notRegex" in m) return cached(new RegExp(`^(?:${m.notRegex})$`), true);
  const not = new Set(Array.isArray(m.not) ? m.not : [m.not]);
  return (v) => v === undefined || !not.has(v);
}

/** Exact values a matcher accepts, when it is a plain string or list (used to index by type). */
export const exactValues = (m: Matcher | undefined): string[] | undefined => (typeof m === "string" ? [m] : Array.isArray(m) ? [...m] : undefined);

/** A compiled resource selector. `types` is set when the selector names its types exactly. */
export interface Selector {
  readonly types: readonly string[] | undefined;
  /** The type matcher when types are not exact (regex, not): tested once per type, not per resource. */
  readonly typeTest: ValueTest | undefined;
  test(r: ResourceView): boolean;
  /** The test without the type check: for resources already taken from the `types` index. */
  testIndexed(r: ResourceView): boolean;
}

const all = (tests: Array<(r: ResourceView) => boolean>): ((r: ResourceView) => boolean) => {
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (r) => a(r) && b(r);
  }
  return (r) => tests.every((t) => t(r));
};

/** Compiles `{ type, state, name, labels }`; an omitted field matches everything. */
export function compileSelector(cfg: SelectorConfig | undefined, options: { defaultState?: Matcher | null } = {}): Selector {
  const rest: Array<(r: ResourceView) => boolean> = [];
  // Rules look at live resources: by default the ones in use, not those being created or released.
  const stateMatcher = cfg?.state ?? (options.defaultState === undefined ? "active" : options.defaultState);
  if (stateMatcher === "active") rest.push((r) => r.snap.state === "active");
  else if (stateMatcher !== null) {
    const state = compileMatcher(stateMatcher);
    rest.push((r) => state(r.snap.state));
  }
  if (cfg?.name !== undefined) {
    const t = compileMatcher(cfg.name);
    rest.push((r) => t(r.snap.name));
  }
  for (const [key, m] of Object.entries(cfg?.labels ?? {})) {
    const t = compileMatcher(m);
    rest.push((r) => t(r.labels[key]));
  }
  const testIndexed = all(rest);
  let test = testIndexed;
  let typeTest: ValueTest | undefined;
  if (cfg?.type !== undefined) {
    const t = (typeTest = compileMatcher(cfg.type));
    test = all([(r) => t(r.snap.type), testIndexed]);
  }
  return { types: exactValues(cfg?.type), typeTest, test, testIndexed };
}

/** Reads a dotted path (`details.pool.max`) from an object; undefined when absent. */
export function readPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** The value of a `by` or `measure` path on a resource. Hot: no allocation. */
export function resourceField(r: ResourceView, path: readonly string[]): unknown {
  const head = path[0];
  const n = path.length;
  switch (head) {
    case "type":
    case "state":
    case "name":
    case "id":
    case "scope":
    case "ageMs":
      return n === 1 ? r.snap[head] : undefined;
    case "age":
      return n === 1 ? r.snap.ageMs / 1000 : undefined;
    case "details": {
      let cur: unknown = r.snap.details;
      for (let i = 1; i < n; i++) {
        if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, path[i])) return undefined;
        cur = (cur as Record<string, unknown>)[path[i]];
      }
      return cur;
    }
    case "labels":
      return n === 2 ? r.labels[path[1]] : undefined;
    default:
      return undefined;
  }
}

/** A `by` entry: the label it produces (last path segment) and how to read it. */
export interface GroupKey {
  readonly label: string;
  readonly path: readonly string[];
}

export const compileBy = (by: readonly string[] | undefined): GroupKey[] =>
  (by ?? []).map((p) => {
    const path = p.split(".");
    return { label: path[path.length - 1], path };
  });

export const labelValue = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "string" ? v : String(v));

// ------------------------------------------------------------------------------------------------
// measure expressions: numbers, paths, + - * /, parentheses.

/** A parsed measure expression. */
export type MeasureNode =
  | { kind: "num"; value: number }
  | { kind: "path"; path: string[] }
  | { kind: "bin"; op: "+" | "-" | "*" | "/"; left: MeasureNode; right: MeasureNode };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|([-+*/()]))/y;

/**
 * Parses a measure such as `details.borrowed / details.max`.
 * @throws Error with a message naming the position (the caller wraps it in ERR_ALERTS_INVALID_RULE).
 */
export function parseMeasure(src: string): MeasureNode {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (m === null) throw new Error(`unexpected character at ${pos + 1} in ${JSON.stringify(src)}`);
    tokens.push(m[1] ?? m[2] ?? m[3]);
    pos = TOKEN.lastIndex;
  }
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const primary = (): MeasureNode => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`unexpected end of ${JSON.stringify(src)}`);
    if (t === "(") {
      const e = expr();
      if (tokens[i++] !== ")") throw new Error(`missing ")" in ${JSON.stringify(src)}`);
      return e;
    }
    if (t === "-") return { kind: "bin", op: "-", left: { kind: "num", value: 0 }, right: primary() };
    if (/^\d/.test(t)) return { kind: "num", value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) return { kind: "path", path: t.split(".") };
    throw new Error(`unexpected ${JSON.stringify(t)} in ${JSON.stringify(src)}`);
  };
  const term = (): MeasureNode => {
    let left = primary();
    while (peek() === "*" || peek() === "/") left = { kind: "bin", op: tokens[i++] as "*" | "/", left, right: primary() };
    return left;
  };
  const expr = (): MeasureNode => {
    let left = term();
    while (peek() === "+" || peek() === "-") left = { kind: "bin", op: tokens[i++] as "+" | "-", left, right: term() };
    return left;
  };
  const node = expr();
  if (i !== tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[i])} in ${JSON.stringify(src)}`);
  return node;
}

/** Compiles a measure to a function; NaN when a field is missing or not numeric (the resource is skipped). */
export function compileMeasure(node: MeasureNode): (r: ResourceView) => number {
  switch (node.kind) {
    case "num": {
      const v = node.value;
      return () => v;
    }
    case "path": {
      const path = node.path;
      if (path.length === 2 && path[0] === "details") {
        // Fast path for the common `details.<field>`; a non-number (or an inherited key) is NaN.
        const key = path[1];
        return (r) => {
          const d = r.snap.details;
          if (d === undefined) return NaN;
          const v = d[key];
          return typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : NaN;
        };
      }
      return (r) => {
        const v = resourceField(r, path);
        return typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : NaN;
      };
    }
    case "bin": {
      const l = compileMeasure(node.left);
      const rr = compileMeasure(node.right);
      switch (node.op) {
        case "+":
          return (r) => l(r) + rr(r);
        case "-":
          return (r) => l(r) - rr(r);
        case "*":
          return (r) => l(r) * rr(r);
        case "/":
          // A zero capacity gives no ratio rather than Infinity.
          return (r) => {
            const d = rr(r);
            return d === 0 ? NaN : l(r) / d;
          };
      }
    }
  }
}

export const compare = (op: Op, a: number, b: number): boolean => {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
};
