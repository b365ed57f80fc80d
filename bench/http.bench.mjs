// plugin-http benchmark: 10,000 keep-alive requests against a local server (in a child process, so
// process.cpuUsage() counts the client side only) through a tracked HttpAgent vs a plain undici
// Agent with the same options. Rounds alternate between variants; medians are reported. Every
// ratio compares figures measured in this same run.
import { spawn } from "node:child_process";
import { once } from "node:events";
import os from "node:os";
import { Agent, request } from "undici";
import { ManualClock } from "../packages/core/dist/index.js";
import { HttpAgent, createOriginBreakers } from "../packages/plugin-http/dist/index.js";

const N = 10_000;
const CONCURRENCY = 20;
const ROUNDS = 9;

const serverCode = `
  const http = require("node:http");
  const s = http.createServer((req, res) => { res.setHeader("content-type", "text/plain"); res.end("ok"); });
  s.keepAliveTimeout = 60000;
  s.listen(0, "127.0.0.1", () => console.log(s.address().port));
`;
const child = spawn(process.execPath, ["-e", serverCode], { stdio: ["ignore", "pipe", "inherit"] });
const [chunk] = await once(child.stdout, "data");
const url = `http://127.0.0.1:${String(chunk).trim()}/`;

const opts = { connections: 10, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 };
const variants = {
  "undici Agent (plain)": () => new Agent(opts),
  // A second plain agent shows the run-to-run noise (an A/A comparison).
  "undici Agent (plain, A/A)": () => new Agent(opts),
  "HttpAgent (tracked)": () => new HttpAgent({ connections: 10, keepAliveTimeoutMs: 60_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 }),
  // A second identical tracked agent: in runs here the first HttpAgent created was often slower than
  // later identical ones, so both are shown.
  "HttpAgent (tracked, 2nd instance)": () => new HttpAgent({ connections: 10, keepAliveTimeoutMs: 60_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000 }),
  "HttpAgent + breaker": () =>
    new HttpAgent({
      connections: 10,
      keepAliveTimeoutMs: 60_000,
      breakers: createOriginBreakers({
        failureThreshold: 5,
        resetTimeoutMs: 10_000,
        halfOpenMaxCalls: 1,
        idleTimeoutMs: 300_000,
        clock: new ManualClock(),
      }),
    }),
};

async function run(dispatcher, n) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await request(url, { dispatcher });
      await res.body.text();
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
const agents = Object.fromEntries(Object.entries(variants).map(([k, make]) => [k, make()]));
// Warm-up: two discarded rounds per variant (opens the connections, lets V8 optimise the paths).
for (let w = 0; w < 2; w++) for (const a of Object.values(agents)) await run(a, N);
const names = Object.keys(agents);
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order every round so no variant always runs first or last.
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length];
    globalThis.gc?.();
    results[name].push(await run(agents[name], N));
  }
}
for (const a of Object.values(agents)) await a.close();
child.kill();

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = "undici Agent (plain)";
const summary = Object.fromEntries(
  Object.entries(results).map(([k, xs]) => [
    k,
    { cpuMs: median(xs.map((x) => x.cpuMs)), minCpuMs: Math.min(...xs.map((x) => x.cpuMs)), rps: median(xs.map((x) => (N / x.wallMs) * 1000)) },
  ]),
);
console.log(
  `Machine load: loadavg ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} on ${os.cpus().length} cores. The A/A row is the noise floor.\n`,
);
console.log(
  `${N.toLocaleString("en")} keep-alive GETs per round, concurrency ${CONCURRENCY}, 10 connections, ${ROUNDS} alternating rounds (medians); server in a child process\n`,
);
console.log(
  "| dispatcher | client CPU ms / 10k req (median) | (min) | CPU µs / req | req/s | CPU overhead vs plain (median) | (min vs min) | req/s ratio vs plain |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
for (const [name, s] of Object.entries(summary)) {
  const b = summary[base];
  const pct = (x) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}%`;
  const overhead = ((s.cpuMs - b.cpuMs) / b.cpuMs) * 100;
  const overheadMin = ((s.minCpuMs - b.minCpuMs) / b.minCpuMs) * 100;
  console.log(
    `| ${name} | ${s.cpuMs.toFixed(0)} | ${s.minCpuMs.toFixed(0)} | ${((s.cpuMs * 1000) / N).toFixed(1)} | ${s.rps.toFixed(0)} | ${name === base ? "—" : pct(overhead)} | ${name === base ? "—" : pct(overheadMin)} | ${(s.rps / b.rps).toFixed(3)} |`,
  );
}
