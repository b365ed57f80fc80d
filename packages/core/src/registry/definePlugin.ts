/**
 * The plugin descriptor: a plain object `{ name, version?, dependsOn?, schema?, features?, types?, apply }`
 * in the spirit of webpack's `apply(compiler)`.
 */
import type { Kernel } from "../kernel/KernelApi.js";
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
  /**
   * The resource types `apply` registers, each with the JSON Schema of its spec (the same schema it
   * passes to `registerType`). With every plugin declaring its types (`{}` for none), the config
   * loader checks each resource (unknown type, bad spec) together with the rest of the file, before
   * any plugin is applied; without it those checks wait until after `apply`.
   * **Gotchas:** `apply` must register exactly these types (ERR_PLUGIN_INVALID otherwise).
   */
  readonly types?: Readonly<Record<string, PluginTypeDeclaration>>;
  /** Time allowed for `apply` to settle. Default 10s. */
  readonly startTimeoutMs?: number;
  /** Registers types, taps hooks. May be async; bounded by a start deadline. */
  apply(kernel: Kernel, options: O): void | Promise<void>;
}

/** A resource type a plugin declares in its descriptor (`types`). */
export interface PluginTypeDeclaration {
  /** JSON Schema of the type's resource spec; omit to leave the spec unchecked. */
  readonly schema?: Record<string, unknown>;
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

/** @internal A `plugins` entry as descriptor and options (`{}` when none are given). */
export function normalizePluginEntry(entry: PluginEntry): { plugin: PluginDescriptor<any>; options: unknown } {
  if (entry !== null && typeof entry === "object" && "plugin" in entry && typeof (entry as { plugin: unknown }).plugin === "object") {
    const e = entry as { plugin: PluginDescriptor<any>; options?: unknown };
    return { plugin: e.plugin, options: e.options ?? {} };
  }
  return { plugin: entry as PluginDescriptor<any>, options: {} };
}
