/**
 * Feature flags: declared by core or a plugin with a default and a description, set in config,
 * overridden by CUSTODIAN_FEATURE_<UPPER_SNAKE_NAME>. Precedence: env > config > default.
 */
import { KernelError } from "../errors.js";

export interface FeatureDeclaration {
  name: string;
  default: boolean;
  description: string;
}

export type FeatureSource = "env" | "config" | "default";

export interface FeatureState {
  name: string;
  enabled: boolean;
  source: FeatureSource;
  description: string;
}

/** Read-only view of the resolved flags, as `kernel.features`. */
export interface Features {
  isEnabled(name: string): boolean;
  list(): FeatureState[];
}

/** @internal The flags core itself declares (every kernel has them, before any plugin). */
export const CORE_FEATURES: readonly FeatureDeclaration[] = Object.freeze([
  Object.freeze({
    name: "deadlineCleanup",
    default: true,
    description: "Deadline-bounded, dependency-ordered cleanup. Off = legacy sequential cleanup with no deadline (rollback).",
  }),
]);

/** @internal A well-formed declaration: a non-empty string name and a boolean default. */
export const isFeatureDeclaration = (f: unknown): f is FeatureDeclaration =>
  f !== null &&
  typeof f === "object" &&
  typeof (f as Partial<FeatureDeclaration>).name === "string" &&
  (f as FeatureDeclaration).name !== "" &&
  typeof (f as Partial<FeatureDeclaration>).default === "boolean";

/** "deadlineCleanup" → "CUSTODIAN_FEATURE_DEADLINE_CLEANUP". */
export const featureEnvName = (name: string): string =>
  "CUSTODIAN_FEATURE_" +
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();

/** @internal Reads one flag value. @throws ERR_FEATURE_INVALID_VALUE */
export const parseFlag = (value: unknown, subject: string): boolean => {
  if (value === true || value === false) return value;
  const s = String(value).trim().toLowerCase();
  if (s === "on" || s === "true" || s === "1" || s === "yes") return true;
  if (s === "off" || s === "false" || s === "0" || s === "no") return false;
  throw new KernelError("ERR_FEATURE_INVALID_VALUE", `${subject} must be on|off|true|false|1|0; received ${JSON.stringify(value)}`);
};

/** @internal */
export class FeatureRegistry implements Features {
  readonly #declared = new Map<string, FeatureDeclaration>();
  readonly #owners = new Map<string, string>();
  readonly #resolved = new Map<string, FeatureState>();

  /**
   * Declares a flag for `owner` ("core" or a plugin's name). A flag has one owner: callers check
   * `ownerOf()` first (the plugin registry does, with a message naming both owners).
   * @throws KernelError ERR_PLUGIN_INVALID when `decl.name` is already declared
   */
  declare(decl: FeatureDeclaration, owner = "core"): void {
    const previous = this.#owners.get(decl.name);
    if (previous !== undefined) {
      throw new KernelError("ERR_PLUGIN_INVALID", `Feature flag "${decl.name}" is declared by ${owner} and already by ${previous}; a flag has one owner`);
    }
    this.#declared.set(decl.name, { name: decl.name, default: decl.default, description: decl.description });
    this.#owners.set(decl.name, owner);
  }

  /** Who already declared `name`, or undefined. */
  ownerOf(name: string): string | undefined {
    return this.#owners.get(name);
  }

  has(name: string): boolean {
    return this.#declared.has(name);
  }

  /** Every declared flag (core's and the plugins'), in declaration order. */
  declarations(): FeatureDeclaration[] {
    return [...this.#declared.values()].map((d) => ({ ...d }));
  }

  /** Resolves every declared flag. @throws ERR_FEATURE_UNKNOWN, ERR_FEATURE_INVALID_VALUE */
  resolve(config: Record<string, unknown> | undefined, env: Record<string, string | undefined>): void {
    for (const name of Object.keys(config ?? {})) {
      if (!this.#declared.has(name)) {
        const known = [...this.#declared.keys()].join(", ");
        throw new KernelError("ERR_FEATURE_UNKNOWN", `Unknown feature flag "${name}" in config; declared flags: ${known}`);
      }
    }
    this.#resolved.clear();
    for (const decl of this.#declared.values()) {
      const envName = featureEnvName(decl.name);
      const fromEnv = env[envName];
      let state: FeatureState;
      if (fromEnv !== undefined && fromEnv !== "") {
        state = { name: decl.name, enabled: parseFlag(fromEnv, `environment variable ${envName}`), source: "env", description: decl.description };
      } else if (config !== undefined && Object.hasOwn(config, decl.name)) {
        state = { name: decl.name, enabled: parseFlag(config[decl.name], `features.${decl.name}`), source: "config", description: decl.description };
      } else {
        state = { name: decl.name, enabled: decl.default, source: "default", description: decl.description };
      }
      this.#resolved.set(decl.name, state);
    }
  }

  isEnabled(name: string): boolean {
    const s = this.#resolved.get(name);
    if (s !== undefined) return s.enabled;
    const d = this.#declared.get(name);
    if (d !== undefined) return d.default;
    throw new KernelError("ERR_FEATURE_UNKNOWN", `Unknown feature flag "${name}"; declared flags: ${[...this.#declared.keys()].join(", ")}`);
  }

  list(): FeatureState[] {
    return [...this.#resolved.values()].map((s) => ({ ...s }));
  }
}
