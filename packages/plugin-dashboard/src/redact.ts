/**
 * Keeps credentials off the page: values under keys named like secrets, the password part of URLs
 * (`postgres://app:pw@db`), secret query parameters and sensitive headers are replaced by
 * `[redacted]` before anything leaves the process. Also bounds depth and size, so a resource's
 * `details` can never ship a whole object graph to the browser.
 */

/** What replaces a redacted value. */
export const REDACTED = "[redacted]";

const SECRET_KEY = /pass(word|phrase|wd)?|secret|token|api[-_]?key|private[-_]?key|credential|auth(orization)?$|cookie|session[-_]?(key|id)|signature/i;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^/\s@]*)@/gi;
const URL_QUERY_SECRET = /([?&;](?:password|pass|pwd|token|access_token|auth|api_key|apikey|key|secret|sig|signature)=)[^&#\s]+/gi;
const AUTH_HEADER_VALUE = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]+/g;

const MAX_DEPTH = 4;
const MAX_KEYS = 40;
const MAX_ITEMS = 40;
const MAX_STRING = 2_000;

/** True when a key's name says its value is a secret. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/** Masks credentials inside a string (URL passwords, secret query parameters, auth header values). */
export function redactString(s: string): string {
  const out = s.replace(URL_USERINFO, `$1$2:${REDACTED}@`).replace(URL_QUERY_SECRET, `$1${REDACTED}`).replace(AUTH_HEADER_VALUE, `$1 ${REDACTED}`);
  return out.length > MAX_STRING ? out.slice(0, MAX_STRING) + "…" : out;
}

/**
 * A JSON-safe copy of `value` with secrets replaced by `[redacted]`, depth and size bounded.
 * Errors become `{ name, code?, message }`; functions, symbols and cycles are dropped.
 * @example
 *   redact({ url: "postgres://app:pw@db/x", password: "pw" })
 *   // { url: "postgres://app:[redacted]@db/x", password: "[redacted]" }
 */
export function redact(value: unknown): unknown {
  return walk(value, "", 0, new WeakSet());
}

function walk(value: unknown, key: string, depth: number, seen: WeakSet<object>): unknown {
  if (key !== "" && isSecretKey(key) && value != null && typeof value !== "boolean") return REDACTED;
  switch (typeof value) {
    case "string":
      return redactString(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
      return undefined;
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return "[circular]";
  if (depth >= MAX_DEPTH) return Array.isArray(obj) ? `[array(${obj.length})]` : "[object]";
  seen.add(obj);
  try {
    if (obj instanceof Error) {
      const e = obj as Error & { code?: unknown };
      const out: Record<string, unknown> = { name: e.name, message: redactString(e.message) };
      if (typeof e.code === "string") out.code = e.code;
      return out;
    }
    if (obj instanceof Date) return obj.toISOString();
    if (obj instanceof URL) return redactString(obj.href);
    if (obj instanceof Map) return walk(Object.fromEntries([...obj.entries()].slice(0, MAX_KEYS).map(([k, v]) => [String(k), v])), key, depth, seen);
    if (obj instanceof Set) return walk([...obj].slice(0, MAX_ITEMS), key, depth, seen);
    if (Array.isArray(obj)) {
      const out = obj.slice(0, MAX_ITEMS).map((v) => walk(v, "", depth + 1, seen));
      if (obj.length > MAX_ITEMS) out.push(`…${obj.length - MAX_ITEMS} more`);
      return out;
    }
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(obj)) {
      if (n++ >= MAX_KEYS) {
        out["…"] = "more keys";
        break;
      }
      const w = walk(v, k, depth + 1, seen);
      // defineProperty: a key named __proto__ stays a plain own property.
      if (w !== undefined) Object.defineProperty(out, k, { value: w, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}
