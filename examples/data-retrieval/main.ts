/**
 * The demo: a market-data archive downloader, the kind of program whose cleanup used to hang.
 *
 * An embedded archive server (a real HTTP server on 127.0.0.1) serves generated daily files, with
 * deliberately bad endpoints: one stalls forever, one drips a byte at a time, one fails. The client
 * is configured by resource.config.yaml: an http.agent with a per-origin breaker, a pool of download
 * workers, a temp-dir cache and alert rules. It downloads the files concurrently, caches them,
 * aggregates daily OHLC rows, closes the batch (Custodian forces the stragglers at the batch's
 * budget) and shuts down within the configured deadline, printing the report.
 *
 *   npm start                         (node examples/dist/data-retrieval/main.js)
 *   npm start -- --help
 *   CUSTODIAN_FEATURE_DEADLINE_CLEANUP=off npm start     (the legacy cleanup: see it wait)
 */
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createKernel, parseDuration, type Kernel, type ResourceHandle, type ResourceOutcome } from "@custodian/core";
import type { HttpAgent } from "@custodian/plugin-http";
import { registerPoolFactory, type Pool } from "@custodian/plugin-pool";
import { alertsOf } from "@custodian/plugin-alerts";
import { serveDashboard } from "@custodian/plugin-dashboard";
import { request } from "undici";
import { startArchiveServer } from "./archiveServer.js";
import { toOhlc, type OhlcRow } from "./ohlc.js";
import { bold, dim, green, printReport, red, showProgress, yellow, type Progress } from "./display.js";

const HELP = `Usage: npm start -- [options]     (or: node examples/dist/data-retrieval/main.js [options])

Downloads a batch of daily market-data files from an embedded archive server, aggregates them into
OHLC rows and shuts down with the deadline from resource.config.yaml, printing the shutdown report.

Options:
  --files N            number of good files to download (default 36)
  --faults LIST        faults to inject: stall,drip,fail or none (default stall,drip,fail)
  --deadline D         shutdown deadline, e.g. 2s (default: shutdown.deadline in resource.config.yaml)
  --batch-limit D      how long the batch may run before stragglers are given up (default 3s)
  --legacy-wait D      with the legacy cleanup, how long the demo waits before explaining (default 5s)
  --config FILE        config file (default: resource.config.yaml at the repository root)
  --dashboard          serve the live dashboard and keep running until Ctrl-C
  -h, --help           this help

Environment:
  CUSTODIAN_FEATURE_DEADLINE_CLEANUP=off   roll back to the legacy cleanup (sequential, no deadline)
  CUSTODIAN_SHUTDOWN_DEADLINE=2s           same as --deadline
Exit code: 0 when the shutdown report is ok, 1 otherwise (and 1 when the legacy cleanup hangs),
2 for a usage error. Through \`npm start\`, Ctrl-C ends npm itself with 130 (128 + SIGINT), whatever
the demo's own code; run the node command above to see it.`;

/** A bad command line: say which flag and why, then exit 2 (the usual code for a usage error). */
function usage(message: string): never {
  console.error(`${message}\nRun with --help for the options.`);
  process.exit(2);
}

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        files: { type: "string", default: "36" },
        faults: { type: "string", default: "stall,drip,fail" },
        deadline: { type: "string" },
        "batch-limit": { type: "string", default: "3s" },
        "legacy-wait": { type: "string", default: "5s" },
        config: { type: "string" },
        dashboard: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
const args = parsed.values;
if (args.help) {
  console.log(HELP);
  process.exit(0);
}

/** A flag's value as a duration, or a usage error naming the flag. */
function durationFlag(flag: string, value: string): number {
  try {
    return parseDuration(value, flag);
  } catch {
    return usage(`${flag} must be a duration like 1500ms, 3s or 2m; received ${JSON.stringify(value)} (from the command line)`);
  }
}

const FAULTS = ["stall", "drip", "fail"];
if (!/^\d+$/.test(args.files!) || Number(args.files) < 1)
  usage(`--files must be a whole number >= 1; received ${JSON.stringify(args.files)} (from the command line)`);
const fileCount = Number(args.files);
const faults = new Set(args.faults === "none" ? [] : args.faults!.split(",").map((f) => f.trim()));
for (const f of faults) {
  if (!FAULTS.includes(f))
    usage(`--faults takes a comma-separated list of ${FAULTS.join(", ")}, or none; received ${JSON.stringify(f)} (from the command line)`);
}
const batchLimitMs = durationFlag("--batch-limit", args["batch-limit"]!);
const legacyWaitMs = durationFlag("--legacy-wait", args["legacy-wait"]!);
if (args.deadline !== undefined) durationFlag("--deadline", args.deadline);
const configFile = args.config ?? fileURLToPath(new URL("../../../resource.config.yaml", import.meta.url));

