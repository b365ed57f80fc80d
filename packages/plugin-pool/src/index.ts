/**
 * @custodian/plugin-pool — a fast, safe resource pool, circuit breakers with a keyed, reaped
 * registry, a bounded work queue, and the `pool` resource type for the Custodian kernel.
 */
export { createPool, Pool } from "./Pool.js";
export { PoolLease } from "./PoolLease.js";
export type { LeasePool } from "./PoolLease.js";
export type {
  AcquireOptions,
  CloseOptions,
  DestroyReason,
  PoolCallContext,
  PoolCloseReport,
  PoolEvent,
  PoolOptions,
  PoolStats,
} from "./Pool.js";
export { Breaker, createBreaker } from "./Breaker.js";
export type { BreakerOptions, BreakerState, BreakerStateChange } from "./Breaker.js";
export { BreakerRegistry } from "./BreakerRegistry.js";
export type { BreakerRegistryEvent, BreakerRegistryOptions } from "./BreakerRegistry.js";
export {
  BreakerInvalidOptionError,
  BreakerOpenError,
  PoolAcquireAbortedError,
  PoolAcquireTimeoutError,
  PoolCallTimeoutError,
  PoolClosedError,
  PoolCreateTimeoutError,
  PoolCreateUnavailableError,
  PoolDriverMissingError,
  PoolErrorCodes,
  PoolFactoryUnknownError,
  PoolFullError,
  PoolInvalidOptionError,
  PoolResourceInvalidError,
  QueueCancelledError,
  QueueClosedError,
  QueueFullError,
  QueueInvalidOptionError,
  QueueUnknownItemError,
  QueueWaitTimeoutError,
} from "./errors.js";
export type { PoolErrorCode, PoolStatsSnapshot } from "./errors.js";
export { poolPlugin, createPoolFromSpec } from "./poolPlugin.js";
export type { PoolSpec } from "./poolPlugin.js";
export { registerPoolFactory, resolvePoolFactory, poolFactoryNames } from "./factories.js";
export type { PoolFactory } from "./factories.js";
export { pgFactory } from "./pgFactory.js";
export { poolSpecSchema } from "./schema.js";
export { createWorkQueue, WorkQueue } from "./WorkQueue.js";
export type { WorkContext, WorkItemState, WorkItemStatus, WorkQueueCloseReport, WorkQueueOptions } from "./WorkQueue.js";
export { createKernelBreakerRegistry, leaseFrom } from "./kernelHelpers.js";
export { poolPlugin as default } from "./poolPlugin.js";
