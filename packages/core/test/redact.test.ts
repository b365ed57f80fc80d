import { describe, expect, it } from "vitest";
import { isSecretKey, REDACTED, redactHeaders, redactString, redactValue } from "../src/index.js";
import { redactFlat } from "../src/redact.js";

const R = REDACTED;

// [input, expected]: every shape of secret the issue measured, and look-alikes that must stay.
const strings: Array<[string, string]> = [
  // URLs with userinfo
  ["postgres://app:hunter2@db:5432/x", `postgres://app:${R}@db:5432/x`],
  ["http://ghp_UserOnlyToken7@api.example.com/repos", `http://${R}@api.example.com/repos`],
  ["postgres://u:p@ss@host/db", `postgres://u:${R}@host/db`],
  ["postgres://u:p@ss@w@rd@host:5432/db?sslmode=require", `postgres://u:${R}@host:5432/db?sslmode=require`],
  ["amqp://:only-pass@mq", `amqp://:${R}@mq`],
  ["redis://default:r3d!s#x@cache:6379/0", `redis://default:${R}@cache:6379/0`],
  ["pool for mysql://root:NameSecret1@db/app (primary)", `pool for mysql://root:${R}@db/app (primary)`],
  ['{"url":"https://u:pw@h/x","other":"a@b"}', `{"url":"https://u:${R}@h/x","other":"a@b"}`],
  // query strings
  ["https://api/x?user=a&token=abc123&page=2", `https://api/x?user=a&token=${R}&page=2`],
  ["https://maps/x?key=AIzaQuery9&sig=s1&q=1", `https://maps/x?key=${R}&sig=${R}&q=1`],
  ["https://h/cb?code=oauthCode1&state=s", `https://h/cb?code=${R}&state=s`],
  ["https://h/x?api_key=k&access_token=t", `https://h/x?api_key=${R}&access_token=${R}`],
  // libpq, ADO.NET, env lines
  ["password=KvSecret3 host=db user=app", `password=${R} host=db user=app`],
  ["host=db password='two words' port=5432", `host=db password='${R}' port=5432`],
  ["Server=db;User Id=app;Password=AdoSecret1;", `Server=db;User Id=app;Password=${R};`],
  ["PGPASSWORD=EnvLine2 psql", `PGPASSWORD=${R} psql`],
  ["MY_API_KEY=abc123", `MY_API_KEY=${R}`],
  // key: value text and JSON
  ["pw: PwKeySecret5", `pw: ${R}`],
  ['{"password":"JsonSecret6","user":"app"}', `{"password":"${R}","user":"app"}`],
  ["clientSecret: cs-1, clientId: id-1", `clientSecret: ${R}, clientId: id-1`],
  // headers and auth schemes, any case
  ["Authorization: Bearer eyJhbGciOi.payload.sig", `Authorization: ${R}`],
  ["proxy-authorization: Basic dXNlcjpwYXNz", `proxy-authorization: ${R}`],
  ["COOKIE: sid=CookieSecret8; theme=dark", `COOKIE: ${R}`],
  ["sent with bearer tok_12345 to the hook", `sent with bearer ${R} to the hook`],
  // must NOT change
  ["db", "db"],
  ["pool-primary", "pool-primary"],
  ["http://127.0.0.1:8080/metrics", "http://127.0.0.1:8080/metrics"],
  ["https://example.com/users/@me", "https://example.com/users/@me"],
  ["ops@example.com", "ops@example.com"],
  ["passwordPolicy: strict", "passwordPolicy: strict"],
  ["tokenUrl=https://auth.example/token", "tokenUrl=https://auth.example/token"],
  ["host=db port=5432 sslmode=require", "host=db port=5432 sslmode=require"],
  ["timeout: 5s, retries: 3", "timeout: 5s, retries: 3"],
  ["key=user:1", "key=user:1"],
  ["bypass=yes", "bypass=yes"],
];

const keys: Array<[string, boolean]> = [
  ["password", true],
  ["PASSWORD", true],
  ["passwd", true],
  ["pw", true],
  ["pwd", true],
  ["db_password", true],
  ["dbPassword", true],
  ["PGPASSWORD", true],
  ["secret", true],
  ["clientSecret", true],
  ["token", true],
  ["accessToken", true],
  ["refresh-token", true],
  ["apiKey", true],
  ["api_key", true],
  ["API-KEY", true],
  ["x-api-key", true],
  ["APIKey", true],
  ["apikey", true],
  ["credentials", true],
  ["private_key", true],
  ["privateKey", true],
  ["secretAccessKey", true],
  ["Authorization", true],
  ["proxy-authorization", true],
  ["Cookie", true],
  ["set-cookie", true],
  ["auth", true],
  // look-alikes that are settings, not secrets
  ["passwordPolicy", false],
  ["password_file", false],
  ["tokenUrl", false],
  ["maxTokens", false],
  ["tokenizer", false],
  ["secretName", false],
  ["accessKeyId", false],
  ["author", false],
  ["bypass", false],
  ["key", false],
  ["cookieName", false],
  ["keepAlive", false],
  ["", false],
];

