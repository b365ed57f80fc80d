import { describe, expect, it } from "vitest";
import { DeadlineExceededError, isKernelError, KernelClosedError, KernelError, ReleaseAbandonedError, ReleaseLateError } from "../src/index.js";

describe("error codes", () => {
  it("isKernelError matches by symbol and code, across subclasses", () => {
    const e = new KernelClosedError("acquire");
    expect(isKernelError(e)).toBe(true);
    expect(isKernelError(e, "ERR_KERNEL_CLOSED")).toBe(true);
    expect(isKernelError(e, "ERR_DEADLINE_EXCEEDED")).toBe(false);
    expect(isKernelError(new Error("x"))).toBe(false);
    expect(isKernelError({ code: "ERR_KERNEL_CLOSED" })).toBe(false);
    expect(e).toBeInstanceOf(KernelError);
    expect(e.name).toBe("KernelClosedError");
  });

  it("messages name the subject, what happened and how to fix it", () => {
    expect(new KernelClosedError("acquire").message).toBe(
      "Cannot acquire: the kernel is shutting down or closed. Acquire resources before calling shutdown().",
    );
    expect(new DeadlineExceededError('Releasing Resource "db" (pool, r1)', 250).message).toBe(
      'Releasing Resource "db" (pool, r1) did not finish within its budget of 250ms',
    );
    const cause = new Error("inner");
    expect(new ReleaseAbandonedError("Resource r2 (t)", { cause }).cause).toBe(cause);
    expect(new ReleaseLateError('Resource "db" (pool, r1)', 200, 1_500).message).toBe(
      'Resource "db" (pool, r1) settled 1500ms after its release started, past its budget of 200ms, so it is not reported released; make release() honour ctx.signal and not block the event loop, or raise its timeoutMs',
    );
  });
});
