/**
 * The config loader: finds or reads the config (cosmiconfig 9 with a safe, position-keeping YAML
 * loader), interpolates `${VAR}`, validates it against the core schema, loads the plugins it
 * names and validates their options, and returns a `validate(kernel)` step that checks what only
 * the kernel knows (registered types, declared flags) once plugins are applied. Every problem is
 * reported at once, with its position, as one ConfigError.
 */
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cosmiconfig, type Loader } from "cosmiconfig";
import { KernelError } from "../errors.js";
import type { Kernel } from "../kernel/Kernel.js";
import type { PluginDescriptor, PluginEntry } from "../registry/definePlugin.js";
import type { CustodianConfig } from "../types.js";
import { ConfigError, type ConfigIssue } from "./ConfigError.js";
import { formatPath, MAX_CONFIG_BYTES, parseConfigText, positionlessSource, type ConfigSource, type ParsedConfig, type PathSegment } from "./ConfigSource.js";
import { parseDuration } from "./duration.js";
import { composeConfigSchema } from "./schema.js";
import { didYouMean, schemaProblem, validateConfig } from "./validateConfig.js";

/** Where createKernel() looks for a config, in this order, from the working directory up to the project root. */
export const CONFIG_SEARCH_PLACES: readonly string[] = Object.freeze([
  "resource.config.yaml",
  "resource.config.yml",
  ".custodianrc",
  ".custodianrc.yaml",
  ".custodianrc.yml",
  ".custodianrc.json",
  "custodian.config.js",
  "custodian.config.mjs",
  "custodian.config.cjs",
  "package.json",
]);

/** @internal What the loader hands to createKernel. */
export interface LoadedConfig {
  config: CustodianConfig;
  plugins?: PluginEntry[];
  validate?(kernel: Kernel): void | Promise<void>;
  filepath?: string;
  /** Folder relative paths resolve against: the file's folder, else `cwd` (becomes kernel.configDir). */
  dir: string;
}

/** Options of loadConfig. */
export interface LoadConfigOptions {
  cwd: string;
  env: Record<string, string | undefined>;
}

/** A YAML/JSON file read by our loader; wrapped so cosmiconfig passes it through untouched (no `$import`). */
class Parsed {
  constructor(readonly parsed: ParsedConfig) {}
}

const isDescriptor = (v: unknown): boolean =>
  v !== null && typeof v === "object" && (typeof (v as { apply?: unknown }).apply === "function" || ((v as { plugin?: unknown }).plugin !== null && typeof (v as { plugin?: unknown }).plugin === "object"));

/** Deep copy of plain data; other values (functions, class instances) are kept by reference. */
function copyData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyData);
  if (v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: copyData((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const isPlain = (v: unknown): v is object =>
  Array.isArray(v) || (v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null));

/** Freezes the plain objects and arrays of a tree; other values (class instances, buffers) are left alone. */
export function deepFreeze<T>(v: T, seen = new Set<unknown>()): T {
  if (isPlain(v) && !seen.has(v)) {
    seen.add(v);
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k], seen);
  }
  return v;
}

const byPosition = (a: ConfigIssue, b: ConfigIssue): number => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);

function issueAt(source: ConfigSource, path: PathSegment[], message: string): ConfigIssue {
  const pos = source.positionOf(path);
  return { file: source.file, line: pos?.line, column: pos?.column, path: formatPath(path), message };
}

/** Checks that need the whole config: reserve within deadline, dependsOn names exist and form no cycle. */
function checkSemantics(config: Record<string, unknown>, source: ConfigSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const shutdown = config.shutdown as { deadline?: unknown; reserve?: unknown } | undefined;
  if (shutdown?.reserve !== undefined) {
    try {
      const d = parseDuration(shutdown.deadline as string | number);
      const r = parseDuration(shutdown.reserve as string | number);
      if (r > d) issues.push(issueAt(source, ["shutdown", "reserve"], `reserve (${r}ms) must not exceed shutdown.deadline (${d}ms)`));
    } catch {
      // Malformed durations are reported by the schema.
    }
  }
  const resources = config.resources;
  if (resources === null || typeof resources !== "object" || Array.isArray(resources)) return issues;
  const res = resources as Record<string, { dependsOn?: unknown } | null>;
  const names = Object.keys(res);
  const deps = (name: string): string[] => {
    const d = res[name]?.dependsOn;
    return Array.isArray(d) ? d.filter((x): x is string => typeof x === "string") : [];
  };
  for (const name of names) {
    deps(name).forEach((dep, i) => {
      if (!Object.hasOwn(res, dep)) {
        const m = didYouMean(dep, names);
        issues.push(issueAt(source, ["resources", name, "dependsOn", i], `depends on "${dep}", which is not declared${m === undefined ? "" : `; did you mean "${m}"?`}; declared resources: ${names.join(", ")}`));
      }
    });
  }
  const state = new Map<string, 1 | 2>();
  const seen = new Set<string>();
  const visit = (name: string, stack: string[]): void => {
    state.set(name, 1);
    deps(name).forEach((dep, i) => {
      if (!Object.hasOwn(res, dep)) return;
      if (state.get(dep) === 1) {
        const cycle = [...stack.slice(stack.indexOf(dep)), name, dep];
        const key = [...new Set(cycle)].sort().join(",");
        if (!seen.has(key)) {
          seen.add(key);
          issues.push(issueAt(source, ["resources", name, "dependsOn", i], `dependency cycle: ${cycle.join(" -> ")}; remove one of these dependsOn entries`));
        }
      } else if (state.get(dep) === undefined) visit(dep, [...stack, name]);
    });
    state.set(name, 2);
  };
  for (const name of names) if (!state.has(name)) visit(name, []);
  return issues;
}

