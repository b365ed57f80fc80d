import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED, redact, redactString } from "../src/index.js";

describe("redact", () => {
  it("masks URL passwords, secret query parameters and auth header values inside strings", () => {
    expect(redactString("postgres://app:hunter2@db:5432/x")).toBe(`postgres://app:${REDACTED}@db:5432/x`);
    expect(redactString("amqp://:only-pass@mq")).toBe(`amqp://:${REDACTED}@mq`);
    expect(redactString("https://api/x?user=a&token=abc123&page=2")).toBe(`https://api/x?user=a&token=${REDACTED}&page=2`);
    expect(redactString("Authorization: Bearer eyJhbGciOi.x.y")).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString("http://example.com/path@not-userinfo")).toBe("http://example.com/path@not-userinfo");
  });

  it("masks values under secret-looking keys at any depth, but keeps booleans and structure", () => {
    const out = redact({
      url: "redis://u:pw@cache",
      password: "pw",
      nested: { headers: { authorization: "Basic dTpw", cookie: "sid=1", accept: "json" }, apiKey: 42, tls: { passphrase: "x" } },
      auth: true,
      list: ["mysql://root:toor@db"],
    });
    expect(out).toEqual({
      url: `redis://u:${REDACTED}@cache`,
      password: REDACTED,
      nested: { headers: { authorization: REDACTED, cookie: REDACTED, accept: "json" }, apiKey: REDACTED, tls: { passphrase: REDACTED } },
      auth: true,
      list: [`mysql://root:${REDACTED}@db`],
    });
    expect(isSecretKey("sessionId")).toBe(true);
    expect(isSecretKey("borrowed")).toBe(false);
  });

  it("is JSON-safe: errors, URLs, Maps, cycles, bigints, functions, and bounded depth", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const err = Object.assign(new Error("connect to postgres://a:b@h failed"), { code: "ECONNREFUSED" });
    const out = redact({
      err,
      url: new URL("https://u:p@host/x"),
      map: new Map([["k", 1]]),
      cyclic,
      big: 10n,
      fn: () => 1,
      deep: { a: { b: { c: { d: { e: 1 } } } } },
    }) as Record<string, unknown>;
    expect(out.err).toEqual({ name: "Error", message: `connect to postgres://a:${REDACTED}@h failed`, code: "ECONNREFUSED" });
    expect(out.url).toBe(`https://u:${REDACTED}@host/x`);
    expect(out.map).toEqual({ k: 1 });
    expect(out.cyclic).toEqual({ a: 1, self: "[circular]" });
    expect(out.big).toBe("10");
    expect("fn" in out).toBe(false);
    expect(out.deep).toEqual({ a: { b: { c: "[object]" } } });
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  it("keeps a __proto__ key a plain own property and caps big arrays", () => {
    const out = redact(JSON.parse('{"__proto__": {"polluted": true}, "items": [' + Array.from({ length: 50 }, (_, i) => i).join(",") + "]}")) as Record<
      string,
      unknown
    >;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect((out.items as unknown[]).length).toBe(41);
    expect((out.items as unknown[])[40]).toBe("…10 more");
  });
});
