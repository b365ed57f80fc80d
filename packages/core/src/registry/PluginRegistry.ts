/**
 * Registers plugins: unique names, dependencies already registered, an async-only apply bounded
 * by a start deadline whose error names the plugin.
 */
import { isFeatureDeclaration, type FeatureDeclaration } from "../kernel/Features.js";
import { KernelError } from "../errors.js";
import { errorLocation, pluginEntryOf } from "./pluginLocation.js";
import type { Kernel } from "../kernel/KernelApi.js";
import type { PluginDescriptor } from "./definePlugin.js";

export const DEFAULT_PLUGIN_START_TIMEOUT_MS = 10_000;

/**
 * @internal Why a descriptor's `types` is malformed, or undefined when it is absent or well formed
 * (a mapping of type name to `{ schema? }`).
 */
export function declaredTypesProblem(types: unknown): string | undefined {
  if (types === undefined) return undefined;
  if (types === null || typeof types !== "object" || Array.isArray(types)) return "types must be a mapping of type name to { schema? }";
  for (const [name, decl] of Object.entries(types)) {
    if (name === "") return "types has an empty type name";
    if (decl === null || typeof decl !== "object" || Array.isArray(decl)) return `types["${name}"] must be { schema? }; received ${JSON.stringify(decl)}`;
    const schema = (decl as { schema?: unknown }).schema;
    if (schema !== undefined && (schema === null || typeof schema !== "object" || Array.isArray(schema)))
      return `types["${name}"].schema must be a JSON Schema object`;
  }
  return undefined;
}

/**
 * Checks a descriptor without applying anything: shape, name not yet `registered`, dependencies
 * registered before it, feature flags well-formed and not owned by anyone else (`ownerOf`), and
 * declared types. Returns its feature declarations.
 * @throws KernelError ERR_PLUGIN_INVALID, ERR_PLUGIN_DUPLICATE, ERR_PLUGIN_DEPENDENCY
 */
function checkDescriptor(
  plugin: PluginDescriptor<any>,
  registered: ReadonlySet<string>,
  ownerOf: (flag: string) => string | undefined,
): readonly FeatureDeclaration[] {
  if (plugin === null || typeof plugin !== "object") {
    throw new KernelError(
      "ERR_PLUGIN_INVALID",
      `A plugin must be a descriptor object from definePlugin({ name, apply }); received ${plugin === null ? "null" : typeof plugin}`,
    );
  }
  if (typeof plugin.name !== "string" || plugin.name === "") {
    throw new KernelError("ERR_PLUGIN_INVALID", `A plugin must have a non-empty string name; received ${JSON.stringify(plugin.name)}`);
  }
  if (typeof plugin.apply !== "function") {
    throw new KernelError("ERR_PLUGIN_INVALID", `Plugin "${plugin.name}" must have an apply(kernel, options) function`);
  }
  if (plugin.apply.length > 2) {
    throw new KernelError(
      "ERR_PLUGIN_INVALID",
      `Plugin "${plugin.name}": apply(kernel, options) takes two parameters and may return a promise; callback-style apply (a third "done" parameter) is not supported`,
    );
  }
  if (registered.has(plugin.name)) {
    throw new KernelError("ERR_PLUGIN_DUPLICATE", `Plugin "${plugin.name}" is registered twice; remove one of the entries`);
  }
  for (const dep of plugin.dependsOn ?? []) {
    if (!registered.has(dep)) {
      throw new KernelError(
        "ERR_PLUGIN_DEPENDENCY",
        `Plugin "${plugin.name}" depends on "${dep}", which is not registered before it; list "${dep}" earlier in plugins`,
      );
    }
  }
  const features = plugin.features ?? [];
  if (!Array.isArray(features)) {
    throw new KernelError("ERR_PLUGIN_INVALID", `Plugin "${plugin.name}": features must be an array of { name, default, description }`);
  }
  const seen = new Set<string>();
  for (const d of features as unknown[]) {
    if (!isFeatureDeclaration(d)) {
      throw new KernelError(
        "ERR_PLUGIN_INVALID",
        `Plugin "${plugin.name}": each feature flag must be { name: non-empty string, default: boolean, description }; received ${JSON.stringify(d)}`,
      );
    }
    // Two owners of one flag would silently share (or fight over) it: the second declaration used
    // to be ignored, so a plugin could ship a default that never took effect.
    const owner = seen.has(d.name) ? plugin.name : ownerOf(d.name);
    if (owner !== undefined) {
      throw new KernelError(
        "ERR_PLUGIN_INVALID",
        `Plugin "${plugin.name}" declares feature flag "${d.name}", which ${owner === plugin.name ? "it already declares" : owner === "core" ? "core declares" : `plugin "${owner}" declares`}; give it a name of its own (e.g. "${plugin.name.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}${d.name[0].toUpperCase()}${d.name.slice(1)}")`,
      );
    }
    seen.add(d.name);
  }
  const typesProblem = declaredTypesProblem(plugin.types);
  if (typesProblem !== undefined) throw new KernelError("ERR_PLUGIN_INVALID", `Plugin "${plugin.name}": ${typesProblem}`);
  return features;
}

/**
 * @internal Checks every descriptor of `plugins` in order, as if each were registered after the
 * ones before it (and after `registered`); `ownerOf` names who already owns a feature flag.
 * @throws KernelError ERR_PLUGIN_INVALID, ERR_PLUGIN_DUPLICATE, ERR_PLUGIN_DEPENDENCY
 */
