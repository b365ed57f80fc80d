#!/usr/bin/env node
/**
 * The `custodian` executable. Colours only when the stream is a TTY (and NO_COLOR is unset).
 * It exits with run()'s code once its output is flushed, whatever a plugin module left running
 * (an interval, a server): a check must not hang on someone else's handle.
 */
import { run } from "./run.js";

const colorOk = (tty: boolean | undefined): boolean => tty === true && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb";

/** Resolves once everything written to `stream` so far has been handed to the OS. */
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write("", () => resolve()));

const code = await run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  color: { stdout: colorOk(process.stdout.isTTY), stderr: colorOk(process.stderr.isTTY) },
});
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
