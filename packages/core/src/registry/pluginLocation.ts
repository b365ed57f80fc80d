/**
 * Where a plugin's error comes from, so that a user can open the line: the `file:line:col` of the
 * plugin's own code (read from the error's stack, or for a syntax error, which Node reports
 * without a position when a module is imported, from `node --check`), and the position of the
 * `plugins:` entry of the config file that listed it.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What the config loader knows about a plugin entry of a config file. */
export interface PluginEntryOrigin {
  /** The plugin module's file (absolute path), when it is a file. */
  file: string | undefined;
  /** `resource.config.yaml:4:5 plugins[1]`. */
  entry: string;
}

/** Origins by the options object the loader hands to the registry (one object per entry and load). */
const origins = new WeakMap<object, PluginEntryOrigin>();

/** @internal Remembers which config entry (and module file) `options` belongs to. */
export function recordPluginEntry(options: unknown, origin: PluginEntryOrigin): void {
  if (options !== null && typeof options === "object") origins.set(options, origin);
}

/** @internal The config entry `options` came from, if the loader recorded one. */
export const pluginEntryOf = (options: unknown): PluginEntryOrigin | undefined =>
  options !== null && typeof options === "object" ? origins.get(options) : undefined;

/** The file a module URL or path names, or undefined for `node:` and other non-file specifiers. */
export function moduleFile(url: string): string | undefined {
  if (url.startsWith("file:")) {
    try {
      return fileURLToPath(url);
    } catch {
      return undefined;
    }
  }
  return url.startsWith("/") ? url : undefined;
}

const FRAME = /(?:\(|\s|^)((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)\)?$/;

/**
 * The `file:line:col` an error was thrown at: the first stack frame in `preferFile` when there is
 * one, else the first frame outside Node's internals and node_modules/@custodian/core. Undefined
 * when the stack has no such frame.
 */
export function errorLocation(error: unknown, preferFile?: string): string | undefined {
  const stack = error instanceof Error && typeof error.stack === "string" ? error.stack : "";
  const frames: Array<{ file: string; at: string }> = [];
  for (const line of stack.split("\n").slice(1)) {
    const m = FRAME.exec(line.trim());
    if (m === null) continue;
    const file = moduleFile(m[1]);
    if (file === undefined) continue;
    frames.push({ file, at: `${file}:${m[2]}:${m[3]}` });
  }
  const preferred = preferFile === undefined ? undefined : frames.find((f) => f.file === preferFile);
  return (preferred ?? frames.find((f) => !/[\\/]node_modules[\\/]/.test(f.file) && !/[\\/]packages[\\/]core[\\/](dist|src)[\\/]/.test(f.file)))?.at;
}

/**
 * The position of a syntax error in a module file, from `node --check` (a child process: only on
 * this error path). Undefined when Node does not report one.
 */
export function syntaxErrorLocation(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--check", file], { timeout: 10_000, windowsHide: true }, (_error, _stdout, stderr) => {
      // Node prints "<file>:<line>\n<source line>\n<caret>\n\nSyntaxError: ...".
      const lines = String(stderr).split("\n");
      const at = /^(.*):(\d+)$/.exec(lines[0] ?? "");
      if (at === null) return resolve(undefined);
      const caret = (lines[2] ?? "").indexOf("^");
      resolve(`${moduleFile(at[1]) ?? at[1]}:${at[2]}:${caret >= 0 ? caret + 1 : 1}`);
    });
  });
}