describe("redactString", () => {
  it.each(strings)("%s", (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });
});

describe("isSecretKey", () => {
  it.each(keys)("%s → %s", (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });
});

describe("redactValue", () => {
  it("hides values under secret keys at any depth, in any case, and keeps settings, booleans and empty strings", () => {
    const input = {
      resources: {
        db: { type: "pool", url: "postgres://u:p@ss@h/x", pw: "PwKeySecret5", passwordPolicy: "strict", Password: 123456 },
        api: { headers: { AUTHORIZATION: "Bearer t0k", accept: "json" }, credentials: { user: "a", key: "CredKey9" } },
      },
      tls: { private_key: "-----BEGIN", requirePassword: true, secret: "", token: null },
      list: ["redis://:RedisPw1@c", { apiKey: "K1" }],
    };
    expect(redactValue(input)).toEqual({
      resources: {
        db: { type: "pool", url: `postgres://u:${R}@h/x`, pw: R, passwordPolicy: "strict", Password: R },
        api: { headers: { AUTHORIZATION: R, accept: "json" }, credentials: R },
      },
      tls: { private_key: R, requirePassword: true, secret: "", token: null },
      list: [`redis://:${R}@c`, { apiKey: R }],
    });
  });

  it("takes the key a value sits under from keyPath", () => {
    expect(redactValue("Plain1", ["resources", "db", "password"])).toBe(R);
    expect(redactValue("Plain1", ["resources", "db", "host"])).toBe("Plain1");
  });

  it("turns errors (with their own fields), URLs, Maps, Sets and cycles into JSON-safe redacted values; a __proto__ key stays an own property", () => {
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    const withProto = JSON.parse('{"__proto__": {"token": "ProtoTok"}}') as unknown;
    const out = redactValue({
      e: Object.assign(new Error("connect postgres://u:ErrPw@h failed"), { code: "ECONNREFUSED", status: 503, password: "ErrField" }),
      u: new URL("https://user:UrlPw@h/x"),
      m: new Map([["token", "MapTok"]]),
      s: new Set(["password=SetPw"]),
      cyclic,
      withProto,
      f: () => 1,
    });
    expect(out).toEqual({
      e: { name: "Error", code: "ECONNREFUSED", status: 503, password: R, message: `connect postgres://u:${R}@h failed` },
      u: `https://user:${R}@h/x`,
      m: { token: R },
      s: [`password=${R}`],
      cyclic: { name: "c", self: "[circular]" },
      withProto: JSON.parse(`{"__proto__": {"token": "${R}"}}`),
    });
    expect(JSON.stringify(out)).not.toMatch(/ErrPw|ErrField|UrlPw|MapTok|SetPw|ProtoTok/);
  });

  it("bounds depth, keys, items and string length when asked", () => {
    const out = redactValue({ a: { b: { c: 1 } }, list: [1, 2, 3], s: "x".repeat(10) }, [], { maxDepth: 2, maxItems: 2, maxString: 4 });
    expect(out).toEqual({ a: { b: "[object]" }, list: [1, 2, "…1 more"], s: "xxxx…" });
  });
});

describe("redactHeaders", () => {
  it("hides Authorization, Proxy-Authorization, Cookie and API key headers in any shape and case", () => {
    expect(redactHeaders({ Authorization: "Bearer x", accept: "a/b" })).toEqual({ authorization: R, accept: "a/b" });
    expect(redactHeaders(["COOKIE", "c=1", "x-trace", "t"])).toEqual({ cookie: R, "x-trace": "t" });
    expect(redactHeaders([["X-Api-Key", "k"]])).toEqual({ "x-api-key": R });
    expect(redactHeaders(new Headers({ "proxy-authorization": "p", a: "1" }))).toEqual({ "proxy-authorization": R, a: "1" });
    expect(redactHeaders({ referer: "https://u:RefPw@h/" })).toEqual({ referer: `https://u:${R}@h/` });
  });
});

describe("redactFlat (snapshot's describe() details)", () => {
  it("returns flat details with nothing to hide as they are, without a copy", () => {
    const clean = { size: 5, borrowed: 3, open: true, last: null, host: "db.internal" };
    expect(redactFlat(clean)).toBe(clean);
  });

  it("copies and redacts when a key is secret, a string carries a credential, or a value is nested", () => {
    expect(redactFlat({ size: 1, token: "abc" })).toEqual({ size: 1, token: REDACTED });
    expect(redactFlat({ apiKey: 1234 })).toEqual({ apiKey: REDACTED });
    expect(redactFlat({ origin: "http://u:KvSecret3@db" })).toEqual({ origin: `http://u:${REDACTED}@db` });
    const nested = { pool: { password: "x" } };
    expect(redactFlat(nested)).toEqual({ pool: { password: REDACTED } });
    expect(redactFlat({ n: Number.NaN })).toEqual({ n: "NaN" });
  });
});
