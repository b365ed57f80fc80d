import http from "node:http";
import { createKernel, ManualClock, type Kernel } from "@custodian/core";
import { register } from "prom-client";
import { describe, expect, it, onTestFinished } from "vitest";
import { metricsOf, metricsPlugin } from "../src/index.js";

async function makeKernel(options: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  const clock = new ManualClock();
  const kernel = await createKernel({
    clock,
    env: {},
    config,
    plugins: [
      { plugin: metricsPlugin, options },
      {
        name: "fake",
        apply: (k: Kernel) => {
          k.registerType("slow", { create: (_s, ctx) => new Promise((resolve) => ctx.clock.setTimeout(() => resolve({}), 250)), release: () => {} });
        },
      },
    ],
  });
  onTestFinished(async () => {
    const p = kernel.shutdown();
    await clock.advance(60_000);
    await p;
  });
  return { kernel, clock, api: metricsOf(kernel) };
}

/** Value of one series in the exposition text, or undefined when absent. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const pool = (kernel: Kernel, name: string, d: { size: number; borrowed: number; idle: number; pending: number; max: number }) =>
  kernel.adopt(d, { type: "pool", name, release: () => {}, describe: (v) => ({ ...v }) });

describe("metrics plugin", () => {
  it("uses its own registry, never the global default", async () => {
    const { api } = await makeKernel();
    expect(api.registry).not.toBe(register);
    expect(await register.metrics()).not.toContain("custodian_");
    expect(await api.metrics()).toContain("# TYPE custodian_resources gauge");
  });

  it("resources by type and state, oldest age per type, filled at scrape time", async () => {
    const { kernel, clock, api } = await makeKernel();
    const a = kernel.adopt({}, { type: "socket", release: () => {} });
    await clock.advance(5_000);
    kernel.adopt({}, { type: "socket", release: () => {} });
    kernel.adopt({}, { type: "file", release: () => {} });
    let text = await api.metrics();
    expect(sample(text, 'custodian_resources{type="socket",state="active"}')).toBe(2);
    expect(sample(text, 'custodian_resources{type="file",state="active"}')).toBe(1);
    expect(sample(text, 'custodian_resource_oldest_age_seconds{type="socket"}')).toBe(5);
    await a.release();
    text = await api.metrics();
    expect(sample(text, 'custodian_resources{type="socket",state="active"}')).toBe(1);
    expect(sample(text, 'custodian_resource_oldest_age_seconds{type="socket"}')).toBe(0);
  });

  it("pool gauges from snapshot details; series removed with their resource", async () => {
    const { kernel, api } = await makeKernel();
    const h = pool(kernel, "db", { size: 8, borrowed: 6, idle: 2, pending: 1, max: 10 });
    let text = await api.metrics();
    expect(sample(text, 'custodian_pool_in_use{type="pool",name="db"}')).toBe(6);
    expect(sample(text, 'custodian_pool_capacity{type="pool",name="db"}')).toBe(10);
    expect(sample(text, 'custodian_pool_size{type="pool",name="db"}')).toBe(8);
    expect(sample(text, 'custodian_pool_idle{type="pool",name="db"}')).toBe(2);
    expect(sample(text, 'custodian_pool_pending{type="pool",name="db"}')).toBe(1);
    h.value.borrowed = 9;
    expect(sample(await api.metrics(), 'custodian_pool_in_use{type="pool",name="db"}')).toBe(9);
    await h.release();
    text = await api.metrics();
    expect(text).not.toContain('name="db"');
  });

  it("acquire duration histogram from created resources only; releases by outcome", async () => {
    const { kernel, clock, api } = await makeKernel();
    const acquiring = kernel.acquire({ type: "slow" });
    await clock.advance(250);
    const h = await acquiring;
    kernel.adopt({}, { type: "slow", release: () => {} }); // adopted: not a measured acquisition
    await h.release();
    const text = await api.metrics();
    expect(sample(text, 'custodian_acquire_duration_seconds_count{type="slow"}')).toBe(1);
    expect(sample(text, 'custodian_acquire_duration_seconds_sum{type="slow"}')).toBe(0.25);
    expect(sample(text, 'custodian_acquire_duration_seconds_bucket{le="0.1",type="slow"}')).toBe(0);
    expect(sample(text, 'custodian_acquire_duration_seconds_bucket{le="0.25",type="slow"}')).toBe(1);
    expect(sample(text, 'custodian_releases_total{type="slow",outcome="released"}')).toBe(1);
  });

  it("breaker state and transitions from plugin events; series removed with the breaker", async () => {
    const { kernel, api } = await makeKernel();
    kernel.emitPluginEvent("pool", "breaker:state-changed", { breaker: "db", from: "closed", to: "open" });
    kernel.emitPluginEvent("pool", "breaker:state-changed", { breaker: "db", from: "open", to: "half-open" });
    kernel.emitPluginEvent("pool", "breaker:state-changed", { breaker: "db", from: "half-open", to: "open" });
    kernel.emitPluginEvent("pool", "reaped", { type: "pool", count: 3 });
    let text = await api.metrics();
    expect(sample(text, 'custodian_breaker_state{breaker="db"}')).toBe(2);
    expect(sample(text, 'custodian_breaker_transitions_total{breaker="db",from="half-open",to="open"}')).toBe(1);
    expect(sample(text, 'custodian_breaker_transitions_total{breaker="db",from="closed",to="open"}')).toBe(1);
    expect(sample(text, 'custodian_reaped_total{type="pool"}')).toBe(3);
    expect(sample(text, 'custodian_plugin_events_total{plugin="pool",name="breaker:state-changed"}')).toBe(3);
    kernel.emitPluginEvent("pool", "breaker:removed", { breaker: "db" });
    text = await api.metrics();
    expect(text).not.toContain('breaker="db"');
    // plugin-http's shape: { agent, origin, from, to }.
    kernel.emitPluginEvent("http", "breaker:state-changed", { agent: "api", origin: "https://api.example", from: "closed", to: "open" });
    expect(sample(await api.metrics(), 'custodian_breaker_state{breaker="api https://api.example"}')).toBe(2);
  });

  it("alert states and notification results from the alerts plugin's events", async () => {
    const { kernel, api } = await makeKernel();
    kernel.emitPluginEvent("alerts", "alert:state-changed", { alertname: "A", fingerprint: "f1", from: "inactive", to: "pending" });
    kernel.emitPluginEvent("alerts", "alert:state-changed", { alertname: "A", fingerprint: "f2", from: "inactive", to: "firing" });
    kernel.emitPluginEvent("alerts", "notification:sent", { sink: "hook", kind: "webhook" });
    kernel.emitPluginEvent("alerts", "notification:failed", { sink: "hook", kind: "webhook" });
    kernel.emitPluginEvent("alerts", "notifications:undelivered", { count: 2, sinks: { hook: 2 } });
    let text = await api.metrics();
    expect(sample(text, 'custodian_alerts{alertname="A",state="pending"}')).toBe(1);
    expect(sample(text, 'custodian_alerts{alertname="A",state="firing"}')).toBe(1);
    expect(sample(text, 'custodian_alert_notifications_total{sink="hook",kind="webhook",result="sent"}')).toBe(1);
    expect(sample(text, 'custodian_alert_notifications_total{sink="hook",kind="webhook",result="failed"}')).toBe(1);
    expect(sample(text, 'custodian_alert_notifications_total{sink="hook",kind="",result="undelivered"}')).toBe(2);
    kernel.emitPluginEvent("alerts", "alert:state-changed", { alertname: "A", fingerprint: "f2", from: "firing", to: "resolved" });
    text = await api.metrics();
    expect(sample(text, 'custodian_alerts{alertname="A",state="firing"}')).toBeUndefined();
  });

  it("counts kernel events (leaks, deadlines) by event and type", async () => {
    const { kernel, clock, api } = await makeKernel({}, { tracking: { leakThreshold: "1s" } });
    kernel.adopt({}, { type: "socket", release: () => {} });
    await clock.advance(1_000);
    expect(sample(await api.metrics(), 'custodian_events_total{event="resource:leak-suspected",type="socket"}')).toBe(1);
  });

  // A counter that appears at its first increment is invisible to increase() for that event (issue 15):
  // the kernel's type-less events exist at 0 from the start.
  it("kernel events without a resource type exist at 0 before their first occurrence", async () => {
    const { api } = await makeKernel();
    const text = await api.metrics();
    for (const event of ["kernel:deadline-exceeded", "kernel:signal", "kernel:shutdown-started", "hook:error"]) {
      expect(sample(text, `custodian_events_total{event="${event}",type=""}`)).toBe(0);
    }
  });

  it("caps label cardinality per metric and counts what it refused", async () => {
    const { kernel, api } = await makeKernel({ maxSeries: 2 });
    for (const n of ["a", "b", "c"]) pool(kernel, n, { size: 1, borrowed: 1, idle: 0, pending: 0, max: 1 });
    const text = await api.metrics();
    expect(text.split("\n").filter((l) => l.startsWith("custodian_pool_in_use{"))).toHaveLength(2);
    expect(sample(text, 'custodian_metrics_series_refused{metric="pool_in_use"}')).toBe(1);
    // A gauge of this scrape, not a counter growing with every scrape.
    expect(sample(await api.metrics(), 'custodian_metrics_series_refused{metric="pool_in_use"}')).toBe(1);
  });

  it("takes a prefix; rejects invalid options", async () => {
    const { api } = await makeKernel({ prefix: "app_" });
    expect(await api.metrics()).toContain("# TYPE app_resources gauge");
    const err: unknown = await createKernel({
      clock: new ManualClock(),
      env: {},
      config: {},
      plugins: [{ plugin: metricsPlugin, options: { port: 1 } }],
    }).catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: "ERR_METRICS_INVALID_OPTIONS" });
    const { kernel } = await makeKernel();
    expect(() => metricsOf({} as Kernel)).toThrow(expect.objectContaining({ code: "ERR_METRICS_NOT_APPLIED" }));
    expect(metricsOf(kernel).url).toBeUndefined();
  });
});

describe("/metrics endpoint", () => {
  it("binds 127.0.0.1 by default, serves the registry, and is closed by kernel shutdown", async () => {
    const { kernel, clock, api } = await makeKernel({ endpoint: { port: 0 } });
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(api.url!);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain('custodian_resources{type="metrics.endpoint",state="active"} 1');
    expect((await fetch(api.url!.replace("/metrics", "/other"))).status).toBe(404);
    const p = kernel.shutdown();
    await clock.advance(10_000);
    const report = await p;
    expect(report.outcomes).toEqual([expect.objectContaining({ type: "metrics.endpoint", outcome: "released" })]);
    await expect(fetch(api.url!)).rejects.toThrow();
  });

  it("/metrics shows no planted secret: pool names and breaker origins carry credentials redacted (issue 13 §5)", async () => {
    const { kernel, api } = await makeKernel({ endpoint: { port: 0 } });
    pool(kernel, "postgres://app:MetName1@db/x", { size: 1, borrowed: 1, idle: 0, pending: 0, max: 2 });
    pool(kernel, "pool password=MetKv2 host=db", { size: 1, borrowed: 0, idle: 1, pending: 0, max: 2 });
    kernel.emitPluginEvent("http", "breaker:state-changed", { agent: "api", origin: "https://ghp_MetUser3@api.example", from: "closed", to: "open" });
    kernel.emitPluginEvent("pool", "breaker:state-changed", { breaker: "redis://:MetBreak4@cache", from: "closed", to: "open" });
    const text = await (await fetch(api.url!)).text();
    expect(["MetName1", "MetKv2", "ghp_MetUser3", "MetBreak4"].filter((s) => text.includes(s))).toEqual([]);
    expect(sample(text, 'custodian_pool_in_use{type="pool",name="postgres://app:[redacted]@db/x"}')).toBe(1);
    expect(sample(text, 'custodian_breaker_state{breaker="api https://[redacted]@api.example"}')).toBe(2);
  });

  it("fails apply with ERR_METRICS_ENDPOINT when the port is taken", async () => {
    const { api } = await makeKernel({ endpoint: { port: 0 } });
    const port = Number(new URL(api.url!).port);
    const err: unknown = await createKernel({
      clock: new ManualClock(),
      env: {},
      config: {},
      plugins: [{ plugin: metricsPlugin, options: { endpoint: { port } } }],
    }).catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: "ERR_METRICS_ENDPOINT" });
  });
});

/** A GET with a chosen Host header (fetch cannot set one); resolves the status and body. */
function getWithHost(url: string, host: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: host === undefined ? headers : { ...headers, host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

describe("/metrics endpoint answers only who it should (DNS rebinding, remote binds)", () => {
  it("a foreign Host header gets 421 and no metrics; loopback names with the port get 200", async () => {
    const { api } = await makeKernel({ endpoint: { port: 0 } });
    const port = new URL(api.url!).port;
    for (const host of ["attacker.example", `attacker.example:${port}`, `localhost:${Number(port) + 1}`]) {
      const res = await getWithHost(api.url!, host);
      expect(res.status, host).toBe(421);
      expect(res.body).not.toContain("custodian_");
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`]) expect((await getWithHost(api.url!, host)).status, host).toBe(200);
  });

  it("allowedHosts adds names: a bare name on any port", async () => {
    const { api } = await makeKernel({ endpoint: { port: 0, allowedHosts: ["metrics.internal"] } });
    const res = await getWithHost(api.url!, "metrics.internal:9999");
    expect(res.status).toBe(200);
    expect(res.body).toContain("custodian_resources");
  });

  it("refuses a non-loopback bind without allowRemote and a token (ERR_METRICS_REMOTE_BIND)", async () => {
    for (const endpoint of [
      { host: "0.0.0.0", port: 0 },
      { host: "0.0.0.0", port: 0, allowRemote: true },
    ]) {
      const err: unknown = await createKernel({
        clock: new ManualClock(),
        env: {},
        config: {},
        plugins: [{ plugin: metricsPlugin, options: { endpoint } }],
      }).catch((e: unknown) => e);
      expect((err as Error).cause, JSON.stringify(endpoint)).toMatchObject({ code: "ERR_METRICS_REMOTE_BIND" });
    }
  });

  it("with allowRemote and a token: binds, and every scrape needs Authorization: Bearer <token>", async () => {
    const token = "scrape-token-0123456789";
    const { api } = await makeKernel({ endpoint: { host: "0.0.0.0", port: 0, allowRemote: true, token } });
    const port = new URL(api.url!).port;
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await getWithHost(url, undefined)).status).toBe(401);
    expect((await getWithHost(url, undefined, { authorization: "Bearer wrong-token-000000000" })).status).toBe(401);
    expect((await getWithHost(url, undefined, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await getWithHost(url, "attacker.example", { authorization: `Bearer ${token}` })).status).toBe(421);
    expect((await fetch(api.url!, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200); // the printed URL (0.0.0.0)
  });
});
