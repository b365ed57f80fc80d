import { describe, expect, it } from "vitest";
import { isKernelError } from "@custodian/core";
import * as api from "@custodian/plugin-pool";
import {
  BreakerInvalidOptionError,
  BreakerOpenError,
  PoolAcquireTimeoutError,
  PoolCallTimeoutError,
  PoolClosedError,
  PoolDriverMissingError,
  PoolErrorCodes,
  QueueInvalidOptionError,
} from "@custodian/plugin-pool";

describe("plugin-pool error codes", () => {
  it("every exported error class has a code from PoolErrorCodes and is a KernelError", () => {
    const classes = Object.entries(api).filter(([name, v]) => typeof v === "function" && name.endsWith("Error"));
    expect(classes.length).toBeGreaterThanOrEqual(14);
    const codes = new Set<string>(Object.values(PoolErrorCodes));
    for (const [name, Cls] of classes) {
      const args = name === "PoolFactoryUnknownError" ? ["x", []] : ["x", 1, undefined];
      const e = Reflect.construct(Cls as new (...a: unknown[]) => Error, args) as Error & { code: string };
      expect(isKernelError(e), name).toBe(true);
      expect(codes.has(e.code), `${name} -> ${e.code}`).toBe(true);
    }
  });

  it("messages name the subject and how to fix it; a timeout never says unknown reason", () => {
    expect(new BreakerInvalidOptionError('Breaker "api"', "failureRate", "a number in [0, 1]", 2).message).toBe(
      'Breaker "api": option "failureRate" must be a number in [0, 1]; received 2',
    );
    expect(new QueueInvalidOptionError('WorkQueue "jobs"', "concurrency", "an integer >= 1", 0).code).toBe("ERR_QUEUE_INVALID_OPTION");
    expect(new PoolDriverMissingError("pg", "pg", "it could not be loaded").message).toBe(
      'The "pg" pool factory needs the "pg" package: it could not be loaded. Install it with npm install pg.',
    );
    expect(new PoolClosedError("db").message).toBe('Pool "db" is closed; acquire() is rejected after close(). Create a new pool or acquire before closing.');
    const stats = { name: "db", size: 10, idle: 0, borrowed: 10, pending: 3, creating: 0, min: 0, max: 10 };
    const e = new PoolAcquireTimeoutError(stats, 30_000, undefined);
    expect(e.message).toContain("no create error was seen");
    expect(e.message).toContain("borrowed=10");
    expect(e.message).not.toMatch(/unknown reason/i);
    expect(new PoolCallTimeoutError("db", "validate", 200).message).toBe(
      'Pool "db": validate() did not settle within 200ms (validateTimeoutMs); its signal was aborted and the resource counts as invalid. Make validate() honour ctx.signal or raise validateTimeoutMs.',
    );
    expect(new BreakerOpenError("api", 0, undefined, { trialsInFlight: 1, halfOpenMaxCalls: 1 }).message).toBe(
      'Circuit breaker "api" is half-open and its trial slots are taken (1 of halfOpenMaxCalls=1 in flight); calls fail fast until a trial succeeds (it closes) or fails (it re-opens)',
    );
  });
});
