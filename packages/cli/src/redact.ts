/**
 * Redacts values that look like secrets before a config is printed: values under keys named like
 * passwords, tokens, keys or credentials, and the password part of URLs (`postgres://u:pw@host`).
 */

/** What replaces a redacted value. */
export const REDACTED = "[redacted]";

const SECRET_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|private[-_]?key|credential|auth(orization)?$|cookie|session[-_]?key/i;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;
const URL_QUERY_SECRET = /([?&](?:password|pass|pwd|token|access_token|api_key|apikey|secret|sig|signature)=)[^&#\s]+/gi;

/** True when a key's name says its value is a secret. */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/** Masks credentials inside a string (URL passwords and secret query parameters). */
export const redactString = (s: string): string => s.replace(URL_USERINFO, `$1$2:${REDACTED}@`).replace(URL_QUERY_SECRET, `$1${REDACTED}`);

/**
 * A copy of `value` with secrets replaced by `[redacted]`.
 * @example
 *   redactSecrets({ url: "postgres://app:pw@db/x", password: "pw" })
 *   // { url: "postgres://app:[redacted]@db/x", password: "[redacted]" }
 */
export function redactSecrets(value: unknown, key = ""): unknown {
  if (key !== "" && isSecretKey(key) && value !== null && typeof value !== "object" && typeof value !== "boolean") return REDACTED;
  if (typeof value === "string") return redactString(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: redactSecrets(v, k), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}
