/**
 * Alert templates: the subset of Go's text/template that Prometheus alert rules use, rendered
 * exactly as Prometheus renders it. `{{ $value }}`, `{{ $labels.name }}` (also `.Value`,
 * `.Labels.name`), Custodian's rule values (`{{ $oldestAge }}`), string and number literals,
 * pipelines (`{{ $value | humanizePercentage }}`) and the functions `humanize`, `humanize1024`,
 * `humanizeDuration`, `humanizePercentage`, `printf`, `toUpper`, `toLower`, `title`. Anything else
 * is refused when the rule is compiled, so a rule never ships literal template text.
 */
import { formatExp, formatFixed, formatFloat, formatG } from "./goFormat.js";

/** What a template reads: the alert's group labels, its value, and rule-specific values. */
export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly vars?: Readonly<Record<string, string>>;
}

type Val = number | string;
type Term = { kind: "lit"; value: Val } | { kind: "value" } | { kind: "label"; name: string } | { kind: "var"; name: string };
interface Command {
  fn?: string;
  args: Term[];
}
type Part = string | Command[];

/** A compiled template: render it with an alert's data. */
export type Template = (data: TemplateData) => string;

/** Thrown by compileTemplate for text it cannot render as Prometheus would. */
export class TemplateSyntaxError extends Error {}

const SI = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
const SI_SMALL = ["m", "u", "n", "p", "f", "a", "z", "y"];
const IEC = ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];

function toFloat(v: Val): number {
  if (typeof v === "number") return v;
  const n = Number(v.trim());
  if (v.trim() === "" || Number.isNaN(n)) throw new TemplateSyntaxError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  return n;
}

const g4 = (v: number): string => formatG(v, 4);

