/**
 * The JSON Schema of resource.config.yaml. The core schema covers the kernel's sections; it is
 * composed with each plugin's option schema and each resource type's spec schema into the one
 * schema the loader validates against and `custodian schema` prints.
 */
import type { FeatureDeclaration } from "../kernel/Features.js";

type Schema = Record<string, unknown>;

/** Resource names: lowercase letters, digits and dashes, starting with a letter (also shuts out `__proto__`). */
export const RESOURCE_NAME_PATTERN = "^[a-z][a-z0-9-]*$";

/** The custom annotation keyword the loader understands: `"x-custodian": "duration" | "size" | "path" | "module" | "secret"`. */
export const CUSTODIAN_KEYWORD = "x-custodian";

/** A duration option: `"250ms"`, `"5s"`, `"2m"`, `"1h"`, `"1d"` or a number of milliseconds >= 0. Embed it in plugin schemas. */
export const durationSchema: Schema = Object.freeze({
  [CUSTODIAN_KEYWORD]: "duration",
  anyOf: [
    { type: "number", minimum: 0 },
    { type: "string", pattern: "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?\\s*$" },
  ],
});

/** A size option: `"10MB"`, `"512KiB"` or a number of bytes >= 0. Embed it in plugin schemas. */
export const sizeSchema: Schema = Object.freeze({
  [CUSTODIAN_KEYWORD]: "size",
  anyOf: [
    { type: "number", minimum: 0 },
    { type: "string", pattern: "^\\s*\\d+(\\.\\d+)?\\s*([KMG]i?B|B)?\\s*$" },
  ],
});

/**
 * A file mode: a quoted octal string (`"0644"`, `"0755"`) or an explicit YAML octal (`0o755`),
 * read as the number it means. A plain `0755` or `755` in a file is refused: YAML 1.2 reads it as
 * decimal. Config objects give a number (`0o755`). Embed it in plugin schemas.
 */
export const fileModeSchema: Schema = Object.freeze({
  [CUSTODIAN_KEYWORD]: "mode",
  anyOf: [
    { type: "string", pattern: "^\\s*(0o?)?[0-7]{3,4}\\s*$" },
    { type: "integer", minimum: 0, maximum: 0o7777 },
  ],
});

/** A filesystem path; a relative one resolves against the config file's folder. */
export const pathSchema: Schema = Object.freeze({ [CUSTODIAN_KEYWORD]: "path", type: "string", minLength: 1 });

const dur = (description: string, def?: string): Schema => ({ ...durationSchema, description, ...(def === undefined ? {} : { default: def }) });

const flagValue: Schema = { anyOf: [{ type: "boolean" }, { enum: ["on", "off"] }] };

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGBREAK"];

/** Keys every resource declaration has, whatever its type. */
export const resourceCommonProperties: Schema = {
  type: { type: "string", minLength: 1, description: "Resource type, registered by a plugin (pool, http.agent, fs.tempdir, ...)." },
  dependsOn: {
    type: "array",
    items: { type: "string" },
    uniqueItems: true,
    description: "Resources this one depends on: created before it, released after it.",
  },
  timeout: dur("Graceful release budget of this resource."),
  labels: {
    type: "object",
    additionalProperties: { type: "string" },
    description: "Labels of this resource (alert rules select and group by them); not passed to its type.",
  },
};

const openResource: Schema = {
  type: "object",
  required: ["type"],
  properties: resourceCommonProperties,
  additionalProperties: true,
};

const pluginEntry: Schema = {
  description: "A plugin module specifier, or { module, options }. Relative specifiers resolve against the config file's folder.",
  anyOf: [
    { type: "string", minLength: 1, [CUSTODIAN_KEYWORD]: "module" },
    {
      type: "object",
      required: ["module"],
      additionalProperties: false,
      properties: {
        module: {
          type: "string",
          minLength: 1,
          [CUSTODIAN_KEYWORD]: "module",
          description: "Module specifier: a package name or a path (relative to the config file).",
        },
        options: { type: "object", description: "Options, validated by the plugin's schema." },
      },
    },
  ],
};

