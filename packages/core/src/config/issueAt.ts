/**
 * A config problem at a path of a config source, with the position the source knows for it.
 */
import type { KernelErrorCode } from "../errors.js";
import type { ConfigIssue } from "./ConfigError.js";
import { formatPath, type ConfigSource, type PathSegment } from "./ConfigSource.js";

/** The issue `message` (with `code`, when given) at `path` of `source`. */
export function issueAt(source: ConfigSource, path: PathSegment[], message: string, code?: KernelErrorCode): ConfigIssue {
  const pos = source.positionOf(path);
  return { ...(code === undefined ? {} : { code }), file: source.file, line: pos?.line, column: pos?.column, path: formatPath(path), message };
}