export function checkDescriptors(
  plugins: ReadonlyArray<PluginDescriptor<any>>,
  registered: Iterable<string>,
  ownerOf: (flag: string) => string | undefined,
): void {
  const names = new Set(registered);
  const owners = new Map<string, string>();
  for (const plugin of plugins) {
    const features = checkDescriptor(plugin, names, (flag) => owners.get(flag) ?? ownerOf(flag));
    names.add(plugin.name);
    for (const f of features) owners.set(f.name, plugin.name);
  }
}

/** ` (thrown at file:line:col; listed at resource.config.yaml:4:5 plugins[1])`, as far as known. */
function whereApplyFailed(cause: unknown, options: unknown): string {
  const entry = pluginEntryOf(options);
  const thrown = errorLocation(cause, entry?.file);
  const parts = [thrown === undefined ? "" : `thrown at ${thrown}`, entry === undefined ? "" : `listed at ${entry.entry}`].filter((p) => p !== "");
  return parts.length === 0 ? "" : ` (${parts.join("; ")})`;
}

/** @internal */
export class PluginRegistry {
  readonly #kernel: Kernel;
  readonly #plugins = new Map<string, PluginDescriptor<any>>();
  readonly #onApplied: (plugin: string, elapsedMs: number) => void;

  /** `onApplied` announces each plugin once its apply() has settled (the kernel emits `plugin:applied`). */
  constructor(kernel: Kernel, onApplied: (plugin: string, elapsedMs: number) => void) {
    this.#kernel = kernel;
    this.#onApplied = onApplied;
  }

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  names(): string[] {
    return [...this.#plugins.keys()];
  }

  get(name: string): PluginDescriptor<any> | undefined {
    return this.#plugins.get(name);
  }

  /**
   * Checks every descriptor of `plugins` (in order, as if each were registered after the ones before
   * it) before any applies, so that a bad descriptor late in the list leaves nothing applied.
   * @throws KernelError ERR_PLUGIN_INVALID, ERR_PLUGIN_DUPLICATE, ERR_PLUGIN_DEPENDENCY
   */
  checkAll(plugins: ReadonlyArray<PluginDescriptor<any>>): void {
    checkDescriptors(plugins, this.#plugins.keys(), (flag) => this.#kernel.featureRegistry.ownerOf(flag));
  }

  /**
   * Applies one plugin.
   * @throws KernelError ERR_PLUGIN_INVALID (also when apply() registers other types than `types` declares),
   *   ERR_PLUGIN_DUPLICATE, ERR_PLUGIN_DEPENDENCY, ERR_PLUGIN_TIMEOUT, ERR_PLUGIN_APPLY
   */
  async register(plugin: PluginDescriptor<any>, options: unknown): Promise<void> {
    const features = checkDescriptor(plugin, new Set(this.#plugins.keys()), (flag) => this.#kernel.featureRegistry.ownerOf(flag));
    for (const f of features) this.#kernel.featureRegistry.declare(f, plugin.name);
    this.#plugins.set(plugin.name, plugin);
    const kernel = this.#kernel;
    const typesBefore = new Set(kernel.types());
    const timeoutMs = plugin.startTimeoutMs ?? DEFAULT_PLUGIN_START_TIMEOUT_MS;
    const started = kernel.clock.now();
    let timer: unknown;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = kernel.clock.setTimeout(
          () => {
            reject(
              new KernelError(
                "ERR_PLUGIN_TIMEOUT",
                `Plugin "${plugin.name}" did not finish apply() within ${timeoutMs}ms; check what it awaits or raise its startTimeoutMs`,
              ),
            );
            // Ref'd: createKernel awaits this, and an apply() that never settles and holds no handle
            // must end in this error, not in an early exit of the process.
          },
          timeoutMs,
          { ref: true },
        );
        Promise.resolve()
          .then(() => plugin.apply(kernel, options ?? {}))
          .then(resolve, (cause: unknown) =>
            reject(
              new KernelError(
                "ERR_PLUGIN_APPLY",
                `Plugin "${plugin.name}" failed in apply(): ${cause instanceof Error ? cause.message : String(cause)}${whereApplyFailed(cause, options)}`,
                {
                  cause,
                },
              ),
            ),
          );
      });
    } finally {
      kernel.clock.clearTimeout(timer as object);
    }
    if (plugin.types !== undefined) {
      // The config loader checked resources against the declaration before anything was applied:
      // a declaration that differs from what apply() did would make that check wrong.
      const declared = Object.keys(plugin.types).sort();
      const registered = kernel
        .types()
        .filter((t) => !typesBefore.has(t))
        .sort();
      if (declared.join("\0") !== registered.join("\0")) {
        const list = (l: string[]): string => l.map((t) => `"${t}"`).join(", ");
        const has = declared.length === 0 ? "no resource types" : `the resource types ${list(declared)}`;
        throw new KernelError(
          "ERR_PLUGIN_INVALID",
          `Plugin "${plugin.name}" declares ${has} in its descriptor, but apply() registered ${registered.length === 0 ? "none" : list(registered)}; make "types" list exactly the types apply() registers`,
        );
      }
    }
    this.#onApplied(plugin.name, kernel.clock.now() - started);
  }
}
