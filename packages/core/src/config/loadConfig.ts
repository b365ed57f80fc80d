/**
 * The config loader: finds or reads the config (cosmiconfig 9 with a safe, position-keeping YAML
 * loader), interpolates `${VAR}`, imports the plugins it names, and validates it in one pass
 * against the core schema composed with what the plugins declare (option schemas, owned sections,
 * feature flags, resource types). Every problem is reported at once, with its position and its own
 * code, as one ConfigError, before any plugin is applied. The returned `validate(kernel)` step is a
 * backstop for plugins that do not declare their types: it checks what they registered.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { cosmiconfig, type Loader } from "cosmiconfig";
import { KernelError } from "../errors.js";
import { CORE_FEATURES, featureEnvName, isFeatureDeclaration, parseFlag, type FeatureDeclaration } from "../kernel/Features.js";
import type { Kernel } from "../kernel/KernelApi.js";
import { normalizePluginEntry, type PluginDescriptor, type PluginEntry } from "../registry/definePlugin.js";
import { declaredTypesProblem } from "../registry/PluginRegistry.js";
import { recordPluginEntry } from "../registry/pluginLocation.js";
import type { CustodianConfig } from "../types.js";
import { ConfigError, type ConfigIssue } from "./ConfigError.js";
import {
  describeOrigin,
  MAX_CONFIG_BYTES,
  parseConfigText,
  positionlessSource,
  type ConfigSource,
  type ParsedConfig,
  type PathSegment,
} from "./ConfigSource.js";
import { parseDuration } from "./duration.js";
import { composeConfigSchema } from "./schema.js";
import { didYouMean, schemaProblem, validateConfig } from "./validateConfig.js";
import { issueAt } from "./issueAt.js";
import { describeError, loadPlugins, type ConfigPlugin } from "./loadPlugins.js";

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
  /** What a check without apply() needs (checkConfig): see DeclaredCheck. */
  declared?: DeclaredCheck;
}

/** @internal The config checked against what plugins declare, before (and without) any apply(). */
export interface DeclaredCheck {
  /** The schema composed from core and the plugins' declarations (option schemas, sections, types, flags). */
  schema: Record<string, unknown>;
  /** Plugins that do not declare their resource `types`: types they would register were not checked. */
  untyped: string[];
  /** Issues held back for the check after apply() (unknown flags while types are not all declared). */
  deferred: ConfigIssue[];
}

/** Options of loadConfig. */
export interface LoadConfigOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Plugins given in code (createKernel's `plugins`): their flags and types count as declared. */
  plugins?: readonly PluginEntry[];
}

/** A YAML/JSON file read by our loader; wrapped so cosmiconfig passes it through untouched (no `$import`). */
class Parsed {
  constructor(readonly parsed: ParsedConfig) {}
}

const isDescriptor = (v: unknown): boolean =>
  v !== null &&
  typeof v === "object" &&
  (typeof (v as { apply?: unknown }).apply === "function" ||
    ((v as { plugin?: unknown }).plugin !== null && typeof (v as { plugin?: unknown }).plugin === "object"));

