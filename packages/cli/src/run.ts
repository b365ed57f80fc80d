/**
 * The `custodian` command line: `validate`, `print-config`, `schema`, `rules export` and
 * `dashboard`. `run(argv, io)` returns the exit code (0 valid, 1 invalid config or failure, 2 usage
 * error) and never calls process.exit, so it can be tested in-process as well as through the built
 * binary.
 */
import { writeFile } from "node:fs/promises";
import { relative, resolve, isAbsolute } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import {
  checkConfig,
  CONFIG_SEARCH_PLACES,
  configSchemaOf,
  createKernel,
  findConfigFile,
  formatIssue,
  isConfigError,
  isKernelError,
  normalizedConfigOf,
  redactString,
  redactValue,
  type CheckedConfig,
  type CustodianConfig,
  type Kernel,
} from "@custodian/core";
import { AlertsConfigError, exportPrometheusRules, validateAlertsConfig, type AlertsConfig } from "@custodian/plugin-alerts";
import { attachDashboard } from "@custodian/plugin-dashboard";
import { parse, stringify } from "yaml";

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
  rules export --prometheus [file] [-o out.yaml]
                        Export the file's alert rules as a Prometheus rules file
  dashboard --pid N [--port P]
                        Open the dashboard of a running process; print its URL with the token

Without [file], the config is searched from the working directory:
  ${CONFIG_SEARCH_PLACES.join(", ")}

Options:
  -h, --help            Show help (also: custodian <command> --help)
  -v, --version         Show the version

Exit codes: 0 success, 1 invalid config or failure, 2 usage error.`,
  validate: `Usage: custodian validate [file] [--apply]

Loads the config, imports the plugins it lists and validates it against the schema composed from
what they declare (option schemas, sections, feature flags, resource types), then prints a one-line
summary. Every error is printed as "file:line:col path: message". No plugin's apply() runs: nothing
listens, nothing is created or reaped.

Options:
  --apply   Also apply the plugins as a start would (each within its start timeout), then shut
            down: checks what they register, at the cost of their side effects

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
  rules: `Usage: custodian rules export --prometheus [file] [-o out.yaml]

Loads the config (and the plugins it lists), validates its \`alerts\` section and prints the rules
that map to PromQL over @custodian/plugin-metrics' metrics as a Prometheus rules file. Rules with no
PromQL equivalent (selectors on resource names or labels, measures over non-pool details) are
listed, with the reason, in the file's leading comment. Check the result with
  promtool check rules out.yaml

Options:
  --prometheus          The output format (required; the only one so far)
  -o, --output <file>   Write the rules to <file> instead of printing them

Exit codes: 0 exported, 1 invalid config or unwritable output, 2 usage error.`,
  dashboard: `Usage: custodian dashboard --pid N [--port P]

Asks the running process N to start its live dashboard (or returns the one it already serves) and
prints the dashboard's URL with its access token. The process must open the attach endpoint: the
dashboard plugin option \`attach: true\`, or listenForAttach(kernel) from @custodian/plugin-dashboard.
Only a local user who can open that endpoint's socket (mode 0600) can attach.

Options:
  --pid <N>     The process id to attach to (required)
  --port <P>    The port the dashboard listens on when this starts it (default: the process's option,
                or a free port)

Exit codes: 0 attached (the URL is printed), 1 no endpoint for that pid or it refused, 2 usage error.`,
};

/** The options each command accepts; anything else is a usage error. */
const OPTIONS = {
  validate: { apply: { type: "boolean" } },
  "print-config": { json: { type: "boolean" } },
  schema: {},
  rules: { prometheus: { type: "boolean" }, output: { type: "string", short: "o" } },
  dashboard: { pid: { type: "string" }, port: { type: "string" } },
} as const satisfies Record<string, NonNullable<ParseArgsConfig["options"]>>;

