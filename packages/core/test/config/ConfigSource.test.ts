// Config values keep their meaning (issue 13 §7) and errors about them name their variable, never
// their value (issue 13 §5); a multi-document file is explained in config terms (issue 14).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { createKernel, isConfigError, type Kernel } from "../../src/index.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "plugins");
const root = mkdtempSync(join(tmpdir(), "custodian-source-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A config file (in a fresh folder with a package.json) holding `text`; returns its path. */
function configFile(text: string): string {
  const dir = join(root, String(++n));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), "{}");
  writeFileSync(join(dir, "resource.config.yaml"), text);
  return join(dir, "resource.config.yaml");
}

async function kernelOf(config: string, env: Record<string, string>): Promise<Kernel> {
  const kernel = await createKernel({ config, env, exit: () => {} });
  onTestFinished(async () => {
    await kernel.shutdown();
  });
  return kernel;
}

async function configErrorOf(config: string, env: Record<string, string>) {
  const error = await createKernel({ config, env, exit: () => {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isConfigError(error)) throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error;
}

const typedPlugin = (options: string[]): string =>
  ["plugins:", `  - module: ${FIXTURES}/typed-options.mjs`, "    options:", ...options.map((o) => `      ${o}`), ""].join("\n");
const optionsOf = (kernel: Kernel): Record<string, unknown> => (kernel.config.plugins as Array<{ options: Record<string, unknown> }>)[0].options;

describe("${VAR} keeps its meaning", () => {
  it("stays a string unless it reads back exactly: 1e3, 1.50, 0755 and a 20-digit id are not turned into numbers", async () => {
    const file = configFile("alerts:\n  a: ${BIG}\n  b: ${RATE}\n  c: ${ID}\n  d: ${OCTAL}\n  e: ${PORT}\n  f: ${FLAG}\n");
    const kernel = await kernelOf(file, { BIG: "1e3", RATE: "1.50", ID: "12345678901234567890", OCTAL: "0755", PORT: "8080", FLAG: "false" });
    expect(kernel.config.alerts).toEqual({ a: "1e3", b: "1.50", c: "12345678901234567890", d: "0755", e: 8080, f: false });
  });

  it("takes the type the schema asks for: a numeric password stays a string, a port becomes an integer", async () => {
    const file = configFile(typedPlugin(["password: ${PW}", "id: ${ID}", "port: ${PORT}", "rate: ${RATE}", "enabled: ${ON}"]));
    const kernel = await kernelOf(file, { PW: "123456", ID: "42", PORT: "5432", RATE: "1.50", ON: "true" });
    expect(optionsOf(kernel)).toEqual({ password: "123456", id: "42", port: 5432, rate: 1.5, enabled: true });
  });

  it("refuses a 20-digit value where an integer is wanted instead of rounding it", async () => {
    const file = configFile(typedPlugin(["port: ${BIG}"]));
    const error = await configErrorOf(file, { BIG: "12345678901234567890" });
    expect(error.issues.map((i) => [i.path, i.message])).toEqual([
      ["plugins[0].options.port", "must be an integer; received the value of ${BIG} (from the environment)"],
    ]);
  });

  it("reads only the environment's own keys: ${constructor} and ${toString} are not set", async () => {
    const file = configFile("alerts:\n  a: ${constructor}\n  b: ${toString}\n");
    const error = await configErrorOf(file, {});
    expect(error.issues.map((i) => i.message.split(";")[0])).toEqual([
      "environment variable constructor is not set and has no default",
      "environment variable toString is not set and has no default",
    ]);
  });
});

describe("file modes", () => {
  it('reads "0755", "644" and 0o600 as octal', async () => {
    for (const [written, mode] of [
      ['"0755"', 0o755],
      ["'644'", 0o644],
      ["0o600", 0o600],
      ["${MODE}", 0o750],
    ] as const) {
      const kernel = await kernelOf(configFile(typedPlugin([`mode: ${written}`])), { MODE: "0750" });
      expect(optionsOf(kernel).mode, written).toBe(mode);
    }
  });

  it("refuses a plain 0755 or 755 (decimal in YAML 1.2) and suggests the quoted form", async () => {
    for (const written of ["0755", "755"]) {
      const error = await configErrorOf(configFile(typedPlugin([`mode: ${written}`])), {});
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]).toMatchObject({ code: "ERR_CONFIG_INVALID", line: 4, column: 7, path: "plugins[0].options.mode" });
      expect(error.issues[0].message).toContain('quote it: "0755"');
    }
  });

  it("refuses a mode string that is not octal", async () => {
    const error = await configErrorOf(configFile(typedPlugin(['mode: "0789"'])), {});
    expect(error.issues.map((i) => i.message)).toEqual([
      'must be a file mode written as a quoted octal string like "0644" or "0755" (or 0o755); received a string ("0789")',
    ]);
  });
});

describe("errors name the variable, never its value", () => {
  it("a bad interpolated duration, type or enum does not quote the secret", async () => {
    const file = configFile(
      [
        "shutdown:",
        "  deadline: ${DB_PASSWORD}",
        "  signals:",
        "    - ${SIG}",
        "tracking:",
        "  historySize: ${HISTORY}",
        `plugins:`,
        `  - module: ${FIXTURES}/typed-options.mjs`,
        "    options:",
        "      timeout: x${TOKEN}",
        "",
      ].join("\n"),
    );
    const env = { DB_PASSWORD: "EnvSecret4", SIG: "EnvSecret5", HISTORY: "EnvSecret6", TOKEN: "EnvSecret7" };
    const error = await configErrorOf(file, env);
    expect(error.message).not.toMatch(/EnvSecret/);
    expect(error.issues.map((i) => [i.path, i.message])).toEqual([
      [
        "shutdown.deadline",
        'must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received the value of ${DB_PASSWORD} (from the environment)',
      ],
      ["shutdown.signals[0]", expect.stringMatching(/^must be one of "SIGTERM", .*; received the value of \$\{SIG\} \(from the environment\)$/)],
      ["tracking.historySize", "must be an integer; received the value of ${HISTORY} (from the environment)"],
      ["plugins[0].options.timeout", expect.stringMatching(/; received a string built from \$\{TOKEN\} \(from the environment\)$/)],
    ]);
  });

  it("a reserve from the environment that exceeds the deadline names the variables, not the values", async () => {
    const file = configFile("shutdown:\n  deadline: ${DEADLINE}\n  reserve: ${RESERVE}\n");
    const error = await configErrorOf(file, { DEADLINE: "1s", RESERVE: "7s" });
    expect(error.issues.map((i) => i.message)).toEqual([
      "reserve (the value of ${RESERVE} (from the environment)) must not exceed shutdown.deadline (the value of ${DEADLINE} (from the environment))",
    ]);
  });
});

describe("a file with several YAML documents", () => {
  it("says so in config terms, not with the parser's parseAllDocuments() hint", async () => {
    const error = await configErrorOf(configFile("shutdown:\n  deadline: 2s\n---\nresources: {}\n"), {});
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ line: 3, column: 1 });
    expect(error.issues[0].message).toBe(
      "resource.config.yaml holds 2 YAML documents (separated by ---); Custodian reads one. Merge them into one mapping, or keep the others in files of their own",
    );
  });
});
