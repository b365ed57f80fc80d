/**
 * createKernel(): config + plugins → a running kernel. Loads and checks the config, applies the
 * plugins (each within its start deadline), resolves feature flags, checks the declared resources
 * and installs signal handlers when configured. Nothing stays applied when it fails.
 */
import { resolve as resolvePath } from "node:path";
import { checkDependencies, normalizeConfig } from "../config/normalize.js";
import { resolveConfigInput } from "../config/resolveConfigInput.js";
import { KernelError } from "../errors.js";
import { normalizePluginEntry, type PluginEntry } from "../registry/definePlugin.js";
import { systemClock, type Clock } from "../time/Clock.js";
import type { CustodianConfig } from "../types.js";
import { Kernel as KernelImpl } from "./Kernel.js";
import type { Kernel } from "./KernelApi.js";

/** Options of `createKernel`. */
export interface CreateKernelOptions {
  /** A configuration object shaped like resource.config.yaml, or the path of a config file. */
  config?: CustodianConfig | string;
  plugins?: PluginEntry[];
  clock?: Clock;
  /** Environment for feature-flag overrides and `${VAR}` interpolation. Default process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Where to search for a config file when `config` is omitted, what a relative `config` path is
   * relative to, and `kernel.configDir` for a config object. Default process.cwd().
   */
  cwd?: string;
  /** Called with the exit code after a signal-initiated shutdown. Default process.exit. */
  exit?: (code: number) => void;
}

/**
 * Creates a kernel: loads and checks the config (with what its plugins declare), applies plugins
 * (each within its start deadline), resolves feature flags, checks declared resources, and installs
 * signal handlers if configured.
 * @throws KernelError ERR_CONFIG_INVALID (a ConfigError listing every problem of a config file, each
 *   with its own code: ERR_KERNEL_UNKNOWN_TYPE, ERR_FEATURE_UNKNOWN, ...), ERR_PLUGIN_*, ERR_FEATURE_*,
 *   ERR_KERNEL_UNKNOWN_TYPE, ERR_KERNEL_DEPENDENCY_CYCLE. Nothing stays applied when it throws.
 *   **Gotchas:** a file's problems are all found before any plugin is applied when every plugin
 *   declares its resource `types`; otherwise type problems are found after apply(), then rolled back.
 * @example
 *   const kernel = await createKernel({ config: { shutdown: { deadline: "2s" } } })
 *   const h = kernel.adopt(socket, { type: "socket", release: (s) => void s.end(), force: (s) => void s.destroy() })
 *   const report = await kernel.shutdown()
 */
export async function createKernel(options: CreateKernelOptions = {}): Promise<Kernel> {
  const env = options.env ?? process.env;
  // Absolute from here on: it becomes kernel.configDir for a config object.
  const cwd = resolvePath(options.cwd ?? process.cwd());
  const loaded = await resolveConfigInput(options.config, { cwd, env, plugins: options.plugins });
  const settings = normalizeConfig(loaded.config);
  const kernel = new KernelImpl(
    Object.freeze(loaded.config),
    settings,
    options.clock ?? systemClock,
    options.exit ?? ((code) => process.exit(code)),
    loaded.dir,
  );
  try {
    const entries = [...(loaded.plugins ?? []), ...(options.plugins ?? [])].map(normalizePluginEntry);
    // Every descriptor first: a duplicate name, a late dependency or a flag owned twice leaves
    // nothing applied, wherever it is in the list.
    kernel.plugins.checkAll(entries.map((e) => e.plugin));
    for (const { plugin, options: pluginOptions } of entries) await kernel.plugins.register(plugin, pluginOptions);
    // A backstop: the loader checked the file against what plugins declare; this checks it against
    // what they registered (plugins that do not declare their types), as one positioned ConfigError.
    await loaded.validate?.(kernel);
    kernel.featureRegistry.resolve(settings.features, env);
    checkDependencies(settings.resources);
    for (const [name, decl] of Object.entries(settings.resources)) {
      if (!kernel.hasType(decl.type)) {
        throw new KernelError(
          "ERR_KERNEL_UNKNOWN_TYPE",
          `resources.${name}: unknown type "${decl.type}"; registered types: ${kernel.types().join(", ") || "(none)"}. Add the plugin that provides it.`,
        );
      }
    }
  } catch (error) {
    await kernel.shutdown("createKernel failed");
    throw error;
  }
  if (settings.signals.length > 0) kernel.installSignalHandlers(settings.signals);
  return kernel;
}