/** Deep copy of plain data; other values (functions, class instances) are kept by reference. */
function copyData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyData);
  if (v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v))
      Object.defineProperty(out, k, { value: copyData((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
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

/** File order; issues without a position (environment, JS config) last, in the order found. */
const byPosition = (a: ConfigIssue, b: ConfigIssue): number =>
  a.line === undefined || b.line === undefined
    ? (a.line === undefined ? 1 : 0) - (b.line === undefined ? 1 : 0)
    : a.line - b.line || (a.column ?? 0) - (b.column ?? 0);

/** Checks that need the whole config: reserve within deadline, dependsOn names exist and form no cycle. */
function checkSemantics(config: Record<string, unknown>, source: ConfigSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const shutdown = config.shutdown as { deadline?: unknown; reserve?: unknown } | undefined;
  if (shutdown?.reserve !== undefined) {
    try {
      const d = parseDuration(shutdown.deadline as string | number);
      const r = parseDuration(shutdown.reserve as string | number);
      // A value from the environment is named by its variable, never shown.
      const shown = (key: string, ms: number): string => {
        const origin = source.originOf?.(["shutdown", key]);
        return origin === undefined ? `${ms}ms` : describeOrigin(origin);
      };
      if (r > d)
        issues.push(issueAt(source, ["shutdown", "reserve"], `reserve (${shown("reserve", r)}) must not exceed shutdown.deadline (${shown("deadline", d)})`));
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
        issues.push(
          issueAt(
            source,
            ["resources", name, "dependsOn", i],
            `depends on "${dep}", which is not declared${m === undefined ? "" : `; did you mean "${m}"?`}; declared resources: ${names.join(", ")}`,
            "ERR_KERNEL_UNKNOWN_RESOURCE",
          ),
        );
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
          issues.push(
            issueAt(
              source,
              ["resources", name, "dependsOn", i],
              `dependency cycle: ${cycle.join(" -> ")}; remove one of these dependsOn entries`,
              "ERR_KERNEL_DEPENDENCY_CYCLE",
            ),
          );
        }
      } else if (state.get(dep) === undefined) visit(dep, [...stack, name]);
    });
    state.set(name, 2);
  };
  for (const name of names) if (!state.has(name)) visit(name, []);
  return issues;
}

/** What the plugins declare in their descriptors, known before any of them is applied. */
interface Declarations {
  /** Declared resource types and their spec schemas (undefined: unchecked spec). */
  types: Map<string, Record<string, unknown> | undefined>;
  /** True when every plugin declares its types: a type outside `types` is unknown. */
  typesComplete: boolean;
  /** Core's flags and every plugin's. */
  features: FeatureDeclaration[];
  issues: ConfigIssue[];
}

/**
 * Collects the types and flags the plugins declare. File plugins' problems come back as issues at
 * their entry; code plugins' are left to the registry (ERR_PLUGIN_INVALID when registered).
 */
function declarationsOf(fromFile: readonly ConfigPlugin[], fromCode: ReadonlyArray<PluginDescriptor<any>>, source: ConfigSource): Declarations {
  const types = new Map<string, Record<string, unknown> | undefined>();
  const owners = new Map<string, { name: string; at: PathSegment[] | undefined }>();
  const features: FeatureDeclaration[] = [...CORE_FEATURES];
  const issues: ConfigIssue[] = [];
  let typesComplete = true;
  const all = [
    ...fromFile.map((p) => ({ plugin: p.plugin, at: ["plugins", p.index] as PathSegment[] | undefined })),
    ...fromCode.map((plugin) => ({ plugin, at: undefined })),
  ];
  const seen = new Set<string>();
  for (const { plugin, at } of all) {
    // A plugin listed twice (reported as such) declares its types once.
    if (seen.has(plugin.name)) continue;
    seen.add(plugin.name);
    if (Array.isArray(plugin.features)) {
      for (const d of plugin.features as unknown[]) {
        if (isFeatureDeclaration(d) && !features.some((x) => x.name === d.name)) features.push(d);
      }
    }
    const problem = declaredTypesProblem(plugin.types);
    if (plugin.types === undefined || problem !== undefined) {
      typesComplete = false;
      if (problem !== undefined && at !== undefined) issues.push(issueAt(source, at, `plugin "${plugin.name}": ${problem}`, "ERR_PLUGIN_INVALID"));
      continue;
    }
    for (const [type, decl] of Object.entries(plugin.types)) {
      const owner = owners.get(type);
      if (owner !== undefined) {
        const where = at ?? owner.at;
        const message = `plugin "${plugin.name}" declares resource type "${type}", which plugin "${owner.name}" also declares; each type belongs to one plugin`;
        issues.push(
          where === undefined
            ? { code: "ERR_KERNEL_DUPLICATE_TYPE", file: source.file, path: "", message }
            : issueAt(source, where, message, "ERR_KERNEL_DUPLICATE_TYPE"),
        );
        continue;
      }
      owners.set(type, { name: plugin.name, at });
      const schemaIssue = decl.schema === undefined ? undefined : schemaProblem(decl.schema);
      if (schemaIssue !== undefined) {
        // Known, so that its resources are not also "unknown type"; unchecked, since its schema cannot compile.
        types.set(type, undefined);
        const message = `plugin "${plugin.name}" declares resource type "${type}" with a spec schema that ajv (strict mode) rejects: ${schemaIssue}`;
        issues.push(
          at === undefined ? { code: "ERR_PLUGIN_INVALID", file: source.file, path: "", message } : issueAt(source, at, message, "ERR_PLUGIN_INVALID"),
        );
        continue;
      }
      types.set(type, decl.schema);
    }
  }
  return { types, typesComplete, features, issues };
}

/** Flags overridden in the environment with a value that is not on/off (the kernel would refuse them after applying plugins). */
function envFlagIssues(features: readonly FeatureDeclaration[], env: Record<string, string | undefined>, source: ConfigSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const f of features) {
    const name = featureEnvName(f.name);
    const value = env[name];
    if (value === undefined || value === "") continue;
    try {
      parseFlag(value, `environment variable ${name}`);
    } catch (error) {
      issues.push({
        code: "ERR_FEATURE_INVALID_VALUE",
        file: source.file,
        path: `features.${f.name}`,
        message: `${(error as Error).message} (set in the environment, not in this file)`,
      });
    }
  }
  return issues;
}

