// plugin-http overhead in instructions: the client side of the same request load, counted by
// valgrind's callgrind, through a plain undici Agent and through an http.agent tracked by the http
// plugin. Instruction counts do not move with machine load the way CPU time does (the CPU-time
// suite, http.bench.mjs, showed +6.7% between two identical plain agents on this 2-core machine).
//
// Each run is its own process, bench/http-instructions.driver.mjs under
// `valgrind --tool=callgrind --dump-before=uv_os_getpriority`: the driver calls os.getPriority()
// just before and just after the measured phase, so callgrind dumps that phase on its own
// (startup, module loading, warm-up and exit are not counted). The server is a node:http server in
// a separate process that valgrind does not run, so none of its instructions are counted.
//
// Node runs with --single-threaded --predictable-gc-schedule (no background compile or GC threads;
// heap growth that does not depend on timing) and, by default, --no-opt. With TurboFan on, which
// functions get optimised, deoptimised and re-optimised inside the measured phase changed between
// trial runs (two runs of the same variant differed by up to 4.9%, most of it compilation), which
// can bury a 3% difference; with --no-opt the counts repeat to within ~0.3% across suite runs.
// HTTP_INSTRUCTIONS_OPT=1 counts with TurboFan on (longer warm-up and measured phase, several
// minutes) and also prints each count without the inclusive cost of Compiler::CompileOptimized.
//
// Environment: HTTP_INSTRUCTIONS_VARIANTS (default "bare,kernel"; also "agent", "kernel+breaker" and
// "compose", a known overhead that shows the method can see one; "bare" is always run),
// HTTP_INSTRUCTIONS_RUNS (runs per variant, default 2), HTTP_INSTRUCTIONS_OPT=1,
// HTTP_INSTRUCTIONS_KEEP=1 (keep the callgrind files for callgrind_annotate).
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const driver = join(here, "http-instructions.driver.mjs");
const opt = process.env.HTTP_INSTRUCTIONS_OPT === "1";
// Every figure is relative to the plain agent, so it is always measured (and first).
const variants = ["bare", ...(process.env.HTTP_INSTRUCTIONS_VARIANTS ?? "kernel").split(",").filter((v) => v !== "" && v !== "bare")];
const runs = Number(process.env.HTTP_INSTRUCTIONS_RUNS ?? 2);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`HTTP_INSTRUCTIONS_RUNS must be an integer >= 1, got ${JSON.stringify(process.env.HTTP_INSTRUCTIONS_RUNS)}`);
// Requests: warm-up (half concurrent, half sequential, a full GC between two halves), then the
// measured phase: SEQUENTIAL one after another, then CONCURRENT with 10 in flight over 10 connections.
const [WARMUP, SEQUENTIAL, CONCURRENT] = opt ? [4_000, 2_000, 1_000] : [400, 600, 300];
const MEASURED = SEQUENTIAL + CONCURRENT;
const nodeFlags = ["--single-threaded", "--predictable-gc-schedule", "--expose-gc", ...(opt ? [] : ["--no-opt"])];
const labels = {
  bare: "undici Agent (plain)",
  agent: "HttpAgent (built directly)",
  kernel: "http.agent from the kernel (tracked)",
  "kernel+breaker": "http.agent + breaker",
  compose: "undici Agent + no-op compose() interceptor",
};

const probe = spawnSync("valgrind", ["--version"], { encoding: "utf8" });
if (probe.error !== undefined || probe.status !== 0) {
  // perf stat would do for totals, but not where hardware counters are hidden (here, in a VM, it
  // prints "<not supported> instructions"), and it cannot isolate the measured phase as simply.
  console.log(`skipped: valgrind not found (${probe.error?.message ?? `exit ${probe.status}`}); install it (apt-get install valgrind) to count instructions.`);
  process.exit(0);
}

const serverCode = `
  const http = require("node:http");
  const s = http.createServer((req, res) => { res.setHeader("content-type", "text/plain"); res.end("ok"); });
  s.keepAliveTimeout = 600000;
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));
`;
const server = spawn(process.execPath, ["-e", serverCode], { stdio: ["ignore", "pipe", "inherit"] });
const [chunk] = await once(server.stdout, "data");
const url = `http://127.0.0.1:${String(chunk).trim()}/`;
const dir = mkdtempSync(join(os.tmpdir(), "http-instructions-"));