interface ConfigPlugin {
  index: number;
  module: string;
  plugin: PluginDescriptor<any>;
}

const describeError = (e: unknown): string => (e instanceof Error ? e.message.split("\n")[0] : String(e));

/** Imports one plugin module, resolving bare specifiers from the config file's folder. */
async function importPlugin(spec: string, dir: string): Promise<unknown> {
  let url: string;
  if (isAbsolute(spec)) url = pathToFileURL(spec).href;
  else {
    try {
      url = pathToFileURL(createRequire(join(dir, "noop.js")).resolve(spec)).href;
    } catch {
      url = spec; // ESM-only packages: let import() resolve it
    }
  }
  const mod = (await import(url)) as { default?: unknown; plugin?: unknown };
  let d: unknown = mod.default ?? mod.plugin;
  if (d !== null && typeof d === "object" && "default" in d && typeof (d as { apply?: unknown }).apply !== "function") d = (d as { default: unknown }).default;
  return d;
}

async function loadPlugins(config: Record<string, unknown>, source: ConfigSource): Promise<{ plugins: ConfigPlugin[]; issues: ConfigIssue[] }> {
  const issues: ConfigIssue[] = [];
  const plugins: ConfigPlugin[] = [];
  const entries = Array.isArray(config.plugins) ? (config.plugins as unknown[]) : [];
  const byName = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    const spec = typeof entry === "string" ? entry : (entry as { module: string }).module;
    const shown = isAbsolute(spec) && source.dir !== "" ? `./${relative(source.dir, spec)}` : spec;
    let plugin: unknown;
    try {
      plugin = await importPlugin(spec, source.dir);
    } catch (error) {
      const notFound = (error as { code?: string }).code === "ERR_MODULE_NOT_FOUND" || (error as { code?: string }).code === "MODULE_NOT_FOUND";
      issues.push(issueAt(source, ["plugins", index], notFound ? `plugin module "${shown}" not found (resolved from ${source.dir}); install it or fix the path` : `plugin module "${shown}" failed to load: ${describeError(error)}`));
      continue;
    }
    const p = plugin as PluginDescriptor<any> | undefined;
    if (p === null || typeof p !== "object" || typeof p.name !== "string" || p.name === "" || typeof p.apply !== "function") {
      issues.push(issueAt(source, ["plugins", index], `plugin module "${shown}" does not export a plugin: its default export must be definePlugin({ name, apply })`));
      continue;
    }
    if (byName.has(p.name)) {
      issues.push(issueAt(source, ["plugins", index], `plugin "${p.name}" is listed twice (also plugins[${byName.get(p.name)}]); remove one of the entries`));
      continue;
    }
    for (const dep of p.dependsOn ?? []) {
      if (!byName.has(dep)) issues.push(issueAt(source, ["plugins", index], `plugin "${p.name}" depends on "${dep}", which is not listed before it; add "${dep}" earlier in plugins`));
    }
    const problem = p.schema === undefined ? undefined : schemaProblem(p.schema);
    if (problem !== undefined) {
      issues.push(issueAt(source, ["plugins", index], `plugin "${p.name}" has an option schema that ajv (strict mode) rejects: ${problem}`));
      continue;
    }
    byName.set(p.name, index);
    plugins.push({ index, module: spec, plugin: p });
  }
  return { plugins, issues };
}

