/**
 * Redaction of credentials before anything about a request leaves the plugin: URLs lose their
 * userinfo and sensitive query values, header maps lose their secret values.
 */

const REDACTED = "***";

/** Query parameter names whose values are replaced (compared lower-case, substring match). */
const SENSITIVE_PARAM = /(token|secret|passw|pwd|key|signature|sig|auth|session|credential|code)/i;

/** Header names whose values are replaced (lower-case). */
const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-auth-token",
  "x-amz-security-token",
  "x-csrf-token",
]);

/**
 * Returns `url` without credentials: `user:pass@` becomes `***@` and the values of sensitive query
 * parameters become `***`. Unparseable input is cut to its scheme and host, or fully redacted.
 * @example redactUrl("https://u:p@h.example/a?token=x&q=1") // "https://***@h.example/a?token=***&q=1"
 */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return REDACTED;
  }
  const hadUser = u.username !== "" || u.password !== "";
  u.username = "";
  u.password = "";
  let redactedQuery = false;
  for (const name of [...new Set(u.searchParams.keys())]) {
    if (SENSITIVE_PARAM.test(name)) {
      u.searchParams.set(name, REDACTED);
      redactedQuery = true;
    }
  }
  let out = u.toString();
  if (redactedQuery) out = out.replaceAll(encodeURIComponent(REDACTED), REDACTED);
  if (hadUser) out = out.replace("//", `//${REDACTED}@`);
  return out;
}

/** Redacts an origin (`scheme://host:port`, possibly with userinfo). */
export function redactOrigin(origin: string | URL): string {
  const s = redactUrl(origin);
  return s.endsWith("/") && !String(origin).endsWith("/") ? s.slice(0, -1) : s;
}

/** True for header names whose values must never be emitted. */
export const isSensitiveHeader = (name: string): boolean => SENSITIVE_HEADERS.has(name.toLowerCase());

/**
 * Returns a copy of `headers` (object, array of pairs, flat raw array, or Headers) as a plain object
 * with sensitive values replaced by `***`.
 */
export function redactHeaders(headers: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const put = (name: string, value: unknown): void => {
    const key = name.toLowerCase();
    const v = isSensitiveHeader(key) ? REDACTED : Array.isArray(value) ? value.map(String) : String(value);
    const prev = out[key];
    out[key] = prev === undefined ? v : ([] as string[]).concat(prev, v);
  };
  if (headers == null) return out;
  if (typeof (headers as Headers).forEach === "function" && !Array.isArray(headers)) {
    (headers as Headers).forEach((value, name) => put(name, value));
  } else if (Array.isArray(headers)) {
    if (headers.length > 0 && Array.isArray(headers[0])) {
      for (const [name, value] of headers as Array<[unknown, unknown]>) put(String(name), value);
    } else {
      for (let i = 0; i + 1 < headers.length; i += 2) put(String(headers[i]), headers[i + 1]);
    }
  } else if (typeof headers === "object") {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) if (value !== undefined) put(name, value);
  }
  return out;
}
