// plugin-pool benchmarks: pool acquire/release vs generic-pool 3 and tarn 3 and a raw
// `await Promise.resolve()` loop; breaker overhead vs opossum and cockatiel; 1% failure
// throughput, also relative to raw, and the breaker's own cost per failure; 10,000 idle breakers
// reaped. Every ratio compares figures from this same run.
// Run: npm run build && node bench/run.js pool   (or: node --expose-gc bench/pool.bench.mjs)
import { createPool, createBreaker, BreakerRegistry } from "../packages/plugin-pool/dist/index.js";
import { ManualClock } from "../packages/core/dist/index.js";
import genericPool from "generic-pool";
import tarn from "tarn";
import CircuitBreaker from "opossum";
import { circuitBreaker, handleAll, ConsecutiveBreaker } from "cockatiel";

const gc = globalThis.gc ?? (() => {});
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0));
const WORKERS = 100;
const MAX = 10;

// --- contenders: each returns { acquire(): Promise<r>, release(r), close() } --------------------
const trivial = () => ({});
const contenders = {
  custodian: () => {
    const p = createPool({ name: "bench", create: trivial, max: MAX }); // acquireTimeoutMs 30s: deadlines on
    return { acquire: () => p.acquire(), release: (r) => p.release(r), close: () => p.close({ deadlineMs: 0 }) };
  },
  "generic-pool": () => {
    const p = genericPool.createPool({ create: async () => ({}), destroy: async () => {} }, { max: MAX, min: 0 });
    return {
      acquire: () => p.acquire(),
      release: (r) => p.release(r),
      close: async () => {
        await p.drain();
        await p.clear();
      },
    };
  },
  "generic-pool (acquireTimeout)": () => {
    const p = genericPool.createPool({ create: async () => ({}), destroy: async () => {} }, { max: MAX, min: 0, acquireTimeoutMillis: 30_000 });
    return {
      acquire: () => p.acquire(),
      release: (r) => p.release(r),
      close: async () => {
        await p.drain();
        await p.clear();
      },
    };
  },
  tarn: () => {
    const p = new tarn.Pool({ create: async () => ({}), destroy: () => {}, min: 0, max: MAX, acquireTimeoutMillis: 30_000 });
    return { acquire: () => p.acquire().promise, release: (r) => p.release(r), close: () => p.destroy() };
  },
};