/** Reads the raw config and its source, from a path, a search, or an object. */
async function readInput(
  input: CustodianConfig | string | undefined,
  opts: LoadConfigOptions,
): Promise<{ value: unknown; source: ConfigSource; code: PluginEntry[] } | undefined> {
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
      throw new ConfigError([
        {
          file,
          line: 1,
          column: 1,
          path: "",
          message: `config file is ${(st.size / 1e6).toFixed(1)} MB; the limit is ${MAX_CONFIG_BYTES / 1024 / 1024} MiB. Is this the right file?`,
        },
      ]);
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
    throw new ConfigError([
      {
        file,
        line: 1,
        column: 1,
        path: "",
        message: "config file is empty; expected a mapping of sections (shutdown, release, features, tracking, resources, plugins, alerts)",
      },
    ]);
  }
  const config: unknown = result!.config;
  if (config instanceof Parsed) {
    if (config.parsed.issues.length > 0) throw new ConfigError(config.parsed.issues.sort(byPosition));
    return { value: config.parsed.value, source: config.parsed.source, code: [] };
  }
  // JS config files: no positions, may hold plugin descriptors.
  return readInput(config as CustodianConfig, { ...opts, cwd: dirname(file) }).then((r) => r && { ...r, source: positionlessSource(file, dirname(file)) });
}

/** A kernel, or a config checked without applying plugins (checkConfig): both hold a validated config. */
type HasConfig = { readonly config: Readonly<CustodianConfig> };

const composedSchemas = new WeakMap<HasConfig, Record<string, unknown>>();

/** @internal Remembers the schema `owner`'s config was validated against (for configSchemaOf). */
export const rememberSchema = (owner: HasConfig, schema: Record<string, unknown>): void => void composedSchemas.set(owner, schema);

/**
 * The composed schema of a kernel's (or a checkConfig result's) config: core plus its plugins'
 * options, their resource types and feature flags (what `custodian schema` prints).
 * Undefined for a kernel whose config was not validated by the loader.
 */
export const configSchemaOf = (kernel: HasConfig): Record<string, unknown> | undefined => composedSchemas.get(kernel);

/**
 * A plain copy of a kernel's (or a checkConfig result's) resolved config with durations in
 * milliseconds and sizes in bytes (defaults, interpolation and relative paths are already applied).
 * With `redact`, values whose schema says `"x-custodian": "secret"` become "[redacted]".
 */
