/**
 * Scopes and handles with `await using` in request-handling code: every request opens a scope,
 * acquires what it needs, and whatever happens (return or throw) the scope releases it all, in
 * dependency order, within its budget.
 *
 *   node examples/dist/await-using/main.js
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createKernel, definePlugin } from "@custodian/core";

interface Tx {
  id: number;
  committed: boolean;
}

let txSeq = 0;
const log: string[] = [];

// A tiny "database" plugin: transactions that must always be closed.
const db = definePlugin({
  name: "toy-db",
  apply(kernel) {
    kernel.registerType<Tx>("tx", {
      create: () => ({ id: ++txSeq, committed: false }),
      release: (tx) => void log.push(`tx ${tx.id} ${tx.committed ? "committed" : "rolled back"}`),
      timeoutMs: 200,
    });
    kernel.registerType<{ bytes: Buffer }>("buffer", {
      create: (spec) => ({ bytes: Buffer.alloc(Number(spec.size ?? 1024)) }),
      release: (b) => void b.bytes.fill(0),
    });
  },
});

const kernel = await createKernel({ config: { shutdown: { deadline: "2s" } }, plugins: [db] });

const server = createServer(async (req, res) => {
  // Everything acquired in this block is released when the block exits, even on throw.
  await using scope = kernel.scope(`request ${req.url}`, { timeoutMs: 500 });
  const tx = await scope.acquire<Tx>({ type: "tx" });
  await scope.acquire({ type: "buffer", size: 4096, dependsOn: [tx] }); // released before the tx
  try {
    if (req.url === "/fail") throw new Error("handler failed");
    tx.value.committed = true;
    res.end(`ok tx ${tx.value.id}; live resources during request: ${kernel.snapshot().length}\n`);
  } catch (error) {
    res.statusCode = 500;
    res.end(`error: ${(error as Error).message}\n`);
  }
});
kernel.adopt(server, {
  type: "http.server",
  name: "api",
  release: (s) => new Promise<void>((resolve) => s.close(() => resolve())),
  force: (s) => s.closeAllConnections(),
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

for (const path of ["/a", "/fail", "/b"]) {
  const r = await fetch(origin + path);
  console.log(`GET ${path} -> ${r.status} ${(await r.text()).trim()}`);
}
console.log(
  `after the requests: ${kernel.snapshot().length} live resource(s) (${kernel
    .snapshot()
    .map((s) => s.name ?? s.type)
    .join(", ")})`,
);
console.log(log.join("\n"));

const report = await kernel.shutdown();
console.log(`shutdown: ${report.ok ? "ok" : "not ok"} in ${report.elapsedMs}ms`);
process.exitCode = report.ok && kernel.snapshot().length === 0 ? 0 : 1;