/** Reads the raw config and its source, from a path, a search, or an object. */
async function readInput(input: CustodianConfig | string | undefined, opts: LoadConfigOptions): Promise<{ value: unknown; source: ConfigSource; code: PluginEntry[] } | undefined> {
  if (input !== undefined && typeof input !== "string") {
    const data = copyData(input) as Record<string, unknown>;
    const code: PluginEntry[] = [];
    if (data !== null && typeof data === "object" && Array.isArray(data.plugins)) {
      const rest: unknown[] = [];
      for (const e of data.plugins) (isDescriptor(e) ? code : rest).push(e as PluginEntry);
      data.plugins = rest;
    }
    return { value: data, source: positionlessSource("<object>", opts.cwd), code };
  }
  const yamlLoader: Loader = (filepath, content) => {
    const prefix = basename(filepath) === "package.json" ? ["custodian"] : [];
    const parsed = parseConfigText(filepath, dirname(filepath), content, opts.env, prefix);
    if (prefix.length > 0) {
      if (parsed.issues.length === 0 && parsed.value === undefined) return {};
      return { custodian: new Parsed(parsed) };
    }
    return new Parsed(parsed);
  };
  const explorer = cosmiconfig("custodian", {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    searchStrategy: "project",
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: { ".yaml": yamlLoader, ".yml": yamlLoader, ".json": yamlLoader, noExt: yamlLoader },
  });
  let result;
  if (typeof input === "string") {
    const file = resolve(opts.cwd, input);
    const fail = (message: string): never => {
      throw new ConfigError([{ file, line: undefined, column: undefined, path: "", message }]);
    };
    const st = await stat(file).catch(() => fail(`config file not found (looked for ${file})`));
    if (!st.isFile()) fail("config path is not a file");
    if (st.size > MAX_CONFIG_BYTES) {
      throw new ConfigError([{ file, line: 1, column: 1, path: "", message: `config file is ${(st.size / 1e6).toFixed(1)} MB; the limit is ${MAX_CONFIG_BYTES / 1024 / 1024} MiB. Is this the right file?` }]);
    }
    try {
      result = await explorer.load(file);
    } catch (error) {
      fail(`cannot load config: ${describeError(error)}`);
    }
    if (result === null) fail('no "custodian" key in this package.json');
  } else {
    result = await explorer.search(opts.cwd);
    if (result === null) return undefined;
  }
  const file = result!.filepath;
  if (result!.isEmpty === true) {
    throw new ConfigError([{ file, line: 1, column: 1, path: "", message: "config file is empty; expected a mapping of sections (shutdown, release, features, tracking, resources, plugins, alerts)" }]);
  }
  const config: unknown = result!.config;
  if (config instanceof Parsed) {
    if (config.parsed.issues.length > 0) throw new ConfigError(config.parsed.issues.sort(byPosition));
    return { value: config.parsed.value, source: config.parsed.source, code: [] };
  }
  // JS config files: no positions, may hold plugin descriptors.
  return readInput(config as CustodianConfig, { ...opts, cwd: dirname(file) }).then((r) => r && { ...r, source: positionlessSource(file, dirname(file)) });
}

const composedSchemas = new WeakMap<Kernel, Record<string, unknown>>();

/**
 * The composed schema of a kernel's config: core plus its plugins' options, its registered
 * resource types and its declared feature flags (what `custodian schema` prints).
 * Undefined for a kernel whose config was not validated by the loader.
 */
export const configSchemaOf = (kernel: Kernel): Record<string, unknown> | undefined => composedSchemas.get(kernel);

/**
 * A plain copy of a kernel's resolved config with durations in milliseconds and sizes in bytes
 * (defaults, interpolation and relative paths are already applied). With `redact`, values whose
 * schema says `"x-custodian": "secret"` become "[redacted]".
 */
export function normalizedConfigOf(kernel: Kernel, options: { redact?: boolean } = {}): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(kernel.config)) as Record<string, unknown>;
  const schema = composedSchemas.get(kernel) ?? composeConfigSchema();
  validateConfig(schema, copy, positionlessSource("<resolved>", "/"), { normalize: true, redact: options.redact === true });
  return copy;
}

/**
 * The config file createKernel() would load from `cwd` (searching up to the nearest folder with a
 * package.json), or undefined. A package.json counts only when it has a "custodian" key.
 */
