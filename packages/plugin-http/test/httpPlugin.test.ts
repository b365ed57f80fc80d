import { request } from "undici";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@custodian/core";
import { httpAgentSchema, httpNodeAgentSchema, httpServerSchema, type HttpAgent } from "../src/index.js";
import { httpKernel, stall, startServer, stateOf } from "./helpers/servers.js";

describe("http plugin", () => {
  it("registers the three types, each with a JSON schema", async () => {
    const { kernel } = await httpKernel();
    expect(kernel.types()).toEqual(expect.arrayContaining(["http.agent", "http.server", "http.node-agent"]));
    expect(httpAgentSchema.properties.keepAliveTimeout.default).toBe("4s");
    expect(httpAgentSchema.additionalProperties).toBe(false);
    expect(httpServerSchema.properties.whileDraining.enum).toEqual(["close", "503"]);
    expect(httpNodeAgentSchema.properties.protocol.enum).toEqual(["http", "https"]);
  });

  it("rejects bad specs with a code naming the field", async () => {
    const { kernel } = await httpKernel();
    await expect(kernel.acquire({ type: "http.agent", connections: 0 })).rejects.toMatchObject({
      code: "ERR_HTTP_INVALID_SPEC",
      message: expect.stringContaining(".connections"),
    });
    await expect(kernel.acquire({ type: "http.agent", keepAlive: "4s" })).rejects.toMatchObject({
      code: "ERR_HTTP_INVALID_SPEC",
      message: expect.stringContaining(".keepAlive"),
    });
    await expect(kernel.acquire({ type: "http.agent", bodyTimeout: "soon" })).rejects.toMatchObject({
      code: "ERR_DURATION_INVALID",
      message: expect.stringContaining(".bodyTimeout"),
    });
    await expect(kernel.acquire({ type: "http.agent", origin: "ftp://x" })).rejects.toMatchObject({ code: "ERR_HTTP_INVALID_SPEC" });
    await expect(kernel.acquire({ type: "http.agent", breaker: { resetTimeout: "1s", nope: 1 } })).rejects.toMatchObject({ code: "ERR_HTTP_INVALID_SPEC" });
    await expect(kernel.acquire({ type: "http.server" })).rejects.toMatchObject({ code: "ERR_HTTP_INVALID_SPEC" });
    await expect(kernel.acquire({ type: "http.server", listen: { port: 70_000 } })).rejects.toMatchObject({ code: "ERR_HTTP_INVALID_SPEC" });
    await expect(kernel.acquire({ type: "http.node-agent", maxSockets: -1 })).rejects.toMatchObject({ code: "ERR_HTTP_INVALID_SPEC" });
  });

  it('YAML durations apply: headersTimeout "200ms" fails a stalled request on its own', async () => {
    const srv = await startServer(stall);
    const { kernel } = await httpKernel({ resources: { api: { type: "http.agent", headersTimeout: "200ms" } } });
    const api = await kernel.acquire<HttpAgent>("api");
    const started = performance.now();
    const code = await request(`${srv.url}/`, { dispatcher: api.value }).then(
      () => "resolved",
      (e: { code: string }) => e.code,
    );
    expect(code).toBe("UND_ERR_HEADERS_TIMEOUT");
    // undici checks its request timeouts on a coarse (~1s) timer wheel: bounded, not precise.
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it("on a ManualClock: the stalled request is forced when the clock passes the deadline, not before", async () => {
    const srv = await startServer(stall);
    const clock = new ManualClock();
    const { kernel } = await httpKernel({ shutdown: { deadline: "1s" }, resources: { api: { type: "http.agent" } } }, { clock });
    const api = await kernel.acquire<HttpAgent>("api");
    const agent = api.value;
    const pending = request(`${srv.url}/`, { dispatcher: agent }).then(
      () => "resolved",
      (e: { code: string }) => e.code,
    );
    await srv.arrived(1);
    const shutdown = kernel.shutdown();
    await clock.advance(850);
    expect(await stateOf(pending)).toBe("pending");
    expect(agent.stats().inFlight).toBe(1);
    await clock.advance(150);
    const report = await shutdown;
    expect(report.outcomes[0].outcome).toBe("forced");
    expect(await pending).toBe("ERR_HTTP_REQUEST_ABORTED");
    await srv.allClosed();
    expect(clock.pendingTimers()).toBe(0);
  });
});