function scaleSmall(v: number, unit: string): string {
  let prefix = "";
  for (const p of SI_SMALL) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${g4(v)}${prefix}${unit}`;
}

/** Prometheus's template functions (template/template.go), same formats. */
const FUNCS: Record<string, (args: Val[]) => Val> = {
  humanize([a]) {
    let v = toFloat(a);
    if (v === 0 || !Number.isFinite(v)) return g4(v);
    if (Math.abs(v) >= 1) {
      let prefix = "";
      for (const p of SI) {
        if (Math.abs(v) < 1000) break;
        prefix = p;
        v /= 1000;
      }
      return `${g4(v)}${prefix}`;
    }
    return scaleSmall(v, "");
  },
  humanize1024([a]) {
    let v = toFloat(a);
    if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
    let prefix = "";
    for (const p of IEC) {
      if (Math.abs(v) < 1024) break;
      prefix = p;
      v /= 1024;
    }
    return `${g4(v)}${prefix}`;
  },
  humanizeDuration([a]) {
    let v = toFloat(a);
    if (!Number.isFinite(v)) return g4(v);
    if (v === 0) return `${g4(v)}s`;
    if (Math.abs(v) >= 1) {
      const sign = v < 0 ? "-" : "";
      v = Math.abs(v);
      const duration = Math.trunc(v);
      const seconds = duration % 60;
      const minutes = Math.trunc(duration / 60) % 60;
      const hours = Math.trunc(duration / 3600) % 24;
      const days = Math.trunc(duration / 86400);
      if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
      if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
      if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
      return `${sign}${g4(v)}s`;
    }
    return scaleSmall(v, "s");
  },
  humanizePercentage([a]) {
    return `${g4(toFloat(a) * 100)}%`;
  },
  toUpper: ([a]) => String(a).toUpperCase(),
  toLower: ([a]) => String(a).toLowerCase(),
  title: ([a]) => String(a).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
  printf: ([format, ...args]) => sprintf(String(format), args),
};

const ARITY: Record<string, number> = { printf: -1 };

/** Go's fmt.Sprintf for the verbs alert templates use: %s %v %d %f %e %g %q %x %%, flags, width, precision. */
export function sprintf(format: string, args: Val[]): string {
  let i = 0;
  return format.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g,
    (_whole, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
      if (verb === "%") return "%";
      if (i >= args.length) return `%!${verb}(MISSING)`;
      const a = args[i++];
      const prec = precision === undefined ? undefined : precision === "" ? 0 : Number(precision);
      let out: string;
      switch (verb) {
        case "v":
        case "s":
          out = typeof a === "number" ? (verb === "s" ? `%!s(float64=${formatFloat(a)})` : formatFloat(a)) : a;
          if (prec !== undefined && typeof a === "string") out = out.slice(0, prec);
          break;
        case "q":
          out = JSON.stringify(String(a));
          break;
        case "d":
          out = typeof a === "number" && Number.isInteger(a) ? String(a) : `%!d(${typeof a === "number" ? `float64=${formatFloat(a)}` : `string=${a}`})`;
          break;
        case "f":
        case "F":
          out = typeof a === "number" ? formatFixed(a, prec ?? 6) : `%!f(string=${a})`;
          break;
        case "e":
        case "E":
          out = typeof a === "number" ? formatExp(a, prec ?? 6, verb === "E") : `%!e(string=${a})`;
          break;
        case "g":
          out = typeof a === "number" ? formatG(a, prec ?? -1) : `%!g(string=${a})`;
          break;
        default:
          throw new TemplateSyntaxError(`printf verb %${verb} is not supported (use %s %v %d %f %e %g %q)`);
      }
      if (typeof a === "number" && flags.includes("+") && !out.startsWith("-") && /[dfeEgv]/.test(verb)) out = `+${out}`;
      const w = width === undefined ? 0 : Number(width);
      if (out.length < w) {
        if (flags.includes("-")) out = out.padEnd(w);
        else if (flags.includes("0") && typeof a === "number") {
          const neg = /^[-+]/.test(out) ? out[0] : "";
          out = neg + out.slice(neg.length).padStart(w - neg.length, "0");
        } else out = out.padStart(w);
      }
      return out;
    },
  );
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|(\$\w*(?:\.\w+)?|\.\w+(?:\.\w+)?)|(\|)|([A-Za-z_]\w*))/y;

function parseAction(src: string, vars: ReadonlySet<string>): Command[] {
  const commands: Command[] = [];
  let cur: Command = { args: [] };
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (m === null) throw new TemplateSyntaxError(`cannot read ${JSON.stringify(src.slice(pos).trim())}`);
    pos = TOKEN.lastIndex;
    const [, dq, raw, num, ref, pipe, ident] = m;
    if (pipe !== undefined) {
      if (cur.fn === undefined && cur.args.length === 0) throw new TemplateSyntaxError("missing command before |");
      commands.push(cur);
      cur = { args: [] };
    } else if (dq !== undefined) cur.args.push({ kind: "lit", value: JSON.parse(dq) as string });
    else if (raw !== undefined) cur.args.push({ kind: "lit", value: raw.slice(1, -1) });
    else if (num !== undefined) cur.args.push({ kind: "lit", value: Number(num) });
    else if (ref !== undefined) cur.args.push(reference(ref, vars));
    else if (ident !== undefined) {
      if (!Object.hasOwn(FUNCS, ident)) throw new TemplateSyntaxError(`function "${ident}" is not supported (supported: ${Object.keys(FUNCS).join(", ")})`);
      if (cur.fn !== undefined || cur.args.length > 0) throw new TemplateSyntaxError(`"${ident}" must start a command`);
      cur.fn = ident;
    }
  }
  if (cur.fn === undefined && cur.args.length === 0) throw new TemplateSyntaxError("empty command");
  commands.push(cur);
  for (const [i, c] of commands.entries()) {
    if (c.fn === undefined && (c.args.length !== 1 || i > 0))
      throw new TemplateSyntaxError("a command without a function takes one operand and cannot follow |");
    const n = c.args.length + (i > 0 ? 1 : 0);
    if (c.fn !== undefined && (ARITY[c.fn] ?? 1) !== -1 && n !== (ARITY[c.fn] ?? 1)) throw new TemplateSyntaxError(`${c.fn} takes one argument, got ${n}`);
    if (c.fn === "printf" && n === 0) throw new TemplateSyntaxError("printf needs a format");
  }
  return commands;
}

function reference(ref: string, vars: ReadonlySet<string>): Term {
  if (ref === "$value" || ref === ".Value") return { kind: "value" };
  const label = /^(?:\$labels|\.Labels)\.(\w+)$/.exec(ref);
  if (label !== null) return { kind: "label", name: label[1] };
  const v = /^\$(\w+)$/.exec(ref);
  if (v !== null && vars.has(v[1])) return { kind: "var", name: v[1] };
  throw new TemplateSyntaxError(`${ref} is not defined (use $value, $labels.<name>${vars.size > 0 ? `, ${[...vars].map((x) => `$${x}`).join(", ")}` : ""})`);
}

function evalTerm(t: Term, data: TemplateData): Val {
  switch (t.kind) {
    case "lit":
      return t.value;
    case "value":
      return data.value;
    case "label":
      return data.labels[t.name] ?? "";
    case "var":
      return data.vars?.[t.name] ?? "";
  }
}

const show = (v: Val): string => (typeof v === "number" ? formatFloat(v) : v);

/**
 * Compiles template text; `vars` names the rule-specific values it may use.
 * @throws TemplateSyntaxError for syntax or functions Prometheus would not render the same way.
 */
export function compileTemplate(text: string, vars: ReadonlySet<string> = new Set()): Template {
  if (!text.includes("{{")) return () => text;
  const parts: Part[] = [];
  const re = /\{\{(-?)([\s\S]*?)(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let lit = text.slice(last, m.index);
    if (trimNext) lit = lit.replace(/^\s+/, "");
    if (m[1] === "-" && /^\s/.test(m[2])) lit = lit.replace(/\s+$/, "");
    if (lit !== "") parts.push(lit);
    trimNext = m[3] === "-" && /\s$/.test(m[2]);
    const body = m[2].trim();
    if (body.startsWith("/*") && body.endsWith("*/")) {
      last = re.lastIndex;
      continue;
    }
    parts.push(parseAction(body, vars));
    last = re.lastIndex;
  }
  let tail = text.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, "");
  if (tail.includes("{{") || tail.includes("}}")) throw new TemplateSyntaxError("unclosed action");
  if (tail !== "") parts.push(tail);
  return (data) => {
    let out = "";
    for (const p of parts) {
      if (typeof p === "string") {
        out += p;
        continue;
      }
      let acc: Val | undefined;
      for (const c of p) {
        const args = c.args.map((t) => evalTerm(t, data));
        if (acc !== undefined) args.push(acc);
        acc = c.fn === undefined ? args[0] : FUNCS[c.fn](args);
      }
      out += show(acc as Val);
    }
    return out;
  };
}
