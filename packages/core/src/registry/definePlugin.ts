/**
 * The plugin descriptor: a plain object `{ name, version?, dependsOn?, schema?, features?, apply }`
 * in the spirit of webpack's `apply(compiler)`.
 */
import type { Kernel } from "../kernel/Kernel.js";
import type { FeatureDeclaration } from "../kernel/Features.js";

export interface PluginDescriptor<O = Record<string, unknown>> {
  /** Unique name; also the tap name the plugin uses on hooks. */
  readonly name: string;
  readonly version?: string;
  /** Names of plugins that must be registered before this one. */
  readonly dependsOn?: readonly string[];
  /** JSON Schema of the plugin's options (validated by the config loader). */
  readonly schema?: Record<string, unknown>;
  /**
   * The top-level config section this plugin owns (e.g. `"alerts"`): the config loader validates
   * that section with `schema`, and the plugin reads it when given no options.
   */
  readonly configKey?: string;
  /** Feature flags this plugin declares. */
  readonly features?: readonly FeatureDeclaration[];
  /** Time allowed for `apply` to settle. Default 10s. */
  readonly startTimeoutMs?: number;
  /** Registers types, taps hooks. May be async; bounded by a start deadline. */
  apply(kernel: Kernel, options: O): void | Promise<void>;
}

/** A plugin with its options, as passed in `createKernel({ plugins })`. */
export type PluginEntry = PluginDescriptor<any> | { plugin: PluginDescriptor<any>; options?: unknown };

/**
 * Declares a plugin. Returns the descriptor unchanged (typed).
 * @example
 *   export default definePlugin({ name: "noop", apply(kernel) { kernel.registerType("noop", { release() {} }) } })
 */
export function definePlugin<O = Record<string, unknown>>(plugin: PluginDescriptor<O>): PluginDescriptor<O> {
  return plugin;
}
