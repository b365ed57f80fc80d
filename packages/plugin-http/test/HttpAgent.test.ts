import { Agent, fetch as undiciFetch, request } from "undici";
import { describe, expect, it, onTestFinished } from "vitest";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { isKernelError, ManualClock } from "@custodian/core";
import { HttpAgent } from "../src/index.js";
import { heldServer } from "./helpers/raw.js";
import { drip, httpKernel, sleep, stall, startServer, stateOf, tcpSockets } from "./helpers/servers.js";

const agentCloseFixture = fileURLToPath(new URL("./fixtures/agent-close.mjs", import.meta.url));

const settle = <T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: any }> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe("http.agent at shutdown (real sockets, real time)", () => {
  it("a server that accepts and never responds: shutdown returns within the deadline, the request rejects typed, the socket is closed", async () => {
    const srv = await startServer(stall);
    const baseline = tcpSockets();
    const { kernel } = await httpKernel({ shutdown: { deadline: "1s" }, resources: { api: { type: "http.agent", origin: srv.url } } });
    const api = await kernel.acquire<HttpAgent>("api");
    const agent = api.value;
    const pending = settle(request(`${srv.url}/never`, { dispatcher: agent }));
    await srv.arrived(1);
    expect(srv.sockets.size).toBe(1);
    const detail = kernel.snapshot().find((s) => s.name === "api")!.details!;
    expect(detail).toMatchObject({ inFlight: 1, openSockets: 1 });

    const started = performance.now();
    const report = await kernel.shutdown();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(1_000 + 250);
    expect(report.outcomes.find((o) => o.name === "api")?.outcome).toBe("forced");

    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("ERR_HTTP_REQUEST_ABORTED");
      expect(isKernelError(result.error.cause, "ERR_DEADLINE_EXCEEDED")).toBe(true);
    }
    await srv.allClosed();
    expect(agent.stats()).toMatchObject({ state: "destroyed", openSockets: 0, inFlight: 0 });
    expect(tcpSockets()).toBeLessThanOrEqual(baseline);
  });

  it("a server that drips its body one byte a second: the same", async () => {
    const srv = await startServer(drip);
    const baseline = tcpSockets();
    const { kernel } = await httpKernel({ shutdown: { deadline: "1s" }, resources: { api: { type: "http.agent" } } });
    const api = await kernel.acquire<HttpAgent>("api");
    const res = await request(`${srv.url}/drip`, { dispatcher: api.value });
    expect(res.statusCode).toBe(200);
    const body = settle(res.body.text());

    const started = performance.now();
    await kernel.shutdown();
    expect(performance.now() - started).toBeLessThan(1_000 + 250);
    const result = await body;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("ERR_HTTP_REQUEST_ABORTED");
    await srv.allClosed();
    expect(tcpSockets()).toBeLessThanOrEqual(baseline);
  });

  it("fetch(url, { dispatcher }) works, and a stalled fetch rejects with the typed error as its cause", async () => {
    const srv = await startServer((req, res) => (req.url === "/ok" ? res.end("ok") : undefined));
    const { kernel } = await httpKernel({ shutdown: { deadline: "500ms" }, resources: { api: { type: "http.agent" } } });
    const api = await kernel.acquire<HttpAgent>("api");
    const viaUndici = await undiciFetch(`${srv.url}/ok`, { dispatcher: api.value });
    expect(await viaUndici.text()).toBe("ok");
    // Node's built-in fetch (its own bundled undici) accepts the dispatcher too.
    const viaGlobal = await fetch(`${srv.url}/ok`, { dispatcher: api.value } as unknown as RequestInit);
    expect(await viaGlobal.text()).toBe("ok");
    const stalled = settle(fetch(`${srv.url}/stall`, { dispatcher: api.value } as unknown as RequestInit));
    await srv.arrived(3);
    await kernel.shutdown();
    const r = await stalled;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.cause?.code).toBe("ERR_HTTP_REQUEST_ABORTED");
    await srv.allClosed();
  });

  it("idle keep-alive sockets are closed at release", async () => {
    const srv = await startServer((_req, res) => res.end("ok"));
    const { kernel } = await httpKernel({ resources: { api: { type: "http.agent", keepAliveTimeout: "60s" } } });
    const api = await kernel.acquire<HttpAgent>("api");
    for (let i = 0; i < 3; i++) {
      const r = await request(`${srv.url}/`, { dispatcher: api.value });
      await r.body.text();
    }
    const agent = api.value;
    expect(srv.sockets.size).toBeGreaterThanOrEqual(1);
    expect(agent.stats()).toMatchObject({ openSockets: srv.sockets.size, inFlight: 0 });
    const started = performance.now();
    const outcome = await api.release();
    expect(outcome.outcome).toBe("released");
    expect(performance.now() - started).toBeLessThan(200);
    await srv.allClosed(500);
    expect(agent.stats().openSockets).toBe(0);
  });

  it("legacy flag (deadlineCleanup: false) reproduces the hang: still pending after the deadline", async () => {
    const srv = await startServer(stall);
    const clock = new ManualClock();
    const { kernel } = await httpKernel(
      {
        shutdown: { deadline: "300ms" },
        features: { deadlineCleanup: false },
        resources: { api: { type: "http.agent" } },
      },
      { clock },
    );
    const api = await kernel.acquire<HttpAgent>("api");
    const agent = api.value;
    const pending = settle(request(`${srv.url}/never`, { dispatcher: agent }));
    await srv.arrived(1);
    const shutdown = kernel.shutdown();
    await clock.advance(600);
    expect(await stateOf(shutdown)).toBe("pending");
    expect(await stateOf(pending)).toBe("pending");
    // Clean up by hand, as a user who rolled back would have to.
    await agent.destroy();
    const report = await shutdown;
    expect(report.strategy).toBe("legacy");
    expect((await pending).ok).toBe(false);
    await srv.allClosed();
  });
});

