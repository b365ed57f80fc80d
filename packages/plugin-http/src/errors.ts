/**
 * Every error @custodian/plugin-http throws or fails a request with; each has a stable code.
 * Messages name the origin redacted, never with credentials.
 */
import { KernelError } from "@custodian/core";

/** Every error code of this plugin, keyed by itself. */
export const HttpErrorCodes = Object.freeze({
  ERR_HTTP_REQUEST_ABORTED: "ERR_HTTP_REQUEST_ABORTED",
  ERR_HTTP_AGENT_CLOSED: "ERR_HTTP_AGENT_CLOSED",
  ERR_HTTP_BREAKER_OPEN: "ERR_HTTP_BREAKER_OPEN",
  ERR_HTTP_ORIGIN_NOT_ALLOWED: "ERR_HTTP_ORIGIN_NOT_ALLOWED",
  ERR_HTTP_INVALID_SPEC: "ERR_HTTP_INVALID_SPEC",
  ERR_HTTP_LISTEN_FAILED: "ERR_HTTP_LISTEN_FAILED",
} as const);

export type HttpErrorCode = keyof typeof HttpErrorCodes;

/** A request was still pending when its agent was destroyed (forced phase of a release). */
export class HttpRequestAbortedError extends KernelError {
  readonly origin: string;
  constructor(origin: string, agent: string, options?: ErrorOptions) {
    super(
      "ERR_HTTP_REQUEST_ABORTED",
      `Request to ${origin} was aborted: http.agent ${agent} was destroyed before the request finished (its release budget ran out)`,
      options,
    );
    this.origin = origin;
  }
}

/** A request was dispatched through an agent whose release has started. */
export class HttpAgentClosedError extends KernelError {
  constructor(origin: string, agent: string) {
    super("ERR_HTTP_AGENT_CLOSED", `Cannot send a request to ${origin}: http.agent ${agent} is closing or closed. Send requests before releasing the agent.`);
  }
}

/** The circuit breaker of an origin is open: the request failed at once, without a connection. */
export class HttpBreakerOpenError extends KernelError {
  readonly origin: string;
  constructor(origin: string, state: string) {
    super(
      "ERR_HTTP_BREAKER_OPEN",
      `Circuit breaker for ${origin} is ${state}: the request failed fast without contacting the origin. It is retried after the breaker's resetTimeout.`,
    );
    this.origin = origin;
  }
}

/** The agent is restricted to its declared origins and the request named another. */
export class HttpOriginNotAllowedError extends KernelError {
  constructor(origin: string, agent: string, allowed: readonly string[]) {
    super(
      "ERR_HTTP_ORIGIN_NOT_ALLOWED",
      `http.agent ${agent} only serves ${allowed.join(", ")}; received a request for ${origin}. Add the origin to its "origin" list or use another agent.`,
    );
  }
}

/** A resource spec of http.agent / http.server / http.node-agent is invalid. */
export class HttpInvalidSpecError extends KernelError {
  constructor(subject: string, expected: string, received: unknown) {
    super("ERR_HTTP_INVALID_SPEC", `${subject} must be ${expected}; received ${JSON.stringify(received)}`);
  }
}

/** A server Custodian creates from `listen` could not listen. */
export class HttpListenFailedError extends KernelError {
  constructor(address: string, cause: unknown) {
    super("ERR_HTTP_LISTEN_FAILED", `http.server could not listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
