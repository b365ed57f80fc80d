#!/usr/bin/env node
/**
 * The `custodian` executable. Colours only when the stream is a TTY (and NO_COLOR is unset).
 */
import { run } from "./run.js";

const colorOk = (tty: boolean | undefined): boolean => tty === true && (process.env.NO_COLOR ?? "") === "" && process.env.TERM !== "dumb";

process.exitCode = await run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  color: { stdout: colorOk(process.stdout.isTTY), stderr: colorOk(process.stderr.isTTY) },
});