/** What the composed schema knows beyond core. Omitted parts stay open (checked later). */
export interface SchemaParts {
  /** Registered resource types and their spec schemas. */
  types?: ReadonlyMap<string, Schema | undefined>;
  /** Reject types not in `types` (config files). Config objects leave that to the kernel (ERR_KERNEL_UNKNOWN_TYPE). */
  closedTypes?: boolean;
  /** Declared feature flags. */
  features?: readonly FeatureDeclaration[];
  /** Plugins named in the config, by (resolved) module specifier. */
  plugins?: ReadonlyArray<{ module: string; name: string; schema?: Schema; configKey?: string }>;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The schema of one resource of a registered type: the type's schema plus `type`, `dependsOn`, `timeout`, `labels`. */
function typedResource(type: string, schema: Schema | undefined): Schema {
  if (schema === undefined) return { ...openResource, properties: { ...resourceCommonProperties, type: { const: type } } };
  const s = clone(schema);
  return {
    ...s,
    type: "object",
    required: [...new Set(["type", ...((s.required as string[] | undefined) ?? [])])],
    properties: { ...((s.properties as Schema | undefined) ?? {}), ...resourceCommonProperties, type: { const: type } },
  };
}

/**
 * Composes the config schema: core sections, plus whatever is known of types, flags and plugins.
 * @example
 *   const schema = composeConfigSchema({ types: new Map([["pool", poolSchema]]) })
 */
export function composeConfigSchema(parts: SchemaParts = {}): Schema {
  let resource: Schema = openResource;
  if (parts.types !== undefined) {
    const names = [...parts.types.keys()].sort();
    resource = {
      type: "object",
      required: ["type"],
      properties:
        parts.closedTypes === false
          ? resourceCommonProperties
          : { ...resourceCommonProperties, type: { ...(resourceCommonProperties.type as Schema), enum: names.length > 0 ? names : [""] } },
    };
    if (names.length > 0) {
      resource.allOf = names.map((t) => ({
        if: { type: "object", properties: { type: { const: t } }, required: ["type"] },
        then: typedResource(t, parts.types!.get(t)),
      }));
    }
  }
  let features: Schema = {
    type: "object",
    description: "Feature flags: on/off (true/false). Environment CUSTODIAN_FEATURE_<UPPER_SNAKE> overrides.",
    additionalProperties: flagValue,
  };
  if (parts.features !== undefined) {
    const props: Schema = {};
    for (const f of parts.features) props[f.name] = { ...flagValue, description: `${f.description} (default: ${f.default ? "on" : "off"})` };
    features = { ...features, properties: props, additionalProperties: false };
  }
  let plugin: Schema = pluginEntry;
  if (parts.plugins !== undefined && parts.plugins.some((p) => p.schema !== undefined)) {
    plugin = {
      ...pluginEntry,
      allOf: parts.plugins
        .filter((p) => p.schema !== undefined)
        .map((p) => ({
          if: { type: "object", properties: { module: { const: p.module } }, required: ["module"] },
          then: { type: "object", properties: { options: { ...clone(p.schema!), description: `Options of plugin "${p.name}".` } } },
        })),
    };
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Custodian configuration (resource.config.yaml)",
    type: "object",
    additionalProperties: false,
    properties: {
      shutdown: {
        type: "object",
        description: "How the whole kernel shuts down.",
        additionalProperties: false,
        default: {},
        properties: {
          deadline: dur("Global shutdown deadline.", "5s"),
          reserve: dur("Part of the deadline kept for the forced phase. Default: 10% of the deadline, at most 1s."),
          signals: {
            type: "array",
            description: "Signals that start shutdown (first) and force it (second).",
            items: { type: "string", enum: SIGNALS },
            uniqueItems: true,
            default: [],
          },
          exitCode: {
            enum: ["zero-on-success", "conventional"],
            description:
              'Exit code after a signal-initiated shutdown: "zero-on-success" exits 0 when the report is ok and 1 otherwise; "conventional" exits 128 + the signal number (143 for SIGTERM, 130 for SIGINT) when ok, 1 otherwise.',
            default: "zero-on-success",
          },
          report: {
            enum: ["silent", "summary", "table"],
            description:
              'What a signal-initiated shutdown prints on stderr: "summary" (one line when clean, the table of what was not released otherwise), "table" (every resource), or "silent".',
            default: "summary",
          },
        },
      },
      release: {
        type: "object",
        description: "Releases outside shutdown.",
        additionalProperties: false,
        default: {},
        properties: { defaultTimeout: dur("Budget of a single handle.release() outside shutdown.", "5s") },
      },
      features,
      tracking: {
        type: "object",
        description: "Leak suspicion and history.",
        additionalProperties: false,
        default: {},
        properties: {
          leakThreshold: dur("A resource held longer than this emits resource:leak-suspected once. Off when absent."),
          captureStacks: {
            description: "Capture acquisition stacks: false, true, or a sample rate in (0, 1].",
            anyOf: [{ type: "boolean" }, { type: "number", exclusiveMinimum: 0, maximum: 1 }],
            default: false,
          },
          historySize: { type: "integer", minimum: 1, description: "How many released resources the history keeps.", default: 1000 },
        },
      },
      resources: {
        type: "object",
        description: "Declared resources by name; each is validated by the schema of its type.",
        propertyNames: { pattern: RESOURCE_NAME_PATTERN, maxLength: 64 },
        additionalProperties: resource,
      },
      plugins: { type: "array", description: "Plugins to load, in order.", items: plugin },
      alerts: { type: "object", description: "Alert rules (validated by @custodian/plugin-alerts)." },
      // A plugin that owns a top-level section (`configKey`) validates it with its own schema (if any).
      ...Object.fromEntries(
        (parts.plugins ?? [])
          .filter((p) => p.configKey !== undefined)
          .map((p) => [p.configKey!, { ...(p.schema === undefined ? {} : clone(p.schema)), description: `Section owned by plugin "${p.name}".` }]),
      ),
    },
  };
}
