/**
 * Turns the `config` option of createKernel into a configuration object. The object form is used
 * as is; a path, or no config at all, goes through the YAML loader.
 */
import { KernelError } from "../errors.js";
import type { Kernel } from "../kernel/Kernel.js";
import type { PluginEntry } from "../registry/definePlugin.js";
import type { CustodianConfig } from "../types.js";

/** @internal */
export interface LoadedConfig {
  config: CustodianConfig;
  /** Plugins named in the config, loaded and ready to register. */
  plugins?: PluginEntry[];
  /** Validates the parts that depend on registered plugins and types (resource specs, plugin options). */
  validate?(kernel: Kernel): void | Promise<void>;
  /** The file the config came from, if any. */
  filepath?: string;
}

/** @internal */
export async function resolveConfigInput(
  input: CustodianConfig | string | undefined,
  opts: { cwd: string; env: Record<string, string | undefined> },
): Promise<LoadedConfig> {
  void opts;
  if (input === undefined) return { config: {} };
  if (typeof input === "string") {
    throw new KernelError("ERR_CONFIG_INVALID", `Loading config files is not available yet (${input}); pass a config object`);
  }
  const plugins = Array.isArray(input.plugins) ? (input.plugins.filter((p) => typeof p === "object" && p !== null) as PluginEntry[]) : undefined;
  return { config: input, plugins };
}
