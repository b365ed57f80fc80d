/**
 * Every lifecycle hook of the kernel, declared in one frozen, typed object. Plugins tap them in
 * `apply()`, never per request (tapable taps cannot be removed).
 */
import { AsyncParallelHook, AsyncSeriesHook } from "tapable";
import type { ReleaseContext } from "../types.js";
import type { Deadline } from "../scope/Deadline.js";

/** What the `acquire` and `release` hooks receive about a resource. */
export interface HookResource {
  readonly id: string;
  readonly type: string;
  readonly name: string | undefined;
  readonly value: unknown;
}

/** What the `shutdown` hook receives. */
export interface ShutdownContext {
  readonly reason: string;
  readonly deadline: Deadline;
  readonly signal: AbortSignal;
  readonly strategy: "deadline" | "legacy";
  /**
   * Records work a tap could not finish (undelivered notifications, an unflushed buffer): the error
   * goes into `ShutdownReport.errors` and makes the report not `ok`. A tap that throws, or a hook that
   * outlives its budget, is recorded the same way.
   */
  reportError(error: unknown): void;
}

/** What the `deadline` hook receives: a resource budget or the global deadline passed. */
export interface DeadlineContext {
  readonly scope: "resource" | "global";
  readonly resource?: HookResource;
  readonly outstanding: number;
}

export interface KernelHooks {
  /** After a resource is created, before it is handed out. A throwing tap aborts the acquisition. */
  readonly acquire: AsyncSeriesHook<[HookResource]>;
  /** Before a resource type's release runs. A throwing tap is reported, never blocks the release. */
  readonly release: AsyncSeriesHook<[HookResource, ReleaseContext]>;
  /** When shutdown starts: plugins flush within `ctx.deadline`. */
  readonly shutdown: AsyncParallelHook<[ShutdownContext]>;
  /** When a budget or the global deadline passes with work outstanding: plugins force here. */
  readonly deadline: AsyncParallelHook<[DeadlineContext]>;
}

type Report = (hook: string, tap: string, error: unknown) => void;

/**
 * Makes every tap of `hook` report its own error instead of failing the hook, so one throwing
 * plugin never skips the others.
 */
function isolate(hookName: string, hook: { intercept(i: object): void }, report: Report): void {
  hook.intercept({
    register(tap: { type: string; name: string; fn: (...args: unknown[]) => unknown }) {
      const fn = tap.fn;
      if (tap.type === "promise") {
        tap.fn = async (...args: unknown[]) => {
          try {
            await fn(...args);
          } catch (error) {
            report(hookName, tap.name, error);
          }
        };
      } else if (tap.type === "async") {
        tap.fn = (...args: unknown[]) => {
          const cb = args.pop() as (err?: unknown) => void;
          let done = false;
          const finish = (err?: unknown) => {
            if (done) return;
            done = true;
            if (err != null) report(hookName, tap.name, err);
            cb();
          };
          try {
            fn(...args, finish);
          } catch (error) {
            finish(error);
          }
        };
      } else {
        tap.fn = (...args: unknown[]) => {
          try {
            return fn(...args);
          } catch (error) {
            report(hookName, tap.name, error);
            return undefined;
          }
        };
      }
      return tap;
    },
  });
}

/** @internal */
export function createHooks(report: Report): KernelHooks {
  const hooks: KernelHooks = {
    acquire: new AsyncSeriesHook<[HookResource]>(["resource"]),
    release: new AsyncSeriesHook<[HookResource, ReleaseContext]>(["resource", "ctx"]),
    shutdown: new AsyncParallelHook<[ShutdownContext]>(["ctx"]),
    deadline: new AsyncParallelHook<[DeadlineContext]>(["ctx"]),
  };
  isolate("release", hooks.release, report);
  isolate("shutdown", hooks.shutdown, report);
  isolate("deadline", hooks.deadline, report);
  return Object.freeze(hooks);
}
