// Dashboard overhead: what a process pays for having the dashboard on. Its events$ subscription
// turns off the kernel's unobserved release fast path, and an open page adds one SSE write per
// kernel event plus a coalesced state push. Every ratio compares figures from this same run.
import { createKernel } from "../packages/core/dist/index.js";
import { serveDashboard } from "../packages/plugin-dashboard/dist/index.js";

const time = async (n, fn) => {
  for (let i = 0; i < 20; i++) {
    fn(1_000);
    await new Promise((r) => setImmediate(r));
  } // warm-up
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < n; done += 1_000) {
    fn(1_000);
    await new Promise((r) => setImmediate(r));
  }
  return Number(process.hrtime.bigint() - t0) / n; // ns per op
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timeN = async (reps, n, fn) => {
  const xs = [];
  for (let i = 0; i < reps; i++) xs.push(await time(n, fn));
  return median(xs);
};

async function measure(label, setup) {
  const kernel = await createKernel({ env: {}, config: {} });
  const teardown = await setup(kernel);
  const opts = { type: "trivial", release: () => {} };
  const value = {};
  const ns = await timeN(5, 100_000, (n) => {
    for (let i = 0; i < n; i++) void kernel.adopt(value, opts).release();
  });
  await teardown?.();
  await kernel.shutdown();
  return { label, ns };
}

const quiet = { log: () => {}, sampleMs: 1_000 };
const rows = [];
rows.push(await measure("no dashboard (no subscriber: fast path)", async () => undefined));
rows.push(
  await measure("an empty events$ subscriber (kernel's observed path)", async (k) => {
    const sub = k.events$.subscribe(() => {});
    return () => sub.unsubscribe();
  }),
);
rows.push(await measure("dashboard on, no page open", async (k) => void (await serveDashboard(k, quiet))));
rows.push(
  await measure("dashboard on, 1 page open (SSE)", async (k) => {
    const d = await serveDashboard(k, quiet);
    const ac = new AbortController();
    const res = await fetch(`${d.origin}/api/events`, { headers: { authorization: `Bearer ${d.token}` }, signal: ac.signal });
    const reader = res.body.getReader();
    let bytes = 0;
    const pump = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
        }
      } catch {}
    })();
    return async () => {
      ac.abort();
      await pump;
      rows.bytes = bytes;
    };
  }),
);

// Payload of one state push with 200 live resources (what an open page receives per sample).
const k = await createKernel({ env: {}, config: { tracking: { captureStacks: true } } });
for (let i = 0; i < 200; i++)
  k.adopt({}, { type: `t${i % 5}`, name: `r-${i}`, release: () => {}, describe: () => ({ url: "postgres://u:pw@db/x", size: 4, borrowed: 1 }) });
const d = await serveDashboard(k, quiet);
const tokenHeader = { authorization: `Bearer ${d.token}` };
const stateTimes = [];
let stateBytes = 0;
for (let i = 0; i < 20; i++) {
  const t0 = process.hrtime.bigint();
  const body = await (await fetch(`${d.origin}/api/state`, { headers: tokenHeader })).text();
  stateTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  stateBytes = body.length;
}
await k.shutdown();

const base = rows[0].ns;
console.log("| adopt + release of a trivial resource | ns/op | vs no dashboard |");
console.log("|---|---:|---:|");
for (const r of rows) console.log(`| ${r.label} | ${r.ns.toFixed(0)} | ${(r.ns / base).toFixed(2)}x |`);
console.log(`\nSSE bytes received by the open page during its run: ${(rows.bytes / 1024).toFixed(0)} KiB`);
console.log(
  `\n| full state with 200 live resources (GET /api/state) | value |\n|---|---:|\n| size | ${(stateBytes / 1024).toFixed(1)} KiB |\n| median round trip | ${median(stateTimes).toFixed(2)} ms |`,
);
