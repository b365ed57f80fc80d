#!/usr/bin/env node
// Runs every bench/*.bench.mjs (or the ones named on the command line) in its own process with
// --expose-gc, one after another, so figures from different suites never disturb each other.
// Each suite prints its own table; ratios inside a table come from the same run.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const suites = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
let failed = 0;
for (const suite of suites) {
  console.log(`\n## ${suite}\n`);
  const r = spawnSync(process.execPath, ["--expose-gc", join(here, suite)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.log(`(suite ${suite} exited with ${r.status ?? r.signal})`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
