/**
 * Turns the `config` option of createKernel into a configuration object through the config
 * loader: a path is read, no config means a search from `cwd`, an object is validated as is.
 */
import type { PluginEntry } from "../registry/definePlugin.js";
import type { CustodianConfig } from "../types.js";
import { loadConfig, type LoadedConfig } from "./loadConfig.js";

export type { LoadedConfig } from "./loadConfig.js";

/** @internal */
export function resolveConfigInput(
  input: CustodianConfig | string | undefined,
  opts: { cwd: string; env: Record<string, string | undefined>; plugins?: readonly PluginEntry[] },
): Promise<LoadedConfig> {
  return loadConfig(input, opts);
}
