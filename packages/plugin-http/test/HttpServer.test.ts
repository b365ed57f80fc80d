import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { adoptServer, closeServer, isDraining, setRequestHandler } from "../src/index.js";
import { heldServer, RawConnection, tryConnect } from "./helpers/raw.js";
import { httpKernel, stateOf } from "./helpers/servers.js";

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
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const server = http.createServer(() => received()); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      server.close();
    });
    adoptServer(kernel, server, { name: "web" });
    const client = rawGet(urlOf(server));
    await arrived;
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
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const h = await kernel.acquire<Server>({
      type: "http.server",
      listen: { port: 0 },
      handler: (_req: unknown, res: http.ServerResponse) => {
        answer = () => res.end("late");
        received();
      },
    });
    const server = h.value;
    const client = rawGet(urlOf(server));
    await arrived;
    const releasing = h.release();
    expect(await stateOf(releasing)).toBe("pending");
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
    expect(await stateOf(releasing)).toBe("pending");
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

describe.each(["http", "https"] as const)("http.server drain that keep-alive clients survive (%s)", (scheme) => {
  async function tracked(): Promise<{
    kernel: Awaited<ReturnType<typeof httpKernel>>["kernel"];
    srv: Awaited<ReturnType<typeof heldServer>>;
    release: () => Promise<{ outcome: string }>;
  }> {
    const { kernel } = await httpKernel({ shutdown: { deadline: "30s" } });
    const srv = await heldServer(scheme);
    const h = await kernel.acquire<Server>({ type: "http.server", name: "web", server: srv.server });
    return { kernel, srv, release: () => h.release() };
  }

  it("accepts an https.Server (and an http.Server) given from code", async () => {
    const { srv, kernel } = await tracked();
    expect(kernel.snapshot().find((s) => s.name === "web")).toMatchObject({ type: "http.server", state: "active" });
    expect(srv.server.listening).toBe(true);
  });

  it("a response already running when draining starts carries connection: close", async () => {
    const { srv, release } = await tracked();
    const conn = await RawConnection.open(srv.url);
    onTestFinished(() => conn.close());
    conn.send("/slow");
    const slow = await srv.held();
    const releasing = release();
    expect(await stateOf(releasing)).toBe("pending");
    expect(isDraining(srv.server)).toBe(true);
    slow.res.end("slow");
    const res = await conn.next();
    expect(res).toMatchObject({ status: 200, body: "slow" });
    expect(res.headers.connection).toBe("close");
    expect(await conn.ended).toBe("end");
    expect((await releasing).outcome).toBe("released");
  });

  it("a request already sent on an idle keep-alive socket is answered, not reset", async () => {
    const { srv, release } = await tracked();
    const conn = await RawConnection.open(srv.url);
    onTestFinished(() => conn.close());
    conn.send("/a");
    (await srv.held()).res.end("a");
    expect(await conn.next()).toMatchObject({ status: 200, body: "a", headers: { connection: "keep-alive" } });
    // The second request is on the wire when draining starts (closeServer starts it synchronously;
    // the kernel's release of the same server then awaits the same drain).
    conn.send("/b");
    const closing = closeServer(srv.server);
    const releasing = release();
    const b = await Promise.race([
      srv.held(),
      conn.ended.then((how) => {
        throw new Error(`the connection ended before the request was answered: ${how}`);
      }),
    ]);
    b.res.end("b");
    const res = await conn.next();
    expect(res).toMatchObject({ status: 200, body: "b" });
    expect(res.headers.connection).toBe("close");
    expect(await conn.ended).toBe("end");
    expect(await closing).toBe("closed");
    expect((await releasing).outcome).toBe("released");
  });

  it("a response whose headers went out as keep-alive: its socket is closed after it ends", async () => {
    const { srv, release } = await tracked();
    const conn = await RawConnection.open(srv.url);
    onTestFinished(() => conn.close());
    conn.send("/stream");
    const s = await srv.held();
    s.res.writeHead(200, { "content-type": "text/plain" });
    s.res.write("part-");
    const releasing = release();
    expect(await stateOf(releasing)).toBe("pending");
    s.res.end("end");
    const res = await conn.next();
    expect(res).toMatchObject({ status: 200, body: "part-end", headers: { connection: "keep-alive" } });
    expect(await conn.ended).toBe("end");
    expect((await releasing).outcome).toBe("released");
  });

  it("a pipelined request queued behind a running one is answered; only the last response says connection: close", async () => {
    const { srv, release } = await tracked();
    const conn = await RawConnection.open(srv.url);
    onTestFinished(() => conn.close());
    conn.send("/first", "/second");
    const first = await srv.held();
    const second = await srv.held();
    const releasing = release();
    expect(await stateOf(releasing)).toBe("pending");
    second.res.end("2");
    first.res.end("1");
    const r1 = await conn.next();
    const r2 = await conn.next();
    expect([r1.body, r1.headers.connection]).toEqual(["1", "keep-alive"]);
    expect([r2.body, r2.headers.connection]).toEqual(["2", "close"]);
    expect(await conn.ended).toBe("end");
    expect((await releasing).outcome).toBe("released");
  });

  it("new connections are refused as soon as draining starts", async () => {
    const { srv, release } = await tracked();
    const conn = await RawConnection.open(srv.url);
    onTestFinished(() => conn.close());
    conn.send("/slow");
    const slow = await srv.held();
    const releasing = release();
    expect(await stateOf(releasing)).toBe("pending");
    expect(srv.server.listening).toBe(false);
    expect(await tryConnect(srv.url)).toBe("error:ECONNREFUSED");
    slow.res.end("done");
    expect((await conn.next()).body).toBe("done");
    expect((await releasing).outcome).toBe("released");
  });
});
