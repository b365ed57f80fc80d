/**
 * The `custodian` command line: `validate`, `print-config` and `schema`. `run(argv, io)` returns
 * the exit code (0 valid, 1 invalid config or failure, 2 usage error) and never calls
 * process.exit, so it can be tested in-process as well as through the built binary.
 */
import { relative, resolve, isAbsolute } from "node:path";
import { parseArgs } from "node:util";
import {
  CONFIG_SEARCH_PLACES,
  configSchemaOf,
  createKernel,
  findConfigFile,
  formatIssue,
  isConfigError,
  isKernelError,
  normalizedConfigOf,
  type Kernel,
} from "@custodian/core";
import { stringify } from "yaml";
import { redactSecrets } from "./redact.js";

/** Where the CLI reads and writes; colours only when the stream is a TTY. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Colour output on stdout / stderr (the TTY check happens in bin.ts). */
  color?: { stdout: boolean; stderr: boolean };
}

const ansi = (on: boolean) => {
  const wrap = (open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { red: wrap(31, 39), green: wrap(32, 39), bold: wrap(1, 22), dim: wrap(2, 22), cyan: wrap(36, 39) };
};

const HELP: Record<string, string> = {
  main: `Usage: custodian <command> [options]

Commands:
  validate [file]       Check a config file; exit 0 when valid, 1 with every error when not
  print-config [file]   Print the resolved config (defaults, env, durations in ms; secrets redacted)
  schema [file]         Print the JSON Schema of the config (core + the file's plugins)

Without [file], the config is searched from the working directory:
  ${CONFIG_SEARCH_PLACES.join(", ")}

Options:
  -h, --help            Show help (also: custodian <command> --help)
  -v, --version         Show the version

Exit codes: 0 success, 1 invalid config or failure, 2 usage error.`,
  validate: `Usage: custodian validate [file]

Loads the config (and the plugins it lists), validates it against the composed schema and prints
a one-line summary. Every error is printed as "file:line:col path: message".

Exit codes: 0 valid, 1 invalid, 2 usage error.`,
  "print-config": `Usage: custodian print-config [file] [--json]

Prints the resolved config: defaults applied, \${VAR} interpolated, durations in milliseconds,
sizes in bytes, relative paths absolute. Values that look like secrets (passwords, tokens,
credentials in URLs) are redacted.

Options:
  --json    Print JSON instead of YAML

Exit codes: 0 printed, 1 invalid config, 2 usage error.`,
  schema: `Usage: custodian schema [file]

Prints the JSON Schema of resource.config.yaml: the core sections, plus the option schemas, resource
types and feature flags of the plugins the given file lists. Point your editor at it with
  # yaml-language-server: $schema=./resource.config.schema.json

Exit codes: 0 printed, 1 invalid config, 2 usage error.`,
};

const VERSION = "0.1.0";

class UsageError extends Error {}

/** Runs one CLI invocation and resolves with its exit code. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const out = ansi(io.color?.stdout ?? false);
  const err = ansi(io.color?.stderr ?? false);
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      io.stderr(HELP.main + "\n");
      return 2;
    }
    if (command === "-h" || command === "--help" || command === "help") {
      const topic = command === "help" && rest[0] !== undefined ? rest[0] : "main";
      if (HELP[topic] === undefined) throw new UsageError(`unknown command "${topic}"`);
      io.stdout(HELP[topic] + "\n");
      return 0;
    }
    if (command === "-v" || command === "--version") {
      io.stdout(VERSION + "\n");
      return 0;
    }
    if (HELP[command] === undefined || command === "main") throw new UsageError(`unknown command "${command}"`);
    const { values, positionals } = parseArgsOrUsage(rest);
    if (values.json === true && command !== "print-config") throw new UsageError(`${command} has no --json option`);
    if (values.help === true) {
      io.stdout(HELP[command] + "\n");
      return 0;
    }
    if (positionals.length > 1) throw new UsageError(`${command} takes at most one file; received ${positionals.length}`);
    const given = positionals[0];
    const file = given !== undefined ? resolve(io.cwd, given) : await findConfigFile(io.cwd);
    const show = (f: string): string => {
      const r = relative(io.cwd, f);
      return r !== "" && !r.startsWith("..") && !isAbsolute(r) ? r : f;
    };
    if (file === undefined && command !== "schema") {
      io.stderr(`${err.red("error")}: no config file found from ${io.cwd}; looked for ${CONFIG_SEARCH_PLACES.join(", ")}\n`);
      return 1;
    }
    let kernel: Kernel;
    try {
      kernel = await createKernel({ config: file ?? {}, cwd: io.cwd, env: io.env, exit: () => {} });
    } catch (error) {
      if (isConfigError(error)) {
        for (const issue of error.issues) {
          const line = formatIssue(issue, { relativeTo: show });
          const cut = line.indexOf(" ");
          io.stderr(`${err.bold(line.slice(0, cut))}${line.slice(cut)}\n`);
        }
        const n = error.issues.length;
        io.stderr(`${err.red(`${n} ${n === 1 ? "error" : "errors"}`)} in ${show(error.issues[0]?.file ?? file ?? "config")}\n`);
        return 1;
      }
      io.stderr(`${err.red("error")}: ${isKernelError(error) ? `${error.code}: ` : ""}${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    try {
      if (command === "validate") {
        const c = kernel.config;
        const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
        const resources = Object.keys(c.resources ?? {}).length;
        const plugins = Array.isArray(c.plugins) ? c.plugins.length : 0;
        const flags = Object.keys(c.features ?? {}).length;
        io.stdout(`${out.green("valid")} ${show(file!)}: ${count(resources, "resource")}, ${count(plugins, "plugin")}, ${count(flags, "feature flag")} set\n`);
      } else if (command === "print-config") {
        const resolved = redactSecrets(normalizedConfigOf(kernel, { redact: true }));
        io.stdout(values.json === true ? JSON.stringify(resolved, null, 2) + "\n" : `# resolved from ${show(file!)}\n${stringify(resolved)}`);
      } else {
        io.stdout(JSON.stringify(configSchemaOf(kernel), null, 2) + "\n");
      }
    } finally {
      await kernel.shutdown("custodian " + command);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${err.red("usage error")}: ${error.message}\nRun "custodian --help" for usage.\n`);
      return 2;
    }
    throw error;
  }
}

function parseArgsOrUsage(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options: { help: { type: "boolean", short: "h" }, json: { type: "boolean" } } });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
