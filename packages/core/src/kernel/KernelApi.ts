/**
 * The kernel as plugins and applications see it: the `Kernel` interface that `createKernel()`
 * returns and `apply(kernel, options)` receives. It imports nothing of the kernel's implementation,
 * the registry or the config loader, so each of them can name the kernel without an import cycle.
 */
import type { Observable } from "rxjs";
import type { KernelSettings } from "../config/normalize.js";
import type { KernelEvent } from "../events/KernelEvent.js";
import type { Scope, ScopeOptions } from "../scope/Scope.js";
import type { Clock } from "../time/Clock.js";
import type {
  AcquireSpec,
  AdoptOptions,
  CustodianConfig,
  HistoryEntry,
  ResourceHandle,
  ResourceSnapshot,
  SnapshotOptions,
  ResourceTypeDefinition,
  ShutdownReport,
} from "../types.js";
import type { FeatureRegistry, Features } from "./Features.js";
import type { KernelHooks } from "./hooks.js";

/** A leak a plugin found, reported with `kernel.reportLeak()`. */
export interface ReportedLeak {
  id: string;
  type: string;
  name?: string;
  reason: string;
  detail?: string;
  ageMs?: number;
  data?: Record<string, unknown>;
}

/** @internal The registered plugins, by name. */
export interface PluginNames {
  has(name: string): boolean;
  names(): string[];
}

/** The Custodian kernel. Create it with `createKernel()`. */
export interface Kernel {
  /** Lifecycle hooks (tapable), frozen. */
  readonly hooks: KernelHooks;
  /** Resolved feature flags. */
  readonly features: Features;
  /** The injected clock. */
  readonly clock: Clock;
  /** The configuration the kernel was created with (frozen). */
  readonly config: Readonly<CustodianConfig>;
  /** The absolute folder that relative paths resolve against (the config file's folder, else `cwd`). */
  readonly configDir: string;
  /** Aborted when shutdown starts, with a KernelClosedError as its reason. */
  readonly signal: AbortSignal;
  /** The kernel's event stream (a discriminated union on `type`). Completes after shutdown. */
  readonly events$: Observable<KernelEvent>;
  /** "running", "closing" or "closed". */
  readonly state: "running" | "closing" | "closed";
  /** True when `events$` has a subscriber (skip building event payloads otherwise). */
  readonly observed: boolean;
  /** @internal Settings after defaults (durations in ms). */
  readonly settings: Readonly<KernelSettings>;
  /** @internal */
  readonly featureRegistry: FeatureRegistry;
  /** @internal */
  readonly plugins: PluginNames;
  /** Emits a plugin-defined event on `events$`. */
  emitPluginEvent(plugin: string, name: string, data?: Record<string, unknown>): void;
  /** Reports a leak a plugin found as a `resource:leak-suspected` event. */
  reportLeak(leak: ReportedLeak): void;
  /**
   * Registers a resource type.
   * @throws KernelError ERR_KERNEL_DUPLICATE_TYPE, ERR_KERNEL_INVALID_ARGUMENT
   */
  registerType<T, S = Record<string, unknown>>(type: string, definition: ResourceTypeDefinition<T, S>): void;
  /** True when `type` is registered. */
  hasType(type: string): boolean;
  /** @internal The registered definition of `type`. */
  getType(type: string): ResourceTypeDefinition<any, any> | undefined;
  /** Names of the registered resource types. */
  types(): string[];
  /**
   * Acquires a resource declared in config by name, or creates one from an ad-hoc spec.
   * @throws KernelError ERR_KERNEL_CLOSED, ERR_KERNEL_UNKNOWN_RESOURCE, ERR_KERNEL_UNKNOWN_TYPE, ERR_KERNEL_ACQUIRE_HOOK
   */
  acquire<T = unknown>(nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>>;
  /**
   * Tracks a value created elsewhere. Synchronous; the `acquire` hook does not run.
   * @throws KernelError ERR_KERNEL_CLOSED, ERR_KERNEL_UNKNOWN_RESOURCE
   */
  adopt<T>(value: T, options: AdoptOptions<T>): ResourceHandle<T>;
  /** Opens a scope whose resources are released together when it is disposed. */
  scope(name: string, options?: ScopeOptions): Scope;
  /**
   * Live resources, oldest first. `types` keeps only resources of those types: describe() runs
   * for them alone, so a caller that needs details of a few types does not pay for every resource.
   */
  snapshot(options?: SnapshotOptions): ResourceSnapshot[];
  /** Recently released resources (a bounded ring buffer, oldest first). */
  history(): HistoryEntry[];
  /** Releases everything within the configured deadline and resolves with the report. Never throws; idempotent. */
  shutdown(reason?: string): Promise<ShutdownReport>;
}
