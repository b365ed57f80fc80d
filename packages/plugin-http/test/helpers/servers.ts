/**
 * Real HTTP servers on 127.0.0.1 port 0 for the tests, each closed when its test ends, and kernels
 * with the http plugin.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { onTestFinished } from "vitest";
import { createKernel, ManualClock, type CustodianConfig, type Kernel, type KernelEvent } from "@custodian/core";
import { httpPlugin, type HttpPluginOptions } from "../../src/index.js";

export interface TestServer {
  server: http.Server;
  url: string;
  /** Connections currently open on the server side. */
  sockets: Set<Socket>;
  /** Requests received so far. */
  requests: number;
  /** Resolves when every server-side connection has closed; rejects after `ms`. */
  allClosed(ms?: number): Promise<void>;
  /** Resolves once the server has received `n` requests in all. */
  arrived(n: number): Promise<void>;
}

export async function startServer(onRequest: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const arrivals: Array<{ n: number; resolve: () => void }> = [];
  const t: TestServer = {
    server: http.createServer((req, res) => {
      t.requests++;
      for (const a of arrivals.filter((w) => w.n <= t.requests)) {
        arrivals.splice(arrivals.indexOf(a), 1);
        a.resolve();
      }
      onRequest(req, res);
    }),
    url: "",
    sockets,
    requests: 0,
    arrived(n) {
      if (t.requests >= n) return Promise.resolve();
      return new Promise<void>((resolve) => arrivals.push({ n, resolve }));
    },
    allClosed(ms = 2_000) {
      if (sockets.size === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server still has ${sockets.size} open connection(s) after ${ms}ms`)), ms);
        waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
  t.server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => {
      sockets.delete(s);
      if (sockets.size === 0) for (const w of waiters) w();
      if (sockets.size === 0) waiters.clear();
    });
  });
  await new Promise<void>((resolve) => t.server.listen(0, "127.0.0.1", resolve));
  const { port } = t.server.address() as { port: number };
  t.url = `http://127.0.0.1:${port}`;
  onTestFinished(async () => {
    t.server.closeAllConnections();
    await new Promise<void>((resolve) => t.server.close(() => resolve()));
  });
  return t;
}

/** Accepts the request and never answers. */
export const stall = (): void => {};

/** Sends headers, then one byte per second, forever. */
export const drip = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.write(".");
  const timer = setInterval(() => res.write("."), 1_000);
  res.on("close", () => clearInterval(timer));
};

/** Number of TCP socket handles keeping this process alive. */
export const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;

/** Real-time wait, for the few tests that prove behaviour of real sockets. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A kernel with the http plugin, shut down when the test ends. Real clock unless one is given. */
export async function httpKernel(
  config: CustodianConfig = {},
  options: { clock?: ManualClock; plugin?: HttpPluginOptions } = {},
): Promise<{ kernel: Kernel; events: KernelEvent[] }> {
  const kernel = await createKernel({ env: {}, config, clock: options.clock, plugins: [{ plugin: httpPlugin, options: options.plugin ?? {} }] });
  const events: KernelEvent[] = [];
  kernel.events$.subscribe((e) => events.push(e));
  onTestFinished(async () => {
    const p = kernel.shutdown("test finished");
    if (options.clock !== undefined) await options.clock.advance(60_000);
    await p;
  });
  return { kernel, events };
}

/** Settles-or-not probe: "pending" if `p` has not settled after the current I/O turn. */
export async function stateOf(p: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let s: "pending" | "fulfilled" | "rejected" = "pending";
  p.then(
    () => (s = "fulfilled"),
    () => (s = "rejected"),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return s;
}