// Every contender gets its own copy of the loop code (new Function), so no contender runs on
// call sites made megamorphic by the ones measured before it.
const fresh = (src) => new Function(`return ${src}`)();
const sequentialSrc = `async function sequential(c, n) {
  for (let i = 0; i < n; i++) {
    const r = await c.acquire();
    c.release(r);
  }
}`;
const contendedSrc = `async function contended(c, n) {
  let left = n;
  const worker = async () => {
    while (left-- > 0) {
      const r = await c.acquire();
      await Promise.resolve(); // "use" the resource across a tick
      c.release(r);
    }
  };
  await Promise.all(Array.from({ length: ${WORKERS} }, worker));
}`;
// The shape of issue 16: each worker releases in the same tick its acquire resolved, so every
// release hands the resource straight to a queued waiter (the contended hand-off path).
const sameTickSrc = `async function sameTick(c, n) {
  let left = n;
  const worker = async () => {
    while (left-- > 0) {
      const r = await c.acquire();
      c.release(r);
    }
  };
  await Promise.all(Array.from({ length: ${WORKERS} }, worker));
}`;
async function rawLoop(n) {
  for (let i = 0; i < n; i++) await Promise.resolve();
}
async function rawContended(n) {
  let left = n;
  const worker = async () => {
    while (left-- > 0) {
      await Promise.resolve();
      await Promise.resolve();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
}
async function opsPerSec(fn, n, reps = 3) {
  await fn(Math.min(n, 20_000)); // warm-up
  const xs = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    await fn(n);
    xs.push(n / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return median(xs);
}
// Heap growth over a short burst, measured right after a full gc (no scavenge fits in 5k ops
// at these sizes, so the delta is what the ops allocated).
async function bytesPerOp(c) {
  const sequential = fresh(sequentialSrc);
  const n = 5_000;
  await sequential(c, 2_000);
  const xs = [];
  for (let i = 0; i < 7; i++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    await sequential(c, n);
    xs.push((process.memoryUsage().heapUsed - before) / n);
  }
  return Math.max(0, median(xs));
}

// --- peak RSS: each contender runs the contended loop in its own process --------------------------
if (process.argv[2] === "--rss") {
  const name = process.argv[3];
  const n = 300_000;
  if (name === "raw")
    await fresh(
      `async (n) => { let left = n; const w = async () => { while (left-- > 0) { await Promise.resolve(); await Promise.resolve(); } }; await Promise.all(Array.from({ length: ${WORKERS} }, w)); }`,
    )(n);
  else {
    const c = contenders[name]();
    await fresh(contendedSrc)(c, name === "tarn" ? n / 4 : n);
    await c.close();
  }
  console.log(process.resourceUsage().maxRSS * 1024);
  process.exit(0);
}
const { spawnSync } = await import("node:child_process");
const peakRss = (name) => Number(spawnSync(process.execPath, [new URL(import.meta.url).pathname, "--rss", name], { encoding: "utf8" }).stdout.trim());

// --- 1. pool throughput -------------------------------------------------------------------------
const poolRows = [];
const N_SEQ = 300_000;
const N_CON = 200_000;
const rawSeq = await opsPerSec(rawLoop, N_SEQ);
const rawCon = await opsPerSec(rawContended, N_CON);
const rawSame = await opsPerSec(
  fresh(
    `async (n) => { let left = n; const w = async () => { while (left-- > 0) await Promise.resolve(); }; await Promise.all(Array.from({ length: ${WORKERS} }, w)); }`,
  ),
  N_CON,
);
const results = {};
for (const [name, make] of Object.entries(contenders)) {
  const c = make();
  const sequential = fresh(sequentialSrc);
  const contended = fresh(contendedSrc);
  const slow = name.startsWith("tarn");
  const seq = await opsPerSec((n) => sequential(c, n), slow ? N_SEQ / 3 : N_SEQ);
  const con = await opsPerSec((n) => contended(c, n), slow ? N_CON / 4 : N_CON);
  const sameTick = fresh(sameTickSrc);
  const same = await opsPerSec((n) => sameTick(c, n), slow ? N_CON / 4 : N_CON);
  const bytes = await bytesPerOp(c);
  gc();
  const rss = process.memoryUsage().rss;
  await c.close();
  results[name] = { seq, con, same, bytes, rss };
}
const rssRaw = peakRss("raw");
for (const name of Object.keys(results)) results[name].peak = peakRss(name);
const cu = results.custodian;
for (const [name, r] of Object.entries(results)) {
  poolRows.push([
    name,
    `${fmt(r.seq)} ops/s`,
    `${(r.seq / rawSeq).toFixed(2)}x raw`,
    name === "custodian" ? "" : `custodian ${(cu.seq / r.seq).toFixed(1)}x`,
    `${fmt(r.con)} ops/s`,
    name === "custodian" ? `${(r.con / rawCon).toFixed(2)}x raw` : `custodian ${(cu.con / r.con).toFixed(1)}x`,
    `${fmt(r.same)} ops/s`,
    name === "custodian" ? `${(r.same / rawSame).toFixed(2)}x raw` : `custodian ${(cu.same / r.same).toFixed(2)}x`,
    `${r.bytes.toFixed(0)} B`,
    `${(r.peak / 1e6).toFixed(0)} MB (raw +${((r.peak - rssRaw) / 1e6).toFixed(0)} MB)`,
  ]);
}
poolRows.push([
  "raw await Promise.resolve()",
  `${fmt(rawSeq)} ops/s`,
  "1.00x",
  "",
  `${fmt(rawCon)} ops/s`,
  "(2 awaits/op)",
  `${fmt(rawSame)} ops/s`,
  "(1 await/op)",
  "",
  `${(rssRaw / 1e6).toFixed(0)} MB`,
]);

console.log(`### Pool: acquire/release, max ${MAX}, trivial resource (median of 3)\n`);
console.log(
  "| pool | sequential | vs raw | seq ratio | 100 workers, held across a tick | con ratio | 100 workers, released in the same tick | same-tick ratio | bytes/op (seq) | peak RSS, 300k contended ops in its own process |",
);
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of poolRows) console.log(`| ${r.join(" | ")} |`);

// --- 2. breaker overhead ------------------------------------------------------------------------
// A failing call costs more than a successful one even without a breaker (the rejection, Node's
// unhandled-rejection bookkeeping, the throw into the caller's catch), so "1% / all-success" mixes
// the breaker's cost with the rejection's, and per-call overhead dilutes it: a slower breaker scores
// *better*. "÷ raw's" takes out the rejection's share but is still diluted. The last two columns are
// not: what one failure costs (timed at 10% failures, since at 1% it moves the total by ~1%, too
// little to split on a loaded machine), and what the breaker adds to it beyond raw's rejection.
const okFn = () => Promise.resolve(1);
// One preallocated error: the figure measures failure handling, not Error stack capture.
const failure = new Error("failing call");
const flakyEvery = (every) => {
  let k = 0;
  return () => (++k % every === 0 ? Promise.reject(failure) : Promise.resolve(1));
};
const breakers = {
  custodian: (fn) => {
    const b = createBreaker({ name: "bench", consecutiveFailures: 5, failureRate: 0.5, minimumCalls: 20 });
    return () => b.execute(fn);
  },
  opossum: (fn) => {
    const b = new CircuitBreaker(fn, { timeout: false, errorThresholdPercentage: 50, resetTimeout: 30_000 });
    return () => b.fire();
  },
  cockatiel: (fn) => {
    const p = circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) });
    return () => p.execute(fn);
  },
  raw: (fn) => fn,
};
const callLoop = (call) =>
  fresh(`(call) => async (n) => {
    for (let i = 0; i < n; i++) {
      try {
        await call();
      } catch {
        // the failing calls
      }
    }
  }`)(call);
