/**
 * A user callback (create, validate, destroy) bounded in time: it gets an AbortSignal, a
 * synchronous throw becomes a rejection, and a timer on the pool's held timers settles it when
 * the callback never does.
 */
import { PoolCallTimeoutError, PoolCreateTimeoutError } from "../errors.js";
import type { PoolCallContext } from "../poolOptions.js";
import type { HeldTimers } from "./HeldTimers.js";

/**
 * Runs `fn` with a fresh AbortSignal, bounded by `ms` on `held`'s clock. A synchronous throw
 * becomes a rejection. On timeout the signal aborts with ERR_POOL_CREATE_TIMEOUT (create) or
 * ERR_POOL_CALL_TIMEOUT, and a value that arrives late goes to `onLate`. While it runs, its
 * AbortController is in `aborts` (so close() can abort it).
 */
export function boundedCall<R>(
  held: HeldTimers,
  fn: (ctx: PoolCallContext) => R | PromiseLike<R>,
  ms: number,
  pool: string,
  what: "create" | "destroy" | "validate",
  aborts: Set<AbortController> | undefined,
  onLate: ((value: unknown) => void) | undefined,
): Promise<Awaited<R>> {
  const ac = new AbortController();
  let result: R | PromiseLike<R>;
  try {
    result = fn({ signal: ac.signal });
  } catch (error) {
    return Promise.reject(error);
  }
  if (result === null || typeof result !== "object" || typeof (result as PromiseLike<R>).then !== "function") return Promise.resolve(result as Awaited<R>);
  aborts?.add(ac);
  return new Promise<Awaited<R>>((resolve, reject) => {
    let done = false;
    const timer = held.set(() => {
      if (done) return;
      done = true;
      aborts?.delete(ac);
      const error = what === "create" ? new PoolCreateTimeoutError(pool, ms) : new PoolCallTimeoutError(pool, what, ms);
      ac.abort(error);
      reject(error);
    }, ms);
    const onAbort = (): void => {
      if (done) return;
      done = true;
      held.clear(timer);
      aborts?.delete(ac);
      reject(ac.signal.reason);
    };
    ac.signal.addEventListener("abort", onAbort, { once: true });
    (result as PromiseLike<R>).then(
      (value) => {
        if (done) {
          onLate?.(value);
          return;
        }
        done = true;
        held.clear(timer);
        aborts?.delete(ac);
        ac.signal.removeEventListener("abort", onAbort);
        resolve(value as Awaited<R>);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        held.clear(timer);
        aborts?.delete(ac);
        ac.signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
