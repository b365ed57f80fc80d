/**
 * The one place that decides what a secret looks like. Everything Custodian shows — `print-config`,
 * events, `snapshot()`, shutdown reports, alert payloads, metrics labels, the dashboard — passes
 * through `redactString` or `redactValue` first, so a credential pasted into a URL, a libpq string,
 * a header or a resource name is hidden the same way on every surface.
 *
 * Rules (docs/redaction.md has the table): a key is secret when its last word is a secret word
 * (`password`, `passwd`, `pass`, `pw`, `pwd`, `passphrase`, `auth`, `secret(s)`, `token`, `credential(s)`,
 * `authorization`, `cookie`, `bearer`, `jwt`, `signature`, `apikey`, `privatekey`) or its last two
 * words are a secret pair (`api key`, `private key`, `access key`, `secret key`, `session key|id`,
 * `client secret`, `auth token`); words split on case changes, `_`, `-`, `.` and spaces. A qualifier
 * after the secret word makes it a setting, not a secret: `passwordPolicy`, `tokenUrl`, `secretName`.
 * In text: URL userinfo (`u:pw@` keeps the user, a lone `token@` goes entirely; the password ends at
 * the last `@` before the path), `key=value` and `key: value` pairs with a secret key (libpq,
 * query strings, ADO.NET, env lines), `Bearer`/`Basic`/`Digest` credentials and header lines.
 */

/** What replaces a redacted value. */
export const REDACTED = "[redacted]";

/** Words that make a key secret when they end it. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pass",
  "pw",
  "pwd",
  "passphrase",
  "auth",
  "secret",
  "secrets",
  "token",
  "credential",
  "credentials",
  "authorization",
  "cookie",
  "bearer",
  "jwt",
  "signature",
  "apikey",
  "privatekey",
]);

/** Two-word endings that make a key secret. */
const SECRET_PAIRS = new Set(["api key", "private key", "access key", "secret key", "session key", "session id", "client secret", "auth token"]);

/** Run-together words ending like this are secret too (`PGPASSWORD`, `dbpassword`, `apitoken`). */
const SECRET_SUFFIX = /(password|passwd|secret|token)$/;

/** Query parameters that carry a credential although the name alone says little (`?key=`, `?sig=`). */
const QUERY_ONLY = new Set(["key", "sig", "code"]);

/** Splits `apiKey`, `API_KEY`, `x-api-key`, `APIKey` into lower-case words. */
const wordsOf = (key: string): string[] =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter((w) => w !== "");

/**
 * True when a key's name says its value is a secret (case-insensitive; camel, snake and kebab case).
 * @example isSecretKey("apiKey") && isSecretKey("Proxy-Authorization") && !isSecretKey("passwordPolicy") // true
 */
export function isSecretKey(key: string): boolean {
  // Memoized: snapshot() runs every describe() field name through here, and there are few names.
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    if (secretKeys.size >= SECRET_KEY_CACHE_SIZE) secretKeys.clear();
    secretKeys.set(key, (secret = judgeKey(key)));
  }
  return secret;
}

/** Key names already judged; bounded, so arbitrary keys (user data) cannot grow it without end. */
const secretKeys = new Map<string, boolean>();
const SECRET_KEY_CACHE_SIZE = 1024;

function judgeKey(key: string): boolean {
  const words = wordsOf(key);
  const last = words.at(-1);
  if (last === undefined) return false;
  if (SECRET_WORDS.has(last) || SECRET_SUFFIX.test(last)) return true;
  return words.length > 1 && SECRET_PAIRS.has(`${words.at(-2)} ${last}`);
}

