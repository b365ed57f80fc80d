import { isKernelError, KernelError } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { DashboardListenError, DashboardOptionsError, DashboardRemoteBindError } from "../src/index.js";

describe("dashboard error codes", () => {
  it("messages name the subject, what was expected and how to fix it", () => {
    const remote = new DashboardRemoteBindError("0.0.0.0");
    expect(isKernelError(remote, "ERR_DASHBOARD_REMOTE_BIND")).toBe(true);
    expect(remote).toBeInstanceOf(KernelError);
    expect(remote.message).toBe(
      'Dashboard host "0.0.0.0" is not a loopback address; the dashboard shows what the process holds, so binding another interface needs allowRemote: true (and a token you keep secret)',
    );
    expect(new DashboardOptionsError("port", "an integer from 0 to 65535", 70000).message).toBe(
      'Dashboard option "port" must be an integer from 0 to 65535; received 70000',
    );
    const cause = new Error("listen EADDRINUSE: address already in use 127.0.0.1:80");
    const listen = new DashboardListenError("127.0.0.1:80", cause);
    expect(listen.cause).toBe(cause);
    expect(listen.message).toContain("choose another port (0 picks a free one)");
  });
});
