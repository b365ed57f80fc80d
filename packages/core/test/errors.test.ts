import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CoreErrorCodes, DeadlineExceededError, isKernelError, KernelClosedError, KernelError, ReleaseAbandonedError } from "../src/index.js";

const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

describe("error codes", () => {
  it("every code is unique, equals its key, follows ERR_<AREA>_<PROBLEM>, and is documented", () => {
    const values = Object.values(CoreErrorCodes);
    expect(new Set(values).size).toBe(values.length);
    for (const [key, code] of Object.entries(CoreErrorCodes)) {
      expect(code).toBe(key);
      expect(code).toMatch(/^ERR_[A-Z]+_[A-Z_]+$/);
      expect(docs).toContain(`### ${code}\n`);
    }
  });

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
  });
});