const nsPerCall = async (loop, n) => {
  const t0 = process.hrtime.bigint();
  await loop(n);
  return Number(process.hrtime.bigint() - t0) / n;
};
const N_BR = 300_000;
const REPS_BR = 5;
const br = {};
for (const [name, make] of Object.entries(breakers)) {
  const n = name === "opossum" ? N_BR / 10 : N_BR;
  const loops = { ok: callLoop(make(okFn)), fl: callLoop(make(flakyEvery(100))) };
  // Not opossum: its throughput collapses once calls fail (see its 1% row); 10% would take minutes.
  if (name !== "opossum") loops.fl10 = callLoop(make(flakyEvery(10)));
  for (const loop of Object.values(loops)) await loop(50_000); // warm every loop, then interleave
  const t = { ok: [], fl: [], fl10: [] };
  const keep = [];
  const perFailure = [];
  for (let i = 0; i < REPS_BR; i++) {
    for (const [key, loop] of Object.entries(loops)) t[key].push(await nsPerCall(loop, n));
    // Ratios of runs taken back to back, so a load change between reps cancels out.
    keep.push(t.ok[i] / t.fl[i]);
    if (loops.fl10) perFailure.push((t.fl10[i] - t.ok[i]) * 10);
  }
  br[name] = { ok: 1e9 / median(t.ok), fl: 1e9 / median(t.fl), keep: median(keep), perFailure: loops.fl10 ? median(perFailure) : undefined };
}
const raw = br.raw;
console.log(`\n### Circuit breaker: sequential calls of an async no-op (median of ${REPS_BR})\n`);
console.log(
  "| breaker | all success | overhead vs raw | 1% failures | 1% / all-success | same, ÷ raw's | 1% vs raw at 1% | one failure (at 10%) | of which the breaker's |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [name, r] of Object.entries(br)) {
  const self = name === "raw";
  const over = self ? "" : `${(1e9 / r.ok - 1e9 / raw.ok).toFixed(0)} ns/call`;
  const failNs = r.perFailure === undefined ? "—" : `${r.perFailure.toFixed(0)} ns`;
  const own =
    self || r.perFailure === undefined
      ? ""
      : `${(r.perFailure - raw.perFailure).toFixed(0)} ns (${(((r.perFailure - raw.perFailure) / r.perFailure) * 100).toFixed(0)}%)`;
  console.log(
    `| ${name} | ${fmt(r.ok)} ops/s | ${over} | ${fmt(r.fl)} ops/s | ${(r.keep * 100).toFixed(0)}% | ${self ? "1.00" : (r.keep / raw.keep).toFixed(2)} | ${((r.fl / raw.fl) * 100).toFixed(0)}% | ${failNs} | ${own} |`,
  );
}

// --- 3. 10,000 idle breakers --------------------------------------------------------------------
async function settledHeap() {
  let last = Infinity;
  for (let i = 0; i < 10; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(used - last) < 32 * 1024) return used;
    last = used;
  }
  return last;
}
{
  const clock = new ManualClock();
  const base = await settledHeap();
  const reg = new BreakerRegistry({ clock, idleTtlMs: 60_000, reapIntervalMs: 10_000 });
  for (let i = 0; i < 10_000; i++) await reg.get(`https://host-${i}.example/`).execute(okFn);
  const full = await settledHeap();
  const timersFull = clock.pendingTimers();
  await clock.advance(70_000);
  const after = await settledHeap();
  console.log(`\n### 10,000 idle breakers (BreakerRegistry, idleTtl 60s, ManualClock)\n`);
  console.log("| measure | value |");
  console.log("|---|---|");
  console.log(`| heap with 10,000 breakers | +${((full - base) / 1e6).toFixed(2)} MB (${((full - base) / 10_000).toFixed(0)} B each) |`);
  console.log(`| timers while holding them | ${timersFull} (one shared reaper) |`);
  console.log(`| breakers left after TTL | ${reg.size} |`);
  console.log(`| heap after reap vs baseline | ${((after - base) / 1e6).toFixed(3)} MB |`);
  console.log(`| timers after reap | ${clock.pendingTimers()} |`);
  reg.close();

  const base2 = await settledHeap();
  let dropped = [];
  for (let i = 0; i < 10_000; i++) {
    const b = new CircuitBreaker(okFn, { timeout: false });
    await b.fire();
    dropped.push(b);
  }
  const opHeap = await settledHeap();
  for (const b of dropped) b.shutdown();
  dropped = [];
  console.log(`| opossum: 10,000 breakers, never reaped | +${((opHeap - base2) / 1e6).toFixed(2)} MB heap (kept until shutdown() of each) |`);
}
