import { request } from "undici";
import { describe, expect, it } from "vitest";
import { ManualClock } from "@custodian/core";
import { createOriginBreakers, type HttpAgent } from "../src/index.js";
import { httpKernel, startServer } from "./helpers/servers.js";

// The behaviour the deleted FallbackBreaker was tested for, now checked on the registry plugin-http
// actually uses (plugin-pool's BreakerRegistry, built by createOriginBreakers).
const registry = (clock: ManualClock, over: Partial<Parameters<typeof createOriginBreakers>[0]> = {}) =>
  createOriginBreakers({ failureThreshold: 3, resetTimeoutMs: 10_000, halfOpenMaxCalls: 1, idleTimeoutMs: 60_000, clock, ...over });

describe("origin breaker registry", () => {
  it("opens after consecutive failures and fails fast while open", () => {
    const clock = new ManualClock();
    const b = registry(clock).get("http://a");
    for (let i = 0; i < 3; i++) {
      expect(b.tryAcquire()).toBe(true);
      b.failure();
    }
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
  });

  it("scattered failures (reset by successes) never open it", () => {
    const b = registry(new ManualClock()).get("k");
    for (let i = 0; i < 20; i++) {
      b.tryAcquire();
      if (i % 3 === 2) b.success();
      else b.failure();
    }
    expect(b.state).toBe("closed");
  });

  it("half-open after resetTimeout: limits trials, closes on success, re-opens on failure", async () => {
    const clock = new ManualClock();
    const b = registry(clock).get("k");
    for (let i = 0; i < 3; i++) b.tryAcquire(), b.failure();
    await clock.advance(9_999);
    expect(b.tryAcquire()).toBe(false);
    await clock.advance(1);
    expect(b.state).toBe("half-open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one trial at a time
    b.failure();
    expect(b.state).toBe("open");
    expect(b.tryAcquire()).toBe(false);
    await clock.advance(10_000);
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });

  it("reaps idle closed breakers, never open ones, and stops its timer when empty", async () => {
    const clock = new ManualClock();
    const changes: string[] = [];
    const reg = registry(clock, { onStateChange: (k, from, to) => changes.push(`${k}:${from}->${to}`) });
    const idle = reg.get("idle");
    idle.tryAcquire();
    idle.success();
    const failing = reg.get("failing");
    for (let i = 0; i < 3; i++) failing.tryAcquire(), failing.failure();
    expect(reg.size).toBe(2);
    await clock.advance(70_000); // plugin-pool's reaper sweeps on an interval: TTL plus at most one sweep
    expect(reg.size).toBe(1); // idle reaped, open kept
    expect(reg.get("failing")).toBe(failing);
    await clock.advance(600_000);
    expect(reg.size).toBe(1);
    // plugin-pool's breaker also reports the lazy open -> half-open step once it is due; the open
    // breaker is kept, never closed by the reaper.
    expect(changes[0]).toBe("failing:closed->open");
    expect(changes.filter((c) => c.endsWith("->closed"))).toEqual([]);
    reg.close();
    expect(reg.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe("breakers on an http.agent", () => {
  it("open after failures, fail fast with ERR_HTTP_BREAKER_OPEN naming the origin, half-open trial closes them", async () => {
    let healthy = false;
    const srv = await startServer((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.end(healthy ? "ok" : "down");
    });
    const clock = new ManualClock();
    const { kernel, events } = await httpKernel(
      { resources: { api: { type: "http.agent", breaker: { failureThreshold: 2, resetTimeout: "10s" } } } },
      { clock },
    );
    const api = await kernel.acquire<HttpAgent>("api");
    for (let i = 0; i < 2; i++) {
      const r = await request(`${srv.url}/`, { dispatcher: api.value });
      expect(r.statusCode).toBe(500);
      await r.body.text();
    }
    expect(srv.requests).toBe(2);
    const err = await request(`${srv.url}/`, { dispatcher: api.value }).then(
      () => undefined,
      (e: unknown) => e as { code: string; origin: string },
    );
    expect(err?.code).toBe("ERR_HTTP_BREAKER_OPEN");
    expect(err?.origin).toBe(srv.url);
    expect(srv.requests).toBe(2); // failed without contacting the origin

    healthy = true;
    await clock.advance(10_000);
    const trial = await request(`${srv.url}/`, { dispatcher: api.value });
    expect(trial.statusCode).toBe(200);
    await trial.body.text();
    expect(srv.requests).toBe(3);
    const changes = events
      .filter((e) => e.type === "plugin:event" && e.name === "breaker:state-changed")
      .map((e) => (e as unknown as { data: { to: string } }).data.to);
    expect(changes).toEqual(["open", "half-open", "closed"]);
    expect(clock.pendingTimers()).toBeGreaterThan(0); // the registry's reaper
    await api.release();
    expect(clock.pendingTimers()).toBe(0); // closed with its agent
  });

  it("connection errors count as failures too", async () => {
    const srv = await startServer((_req, res) => res.end());
    const url = srv.url;
    srv.server.closeAllConnections();
    await new Promise<void>((resolve) => srv.server.close(() => resolve()));
    const { kernel } = await httpKernel({ resources: { api: { type: "http.agent", breaker: { failureThreshold: 1 } } } }, { clock: new ManualClock() });
    const api = await kernel.acquire<HttpAgent>("api");
    const first = await request(`${url}/`, { dispatcher: api.value }).catch((e: { code: string }) => e.code);
    expect(first).toBe("ECONNREFUSED");
    const second = await request(`${url}/`, { dispatcher: api.value }).catch((e: { code: string }) => e.code);
    expect(second).toBe("ERR_HTTP_BREAKER_OPEN");
  });
});

describe("cancellations", () => {
  it("a half-open trial aborted by its caller frees the slot and counts neither way", async () => {
    const srv = await startServer((req, res) => {
      if (req.url === "/fail") {
        res.statusCode = 500;
        res.end();
      }
      // "/hang" never answers
    });
    const clock = new ManualClock();
    const { kernel } = await httpKernel({ resources: { api: { type: "http.agent", breaker: { failureThreshold: 1, resetTimeout: "1s" } } } }, { clock });
    const api = await kernel.acquire<HttpAgent>("api");
    await (await request(`${srv.url}/fail`, { dispatcher: api.value })).body.text();
    await clock.advance(1_000);
    const ac = new AbortController();
    const trial = request(`${srv.url}/hang`, { dispatcher: api.value, signal: ac.signal }).catch((e: { name: string }) => e.name);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The only trial slot is taken.
    const blocked = await request(`${srv.url}/hang`, { dispatcher: api.value }).catch((e: { code: string }) => e.code);
    expect(blocked).toBe("ERR_HTTP_BREAKER_OPEN");
    ac.abort();
    expect(await trial).toBe("AbortError");
    // Slot freed, breaker still half-open (not re-opened): the next request is a trial again.
    const next = await request(`${srv.url}/fail`, { dispatcher: api.value });
    expect(next.statusCode).toBe(500);
    await next.body.text();
  });
});