export async function findConfigFile(cwd: string): Promise<string | undefined> {
  let dir = resolve(cwd);
  for (;;) {
    for (const place of CONFIG_SEARCH_PLACES) {
      const file = join(dir, place);
      const st = await stat(file).catch(() => undefined);
      if (st === undefined || !st.isFile()) continue;
      if (place !== "package.json") return file;
      try {
        if (Object.hasOwn(JSON.parse(await readFile(file, "utf8")) as object, "custodian")) return file;
      } catch {
        return file; // let the loader report the broken package.json
      }
    }
    const hasPackage = await stat(join(dir, "package.json")).then(() => true, () => false);
    const parent = dirname(dir);
    if (hasPackage || parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads, interpolates and validates a config; plugins named in it are imported and their options
 * validated. The rest of the validation runs in the returned `validate(kernel)`.
 * @throws ConfigError ERR_CONFIG_INVALID with every issue found
 */
export async function loadConfig(input: CustodianConfig | string | undefined, opts: LoadConfigOptions): Promise<LoadedConfig> {
  const read = await readInput(input, opts);
  if (read === undefined) {
    const config: Record<string, unknown> = {};
    validateConfig(composeConfigSchema(), config, positionlessSource("<defaults>", opts.cwd));
    return { config, dir: opts.cwd };
  }
  const { value, source, code } = read;
  const fileOf = source.file;
  if (value === null || value === undefined || typeof value !== "object" || Array.isArray(value)) {
    const what = value === null || value === undefined ? "nothing (only comments?)" : Array.isArray(value) ? "a list" : `a ${typeof value}`;
    throw new ConfigError([issueAt(source, [], `config must be a mapping of sections (shutdown, release, features, tracking, resources, plugins, alerts); the file holds ${what}`)]);
  }
  const config = value as Record<string, unknown>;
  // Config objects keep the kernel's own errors for cycles, unknown types and flags (ERR_KERNEL_*, ERR_FEATURE_*).
  const fromFile = source.file !== "<object>";
  const issues = [...validateConfig(composeConfigSchema(), config, source), ...(fromFile ? checkSemantics(config, source) : [])];
  if (issues.length > 0) throw new ConfigError(issues.sort(byPosition));

  // One shape for every entry, so that each plugin's option defaults apply even when no options are given.
  if (Array.isArray(config.plugins)) {
    config.plugins = (config.plugins as Array<string | { module: string; options?: unknown }>).map((e) => (typeof e === "string" ? { module: e, options: {} } : { module: e.module, options: e.options ?? {} }));
  }
  const { plugins, issues: pluginIssues } = await loadPlugins(config, source);
  const modules = plugins.map((p) => ({ module: p.module, name: p.plugin.name, schema: p.plugin.schema, configKey: p.plugin.configKey }));
  if (pluginIssues.length === 0) pluginIssues.push(...validateConfig(composeConfigSchema({ plugins: modules }), config, source));
  if (pluginIssues.length > 0) throw new ConfigError(pluginIssues.sort(byPosition));

  const entries = config.plugins as Array<{ module: string; options: Record<string, unknown> }> | undefined;
  const pluginEntries: PluginEntry[] = [
    ...plugins.map((p) => {
      const options = entries![p.index].options;
      // A plugin that owns a top-level section gets it as its options unless its entry gives some.
      const section = p.plugin.configKey === undefined ? undefined : (config as Record<string, unknown>)[p.plugin.configKey];
      return { plugin: p.plugin, options: section !== undefined && Object.keys(options).length === 0 ? section : options };
    }),
    ...code,
  ];
  return {
    config: config as CustodianConfig,
    plugins: pluginEntries,
    filepath: fileOf.startsWith("<") ? undefined : fileOf,
    dir: source.dir,
    validate(kernel: Kernel) {
      const types = new Map(kernel.types().map((t) => [t, kernel.getType(t)?.schema]));
      for (const [type, typeSchema] of types) {
        const problem = typeSchema === undefined ? undefined : schemaProblem(typeSchema);
        if (problem !== undefined) throw new KernelError("ERR_PLUGIN_INVALID", `Resource type "${type}" has a spec schema that ajv (strict mode) rejects: ${problem}. Fix the plugin that registers it.`);
      }
      const schema = composeConfigSchema({ types, closedTypes: fromFile, features: fromFile ? kernel.featureRegistry.declarations() : undefined, plugins: modules });
      const late = validateConfig(schema, kernel.config, source);
      if (late.length > 0) throw new ConfigError(late.sort(byPosition));
      const settings = kernel.settings.resources;
      const resources = (kernel.config.resources ?? {}) as Record<string, Record<string, unknown>>;
      for (const name of Object.keys(resources)) if (settings[name] !== undefined) Object.assign(settings[name], resources[name]);
      deepFreeze(kernel.config);
      composedSchemas.set(kernel, fromFile ? schema : composeConfigSchema({ types, closedTypes: true, features: kernel.featureRegistry.declarations(), plugins: modules }));
    },
  };
}
