import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { adoptServer, isDraining, setRequestHandler } from "../src/index.js";
import { httpKernel, sleep, stateOf } from "./helpers/servers.js";

/** A raw client request through node:http without keep-alive reuse; resolves with how it ended. */
function rawGet(url: string): { done: Promise<string>; socketClosed: Promise<void> } {
  let onClose!: () => void;
  const socketClosed = new Promise<void>((resolve) => (onClose = resolve));
  const done = new Promise<string>((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve(`${res.statusCode}:${body}`));
      res.on("error", (e) => resolve(`error:${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    req.on("socket", (s) => s.once("close", onClose));
    req.on("error", (e) => resolve(`error:${(e as NodeJS.ErrnoException).code ?? e.message}`));
  });
  return { done, socketClosed };
}

const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe("http.server", () => {
  it("created from listen: serves through its handler and stops accepting at release", async () => {
    const { kernel } = await httpKernel();
    const h = await kernel.acquire<Server>({
      type: "http.server",
      name: "web",
      listen: { host: "127.0.0.1", port: 0 },
      handler: (_req: unknown, res: http.ServerResponse) => res.end("hi"),
    });
    const server = h.value;
    const url = urlOf(server);
    expect(await rawGet(url).done).toBe("200:hi");
    expect(kernel.snapshot().find((s) => s.name === "web")!.details).toMatchObject({ state: "open", listening: true, inFlight: 0 });
    const outcome = await h.release();
    expect(outcome.outcome).toBe("released");
    expect(server.listening).toBe(false);
    expect(await rawGet(url).done).toMatch(/^error:ECONNREFUSED/);
  });

  it("with an in-flight request: closes within its budget and the client sees the connection end", async () => {
    const { kernel } = await httpKernel({ shutdown: { deadline: "600ms" } });
    const server = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    adoptServer(kernel, server, { name: "web" });
    const client = rawGet(urlOf(server));
    await sleep(50);
    expect(kernel.snapshot().find((s) => s.name === "web")!.details).toMatchObject({ inFlight: 1, openSockets: 1 });
    const started = performance.now();
    const report = await kernel.shutdown();
    expect(performance.now() - started).toBeLessThan(600 + 200);
    expect(report.outcomes[0].outcome).toBe("forced");
    await client.socketClosed;
    expect(await client.done).toMatch(/^error:(ECONNRESET|socket hang up)/);
    expect(server.listening).toBe(false);
    const open = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
    expect(open).toBe(0);
  });

  it("a request that finishes during the drain gets connection: close and the release completes gracefully", async () => {
    const { kernel } = await httpKernel();
    let answer!: () => void;
    const h = await kernel.acquire<Server>({
      type: "http.server",
      listen: { port: 0 },
      handler: (_req: unknown, res: http.ServerResponse) => (answer = () => res.end("late")),
    });
    const server = h.value;
    const client = rawGet(urlOf(server));
    await sleep(50);
    const releasing = h.release();
    await sleep(20);
    expect(isDraining(server)).toBe(true);
    expect(await stateOf(releasing)).toBe("pending");
    answer();
    expect(await client.done).toBe("200:late");
    expect((await releasing).outcome).toBe("released");
  });

  it('whileDraining: "503" answers 503 during drainDelay, then stops accepting', async () => {
    const { kernel } = await httpKernel();
    const h = await kernel.acquire<Server>({ type: "http.server", listen: { port: 0 }, whileDraining: "503", drainDelay: "300ms", timeout: "2s" });
    const server = h.value;
    setRequestHandler(server, (_req, res) => res.end("ok"));
    const url = urlOf(server);
    expect(await rawGet(url).done).toBe("200:ok");
    const started = performance.now();
    const releasing = h.release();
    await sleep(50);
    expect(isDraining(server)).toBe(true);
    expect(await rawGet(url).done).toBe("503:Service is shutting down\n");
    expect((await releasing).outcome).toBe("released");
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(await rawGet(url).done).toMatch(/^error:ECONNREFUSED/);
  });

  it("an adopted server with 503 mode is refused with ERR_HTTP_INVALID_SPEC", async () => {
    const { kernel } = await httpKernel();
    const server = http.createServer();
    await expect(kernel.acquire({ type: "http.server", server, whileDraining: "503" })).rejects.toMatchObject({ code: "ERR_HTTP_INVALID_SPEC" });
  });

  it("listen failure is ERR_HTTP_LISTEN_FAILED", async () => {
    const { kernel } = await httpKernel();
    const a = await kernel.acquire<Server>({ type: "http.server", listen: { port: 0 } });
    const port = (a.value.address() as AddressInfo).port;
    await expect(kernel.acquire({ type: "http.server", listen: { port } })).rejects.toMatchObject({ code: "ERR_HTTP_LISTEN_FAILED" });
  });
});
