#!/usr/bin/env node
// The `custodian` bin. Committed (not built) so that npm links it at install time: in a fresh clone
// `npm install` links this file, then the root `prepare` script builds dist/.
import { existsSync } from "node:fs";

const bin = new URL("../dist/bin.js", import.meta.url);
if (existsSync(bin)) {
  await import(bin.href);
} else {
  process.stderr.write("custodian: @custodian/cli is not built (dist/bin.js is missing); run `npm run build` in the repository\n");
  process.exitCode = 2;
}
