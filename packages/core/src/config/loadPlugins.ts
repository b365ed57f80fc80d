/**
 * The plugins a config file names (`plugins: [{ module, options }]`): each module is imported
 * relative to the file, and its default export checked to be a plugin descriptor. Every failure is
 * a positioned config issue; nothing is applied here.
 */
import { createRequire } from "node:module";
import { isAbsolute, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { PluginDescriptor } from "../registry/definePlugin.js";
import { errorLocation, moduleFile, syntaxErrorLocation } from "../registry/pluginLocation.js";
import type { ConfigIssue } from "./ConfigError.js";
import type { ConfigSource } from "./ConfigSource.js";
import { issueAt } from "./issueAt.js";
import { schemaProblem } from "./validateConfig.js";

/** A plugin the config file names, imported. */
export interface ConfigPlugin {
  index: number;
  module: string;
  /** The module's file, when it is one. */
  file: string | undefined;
  plugin: PluginDescriptor<any>;
}

/** The first line of an error's message. */
export const describeError = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0] : String(e));

/** The URL of a plugin module, resolving bare specifiers from the config file's folder. */
function pluginUrl(spec: string, dir: string): string {
  if (isAbsolute(spec)) return pathToFileURL(spec).href;
  try {
    return pathToFileURL(createRequire(join(dir, "noop.js")).resolve(spec)).href;
  } catch {
    return spec; // ESM-only packages: let import() resolve it
  }
}

/** Imports one plugin module and returns its descriptor export. */
async function importPlugin(url: string): Promise<unknown> {
  const mod = (await import(url)) as { default?: unknown; plugin?: unknown };
  let d: unknown = mod.default ?? mod.plugin;
  if (d !== null && typeof d === "object" && "default" in d && typeof (d as { apply?: unknown }).apply !== "function") d = (d as { default: unknown }).default;
  return d;
}

/** Where in the plugin's file an import failed: the stack's frame, or for a syntax error `node --check`'s position. */
async function importFailureLocation(error: unknown, file: string | undefined): Promise<string | undefined> {
  const at = errorLocation(error, file);
  if (at !== undefined || file === undefined || !(error instanceof SyntaxError)) return at;
  return syntaxErrorLocation(file);
}

/** The plugins a config file lists, as far as they could be loaded. */
export interface LoadedPlugins {
  /** Plugins to apply, in order (each listed once, with a usable option schema). */
  plugins: ConfigPlugin[];
  /** Every descriptor that was loaded, also a duplicate or one whose option schema is broken: what it declares is known. */
  descriptors: ConfigPlugin[];
  /** True when an entry could not be loaded (or is malformed): what it would declare is unknown. */
  incomplete: boolean;
  issues: ConfigIssue[];
}

/** The module an entry of `plugins` names, or undefined for a malformed entry (the schema reports it). */
const moduleOf = (entry: unknown): string | undefined => {
  if (typeof entry === "string") return entry === "" ? undefined : entry;
  const m = entry !== null && typeof entry === "object" ? (entry as { module?: unknown }).module : undefined;
  return typeof m === "string" && m !== "" ? m : undefined;
};

export async function loadPlugins(config: Record<string, unknown>, source: ConfigSource): Promise<LoadedPlugins> {
  const issues: ConfigIssue[] = [];
  const plugins: ConfigPlugin[] = [];
  const descriptors: ConfigPlugin[] = [];
  let incomplete = false;
  const entries = Array.isArray(config.plugins) ? (config.plugins as unknown[]) : [];
  const byName = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const spec = moduleOf(entry);
    if (spec === undefined) {
      incomplete = true;
      continue;
    }
    const shown = isAbsolute(spec) && source.dir !== "" ? `./${relative(source.dir, spec)}` : spec;
    const url = pluginUrl(spec, source.dir);
    let plugin: unknown;
    try {
      plugin = await importPlugin(url);
    } catch (error) {
      incomplete = true;
      const notFound = (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" || (error as { code?: string }).code === "MODULE_NOT_FOUND";
      const at = notFound ? undefined : await importFailureLocation(error, moduleFile(url));
      issues.push(
        notFound
          ? issueAt(source, ["plugins", index], `plugin module "${shown}" not found (resolved from ${source.dir}); install it or fix the path`)
          : issueAt(
              source,
              ["plugins", index],
              `plugin module "${shown}" failed to load: ${describeError(error)}${at === undefined ? "" : ` (at ${at})`}`,
              "ERR_PLUGIN_INVALID",
            ),
      );
      continue;
    }
    const p = plugin as PluginDescriptor<any> | undefined;
    if (p === null || typeof p !== "object" || typeof p.name !== "string" || p.name === "" || typeof p.apply !== "function") {
      incomplete = true;
      issues.push(
        issueAt(
          source,
          ["plugins", index],
          `plugin module "${shown}" does not export a plugin: its default export must be definePlugin({ name, apply })`,
          "ERR_PLUGIN_INVALID",
        ),
      );
      continue;
    }
    descriptors.push({ index, module: spec, file: moduleFile(url), plugin: p });
    if (byName.has(p.name)) {
      issues.push(
        issueAt(
          source,
          ["plugins", index],
          `plugin "${p.name}" is listed twice (also plugins[${byName.get(p.name)}]); remove one of the entries`,
          "ERR_PLUGIN_DUPLICATE",
        ),
      );
      continue;
    }
    for (const dep of p.dependsOn ?? []) {
      if (!byName.has(dep))
        issues.push(
          issueAt(
            source,
            ["plugins", index],
            `plugin "${p.name}" depends on "${dep}", which is not listed before it; add "${dep}" earlier in plugins`,
            "ERR_PLUGIN_DEPENDENCY",
          ),
        );
    }
    const problem = p.schema === undefined ? undefined : schemaProblem(p.schema);
    if (problem !== undefined) {
      issues.push(
        issueAt(source, ["plugins", index], `plugin "${p.name}" has an option schema that ajv (strict mode) rejects: ${problem}`, "ERR_PLUGIN_INVALID"),
      );
      continue;
    }
    byName.set(p.name, index);
    plugins.push({ index, module: spec, file: moduleFile(url), plugin: p });
  }
  return { plugins, descriptors, incomplete, issues };
}