// The outside world: the archive the client downloads from.
const archive = await startArchiveServer();

// Download workers: the pool's resources. A worker is a small record; the pool bounds concurrency.
let workerSeq = 0;
registerPoolFactory("download-worker", {
  create: () => ({ id: ++workerSeq, files: 0 }),
  destroy: () => {},
});

const env = { ...process.env, ARCHIVE_URL: archive.origin, ...(args.deadline ? { CUSTODIAN_SHUTDOWN_DEADLINE: args.deadline } : {}) };
let kernel: Kernel;
try {
  kernel = await createKernel({ config: configFile, env, exit: (code) => void closeArchive().finally(() => process.exit(code)) });
} catch (error) {
  console.error(red(String((error as Error).message)));
  await closeArchive();
  process.exit(1);
}
const legacy = !kernel.features.isEnabled("deadlineCleanup");

kernel.events$.subscribe((e) => {
  if (e.type === "kernel:shutdown-completed") printReport(e.report);
  if (e.type === "kernel:signal" && e.count === 1) console.log(yellow(`\n${e.signal}: shutting down (a second ${e.signal} forces everything now)`));
});
alertsOf(kernel).alerts$.subscribe(({ from, alert }) => {
  const paint = alert.state === "firing" ? red : alert.state === "resolved" ? green : yellow;
  const summary = alert.annotations?.summary ?? "";
  console.log(`${tty() ? "\r\x1b[2K" : ""}${paint(`alert ${alert.name}: ${from} -> ${alert.state}`)} ${dim(summary)}`);
});

const agent = await kernel.acquire<HttpAgent>("archive-http");
const workers = await kernel.acquire<Pool<{ id: number; files: number }>>("workers");
const cache = await kernel.acquire<{ path: string }>("cache");
if (args.dashboard) {
  // serveDashboard prints its URL (with the token) once, through `log`.
  await serveDashboard(kernel, { log: (line) => console.log(bold(line)) });
}

// The batch: every download is a tracked resource in this scope; closing it gives stragglers a
// budget, then Custodian forces them (aborts the request).
const batch = kernel.scope("batch", { timeoutMs: 1_000 });
const progress: Progress = { done: 0, failed: 0, total: 0, bytes: 0 };
const symbols = ["ACME", "GLOBX", "INITECH", "UMBRL", "WAYNE", "STARK"];
const jobs: Array<{ path: string; symbol: string; day: string }> = [];
for (let i = 0; i < fileCount; i++) {
  const day = new Date(Date.UTC(2026, 0, 5 + Math.floor(i / symbols.length))).toISOString().slice(0, 10);
  jobs.push({ path: "archive", symbol: symbols[i % symbols.length], day });
}
if (faults.has("stall")) jobs.splice(3, 0, { path: "stall", symbol: "STALL", day: "2026-01-05" });
if (faults.has("drip")) jobs.splice(7, 0, { path: "drip", symbol: "DRIP", day: "2026-01-05" });
if (faults.has("fail")) jobs.push({ path: "fail", symbol: "FAIL", day: "2026-01-05" }, { path: "fail", symbol: "FAIL", day: "2026-01-06" });
progress.total = jobs.length;
// The header counts what the progress line counts: every download, good files and faulty ones.
const faulty = jobs.length - fileCount;
console.log(
  bold(
    `Custodian demo — archive at ${archive.origin}, ${jobs.length} downloads (${fileCount} files${faulty > 0 ? ` + ${faulty} faulty: ${[...faults].join(", ")}` : ", no faults"})`,
  ),
);
console.log(dim(`cleanup strategy: ${legacy ? "legacy (sequential, no deadline)" : "deadline"}; cache: ${cache.value.path}`));

const failures: string[] = [];
const stopProgress = showProgress(kernel, progress);

async function download(job: { path: string; symbol: string; day: string }): Promise<void> {
  const file = `${job.path}/${job.symbol}/${job.day}.csv`;
  await workers.value.use(async (worker) => {
    const controller = new AbortController();
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    // A download as a resource: graceful release waits for it to finish; force aborts it.
    const dl: ResourceHandle<AbortController> = batch.adopt(controller, {
      type: "download",
      name: `download ${file}`,
      dependsOn: [agent],
      release: () => done,
      force: (c) => c.abort(new Error(`download of ${file} forced`)),
    });
    try {
      const res = await request(`${archive.origin}/${file}`, { dispatcher: agent.value, signal: controller.signal });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new Error(`HTTP ${res.statusCode}`);
      }
      const text = await res.body.text();
      await writeFile(join(cache.value.path, `${job.symbol}-${job.day}.csv`), text);
      progress.bytes += text.length;
      progress.done++;
      worker.files++;
    } catch (error) {
      progress.failed++;
      failures.push(`${file}: ${(error as Error).message}`);
    } finally {
      finished();
      await dl.release();
    }
  });
}

