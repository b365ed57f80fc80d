/**
 * Glue between the pool package's standalone parts and the kernel: leases tracked as children of
 * their pool, and a breaker registry whose events reach the kernel's event stream and which is
 * released with the kernel.
 */
import type { Kernel, ResourceHandle } from "@custodian/core";
import { BreakerRegistry } from "./BreakerRegistry.js";
import type { BreakerRegistryOptions } from "./BreakerRegistry.js";
import type { AcquireOptions, Pool } from "./Pool.js";

/**
 * Borrows from a kernel-managed pool and tracks the borrowed resource as a kernel resource that
 * depends on the pool: `kernel.snapshot()` shows who holds what, releasing the handle returns the
 * resource, forcing it destroys the resource, and shutdown releases leases before their pool.
 * @example
 *   await using conn = await leaseFrom(kernel, await kernel.acquire<Pool<pg.Client>>("db"))
 *   await conn.value.query("SELECT 1")
 */
export async function leaseFrom<T>(kernel: Kernel, pool: ResourceHandle<Pool<T>>, options?: AcquireOptions): Promise<ResourceHandle<T>> {
  const p = pool.value;
  const value = await p.acquire(options);
  return kernel.adopt<T>(value, {
    type: "pool.lease",
    name: undefined,
    dependsOn: [pool],
    release: (v) => p.release(v),
    force: (v) => p.destroy(v),
  });
}

const handles = new WeakMap<BreakerRegistry, ResourceHandle<BreakerRegistry>>();

/**
 * Creates a BreakerRegistry on the kernel's clock whose created / state-changed / removed events
 * are emitted on `kernel.events$` (as `plugin:event` from plugin `pool`), and which the kernel
 * closes at shutdown (it is tracked as a `breaker-registry` resource).
 */
export function createKernelBreakerRegistry(kernel: Kernel, options: Omit<BreakerRegistryOptions, "clock"> = {}): BreakerRegistry {
  const registry = new BreakerRegistry({ ...options, clock: kernel.clock });
  registry.on((e) => {
    if (kernel.observed) kernel.emitPluginEvent("pool", e.type, { ...e });
  });
  // Kept reachable as long as the registry is, so the kernel never reports the handle as leaked.
  handles.set(registry, kernel.adopt(registry, { type: "breaker-registry", release: (r) => r.close() }));
  return registry;
}
