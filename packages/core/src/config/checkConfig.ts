/**
 * Checks a config the way createKernel would, without creating a kernel or applying any plugin:
 * the file is read and validated against core's schema composed with what its plugins declare
 * (option schemas, owned sections, feature flags, resource `types`). Plugin modules are imported,
 * which runs their top-level code; nothing in `apply()` runs, so no server starts, no port is taken,
 * no folder is created or reaped. What `custodian validate` and `print-config` use.
 */
import { CORE_FEATURES } from "../kernel/Features.js";
import { normalizePluginEntry, type PluginEntry } from "../registry/definePlugin.js";
import { checkDescriptors } from "../registry/PluginRegistry.js";
import type { CustodianConfig } from "../types.js";
import { ConfigError } from "./ConfigError.js";
import { deepFreeze, loadConfig, rememberSchema } from "./loadConfig.js";
import { checkDependencies, normalizeConfig } from "./normalize.js";
import { composeConfigSchema } from "./schema.js";

/** Options of checkConfig. */
export interface CheckConfigOptions {
  /** Where a search starts and what a relative path is relative to. Default process.cwd(). */
  cwd?: string;
  /** Environment for `${VAR}` interpolation and feature-flag overrides. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Plugins given in code, as createKernel's `plugins`. */
  plugins?: PluginEntry[];
}

/** A config checked without applying plugins. */
export interface CheckedConfig {
  /** The resolved config (defaults, interpolation, relative paths applied), frozen. */
  readonly config: Readonly<CustodianConfig>;
  /** The file it was read from; undefined for a config object or when none was found. */
  readonly filepath: string | undefined;
  /** The folder relative paths resolve against. */
  readonly dir: string;
  /** Names of the plugins, in order. */
  readonly plugins: readonly string[];
  /**
   * Plugins that do not declare the resource types they register (`types` in the descriptor):
   * resources of types nobody declares could not be checked without applying them.
   */
  readonly untypedPlugins: readonly string[];
}

/**
 * Reads and checks a config like createKernel, without applying any plugin.
 * `configSchemaOf(result)` and `normalizedConfigOf(result)` work on the result.
 * @throws ConfigError ERR_CONFIG_INVALID with every issue found; KernelError ERR_PLUGIN_INVALID,
 *   ERR_PLUGIN_DUPLICATE, ERR_PLUGIN_DEPENDENCY for plugins given in code; ERR_KERNEL_DEPENDENCY_CYCLE
 * @example
 *   const checked = await checkConfig("resource.config.yaml")
 *   console.log(normalizedConfigOf(checked, { redact: true }))
 */
export async function checkConfig(input?: CustodianConfig | string, options: CheckConfigOptions = {}): Promise<CheckedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const loaded = await loadConfig(input, { cwd, env, plugins: options.plugins });
  // Held back when a kernel applies next (it reports them with what apply() reveals); here, now.
  if (loaded.declared !== undefined && loaded.declared.deferred.length > 0) throw new ConfigError(loaded.declared.deferred);
  const entries = [...(loaded.plugins ?? []), ...(options.plugins ?? [])].map(normalizePluginEntry);
  const plugins = entries.map((e) => e.plugin);
  checkDescriptors(plugins, [], (flag) => (CORE_FEATURES.some((f) => f.name === flag) ? "core" : undefined));
  checkDependencies(normalizeConfig(loaded.config).resources);
  const checked: CheckedConfig = {
    config: deepFreeze(loaded.config),
    filepath: loaded.filepath,
    dir: loaded.dir,
    plugins: plugins.map((p) => p.name),
    untypedPlugins: loaded.declared?.untyped ?? [],
  };
  rememberSchema(checked, loaded.declared?.schema ?? composeConfigSchema());
  return checked;
}
