/**
 * The default per-origin breaker registry of plugin-http: `BreakerRegistry` from
 * @custodian/plugin-pool (integer buckets, no per-breaker timers, reaped by last use, LRU-capped,
 * open and half-open breakers never evicted), adapted to the small interface the agent uses.
 */
import { BreakerRegistry, type Breaker } from "@custodian/plugin-pool";
import type { BreakerLike, BreakerRegistryFactory } from "./Breaker.js";

/** Builds the agent's registry on plugin-pool's BreakerRegistry. */
export const createPoolBreakerRegistry: BreakerRegistryFactory = (options) => {
  const registry = new BreakerRegistry({
    clock: options.clock,
    idleTtlMs: options.idleTimeoutMs,
    defaults: {
      consecutiveFailures: options.failureThreshold,
      failureRate: 0, // consecutive failures only, as the http.agent schema documents
      openMs: options.resetTimeoutMs,
      halfOpenMaxCalls: options.halfOpenMaxCalls,
    },
  });
  registry.on((e) => {
    if (e.type === "breaker:state-changed") options.onStateChange?.(e.key, e.from, e.to);
  });
  // One adapter per breaker, dropped with it: no allocation per request.
  const adapters = new WeakMap<Breaker, BreakerLike>();
  const adapt = (b: Breaker): BreakerLike => {
    let a = adapters.get(b);
    if (a === undefined) {
      a = {
        get state() {
          return b.state;
        },
        canRequest: () => b.tryAcquire(),
        onSuccess: () => b.success(),
        onFailure: (error?: unknown) => b.failure(error),
        onCancel: () => b.cancel(),
      };
      adapters.set(b, a);
    }
    return a;
  };
  return {
    get: (key: string) => adapt(registry.get(key)),
    get size() {
      return registry.size;
    },
    close: () => registry.close(),
  };
};
