// Client side of bench/http-instructions.bench.mjs, run once per variant under
// `valgrind --tool=callgrind --dump-before=uv_os_getpriority`. It sends the same request load
// through one dispatcher and calls os.getPriority() (a libuv call nothing else here makes) right
// before and right after the measured phase, so callgrind writes the measured phase's instruction
// count to a dump of its own: startup, module loading, agent creation, warm-up and exit fall outside it.
//
//   node bench/http-instructions.driver.mjs <variant> <url> [warmup] [sequential] [concurrent]
//
// Variants: "bare" (undici Agent), "agent" (HttpAgent built directly), "kernel" (http.agent acquired
// from a kernel with the http plugin: onEvent/isObserved wired, no breaker), "kernel+breaker" (the
// same with `breaker: true`), "compose" (the undici Agent behind a no-op compose() interceptor, a
// known cost: undici then wraps every handler; it shows the method sees a real difference). Every
// variant loads the same modules and creates the same kernel, so they differ only in the
// dispatcher the requests go through.
import os from "node:os";
import { Agent, request } from "undici";
import { createKernel } from "../packages/core/dist/index.js";
import { HttpAgent, httpPlugin } from "../packages/plugin-http/dist/index.js";

const [variant, url, warmupArg = "4000", sequentialArg = "2000", concurrentArg = "1000"] = process.argv.slice(2);
const WARMUP = Number(warmupArg);
const SEQUENTIAL = Number(sequentialArg);
const CONCURRENT = Number(concurrentArg);
const CONCURRENCY = 10;
const CONNECTIONS = 10;

// Same settings for every variant (HttpAgent's defaults are spelled out for the bare Agent).
const undiciOptions = {
  connections: CONNECTIONS,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
  connect: { timeout: 5_000 },
};
const agentSpec = {
  type: "http.agent",
  connections: CONNECTIONS,
  pipelining: 1,
  keepAliveTimeout: "60s",
  headersTimeout: "10s",
  bodyTimeout: "10s",
  connectTimeout: "5s",
};

// Every variant runs next to the same kernel (http plugin, both http.agent resources declared): an
// application that tracks its agent has a kernel anyway, and a kernel created in some variants only
// would change their heap, and with it what the GC costs inside the measured phase.
const kernel = await createKernel({
  env: {},
  config: { resources: { api: agentSpec, "api-breaker": { ...agentSpec, breaker: true } } },
  plugins: [httpPlugin],
});

async function makeDispatcher() {
  switch (variant) {
    case "bare":
      return new Agent(undiciOptions);
    case "compose":
      return new Agent(undiciOptions).compose((dispatch) => (opts, handler) => dispatch(opts, handler));
    case "agent":
      return new HttpAgent({ connections: CONNECTIONS, keepAliveTimeoutMs: 60_000, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
    case "kernel":
      return (await kernel.acquire("api")).value;
    case "kernel+breaker":
      return (await kernel.acquire("api-breaker")).value;
    default:
      throw new Error(`unknown variant ${JSON.stringify(variant)}: expected bare, compose, agent, kernel or kernel+breaker`);
  }
}

async function sequential(dispatcher, n) {
  for (let i = 0; i < n; i++) {
    const res = await request(url, { dispatcher });
    await res.body.text();
  }
}

async function concurrent(dispatcher, n) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const res = await request(url, { dispatcher });
      await res.body.text();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const dispatcher = await makeDispatcher();
// Warm-up: opens the connections and lets V8 compile the request path of this variant. A full GC
// halfway (with --expose-gc) leaves the old generation equally empty in every run, so whether a
// major GC falls inside the measured phase does not depend on what startup left behind; the second
// half re-optimises what that GC threw away.
for (const half of [0, 1]) {
  if (half === 1) globalThis.gc?.();
  await concurrent(dispatcher, WARMUP / 4);
  await sequential(dispatcher, WARMUP / 4);
}

os.getPriority(); // marker: callgrind dumps everything before this point
await sequential(dispatcher, SEQUENTIAL);
await concurrent(dispatcher, CONCURRENT);
os.getPriority(); // marker: the dump written here holds the measured phase only

// The kernel releases the agents it made; the others are closed here.
if (!variant.startsWith("kernel")) await dispatcher.close();
await kernel.shutdown("bench done");
