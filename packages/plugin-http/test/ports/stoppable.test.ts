/**
 * Ports of stoppable's own suite (hunterloftis/stoppable, test/stoppable.test.js, run there against
 * http and https servers) to closeServer(): `server.stop(cb)` is `closeServer(server)`, its grace
 * period is `timeoutMs` on a ManualClock, `gracefully` is the outcome "closed". stoppable ends a
 * connection as soon as its last response has finished: that is `idleLingerMs: 0`.
 * Every wait is on a response, an event or a child's message, never a duration.
 */
import { spawn } from "node:child_process";
import { Agent as HttpAgent, type Server } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { ManualClock } from "@custodian/core";
import { adoptServer, closeServer } from "../../src/index.js";
import { agentGet, heldServer } from "../helpers/raw.js";
import { httpKernel, stateOf } from "../helpers/servers.js";

const connections = (server: Server): Promise<number> => new Promise((resolve) => server.getConnections((_e, n) => resolve(n)));
const fixture = fileURLToPath(new URL("../fixtures/close-server.mjs", import.meta.url));

describe.each(["http", "https"] as const)("stoppable (%s.Server)", (scheme) => {
  const agent = (keepAlive: boolean): HttpAgent => {
    const a = scheme === "https" ? new HttpsAgent({ keepAlive, rejectUnauthorized: false }) : new HttpAgent({ keepAlive });
    onTestFinished(() => a.destroy());
    return a;
  };

  /** upstream: stoppable(scheme.server(handler)): the server tracked before any request. */
  async function stoppable(): Promise<{ srv: Awaited<ReturnType<typeof heldServer>>; clock: ManualClock; closed: () => number }> {
    const clock = new ManualClock();
    const srv = await heldServer(scheme);
    const { kernel } = await httpKernel({}, { clock });
    adoptServer(kernel, srv.server, { name: "web" });
    let closed = 0;
    srv.server.on("close", () => closed++);
    return { srv, clock, closed: () => closed };
  }

  for (const keepAlive of [false, true]) {
    const title = keepAlive ? "with keep-alive connections" : "without keep-alive connections";
    it(`.stop() ${title}: stops accepting new connections, closes, gracefully, empties all sockets once closed`, async () => {
      const { srv, closed } = await stoppable();
      const res1 = agentGet(srv.url, agent(keepAlive));
      (await srv.held()).res.end("hello");
      expect((await res1).body).toBe("hello");
      const stopping = closeServer(srv.server, { idleLingerMs: 0 });
      await expect(agentGet(srv.url, agent(keepAlive))).rejects.toMatchObject({ code: "ECONNREFUSED" });
      expect(await stopping).toBe("closed"); // gracefully
      expect(closed()).toBe(1); // closes
      expect(await connections(srv.server)).toBe(0); // empties all sockets once closed
    });
  }

  it('.stop() with keep-alive connections: registers the "close" callback', async () => {
    const { srv } = await stoppable();
    await expect(closeServer(srv.server)).resolves.toBe("closed");
  });

  it("with a 0.5s grace period: kills connections after 0.5s, not gracefully, empties all sockets", async () => {
    const { srv, clock, closed } = await stoppable();
    const requests = [agentGet(srv.url, agent(true)), agentGet(srv.url, agent(true))].map((p) => p.catch((e: NodeJS.ErrnoException) => e.code));
    for (const h of [await srv.held(), await srv.held()]) {
      h.res.writeHead(200);
      h.res.write("hi");
    }
    const stopping = closeServer(srv.server, { timeoutMs: 500, clock });
    await clock.advance(499);
    expect(await stateOf(stopping)).toBe("pending");
    await clock.advance(1);
    expect(await stopping).toBe("forced"); // not gracefully
    expect(closed()).toBe(1);
    expect(await connections(srv.server)).toBe(0);
    expect(await Promise.all(requests)).toEqual(["ECONNRESET", "ECONNRESET"]);
  });

  it("with requests in-flight: closes their sockets once they finish, gracefully", async () => {
    const { srv, closed } = await stoppable();
    const requests = [agentGet(`${srv.url}/250`, agent(true)), agentGet(`${srv.url}/500`, agent(true))];
    const held = [await srv.held(), await srv.held()];
    for (const h of held) {
      h.res.writeHead(200);
      h.res.write("hello");
    }
    const stopping = closeServer(srv.server, { idleLingerMs: 0 });
    held[0].res.end("world");
    expect((await requests[0]).body).toBe("helloworld");
    expect(await stateOf(stopping)).toBe("pending");
    held[1].res.end("world");
    expect((await requests[1]).body).toBe("helloworld");
    expect(await stopping).toBe("closed");
    expect(closed()).toBe(1);
  });
});

/** Runs the fixture; resolves its stdout lines as they come, and its exit code. */
function runFixture(
  mode: string,
  timeoutMs: number,
): { line: (prefix: string) => Promise<string>; exit: Promise<number | null>; write: (s: string) => void; out: () => string } {
  const child = spawn(process.execPath, [fixture, mode, String(timeoutMs)], { stdio: [mode === "finish" ? "pipe" : "ignore", "pipe", "pipe"] });
  onTestFinished(() => void child.kill("SIGKILL"));
  let out = "";
  const waiters: Array<() => void> = [];
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const line = (prefix: string): Promise<string> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = out.split("\n").find((l) => l.startsWith(prefix));
        if (found !== undefined) resolve(found.slice(prefix.length).trim());
        else waiters.push(check);
      };
      check();
    });
  return {
    line,
    exit: new Promise((resolve) => child.on("exit", (code) => resolve(code))),
    write: (s) => child.stdin?.write(s),
    out: () => out,
  };
}

describe("stoppable: with in-flights finishing before grace period ends (child process)", () => {
  it("exits immediately: the process ends right after the drain, not at its 60 s budget", async () => {
    const child = runFixture("finish", 60_000);
    const port = await child.line("listening");
    const keepAlive = new HttpAgent({ keepAlive: true });
    onTestFinished(() => keepAlive.destroy());
    const response = agentGet(`http://127.0.0.1:${port}/250`, keepAlive);
    // The server has written "hello" and started draining once the body starts arriving; then finish.
    child.write("finish\n");
    expect((await response).body).toBe("helloworld");
    expect(await child.line("outcome")).toBe("closed");
    expect(await child.exit, child.out()).toBe(0);
  });

  it("awaited work holds the loop: a drain whose only pending work is its budget waits for it and exits 0 with 'forced' (not exit 13)", async () => {
    const child = runFixture("stalled", 300);
    const port = await child.line("listening");
    const response = agentGet(`http://127.0.0.1:${port}/`).catch((e: NodeJS.ErrnoException) => e.code);
    expect(await child.exit, child.out()).toBe(0);
    expect(child.out()).toContain("outcome forced");
    expect(await response).toBe("ECONNRESET");
  });
});
