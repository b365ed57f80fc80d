// Benchmark of @custodian/plugin-fs against raw node:fs in the same run: a tracked file handle's
// open+close vs fs.promises.open/close, and a tracked temp dir's create+remove vs mkdtemp + rm.
// Imports the BUILT packages: run `npx tsc -b` first (npm run bench does).
import { mkdtemp, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "../packages/core/dist/index.js";
import { fsPlugin } from "../packages/plugin-fs/dist/index.js";

const ROUNDS = 5;
const dir = await mkdtemp(join(tmpdir(), "custodian-fs-bench-"));
const file = join(dir, "f.txt");
await writeFile(file, "hello");
const kernel = await createKernel({ env: {}, config: {}, plugins: [{ plugin: fsPlugin, options: { root: join(dir, "root"), baseDir: dir } }] });

/** Runs `fn` n times sequentially; returns µs per op. */
async function time(n, fn) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1000 / n;
}

/** Median of ROUNDS runs of each, raw and tracked interleaved round by round (after one warm-up each). */
async function compare(n, raw, tracked) {
  await time(Math.ceil(n / 5), raw);
  await time(Math.ceil(n / 5), tracked);
  const r = [];
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    r.push(await time(n, raw));
    t.push(await time(n, tracked));
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return [median(r), median(t)];
}

const rawFile = () => open(file, "r").then((fh) => fh.close());
const trackedFile = async () => {
  const h = await kernel.acquire({ type: "fs.file", path: file });
  await h.release();
};
const rawDir = async () => {
  const d = await mkdtemp(join(dir, "raw-"));
  await rm(d, { recursive: true, force: true });
};
const trackedDir = async () => {
  const h = await kernel.acquire({ type: "fs.tempdir" });
  await h.release();
};
const rawTempFile = async () => {
  const p = join(dir, `raw-${Math.random().toString(36).slice(2)}`);
  await (await open(p, "wx", 0o600)).close();
  await rm(p);
};
const trackedTempFile = async () => {
  const h = await kernel.acquire({ type: "fs.tempfile" });
  await h.release();
};

const rows = [
  ["file handle open+close", ...(await compare(4000, rawFile, trackedFile)), "fs.promises open/close"],
  ["temp dir create+remove", ...(await compare(2000, rawDir, trackedDir)), "mkdtemp + rm -r"],
  ["temp file create+remove", ...(await compare(2000, rawTempFile, trackedTempFile)), "open(wx)/close + rm"],
];

console.log(`Node ${process.version}, ${ROUNDS} rounds (median), sequential ops, tmpdir ${tmpdir()}\n`);
console.log("| operation | raw node:fs (µs/op) | tracked by Custodian (µs/op) | tracked / raw | raw baseline |");
console.log("|---|---:|---:|---:|---|");
for (const [name, raw, tracked, baseline] of rows) {
  console.log(`| ${name} | ${raw.toFixed(1)} | ${tracked.toFixed(1)} | ${(tracked / raw).toFixed(2)}x | ${baseline} |`);
}
const report = await kernel.shutdown();
await rm(dir, { recursive: true, force: true });
if (!report.ok) {
  console.error("shutdown was not clean", report.errors);
  process.exitCode = 1;
}
