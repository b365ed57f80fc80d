/**
 * Pool factories: named recipes (`factory: pg` in YAML) that know how to create, validate and
 * destroy one kind of resource. Register your own with registerPoolFactory(); a module path that
 * exports `create` (and optionally `destroy`, `validate`) works too.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { PoolCallContext } from "./Pool.js";
import { PoolFactoryUnknownError, PoolInvalidOptionError } from "./errors.js";
import { pgFactory } from "./pgFactory.js";

/** How a pool declared in config makes its resources. `options` is the spec's `options:` object. */
export interface PoolFactory<T = unknown> {
  create(options: Record<string, unknown>, ctx: PoolCallContext): T | Promise<T>;
  destroy?(resource: T, ctx: PoolCallContext): void | Promise<void>;
  validate?(resource: T, ctx: PoolCallContext): boolean | Promise<boolean>;
}

const factories = new Map<string, PoolFactory<any>>([["pg", pgFactory]]);

/**
 * Registers a named factory for `factory: <name>` in resource.config.yaml.
 * @throws PoolInvalidOptionError ERR_POOL_INVALID_OPTION when `factory.create` is not a function.
 * @example
 *   registerPoolFactory("redis", { create: (o) => createClient(o).connect(), destroy: (c) => c.quit() })
 */
export function registerPoolFactory<T>(name: string, factory: PoolFactory<T>): void {
  if (typeof name !== "string" || name === "") throw new PoolInvalidOptionError("registerPoolFactory", "name", "a non-empty string", name);
  if (factory === null || typeof factory !== "object" || typeof factory.create !== "function") {
    throw new PoolInvalidOptionError(`registerPoolFactory("${name}")`, "factory.create", "a function", factory?.create);
  }
  factories.set(name, factory);
}

/** Names of the registered factories. */
export function poolFactoryNames(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Resolves a `factory:` value: a registered name first, else a module (a relative path resolves
 * against `baseDir`, which the pool plugin sets to `kernel.configDir`; a bare specifier is
 * imported as a package).
 * @throws PoolFactoryUnknownError ERR_POOL_FACTORY_UNKNOWN
 */
export async function resolvePoolFactory(name: string, baseDir = process.cwd()): Promise<PoolFactory> {
  const registered = factories.get(name);
  if (registered !== undefined) return registered;
  const looksLikePath = name.startsWith(".") || isAbsolute(name) || name.startsWith("file:");
  const specifier = name.startsWith("file:") ? name : looksLikePath ? pathToFileURL(resolve(baseDir, name)).href : name;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (cause) {
    throw new PoolFactoryUnknownError(name, poolFactoryNames(), { cause });
  }
  const candidate = (typeof mod.create === "function" ? mod : (mod.default as Record<string, unknown> | undefined)) as PoolFactory | undefined;
  if (candidate === undefined || typeof candidate.create !== "function") throw new PoolFactoryUnknownError(name, poolFactoryNames());
  return candidate;
}