/** URL userinfo: the greedy run stops at the last `@` before the path, so `p@ss` stays whole. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/"'`<>]+)@/gi;
/** `key=value` and `key: value`; the value may be quoted. The key must not follow `/` (URL paths). */
const KEY_VALUE = /(?<![\w/.-])(["']?)([A-Za-z_][\w.-]*)\1([ \t]*(?:=|:(?!\/\/))[ \t]*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&"'`<>)}\]]+)/g;
/** HTTP auth schemes followed by their credential. */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Negotiate)([ \t]+)[A-Za-z0-9._~+/=-]+/gi;
/** A header line whose whole value is secret, in any case (`Cookie: a=1; b=2`). */
const HEADER_LINE = /\b((?:proxy-)?authorization|cookie|set-cookie)([ \t]*:[ \t]*)[^\r\n]+/gi;
/** Cheap pre-check: text without any of these characters or words has nothing to hide. */
const MAYBE_SECRET = /[@=:]|bearer|basic|digest|negotiate/i;

/**
 * `text` with every credential it carries replaced by `[redacted]`.
 * @example redactString("postgres://app:p@ss@db/x password=KvSecret3 host=db")
 *   // "postgres://app:[redacted]@db/x password=[redacted] host=db"
 */
export function redactString(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(URL_USERINFO, (_m, scheme: string, info: string) => {
      const colon = info.indexOf(":");
      return colon < 0 ? `${scheme}${REDACTED}@` : `${scheme}${info.slice(0, colon)}:${REDACTED}@`;
    })
    .replace(HEADER_LINE, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`)
    .replace(AUTH_SCHEME, (m, scheme: string, gap: string, offset: number, whole: string) =>
      whole.startsWith(REDACTED, offset + scheme.length + gap.length) ? m : `${scheme}${gap}${REDACTED}`,
    )
    .replace(KEY_VALUE, (m, quote: string, key: string, sep: string, value: string, offset: number, whole: string) => {
      if (whole.startsWith(REDACTED, offset + m.length - value.length)) return m;
      const inQuery = offset > 0 && (whole[offset - 1] === "?" || whole[offset - 1] === "&");
      if (!isSecretKey(key) && !(inQuery && QUERY_ONLY.has(key.toLowerCase()))) return m;
      const q = value[0] === '"' || value[0] === "'" ? value[0] : "";
      return `${quote}${key}${quote}${sep}${q}${REDACTED}${q}`;
    });
}

/** Size bounds for `redactValue`; each defaults to no bound. */
export interface RedactLimits {
  /** Objects nested deeper are shown as "[object]" / "[array(n)]". */
  maxDepth?: number;
  /** Keys kept per object; the rest become `"…": "more keys"`. */
  maxKeys?: number;
  /** Items kept per array; a last item says how many were left out. */
  maxItems?: number;
  /** Strings longer than this are cut and end with "…". */
  maxString?: number;
}

/**
 * A JSON-safe copy of `value` with secrets replaced by `[redacted]`: values under secret keys
 * (`keyPath`'s last element is the key `value` sits under), and credentials inside strings.
 * Errors become `{ name, message, ...own fields }`, URLs and dates strings, Maps objects, Sets arrays;
 * functions and symbols are dropped, cycles become "[circular]". Booleans, null and "" under a secret
 * key stay: they say whether a secret is set without showing it.
 * @example redactValue({ url: "redis://:hunter2@cache", pw: "PwKeySecret5", passwordPolicy: "strict" })
 *   // { url: "redis://:[redacted]@cache", pw: "[redacted]", passwordPolicy: "strict" }
 */
export function redactValue(value: unknown, keyPath: readonly string[] = [], limits: RedactLimits = {}): unknown {
  return walk(value, keyPath.at(-1) ?? "", 0, [], limits);
}

/**
 * @internal `details` itself when it is a flat object with nothing to hide (finite numbers,
 * booleans, null and strings without credentials, under keys that are not secret), else
 * `redactValue(details)`. For hot surfaces like `snapshot()`, where describe() output is nearly
 * always flat numbers: scanning is cheaper than copying.
 */
export function redactFlat(details: unknown): unknown {
  if (typeof details !== "object" || details === null || Object.getPrototypeOf(details) !== Object.prototype) return redactValue(details);
  const obj = details as Record<string, unknown>;
  for (const k in obj) {
    const v = obj[k];
    switch (typeof v) {
      case "number":
        if (!Number.isFinite(v) || isSecretKey(k)) return redactValue(details);
        break;
      case "string":
        if ((v !== "" && isSecretKey(k)) || MAYBE_SECRET.test(v)) return redactValue(details);
        break;
      case "boolean":
        break;
      default:
        if (v !== null) return redactValue(details);
    }
  }
  return details;
}

/** Copies as a JSON-safe value; `stack` holds the objects being copied (cycle check: depth is small). */
function walk(value: unknown, key: string, depth: number, stack: object[], limits: RedactLimits): unknown {
  switch (typeof value) {
    case "string": {
      if (value !== "" && key !== "" && isSecretKey(key)) return REDACTED;
      const s = redactString(value);
      return limits.maxString !== undefined && s.length > limits.maxString ? s.slice(0, limits.maxString) + "…" : s;
    }
    case "number":
      if (key !== "" && isSecretKey(key)) return REDACTED;
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
    case "undefined":
      return value;
    case "bigint":
      return key !== "" && isSecretKey(key) ? REDACTED : value.toString();
    case "function":
    case "symbol":
      return key !== "" && isSecretKey(key) ? REDACTED : undefined;
  }
  if (value === null) return null;
  if (key !== "" && isSecretKey(key)) return REDACTED;
  const obj = value as object;
  if (stack.includes(obj)) return "[circular]";
  if (limits.maxDepth !== undefined && depth >= limits.maxDepth) return Array.isArray(obj) ? `[array(${obj.length})]` : "[object]";
  stack.push(obj);
  try {
    if (obj instanceof Error) {
      const out: Record<string, unknown> = { name: obj.name, message: redactString(obj.message) };
      // Own fields (code, status, errno, …) too, each redacted like any other value.
      for (const k of Object.keys(obj)) {
        const w = walk((obj as unknown as Record<string, unknown>)[k], k, depth + 1, stack, limits);
        if (w !== undefined && !(k in out)) Object.defineProperty(out, k, { value: w, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
    if (obj instanceof URL) return redactString(obj.href);
    if (obj instanceof Map) return walkObject(Object.fromEntries([...obj].map(([k, v]) => [String(k), v])), depth, stack, limits);
    if (obj instanceof Set) return walkArray([...obj], depth, stack, limits);
    if (Array.isArray(obj)) return walkArray(obj, depth, stack, limits);
    return walkObject(obj as Record<string, unknown>, depth, stack, limits);
  } finally {
    stack.pop();
  }
}

function walkArray(arr: readonly unknown[], depth: number, stack: object[], limits: RedactLimits): unknown[] {
  const n = Math.min(arr.length, limits.maxItems ?? Infinity);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = walk(arr[i], "", depth + 1, stack, limits);
  if (arr.length > n) out.push(`…${arr.length - n} more`);
  return out;
}

function walkObject(obj: Record<string, unknown>, depth: number, stack: object[], limits: RedactLimits): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(obj);
  const max = limits.maxKeys ?? Infinity;
  for (let i = 0; i < keys.length; i++) {
    if (i >= max) {
      out["…"] = "more keys";
      break;
    }
    const k = keys[i]!;
    const v = obj[k];
    const w = walk(v, k, depth + 1, stack, limits);
    // Functions and symbols go. defineProperty only for __proto__, so it stays a plain own property.
    if (w === undefined && v !== undefined) continue;
    if (k === "__proto__") Object.defineProperty(out, k, { value: w, enumerable: true, writable: true, configurable: true });
    else out[k] = w;
  }
  return out;
}

/**
 * A copy of an HTTP header set (object, `[name, value]` pairs, a flat raw array, or `Headers`) as a
 * plain object with lower-case names, secret values redacted and other values passed through
 * `redactString`.
 * @example redactHeaders({ Authorization: "Bearer x", Accept: "a/b" }) // { authorization: "[redacted]", accept: "a/b" }
 */
export function redactHeaders(headers: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const put = (name: string, value: unknown): void => {
    const key = name.toLowerCase();
    const v = isSecretKey(key) ? REDACTED : Array.isArray(value) ? value.map((x) => redactString(String(x))) : redactString(String(value));
    const prev = out[key];
    const next = prev === undefined ? v : ([] as string[]).concat(prev, v);
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true });
  };
  if (headers == null || typeof headers !== "object") return out;
  if (!Array.isArray(headers) && typeof (headers as Headers).forEach === "function" && typeof (headers as Headers).get === "function") {
    (headers as Headers).forEach((value, name) => put(name, value));
  } else if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, value] of headers as Array<[unknown, unknown]>) put(String(name), value);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) put(String(headers[i]), headers[i + 1]);
    }
  } else {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) put(name, value);
  }
  return out;
}
