/**
 * The per-origin circuit breakers of an http.agent: plugin-pool's `BreakerRegistry` (one breaker
 * per redacted origin, created on first use; integer buckets, no timer per breaker, reaped by last
 * use, open and half-open breakers never evicted), configured from the agent's `breaker:` options.
 * Consecutive failures only, as the http.agent schema documents.
 */
import type { Clock } from "@custodian/core";
import { BreakerRegistry } from "@custodian/plugin-pool";
import type { BreakerState } from "@custodian/plugin-pool";

/** Options of an agent's breakers (YAML: `breaker:` of an http.agent). */
export interface BreakerOptions {
  /** Consecutive failures that open a closed breaker. Default 5. */
  failureThreshold: number;
  /** How long a breaker stays open before allowing a trial. Default 10s. */
  resetTimeoutMs: number;
  /** Concurrent trial requests allowed while half-open. Default 1. */
  halfOpenMaxCalls: number;
  /** A closed breaker unused this long is removed. Default 5m. */
  idleTimeoutMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: Readonly<BreakerOptions> = Object.freeze({
  failureThreshold: 5,
  resetTimeoutMs: 10_000,
  halfOpenMaxCalls: 1,
  idleTimeoutMs: 300_000,
});

/** What an agent's breaker registry is built from. */
export interface OriginBreakersOptions extends BreakerOptions {
  clock: Clock;
  /** Called on every state change of one origin's breaker. */
  onStateChange?: (origin: string, from: BreakerState, to: BreakerState) => void;
}

/** Builds the breaker registry of one agent (plugin options may supply another factory). */
export type BreakerRegistryFactory = (options: OriginBreakersOptions) => BreakerRegistry;

/** The default factory: plugin-pool's BreakerRegistry with the agent's options. */
export const createOriginBreakers: BreakerRegistryFactory = (options) => {
  const registry = new BreakerRegistry({
    clock: options.clock,
    idleTtlMs: options.idleTimeoutMs,
    defaults: {
      consecutiveFailures: options.failureThreshold,
      failureRate: 0,
      openMs: options.resetTimeoutMs,
      halfOpenMaxCalls: options.halfOpenMaxCalls,
    },
  });
  const { onStateChange } = options;
  if (onStateChange !== undefined) {
    registry.on((e) => {
      if (e.type === "breaker:state-changed") onStateChange(e.key, e.from, e.to);
    });
  }
  return registry;
};
