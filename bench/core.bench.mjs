// Core kernel benchmarks: hot-path cost, shutdown overshoot, memory per resource, event emission.
// Every ratio compares figures measured in this same run.
import { createKernel } from "../packages/core/dist/index.js";
import { Subject } from "rxjs";

const gc = globalThis.gc ?? (() => {});
// Collects until the heap is stable, letting FinalizationRegistry callbacks run in between.
const heap = async () => {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(used - last) < 64 * 1024) return used;
    last = used;
  }
  return last;
};
// Runs fn in chunks of 1,000 ops, yielding between chunks so promise reactions settle as in a
// real service instead of piling up for the whole loop.
const time = async (n, fn) => {
  for (let i = 0; i < 20; i++) {
    fn(1_000);
    await null;
  } // warm-up
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < n; done += 1_000) {
    fn(1_000);
    await null;
  }
  return Number(process.hrtime.bigint() - t0) / n; // ns per op
};
const timeN = async (reps, n, fn) => {
  const xs = [];
  for (let i = 0; i < reps; i++) xs.push(await time(n, fn));
  return median(xs);
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];

// 1. adopt + release of a trivial resource vs a bare Map set/delete.
{
  const kernel = await createKernel({ env: {}, config: {} });
  const release = () => {};
  const opts = { type: "trivial", release };
  const value = {};
  const N = 300_000;
  const kernelNs = await timeN(5, N, (n) => {
    for (let i = 0; i < n; i++) void kernel.adopt(value, opts).release();
  });
  const map = new Map();
  let k = 0;
  const mapNs = await timeN(5, N, (n) => {
    for (let i = 0; i < n; i++) {
      const id = "r" + ++k;
      map.set(id, { id, value, state: "active", at: Date.now() });
      map.delete(id);
    }
  });
  const stackKernel = await createKernel({ env: {}, config: { tracking: { captureStacks: 0.01 } } });
  const sampledNs = await timeN(3, N, (n) => {
    for (let i = 0; i < n; i++) void stackKernel.adopt(value, opts).release();
  });
  rows.push([
    "adopt + release (stacks off)",
    `${kernelNs.toFixed(0)} ns/pair`,
    `${(kernelNs / mapNs).toFixed(1)}x bare Map (${mapNs.toFixed(0)} ns)`,
    "≤ 1 µs",
  ]);
  rows.push(["adopt + release (stacks sampled 1%)", `${sampledNs.toFixed(0)} ns/pair`, `${(sampledNs / mapNs).toFixed(1)}x bare Map`, ""]);
  await kernel.shutdown();
  await stackKernel.shutdown();
}

// 2. memory per live tracked resource, and after shutdown + gc.
{
  const base = await heap();
  let kernel = await createKernel({ env: {}, config: {} });
  const N = 100_000;
  let handles = new Array(N);
  const release = () => {};
  for (let i = 0; i < N; i++) handles[i] = kernel.adopt(i, { type: "mem", release });
  const live = await heap();
  const perResource = (live - base - N * 8) / N; // minus the benchmark's own array slots
  handles = undefined;
  await kernel.shutdown();
  await new Promise((r) => setImmediate(r)); // let FinalizationRegistry callbacks run
  const afterShutdown = await heap();
  kernel = undefined;
  await new Promise((r) => setImmediate(r));
  const afterDrop = await heap();
  rows.push(["retained heap per live resource", `${perResource.toFixed(0)} B`, "record + handle + map entry", ""]);
  rows.push([
    "heap after shutdown + gc vs baseline",
    `${((afterShutdown - base) / 1024).toFixed(0)} KiB (kernel kept) / ${((afterDrop - base) / 1024).toFixed(0)} KiB (kernel dropped)`,
    `${N} resources released`,
    "back to baseline",
  ]);
}

// 3. shutdown of 10,000 resources of which 1% hang, deadline 1s.
{
  const kernel = await createKernel({ env: {}, config: { shutdown: { deadline: "1s" } } });
  for (let i = 0; i < 10_000; i++) {
    const hang = i % 100 === 0;
    kernel.adopt(i, {
      type: "mixed",
      release: hang ? () => new Promise(() => {}) : () => new Promise((r) => setImmediate(r)),
    });
  }
  const t0 = performance.now();
  const report = await kernel.shutdown();
  const elapsed = performance.now() - t0;
  const counts = {};
  for (const o of report.outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  rows.push(["shutdown 10k resources, 1% hang, deadline 1s", `elapsed − deadline = ${(elapsed - 1000).toFixed(1)} ms`, JSON.stringify(counts), "≤ 25 ms"]);
}

// 4. event emission with 0 and 1 subscribers (kernel guards with subject.observed).
{
  const kernel = await createKernel({ env: {}, config: {} });
  const release = () => {};
  const opts = { type: "evt", release };
  const N = 300_000;
  const zero = await timeN(3, N, (n) => {
    for (let i = 0; i < n; i++) void kernel.adopt(i, opts).release();
  });
  let seen = 0;
  const sub = kernel.events$.subscribe(() => seen++);
  const one = await timeN(3, N, (n) => {
    for (let i = 0; i < n; i++) void kernel.adopt(i, opts).release();
  });
  sub.unsubscribe();
  // Raw cost of Subject.next vs the `observed` guard, same run.
  const s = new Subject();
  const raw = await timeN(3, 3_000_000, (n) => {
    for (let i = 0; i < n; i++) s.next(i);
  });
  const guarded = await timeN(3, 3_000_000, (n) => {
    for (let i = 0; i < n; i++) if (s.observed) s.next(i);
  });
  rows.push(["emit, 0 subscribers (observed guard)", `${guarded.toFixed(1)} ns/event`, `unguarded Subject.next: ${raw.toFixed(1)} ns`, "a few ns"]);
  rows.push([
    "adopt+release pair, 0 → 1 subscriber",
    `${zero.toFixed(0)} → ${one.toFixed(0)} ns/pair`,
    `${(one / zero).toFixed(1)}x (2 events per pair, ${seen} seen)`,
    "",
  ]);
  await kernel.shutdown();
}

console.log("| measure | figure | comparison (same run) | target |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
