/**
 * Every error the dashboard throws: one code per failure, extending core's KernelError.
 */
import { KernelError } from "@custodian/core";

/** Every error code of @custodian/plugin-dashboard, keyed by itself. */
export const DashboardErrorCodes = Object.freeze({
  ERR_DASHBOARD_INVALID_OPTIONS: "ERR_DASHBOARD_INVALID_OPTIONS",
  ERR_DASHBOARD_REMOTE_BIND: "ERR_DASHBOARD_REMOTE_BIND",
  ERR_DASHBOARD_LISTEN: "ERR_DASHBOARD_LISTEN",
  ERR_DASHBOARD_ATTACH: "ERR_DASHBOARD_ATTACH",
} as const);

export type DashboardErrorCode = keyof typeof DashboardErrorCodes;

/** An option of the dashboard has the wrong type or range. */
export class DashboardOptionsError extends KernelError {
  constructor(option: string, expected: string, received: unknown) {
    super("ERR_DASHBOARD_INVALID_OPTIONS", `Dashboard option "${option}" must be ${expected}; received ${describe(received)}`);
  }
}

/** The dashboard was asked to bind a non-loopback interface without `allowRemote: true`. */
export class DashboardRemoteBindError extends KernelError {
  constructor(host: string) {
    super(
      "ERR_DASHBOARD_REMOTE_BIND",
      `Dashboard host "${host}" is not a loopback address; the dashboard shows what the process holds, so binding another interface needs allowRemote: true (and a token you keep secret)`,
    );
  }
}

/** The dashboard's HTTP server (or its attach socket) could not listen: port in use, address not available. */
export class DashboardListenError extends KernelError {
  constructor(address: string, cause: unknown, hint = "choose another port (0 picks a free one)") {
    super("ERR_DASHBOARD_LISTEN", `Dashboard could not listen on ${address}: ${cause instanceof Error ? cause.message : String(cause)}; ${hint}`, { cause });
  }
}

/** `attachDashboard` found no endpoint at the process, or the process answered an error. */
export class DashboardAttachError extends KernelError {
  constructor(
    target: string,
    reason: string,
    options?: ErrorOptions,
    hint = "The process must run listenForAttach(kernel) (dashboard plugin option attach: true).",
  ) {
    super("ERR_DASHBOARD_ATTACH", `Cannot attach to ${target}: ${reason}. ${hint}`, options);
  }
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (v === null || typeof v !== "object") return String(v);
  return Array.isArray(v) ? "an array" : "an object";
}