describe("HttpAgent", () => {
  it("regression: undici Agent.close() then destroy() leaves the request pending; HttpAgent's destroy() reaches it", async () => {
    const srv = await startServer(stall);
    // The trap, shown on a plain undici Agent.
    const plain = new Agent();
    onTestFinished(async () => {
      srv.server.closeAllConnections();
      await plain.destroy().catch(() => undefined);
    });
    const plainReq = settle(request(`${srv.url}/a`, { dispatcher: plain }));
    await srv.arrived(1);
    void plain.close();
    await plain.destroy();
    await sleep(50); // Proves a negative (nothing reaches the request): only a duration can.
    expect(await stateOf(plainReq)).toBe("pending");

    const agent = new HttpAgent({ name: "t" });
    const req = settle(request(`${srv.url}/b`, { dispatcher: agent }));
    await srv.arrived(2);
    const closing = agent.close();
    await agent.destroy();
    const r = await req;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("ERR_HTTP_REQUEST_ABORTED");
    await closing;
  });

  it("a request after close() fails at once with ERR_HTTP_AGENT_CLOSED", async () => {
    const srv = await startServer((_req, res) => res.end("ok"));
    const agent = new HttpAgent();
    await agent.close();
    const r = await settle(request(`${srv.url}/`, { dispatcher: agent }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe("ERR_HTTP_AGENT_CLOSED");
    expect(srv.requests).toBe(0);
  });

  it("an agent with origins refuses other origins, redacting credentials in the message", async () => {
    const srv = await startServer((_req, res) => res.end("ok"));
    const agent = new HttpAgent({ origin: srv.url });
    onTestFinished(() => agent.destroy());
    const ok = await request(`${srv.url}/`, { dispatcher: agent });
    expect(await ok.body.text()).toBe("ok");
    const r = await settle(request("http://user:secret@127.0.0.2:9/", { dispatcher: agent }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("ERR_HTTP_ORIGIN_NOT_ALLOWED");
      expect(r.error.message).not.toContain("secret");
    }
  });

  it("snapshot shows in-flight requests and the age of the oldest", async () => {
    const srv = await startServer(stall);
    const clock = new ManualClock();
    const { kernel } = await httpKernel({ resources: { api: { type: "http.agent", connections: 2 } } }, { clock });
    const api = await kernel.acquire<HttpAgent>("api");
    const a = settle(request(`${srv.url}/1`, { dispatcher: api.value }));
    await srv.arrived(1);
    await clock.advance(120);
    const b = settle(request(`${srv.url}/2`, { dispatcher: api.value }));
    await srv.arrived(2);
    await clock.advance(20);
    const d = kernel.snapshot().find((s) => s.name === "api")!.details as {
      inFlight: number;
      openSockets: number;
      oldestInFlightMs: number;
      origins: string[];
    };
    expect(d.inFlight).toBe(2);
    expect(d.openSockets).toBe(2);
    expect(d.oldestInFlightMs).toBeGreaterThanOrEqual(140);
    expect(d.origins).toEqual([srv.url]);
    await api.value.destroy();
    expect((await a).ok).toBe(false);
    expect((await b).ok).toBe(false);
  });

  it("request:failed events carry the redacted origin only", async () => {
    const srv = await startServer(stall);
    const { kernel, events } = await httpKernel({ resources: { api: { type: "http.agent" } } });
    const api = await kernel.acquire<HttpAgent>("api");
    const origin = srv.url.replace("http://", "http://bob:hunter2@");
    const r = settle(request(`${origin}/x?token=abc`, { dispatcher: api.value, headers: { authorization: "Bearer s3cret" } }));
    await srv.arrived(1);
    const details = JSON.stringify(kernel.snapshot());
    expect(details).toContain('"inFlight":1');
    expect(details).not.toContain("hunter2");
    await api.value.destroy();
    await r;
    const failed = events.filter((e) => e.type === "plugin:event" && e.name === "request:failed");
    expect(failed).toHaveLength(1);
    const text = JSON.stringify(events.filter((e) => e.type === "plugin:event"));
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("s3cret");
    expect(text).not.toContain("abc");
  });

  it("re-emits connect/disconnect with itself as the first target", async () => {
    const srv = await startServer((_req, res) => res.end("ok"));
    const agent = new HttpAgent();
    const seen: string[] = [];
    agent.on("connect", (origin: URL, targets: readonly unknown[]) => seen.push(`connect ${String(origin)} ${targets[0] === agent}`));
    agent.on("disconnect", (origin: URL, targets: readonly unknown[]) => seen.push(`disconnect ${String(origin)} ${targets[0] === agent}`));
    await (await request(`${srv.url}/`, { dispatcher: agent })).body.text();
    await agent.close();
    expect(seen).toEqual([`connect ${srv.url}/ true`, `disconnect ${srv.url}/ true`]);
  });
});

describe("HttpAgent.close({ timeoutMs })", () => {
  it("on a ManualClock: a stalled request is aborted at the budget, then close resolves; nothing stays armed", async () => {
    const srv = await heldServer("http");
    const clock = new ManualClock();
    const agent = new HttpAgent({ clock });
    onTestFinished(() => agent.destroy());
    const pending = settle(request(`${srv.url}/never`, { dispatcher: agent }));
    await srv.held();
    const closing = agent.close({ timeoutMs: 1_000 });
    await clock.advance(999);
    expect(await stateOf(closing)).toBe("pending");
    await clock.advance(1);
    await closing;
    const result = await pending;
    expect(result.ok ? "resolved" : result.error.code).toBe("ERR_HTTP_REQUEST_ABORTED");
    expect(agent.stats().state).toBe("destroyed");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("a request that finishes inside the budget: close resolves gracefully and clears its timer", async () => {
    const srv = await heldServer("http");
    const clock = new ManualClock();
    const agent = new HttpAgent({ clock });
    onTestFinished(() => agent.destroy());
    const pending = request(`${srv.url}/soon`, { dispatcher: agent }).then((r) => r.body.text());
    const held = await srv.held();
    const closing = agent.close({ timeoutMs: 1_000 });
    held.res.end("done");
    expect(await pending).toBe("done");
    await closing;
    expect(agent.stats().state).toBe("closing");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("child process whose only pending work is `await agent.close({ timeoutMs: 300 })`: exits 0 after the budget with the request aborted", async () => {
    const srv = await heldServer("http");
    const child = spawn(process.execPath, [agentCloseFixture, `${srv.url}/never`, "300"], { stdio: ["ignore", "pipe", "pipe"] });
    onTestFinished(() => void child.kill("SIGKILL"));
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, out).toBe(0);
    const result = JSON.parse(out.slice(out.indexOf("RESULT ") + 7).split("\n")[0]) as { elapsedMs: number; request: string; state: string };
    expect(result).toMatchObject({ request: "ERR_HTTP_REQUEST_ABORTED", state: "destroyed" });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(300);
  });
});