// On Ctrl-C the kernel's signal handler shuts down (and prints the report) while the batch is
// still running: the batch then stops where it is instead of using resources being released.
let shutdownReason: string | undefined;
const shutdownStarted = new Promise<void>((resolve) => {
  kernel.events$.subscribe((e) => {
    if (e.type === "kernel:shutdown-started") {
      if (e.reason !== "batch finished") shutdownReason = e.reason;
      resolve();
    }
  });
});
const batchRun = runBatch();
batchRun.catch((error: unknown) => {
  if (kernel.state === "running") throw error;
});
await Promise.race([batchRun, shutdownStarted]);
if (kernel.state !== "running") {
  // The signal handler finishes: report, then exit with its code.
} else if (args.dashboard) {
  console.log(bold("dashboard running: press Ctrl-C to shut down"));
} else {
  const report = await kernel.shutdown("batch finished");
  await closeArchive();
  // Nothing Custodian owns keeps the process alive and the archive is closed: the process ends.
  process.exitCode = report.ok ? 0 : 1;
}

async function runBatch(): Promise<void> {
  const all = Promise.allSettled(jobs.map(download));
  const settledInTime = await Promise.race([all.then(() => true), sleep(batchLimitMs).then(() => false)]);
  stopProgress();
  if (!settledInTime)
    console.log(
      yellow(`batch limit (${batchLimitMs}ms) reached with ${progress.total - progress.done - progress.failed} download(s) outstanding: closing the batch`),
    );

  let batchOutcomes: ResourceOutcome[];
  if (legacy) {
    // The legacy cleanup waits on each release with no deadline: the stalled download never ends.
    const closed = await Promise.race([batch.close(), sleep(legacyWaitMs).then(() => undefined)]);
    if (closed === undefined) {
      console.log(red(bold(`\nLegacy cleanup: still waiting on the stalled download after ${legacyWaitMs}ms.`)));
      console.log(
        `This is the hang Custodian's deadline cleanup removes: the old cleanup awaits every close() with no\n` +
          `deadline, and a stalled transfer never closes. Remove CUSTODIAN_FEATURE_DEADLINE_CLEANUP=off to see the\n` +
          `same run finish on time. The demo gives up waiting now (exit code 1); its cache dir is left behind,\n` +
          `and plugin-fs reaps it at the next start (its process is gone).`,
      );
      await closeArchive();
      process.exit(1);
    }
    batchOutcomes = closed;
  } else {
    batchOutcomes = await batch.close();
  }
  // The forced downloads' own handlers finish right after the abort; give them a moment to record it.
  await Promise.race([all, sleep(500)]);
  alertsOf(kernel).evaluate(); // show what the alert rules make of the batch, now
  const forced = batchOutcomes.filter((o) => o.outcome !== "released");
  // After Ctrl-C the batch ends because the kernel is shutting down, not at its budget.
  const when = shutdownReason === undefined ? "at the batch budget" : `at shutdown (${shutdownReason})`;
  for (const o of forced) console.log(yellow(`${o.name}: ${o.outcome} after ${Math.round(o.elapsedMs)}ms ${when}`));
  for (const f of failures) console.log(dim(`failed: ${f}`));

  // Aggregate what was cached.
  const rows: OhlcRow[] = [];
  for (const name of (await readdir(cache.value.path)).sort()) {
    const [symbol, ...dayParts] = name.replace(/\.csv$/, "").split("-");
    rows.push(toOhlc(symbol, dayParts.join("-"), await readFile(join(cache.value.path, name), "utf8")));
  }
  console.log(bold(`\nDaily OHLC (${rows.length} files, ${(progress.bytes / 1024).toFixed(0)} KiB)`));
  console.log(dim("symbol   day          open     high     low      close    volume"));
  for (const r of rows.slice(0, 8)) {
    console.log(
      `${r.symbol.padEnd(8)} ${r.day}  ${r.open.toFixed(2).padStart(7)}  ${r.high.toFixed(2).padStart(7)}  ${r.low.toFixed(2).padStart(7)}  ${r.close.toFixed(2).padStart(7)}  ${String(r.volume).padStart(7)}`,
    );
  }
  if (rows.length > 8) console.log(dim(`… and ${rows.length - 8} more`));
  console.log(`downloads: ${progress.done} ok, ${progress.failed} failed (${forced.length} forced by Custodian ${when})`);
}

async function closeArchive(): Promise<void> {
  archive.server.closeAllConnections();
  await new Promise<void>((resolve) => archive.server.close(() => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function tty(): boolean {
  return process.stdout.isTTY === true;
}
