/**
 * The one error an invalid configuration produces: every problem at once, each with the file,
 * line, column and path it belongs to, printed as `file:line:col path: message`.
 */
import { KernelError, type KernelErrorCode } from "../errors.js";

/** One problem in a configuration. `line`/`column` are 1-based and absent when unknown (object or JS config). */
export interface ConfigIssue {
  /**
   * The code this problem has on its own: `ERR_KERNEL_UNKNOWN_TYPE` for an unknown resource type,
   * `ERR_FEATURE_UNKNOWN` for an unknown flag, `ERR_PLUGIN_*` for a plugin entry, ... Absent (when
   * building an issue) means `ERR_CONFIG_INVALID`; every issue of a ConfigError has one.
   */
  code?: KernelErrorCode;
  /** The config file, or `<object>` for a config passed as an object. */
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the offending value (`resources.db.max`, `plugins[1].options`); "" for the whole file. */
  path: string;
  message: string;
}

/**
 * Formats one issue as `file:line:col path: message` (`file path: message` when there is no
 * position), followed by ` [CODE]` when its code is not the generic ERR_CONFIG_INVALID.
 */
export function formatIssue(issue: ConfigIssue, opts: { relativeTo?: (file: string) => string } = {}): string {
  const file = opts.relativeTo === undefined ? issue.file : opts.relativeTo(issue.file);
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  const code = issue.code === undefined || issue.code === "ERR_CONFIG_INVALID" ? "" : ` [${issue.code}]`;
  return `${where} ${issue.path === "" ? "(root)" : issue.path}: ${issue.message}${code}`;
}

/** An issue of a ConfigError: its code is always set. */
export type ReportedConfigIssue = ConfigIssue & { readonly code: KernelErrorCode };

/**
 * An invalid configuration: nothing was started or applied. `issues` lists every problem found,
 * each with its own code (`ERR_KERNEL_UNKNOWN_TYPE`, `ERR_FEATURE_UNKNOWN`, ... or
 * `ERR_CONFIG_INVALID`) and position; the error's own code is always `ERR_CONFIG_INVALID`.
 * @example
 *   try { await createKernel({ config: "resource.config.yaml" }) }
 *   catch (e) { if (isKernelError(e, "ERR_CONFIG_INVALID")) for (const i of (e as ConfigError).issues) console.error(i.line, i.message) }
 */
export class ConfigError extends KernelError {
  readonly issues: readonly ReportedConfigIssue[];
  constructor(issues: ConfigIssue[], options?: ErrorOptions & { relativeTo?: (file: string) => string }) {
    const n = issues.length;
    const lines = issues.map((i) => "  " + formatIssue(i, options));
    super("ERR_CONFIG_INVALID", `Invalid configuration (${n} ${n === 1 ? "error" : "errors"}):\n${lines.join("\n")}`, options);
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i, code: i.code ?? "ERR_CONFIG_INVALID" })));
  }
}

/** True for a ConfigError (from any installed copy of core). */
export const isConfigError = (e: unknown): e is ConfigError =>
  e instanceof Error && (e as { code?: unknown }).code === "ERR_CONFIG_INVALID" && Array.isArray((e as { issues?: unknown }).issues);
