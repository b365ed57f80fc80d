/**
 * @custodian/core — the kernel of Custodian: declared, tracked, deadline-bounded resources.
 */
export { createKernel } from "./kernel/createKernel.js";
export type { CreateKernelOptions } from "./kernel/createKernel.js";
export type { Kernel, ReportedLeak } from "./kernel/KernelApi.js";
export type { Scope, ScopeOptions } from "./scope/Scope.js";
export type { KernelHooks, HookResource, ShutdownContext, DeadlineContext } from "./kernel/hooks.js";
export { featureEnvName } from "./kernel/Features.js";
export type { Features, FeatureDeclaration, FeatureState, FeatureSource } from "./kernel/Features.js";
export { definePlugin } from "./registry/definePlugin.js";
export type { PluginDescriptor, PluginEntry, PluginTypeDeclaration } from "./registry/definePlugin.js";
export { systemClock } from "./time/Clock.js";
export type { Clock, TimerHandle, TimerOptions } from "./time/Clock.js";
export { createHostAllowList, isLoopbackHost } from "./net/HostAllowList.js";
export type { HostAllowList, HostAllowListOptions } from "./net/HostAllowList.js";
export { ManualClock } from "./time/ManualClock.js";
export { createDeadline, deadlineAt } from "./scope/Deadline.js";
export type { Deadline } from "./scope/Deadline.js";
export { parseDuration, parseSize } from "./config/duration.js";
export { ConfigError, formatIssue, isConfigError } from "./config/ConfigError.js";
export type { ConfigIssue, ReportedConfigIssue } from "./config/ConfigError.js";
export { CONFIG_SEARCH_PLACES, configSchemaOf, findConfigFile, normalizedConfigOf } from "./config/loadConfig.js";
export { checkConfig } from "./config/checkConfig.js";
export type { CheckConfigOptions, CheckedConfig } from "./config/checkConfig.js";
export { composeConfigSchema, durationSchema, fileModeSchema, pathSchema, RESOURCE_NAME_PATTERN, sizeSchema } from "./config/schema.js";
export type { SchemaParts } from "./config/schema.js";
export {
  CoreErrorCodes,
  DeadlineExceededError,
  isKernelError,
  KernelClosedError,
  KernelError,
  ReleaseAbandonedError,
  ReleaseFailedError,
  ReleaseLateError,
} from "./errors.js";
export type { CoreErrorCode, KernelErrorCode } from "./errors.js";
export type { KernelEvent, KernelEventType } from "./events/KernelEvent.js";
export type {
  AcquireSpec,
  AdoptOptions,
  CreateContext,
  CustodianConfig,
  DependencyRef,
  HistoryEntry,
  ReleaseContext,
  ReleaseOutcomeKind,
  ResourceDeclaration,
  ResourceHandle,
  ResourceOutcome,
  ResourceSnapshot,
  SnapshotOptions,
  ResourceState,
  ResourceTypeDefinition,
  ShutdownReport,
} from "./types.js";
export { isSecretKey, REDACTED, redactHeaders, redactString, redactValue } from "./redact.js";
export type { RedactLimits } from "./redact.js";
