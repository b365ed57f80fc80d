import { describe, expect, it } from "vitest";
import { redactHeaders, redactOrigin, redactUrl } from "../src/index.js";

describe("redaction", () => {
  it("removes userinfo and sensitive query values from URLs", () => {
    expect(redactUrl("https://user:pa55@api.example.com/v1?token=abc&q=1&api_key=k")).toBe("https://***@api.example.com/v1?token=***&q=1&api_key=***");
    expect(redactUrl("http://h.example/x?page=2")).toBe("http://h.example/x?page=2");
    expect(redactUrl("not a url with secret")).toBe("***");
    expect(redactOrigin("http://a:b@127.0.0.1:8080")).toBe("http://***@127.0.0.1:8080");
  });

  it("replaces sensitive header values in every header shape", () => {
    expect(redactHeaders({ Authorization: "Bearer x", accept: "a/b" })).toEqual({ authorization: "***", accept: "a/b" });
    expect(redactHeaders(["cookie", "c=1", "x-trace", "t"])).toEqual({ cookie: "***", "x-trace": "t" });
    expect(redactHeaders([["X-Api-Key", "k"]])).toEqual({ "x-api-key": "***" });
    expect(redactHeaders(new Headers({ "proxy-authorization": "p", a: "1" }))).toEqual({ "proxy-authorization": "***", a: "1" });
  });
});
