/**
 * JSON Schema of a `type: pool` resource in resource.config.yaml. Durations are human strings
 * ("30s") or milliseconds, parsed with core's parseDuration.
 */
import { durationSchema } from "@custodian/core";

const dur = (description: string): Record<string, unknown> => ({ ...durationSchema, description });
const int = (description: string, minimum: number): Record<string, unknown> => ({ type: "integer", minimum, description });

/** The spec schema registered with the `pool` resource type. */
export const poolSpecSchema: Record<string, unknown> = Object.freeze({
  type: "object",
  required: ["factory"],
  additionalProperties: false,
  properties: {
    factory: {
      type: "string",
      minLength: 1,
      description:
        'A factory registered with registerPoolFactory() ("pg" ships), or a module path exporting create/destroy/validate (a relative path resolves against the config file\'s folder).',
    },
    options: { type: "object", description: "Passed to the factory's create() (e.g. pg connection settings).", additionalProperties: true },
    min: int("Resources kept even when idle.", 0),
    max: int("Most resources at once: the concurrency limit.", 1),
    maxWaiting: int("Most callers waiting; beyond it acquire fails with ERR_POOL_FULL.", 0),
    acquireTimeout: dur("Default acquire deadline (default 30s)."),
    createTimeout: dur("Deadline of one create (default 30s)."),
    destroyTimeout: dur("Deadline of one destroy (default 5s)."),
    validateTimeout: dur("Deadline of one validation (default 5s)."),
    validateAfterIdle: dur("Skip validation for resources returned more recently than this (default 0: always validate)."),
    idleTimeout: dur("Idle resources unused this long are destroyed, down to min (default 30s; 0 disables)."),
    reapInterval: dur("How often idle reaping and leak checks run (default 1s)."),
    maxLifetime: dur("Resources older than this are retired (default off)."),
    maxLifetimeJitter: { type: "number", minimum: 0, exclusiveMaximum: 1, description: "Random fraction taken off maxLifetime per resource (default 0.1)." },
    leakThreshold: dur("Borrowed longer than this emits a leak event with the borrower's stack (default off)."),
    order: { enum: ["lifo", "fifo"], description: "Idle selection order (default lifo)." },
    createRetryBase: dur("First retry delay after a failed create (default 100ms)."),
    createRetryMax: dur("Longest retry delay (default 10s)."),
    createBreakerThreshold: int("Consecutive create failures that open the create breaker (default 5; 0 disables).", 0),
    createBreakerOpen: dur("How long the create breaker stays open (default 5s)."),
    ready: { type: "boolean", description: "Create min resources before the pool is handed out (default true)." },
  },
});

/** The plugin's own options (none yet). */
export const poolPluginSchema: Record<string, unknown> = Object.freeze({ type: "object", additionalProperties: false, properties: {} });
