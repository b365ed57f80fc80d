/**
 * Ports of http-terminator's own suite (gajus/http-terminator, test/helpers/createTests.ts, run there
 * against http and https servers) to closeServer(): the same behaviours, written against our API
 * with real sockets. Upstream waits with delay(); here every wait is on a request, a response or
 * the ManualClock that drives the graceful budget (upstream `gracefulTerminationTimeout`).
 * Upstream creates its terminator before the first request; here that step is adoptServer(), which
 * starts tracking the server's requests.
 */
import { Agent as HttpAgent, type Server } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { describe, expect, it, onTestFinished } from "vitest";
import { ManualClock } from "@custodian/core";
import { adoptServer, closeServer } from "../../src/index.js";
import { agentGet, heldServer, tryConnect } from "../helpers/raw.js";
import { httpKernel } from "../helpers/servers.js";

const connections = (server: Server): Promise<number> => new Promise((resolve) => server.getConnections((_e, n) => resolve(n)));

describe.each(["http", "https"] as const)("http-terminator createTests (%s server)", (scheme) => {
  /** upstream: new KeepAliveHttpAgent({ maxSockets: 1 }) */
  const keepAliveAgent = (): HttpAgent => {
    const agent =
      scheme === "https" ? new HttpsAgent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
    onTestFinished(() => agent.destroy());
    return agent;
  };

  /** upstream: createTestServer() + createHttpTerminator({ server }) */
  async function tracked(): Promise<{ srv: Awaited<ReturnType<typeof heldServer>>; clock: ManualClock }> {
    const clock = new ManualClock();
    const srv = await heldServer(scheme);
    const { kernel } = await httpKernel({}, { clock });
    adoptServer(kernel, srv.server, { name: "web" });
    return { srv, clock };
  }

  it("terminates HTTP server with no connections", async () => {
    const { srv } = await tracked();
    expect(srv.server.listening).toBe(true);
    expect(await closeServer(srv.server)).toBe("closed");
    expect(srv.server.listening).toBe(false);
  });

  it("terminates hanging sockets after gracefulTerminationTimeout", async () => {
    const { srv, clock } = await tracked();
    const request = agentGet(srv.url).catch((e: NodeJS.ErrnoException) => `error:${e.code ?? e.message}`);
    await srv.held(); // upstream: t.true(spy.called)
    const terminating = closeServer(srv.server, { timeoutMs: 150, clock });
    await clock.advance(100);
    // The timeout has not passed.
    expect(await connections(srv.server)).toBe(1);
    await clock.advance(50);
    expect(await terminating).toBe("forced");
    expect(await connections(srv.server)).toBe(0);
    expect(await request).toMatch(/^error:(ECONNRESET|socket hang up)/);
  });

  it("server stops accepting new connections after terminator.terminate() is called", async () => {
    const { srv, clock } = await tracked();
    const request0 = agentGet(srv.url);
    const first = await srv.held();
    const terminating = closeServer(srv.server, { timeoutMs: 150, clock });
    expect(await tryConnect(srv.url)).toBe("error:ECONNREFUSED");
    first.res.end("foo");
    const response0 = await request0;
    expect(response0.headers.connection).toBe("close");
    expect(response0.body).toBe("foo");
    expect(await terminating).toBe("closed");
  });

  it("ongoing requests receive {connection: close} header", async () => {
    const { srv, clock } = await tracked();
    const request = agentGet(srv.url, keepAliveAgent());
    const held = await srv.held();
    const terminating = closeServer(srv.server, { timeoutMs: 150, clock });
    held.res.end("foo");
    const response = await request;
    expect(response.headers.connection).toBe("close");
    expect(response.body).toBe("foo");
    expect(await terminating).toBe("closed");
  });

  it("ongoing requests receive {connection: close} header (new request reusing an existing socket)", async () => {
    const { srv, clock } = await tracked();
    const agent = keepAliveAgent();
    const request0 = agentGet(srv.url, agent);
    const first = await srv.held();
    first.res.write("foo"); // headers sent: keep-alive
    const terminating = closeServer(srv.server, { timeoutMs: 150, clock });
    // Queued in the agent (maxSockets: 1): it reuses the keep-alive socket once request0 ends.
    const request1 = agentGet(srv.url, agent);
    first.res.end("bar");
    const second = await srv.held();
    expect(srv.count()).toBe(2);
    const response0 = await request0;
    expect(response0.headers.connection).toBe("keep-alive");
    expect(response0.body).toBe("foobar");
    second.res.end("baz");
    const response1 = await request1;
    expect(response1.headers.connection).toBe("close");
    expect(response1.body).toBe("baz");
    expect(await terminating).toBe("closed");
  });

  it("does not send {connection: close} when server is not terminating", async () => {
    // upstream: createHttpTerminator({ server }) without terminate(): tracked, not draining.
    const { srv } = await tracked();
    const request = agentGet(srv.url, keepAliveAgent());
    (await srv.held()).res.end("foo");
    expect((await request).headers.connection).toBe("keep-alive");
  });
});