type Command = keyof typeof OPTIONS;
const isCommand = (c: string): c is Command => Object.hasOwn(OPTIONS, c);

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
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
    const { values, positionals } = parseArgsOrUsage(command, rest);
    if (values.help === true) {
      io.stdout(HELP[command] + "\n");
      return 0;
    }
    if (command === "dashboard") return await dashboard(values, positionals, io);
    if (command === "rules") {
      const sub = positionals.shift();
      if (sub === undefined) throw new UsageError("rules needs a subcommand: custodian rules export --prometheus [file] [-o out.yaml]");
      if (sub !== "export") throw new UsageError(`unknown rules subcommand "${sub}"; the only one is "export"`);
      if (values.prometheus !== true) throw new UsageError("rules export needs the output format: --prometheus (the only one so far)");
      if (values.output === "") throw new UsageError("-o, --output needs a file name");
    }
    const name = command === "rules" ? "rules export" : command;
    if (positionals.length > 1) throw new UsageError(`${name} takes at most one file; received ${positionals.length}`);
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
    // Only `validate --apply` applies plugins; every other command checks without side effects.
    let kernel: Kernel | undefined;
    let checked: CheckedConfig | Kernel;
    try {
      if (command === "validate" && values.apply === true)
        checked = kernel = await createKernel({ config: file ?? {}, cwd: io.cwd, env: io.env, exit: () => {} });
      else checked = await checkConfig(file ?? {}, { cwd: io.cwd, env: io.env });
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
      io.stderr(
        `${err.red("error")}: ${isKernelError(error) ? `${error.code}: ` : ""}${redactString(error instanceof Error ? error.message : String(error))}\n`,
      );
      return 1;
    }
    try {
      if (kernel === undefined && (command === "validate" || command === "print-config")) untypedNote(checked as CheckedConfig, io);
      if (command === "validate") {
        const c = checked.config;
        const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
        const resources = Object.keys(c.resources ?? {}).length;
        const plugins = Array.isArray(c.plugins) ? c.plugins.length : 0;
        const flags = Object.keys(c.features ?? {}).length;
        io.stdout(`${out.green("valid")} ${show(file!)}: ${count(resources, "resource")}, ${count(plugins, "plugin")}, ${count(flags, "feature flag")} set\n`);
      } else if (command === "print-config") {
        const resolved = redactValue(normalizedConfigOf(checked, { redact: true }));
        io.stdout(values.json === true ? JSON.stringify(resolved, null, 2) + "\n" : `# resolved from ${show(file!)}\n${stringify(resolved)}`);
      } else if (command === "rules") {
        return await exportRules(checked, show(file!), typeof values.output === "string" ? resolve(io.cwd, values.output) : undefined, io);
      } else {
        io.stdout(JSON.stringify(configSchemaOf(checked), null, 2) + "\n");
      }
    } finally {
      await kernel?.shutdown("custodian " + name);
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

/** Says which plugins' resource types could not be checked without applying them. */
function untypedNote(checked: CheckedConfig, io: CliIO): void {
  if (checked.untypedPlugins.length === 0) return;
  const err = ansi(io.color?.stderr ?? false);
  const names = checked.untypedPlugins.map((p) => `"${p}"`).join(", ");
  const s = checked.untypedPlugins.length === 1 ? "" : "s";
  io.stderr(
    `${err.bold("note")}: plugin${s} ${names} ${s === "" ? "does" : "do"} not declare the resource types ${s === "" ? "it registers" : "they register"} ("types" in ${s === "" ? "its descriptor" : "their descriptors"}), so resources whose type no plugin declares were not checked; "custodian validate --apply" applies the plugins and checks them\n`,
  );
}

/** `custodian rules export --prometheus`: the file's `alerts` section as a Prometheus rules file. */
async function exportRules(kernel: { readonly config: Readonly<CustodianConfig> }, shown: string, output: string | undefined, io: CliIO): Promise<number> {
  const out = ansi(io.color?.stdout ?? false);
  const err = ansi(io.color?.stderr ?? false);
  // Already checked with positions when the file lists plugin-alerts; checked here when it does not.
  let alerts: AlertsConfig;
  try {
    alerts = validateAlertsConfig(kernel.config.alerts ?? {});
  } catch (error) {
    if (!(error instanceof AlertsConfigError)) throw error;
    for (const p of error.problems)
      io.stderr(`${err.bold(shown)} alerts${pointerPath(p.path)}${p.rule === undefined ? "" : ` (rule "${p.rule}")`}: ${p.message}\n`);
    const n = error.problems.length;
    io.stderr(
      `${err.red(`${n} ${n === 1 ? "error" : "errors"}`)} in the alerts section of ${shown} (${error.code}); list @custodian/plugin-alerts in plugins for line numbers\n`,
    );
    return 1;
  }
  const text = exportPrometheusRules(alerts);
  const total = alerts.rules?.length ?? 0;
  if (total === 0) io.stderr(`${err.bold("note")}: ${shown} declares no alert rules (alerts.rules); the rules file has an empty group\n`);
  if (output === undefined) {
    io.stdout(text);
    return 0;
  }
  try {
    await writeFile(output, text);
  } catch (error) {
    io.stderr(`${err.red("error")}: cannot write ${output}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const exported = (parse(text) as { groups: Array<{ rules: unknown[] }> }).groups[0]?.rules.length ?? 0;
  const skipped = total - exported;
  const rel = relative(io.cwd, output);
  const where = rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : output;
  io.stdout(
    `${out.green("wrote")} ${where}: ${exported} of ${total} ${total === 1 ? "rule" : "rules"} from ${shown}${skipped > 0 ? ` (${skipped} with no PromQL equivalent, listed in the file's header)` : ""}\n`,
  );
  return 0;
}

/** `custodian dashboard --pid N`: attaches to the process's endpoint and prints the URL. */
async function dashboard(values: { pid?: string | boolean; port?: string | boolean }, positionals: string[], io: CliIO): Promise<number> {
  const err = ansi(io.color?.stderr ?? false);
  if (positionals.length > 0) throw new UsageError(`dashboard takes no file; received ${positionals.map((p) => JSON.stringify(p)).join(", ")}`);
  if (values.pid === undefined) throw new UsageError("dashboard needs --pid N, the process id to attach to");
  const pid = integerOption("--pid", values.pid, 1, 2 ** 31 - 1);
  const port = values.port === undefined ? undefined : integerOption("--port", values.port, 0, 65_535);
  try {
    const { url } = await attachDashboard(pid, { port });
    io.stdout(url + "\n");
    return 0;
  } catch (error) {
    if (!isKernelError(error)) throw error;
    io.stderr(`${err.red("error")}: ${error.code}: ${error.message}${processGone(pid) ? ` (no process ${pid} is running)` : ""}\n`);
    return 1;
  }
}

/** A JSON pointer as core prints config paths: `/rules/1/for` → `.rules[1].for`. */
const pointerPath = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((seg) => seg.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join("");

function integerOption(name: string, value: string | boolean, min: number, max: number): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be an integer from ${min} to ${max}; received ${JSON.stringify(value)}`);
  return n;
}

/** True when no process has this pid (signal 0 only checks; EPERM means it exists). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function parseArgsOrUsage(command: Command, args: string[]) {
  try {
    const options = { help: { type: "boolean", short: "h" }, ...OPTIONS[command] } as const;
    const parsed = parseArgs({ args, allowPositionals: true, strict: true, options });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
