import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { adoptNodeAgent } from "../src/index.js";
import { httpKernel, stall, startServer, stateOf } from "./helpers/servers.js";

const get = (url: string, agent: http.Agent): Promise<string> =>
  new Promise((resolve) => {
    const req = http.get(url, { agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve(`${res.statusCode}:${body}`));
      res.on("error", (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
  });

describe("node:http Agent", () => {
  it("adopted: tracked through diagnostics_channel; release closes idle sockets and waits for requests in flight", async () => {
    let answer!: () => void;
    const srv = await startServer((req, res) => (req.url === "/slow" ? (answer = () => res.end("slow")) : res.end("ok")));
    const { kernel } = await httpKernel();
    const agent = new http.Agent({ keepAlive: true });
    const h = adoptNodeAgent(kernel, agent, { name: "legacy-client" });
    expect(await get(`${srv.url}/`, agent)).toBe("200:ok");
    const slow = get(`${srv.url}/slow`, agent);
    await srv.arrived(2);
    const d = kernel.snapshot().find((s) => s.name === "legacy-client")!.details as Record<string, number>;
    expect(d.inFlight).toBe(1);
    expect(d.openSockets).toBeGreaterThanOrEqual(1);
    const releasing = h.release();
    expect(await stateOf(releasing)).toBe("pending");
    answer();
    expect(await slow).toBe("200:slow");
    expect((await releasing).outcome).toBe("released");
    await srv.allClosed();
  });

  it("declared: a stalled request is destroyed at the deadline", async () => {
    const srv = await startServer(stall);
    const { kernel } = await httpKernel({ shutdown: { deadline: "400ms" }, resources: { legacy: { type: "http.node-agent", maxSockets: 4 } } });
    const h = await kernel.acquire<http.Agent>("legacy");
    const pending = get(`${srv.url}/never`, h.value);
    await srv.arrived(1);
    const started = performance.now();
    const report = await kernel.shutdown();
    expect(performance.now() - started).toBeLessThan(400 + 200);
    expect(report.outcomes[0].outcome).toBe("forced");
    expect(await pending).toMatch(/^error:(ECONNRESET|socket hang up)/);
    await srv.allClosed();
    void (srv.server.address() as AddressInfo);
  });
});