/** Runs the driver once under callgrind; resolves with the measured phase's instruction count. */
async function count(variant, run) {
  const out = join(dir, `${variant}.${run}.out`);
  const args = [
    "--tool=callgrind",
    "--dump-before=uv_os_getpriority",
    `--callgrind-out-file=${out}`,
    process.execPath,
    ...nodeFlags,
    driver,
    variant,
    url,
    String(WARMUP),
    String(SEQUENTIAL),
    String(CONCURRENT),
  ];
  const child = spawn("valgrind", args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const [code] = await once(child, "exit");
  // Dump 1 ends at the first marker, dump 2 at the second: the measured phase.
  let text;
  try {
    text = readFileSync(`${out}.2`, "utf8");
  } catch {
    throw new Error(`${variant} run ${run}: no measured-phase dump (valgrind exited ${code})\n${stderr.slice(-2_000)}`);
  }
  if (code !== 0) throw new Error(`${variant} run ${run}: valgrind exited ${code}\n${stderr.slice(-2_000)}`);
  const m = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (m === null) throw new Error(`${variant} run ${run}: no totals line in ${out}.2`);
  return { total: Number(m[1]), compile: opt ? compileCost(`${out}.2`) : 0 };
}

/** Instructions spent in TurboFan compilation (inclusive), read with callgrind_annotate. */
function compileCost(file) {
  const r = spawnSync("callgrind_annotate", ["--auto=no", "--inclusive=yes", "--threshold=100", file], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  let sum = 0;
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*([\d,]+) .*v8::internal::Compiler::CompileOptimized(?:OSR)?\(/.exec(line);
    if (m !== null) sum += Number(m[1].replaceAll(",", ""));
  }
  return sum;
}

// Runs are independent processes and instruction counts do not depend on load, so they run side
// by side, one per core (at most 2).
const jobs = [];
for (let r = 1; r <= runs; r++) for (const v of variants) jobs.push({ variant: v, run: r });
const results = new Map();
const t0 = Date.now();
let nextJob = 0;
const lane = async () => {
  while (nextJob < jobs.length) {
    const job = jobs[nextJob++];
    results.set(`${job.variant}#${job.run}`, await count(job.variant, job.run));
  }
};
try {
  await Promise.all(Array.from({ length: Math.min(2, os.cpus().length, jobs.length) }, lane));
} finally {
  server.kill();
  if (process.env.HTTP_INSTRUCTIONS_KEEP === "1") console.log(`callgrind files kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
const seconds = (Date.now() - t0) / 1000;

// "total": the whole measured phase; "exec": the same without TurboFan compilation (OPT=1 only).
const get = (v, r, key = "total") => {
  const x = results.get(`${v}#${r}`);
  return key === "total" ? x.total : x.total - x.compile;
};
const all = (v, key) => Array.from({ length: runs }, (_, i) => get(v, i + 1, key));
const mean = (v, key) => all(v, key).reduce((a, b) => a + b, 0) / runs;
const pct = (x) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)}%`;
const int = (x) => Math.round(x).toLocaleString("en");

console.log(
  `${int(MEASURED)} keep-alive GETs counted per run (${SEQUENTIAL} sequential, then ${CONCURRENT} at concurrency 10 over 10 connections) after ${WARMUP} warm-up requests; ` +
    `client instructions of the measured phase only (callgrind), server in a separate process; node ${nodeFlags.join(" ")}. ${jobs.length} runs in ${seconds.toFixed(0)} s.\n`,
);
const keys = opt ? ["total", "exec"] : ["total"];
const keyName = { total: "instructions", exec: "without TurboFan compilation" };
console.log(`| dispatcher | run | ${keys.map((k) => `${keyName[k]} | per request | vs plain (mean)`).join(" | ")} |`);
console.log(`|---|---:|${keys.map(() => "---:|---:|---:").join("|")}|`);
for (const v of variants) {
  for (let r = 1; r <= runs; r++) {
    const cells = keys.map((k) => `${int(get(v, r, k))} | ${int(get(v, r, k) / MEASURED)} | ${pct(get(v, r, k) / mean("bare", k) - 1)}`);
    console.log(`| ${labels[v] ?? v} | ${r} | ${cells.join(" | ")} |`);
  }
}
console.log("");
for (const k of keys) {
  const prefix = opt ? `${keyName[k]}: ` : "";
  // A/A: the spread between runs of the same plain agent is the noise of the method.
  if (runs >= 2) console.log(`${prefix}A/A (plain vs plain, max/min of ${runs} runs) ${pct(Math.max(...all("bare", k)) / Math.min(...all("bare", k)) - 1)}`);
  for (const v of variants) {
    if (v === "bare") continue;
    const pairs =
      runs >= 2
        ? `; run by run ${all(v, k)
            .map((x, i) => pct(x / get("bare", i + 1, k) - 1))
            .join(", ")}`
        : "";
    console.log(
      `${prefix}${labels[v] ?? v} vs plain ${pct(mean(v, k) / mean("bare", k) - 1)} (${int((mean(v, k) - mean("bare", k)) / MEASURED)} instructions per request)${pairs}`,
    );
  }
}