export function normalizedConfigOf(kernel: HasConfig, options: { redact?: boolean } = {}): Record<string, unknown> {
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
    const hasPackage = await stat(join(dir, "package.json")).then(
      () => true,
      () => false,
    );
    const parent = dirname(dir);
    if (hasPackage || parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Loads, interpolates and validates a config; plugins named in it are imported (not applied) and
 * the config is checked against what they and `opts.plugins` declare. What plugins do not declare
 * (their resource types) is checked by the returned `validate(kernel)` once they are applied.
 * @throws ConfigError ERR_CONFIG_INVALID with every issue found, each with its own code
 * @internal createKernel() is the public way in; kept out of the .d.ts with its `LoadedConfig` result.
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
    throw new ConfigError([
      issueAt(source, [], `config must be a mapping of sections (shutdown, release, features, tracking, resources, plugins, alerts); the file holds ${what}`),
    ]);
  }
  const config = value as Record<string, unknown>;
  // Config objects keep the kernel's own errors for cycles, unknown types and flags (ERR_KERNEL_*, ERR_FEATURE_*).
  const fromFile = source.file !== "<object>";
  // This pass only normalises (defaults, relative module paths): its issues are reported by the
  // full pass below, whose schema also knows the plugins' sections, types and flags.
  validateConfig(composeConfigSchema(), config, source);
  // One shape for every entry, so that each plugin's option defaults apply even when no options are given.
  if (Array.isArray(config.plugins)) {
    config.plugins = (config.plugins as unknown[]).map((e) => {
      if (typeof e === "string" && e !== "") return { module: e, options: {} };
      const entry = e as { module?: unknown; options?: unknown } | null;
      const keys = entry !== null && typeof entry === "object" && !Array.isArray(entry) ? Object.keys(entry) : [];
      const wellFormed = typeof entry?.module === "string" && keys.every((k) => k === "module" || k === "options");
      return wellFormed ? { module: entry!.module, options: entry!.options ?? {} } : e;
    });
  }
  const loadedPlugins = await loadPlugins(config, source);
  const { plugins } = loadedPlugins;
  const codePlugins = [...code, ...(opts.plugins ?? [])].map((e) => normalizePluginEntry(e).plugin).filter((p) => p !== null && typeof p === "object");
  const declared = declarationsOf(loadedPlugins.descriptors, codePlugins, source);
  // What an unloadable entry would declare is unknown: leave flags and types open rather than report false problems.
  const featuresKnown = fromFile && !loadedPlugins.incomplete;
  const typesKnown = featuresKnown && declared.typesComplete;
  const modules: Array<{ module: string; name: string; schema?: Record<string, unknown>; configKey?: string }> = plugins.map((p) => ({
    module: p.module,
    name: p.plugin.name,
    schema: p.plugin.schema,
    configKey: p.plugin.configKey,
  }));
  // A plugin whose option schema is broken (reported) still owns its section: not also "unknown key".
  for (const d of loadedPlugins.descriptors) {
    if (d.plugin.configKey !== undefined && !modules.some((m) => m.name === d.plugin.name))
      modules.push({ module: d.module, name: d.plugin.name, configKey: d.plugin.configKey });
  }
  const declaredSchema = composeConfigSchema({
    plugins: modules,
    types: declared.types,
    closedTypes: typesKnown,
    features: featuresKnown ? declared.features : undefined,
  });
  const issues = [
    ...validateConfig(declaredSchema, config, source),
    ...(fromFile ? checkSemantics(config, source) : []),
    ...loadedPlugins.issues,
    ...declared.issues,
    ...(featuresKnown ? envFlagIssues(declared.features, opts.env, source) : []),
  ];
  // Without every plugin's types, unknown types and bad specs only show once plugins are applied.
  // When flags are all that is wrong so far, they are reported with those (validate below finds
  // them again), not in a round of their own.
  const flagsOnly = issues.every((i) => i.code === "ERR_FEATURE_UNKNOWN" || i.code === "ERR_FEATURE_INVALID_VALUE");
  const deferred = issues.length > 0 && fromFile && !typesKnown && flagsOnly;
  if (issues.length > 0 && !deferred) throw new ConfigError(issues.sort(byPosition));

  const entries = config.plugins as Array<{ module: string; options: Record<string, unknown> }> | undefined;
  const pluginEntries: PluginEntry[] = [
    ...plugins.map((p) => {
      const options = entries![p.index].options;
      // A plugin that owns a top-level section gets it as its options unless its entry gives some.
      const section = p.plugin.configKey === undefined ? undefined : (config as Record<string, unknown>)[p.plugin.configKey];
      const given = section !== undefined && Object.keys(options).length === 0 ? section : options;
      // So that an apply() failure can name this entry (the registry reads it back by the options object).
      const pos = source.positionOf(["plugins", p.index]);
      const entry = `${source.file}${pos === undefined ? "" : `:${pos.line}:${pos.column}`} plugins[${p.index}]`;
      recordPluginEntry(given, { file: p.file, entry });
      return { plugin: p.plugin, options: given };
    }),
    ...code,
  ];
  return {
    config: config as CustodianConfig,
    plugins: pluginEntries,
    filepath: fileOf.startsWith("<") ? undefined : fileOf,
    dir: source.dir,
    declared: {
      schema: fromFile
        ? declaredSchema
        : composeConfigSchema({ plugins: modules, types: declared.types, closedTypes: declared.typesComplete, features: declared.features }),
      untyped: [...new Set([...loadedPlugins.descriptors.map((d) => d.plugin), ...codePlugins].filter((p) => p.types === undefined).map((p) => p.name))],
      deferred: deferred ? issues.sort(byPosition) : [],
    },
    validate(kernel: Kernel) {
      const types = new Map(kernel.types().map((t) => [t, kernel.getType(t)?.schema]));
      for (const [type, typeSchema] of types) {
        const problem = typeSchema === undefined ? undefined : schemaProblem(typeSchema);
        if (problem !== undefined)
          throw new KernelError(
            "ERR_PLUGIN_INVALID",
            `Resource type "${type}" has a spec schema that ajv (strict mode) rejects: ${problem}. Fix the plugin that registers it.`,
          );
      }
      const schema = composeConfigSchema({
        types,
        closedTypes: fromFile,
        features: fromFile ? kernel.featureRegistry.declarations() : undefined,
        plugins: modules,
      });
      const late = [
        ...validateConfig(schema, kernel.config, source),
        ...(fromFile ? envFlagIssues(kernel.featureRegistry.declarations(), opts.env, source) : []),
      ];
      if (late.length > 0) throw new ConfigError(late.sort(byPosition));
      const settings = kernel.settings.resources;
      const resources = (kernel.config.resources ?? {}) as Record<string, Record<string, unknown>>;
      for (const name of Object.keys(resources)) if (settings[name] !== undefined) Object.assign(settings[name], resources[name]);
      deepFreeze(kernel.config);
      composedSchemas.set(
        kernel,
        fromFile ? schema : composeConfigSchema({ types, closedTypes: true, features: kernel.featureRegistry.declarations(), plugins: modules }),
      );
    },
  };
}
