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
const all = readdirSync(here)
  .filter((f) => f.endsWith(".bench.mjs"))
  .sort();
// A name picks its suite exactly ("http" is http.bench.mjs, not http-instructions); a name that is
// no suite's picks the suites containing it.
const pick = (w) => (all.includes(`${w}.bench.mjs`) ? [`${w}.bench.mjs`] : all.filter((f) => f.includes(w)));
const suites = wanted.length === 0 ? all : [...new Set(wanted.flatMap(pick))].sort();
if (suites.length === 0) {
  console.error(`No benchmark suite matches ${wanted.join(", ")}; suites: ${all.map((f) => f.replace(".bench.mjs", "")).join(", ")}`);
  process.exit(2);
}
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
