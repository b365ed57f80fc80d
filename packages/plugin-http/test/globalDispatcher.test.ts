import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { describe, expect, it, onTestFinished } from "vitest";
import type { HttpAgent } from "../src/index.js";
import { httpKernel, startServer } from "./helpers/servers.js";

describe("global fetch dispatcher", () => {
  it("is installed only when asked, used by the global fetch, and the previous one is restored untouched at release", async () => {
    const srv = await startServer((_req, res) => res.end("ok"));
    const previous = new Agent();
    const original = getGlobalDispatcher();
    setGlobalDispatcher(previous);
    onTestFinished(async () => {
      setGlobalDispatcher(original);
      await previous.close();
    });
    const { kernel } = await httpKernel({ resources: { plain: { type: "http.agent" }, global: { type: "http.agent", global: true } } });
    const plain = await kernel.acquire<HttpAgent>("plain");
    expect(getGlobalDispatcher()).toBe(previous); // not asked: untouched
    const g = await kernel.acquire<HttpAgent>("global");
    const agent = g.value;
    expect(getGlobalDispatcher()).toBe(agent);
    const res = await fetch(`${srv.url}/`);
    expect(await res.text()).toBe("ok");
    expect(agent.stats().origins).toEqual([srv.url]);
    await plain.release();
    await g.release();
    expect(getGlobalDispatcher()).toBe(previous);
    expect(previous.closed).toBe(false);
    expect(previous.destroyed).toBe(false);
    expect(agent.stats().state).toBe("closing");
  });
});
