import { describe, expect, it } from "vitest";
import { isKernelError } from "@custodian/core";
import {
  HttpAgentClosedError,
  HttpBreakerOpenError,
  HttpInvalidSpecError,
  HttpListenFailedError,
  HttpOriginNotAllowedError,
  HttpRequestAbortedError,
} from "../src/index.js";

describe("plugin-http error codes", () => {
  it("each class carries its code and is a KernelError", () => {
    const cases: Array<[Error, string]> = [
      [new HttpRequestAbortedError("http://h", '"api"'), "ERR_HTTP_REQUEST_ABORTED"],
      [new HttpAgentClosedError("http://h", '"api"'), "ERR_HTTP_AGENT_CLOSED"],
      [new HttpBreakerOpenError("http://h", "open"), "ERR_HTTP_BREAKER_OPEN"],
      [new HttpOriginNotAllowedError("http://h", '"api"', ["http://a"]), "ERR_HTTP_ORIGIN_NOT_ALLOWED"],
      [new HttpInvalidSpecError("resources.api.connections", "an integer >= 1", 0), "ERR_HTTP_INVALID_SPEC"],
      [new HttpListenFailedError("127.0.0.1:80", new Error("EACCES")), "ERR_HTTP_LISTEN_FAILED"],
    ];
    for (const [error, code] of cases) expect(isKernelError(error, code)).toBe(true);
  });

  it("messages name the subject, expectation and fix", () => {
    expect(new HttpRequestAbortedError("http://h:1", '"api"').message).toBe(
      'Request to http://h:1 was aborted: http.agent "api" was destroyed before the request finished (its release budget ran out)',
    );
    expect(new HttpInvalidSpecError("resources.api.connections", "an integer >= 1", 0).message).toBe(
      "resources.api.connections must be an integer >= 1; received 0",
    );
  });
});
