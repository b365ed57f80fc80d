// Real HTTP on 127.0.0.1, port 0, on the system clock (sockets are real anyway). No sleeps: every
// wait is on a message or a promise we control.
import { createServer, get as httpGet } from "node:http";
import { createKernel, isKernelError, type Kernel } from "@custodian/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { serveDashboard, type Dashboard, type DashboardOptions, type DashboardState } from "../src/index.js";
import { openSse } from "./helpers/sse.js";

const TOKEN = "test-token-0123456789abcdef";

async function kernelAndDashboard(options: DashboardOptions = {}, config = {}): Promise<{ kernel: Kernel; dashboard: Dashboard; lines: string[] }> {
  const kernel = await createKernel({ env: {}, config });
  onTestFinished(async () => void (await kernel.shutdown("test finished")));
  kernel.registerType("thing", {
    create: (spec) => ({ ...spec }),
    release: () => {},
    describe: (v: Record<string, unknown>) => v.details as Record<string, unknown> | undefined,
  });
  const lines: string[] = [];
  const dashboard = await serveDashboard(kernel, { token: TOKEN, log: (l) => lines.push(l), ...options });
  return { kernel, dashboard, lines };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe("serveDashboard: access", () => {
  it("answers 401 on every route without the token or with a wrong one", async () => {
    const { dashboard } = await kernelAndDashboard();
    for (const path of ["/", "/app.js", "/style.css", "/api/state", "/api/events", "/nope"]) {
      const none = await fetch(dashboard.origin + path);
      expect(none.status, path).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe('Bearer realm="custodian-dashboard"');
      expect((await fetch(`${dashboard.origin}${path}?token=wrong-token-0123456789`)).status, path).toBe(401);
      expect((await fetch(dashboard.origin + path, { headers: { authorization: "Bearer nope" } })).status, path).toBe(401);
      expect((await fetch(dashboard.origin + path, { headers: { cookie: `custodian_dashboard_${dashboard.port}=nope` } })).status, path).toBe(401);
    }
  });

  it("trades ?token= for an HttpOnly SameSite cookie, then accepts the cookie, a bearer header or x-custodian-token", async () => {
    const { dashboard, lines } = await kernelAndDashboard();
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/?token=${TOKEN}`);
    expect(lines).toEqual([`custodian dashboard: ${dashboard.url}`]);
    const first = await fetch(dashboard.url, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/");
    const setCookie = first.headers.get("set-cookie")!;
    expect(setCookie).toBe(`custodian_dashboard_${dashboard.port}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
    const cookie = setCookie.split(";")[0];
    const page = await fetch(dashboard.origin + "/", { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain('<script src="/app.js" defer></script>');
    const js = await fetch(dashboard.origin + "/app.js", { headers: { cookie } });
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(dashboard.origin + "/api/state", { headers: auth })).status).toBe(200);
    expect((await fetch(dashboard.origin + "/api/state", { headers: { "x-custodian-token": TOKEN } })).status).toBe(200);
  });

  it("sends no-store, nosniff, a strict CSP, and answers 405 and 404", async () => {
    const { dashboard } = await kernelAndDashboard();
    const res = await fetch(dashboard.origin + "/", { headers: auth });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'; script-src 'self'");
    expect((await fetch(dashboard.origin + "/api/state", { method: "POST", headers: auth })).status).toBe(405);
    const head = await fetch(dashboard.origin + "/api/events", { method: "HEAD", headers: auth });
    expect([head.status, head.headers.get("content-type"), await head.text()]).toEqual([200, "text/event-stream; charset=utf-8", ""]);
    const headJs = await fetch(dashboard.origin + "/app.js", { method: "HEAD", headers: auth });
    expect([headJs.status, await headJs.text()]).toEqual([200, ""]);
    expect(Number(headJs.headers.get("content-length"))).toBeGreaterThan(1000);
    expect((await fetch(dashboard.origin + "/etc/passwd", { headers: auth })).status).toBe(404);
    expect((await fetch(dashboard.origin + "/../package.json", { headers: auth })).status).toBe(404);
  });

  it("generates a random token when none is given", async () => {
    const { dashboard } = await kernelAndDashboard({ token: undefined });
    expect(dashboard.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await fetch(dashboard.origin + "/api/state", { headers: { authorization: `Bearer ${dashboard.token}` } })).status).toBe(200);
  });
});

/** A GET with a chosen Host header (fetch cannot set one); resolves the status and body. */
function getWithHost(url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { ...headers, host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
}

describe("serveDashboard: answers only its own Host names (DNS rebinding)", () => {
  it("a foreign Host header gets 421 on every route, even with the token; loopback names with the port get 200", async () => {
    const { dashboard } = await kernelAndDashboard();
    for (const path of ["/", "/api/state", "/api/events", "/app.js", `/?token=${TOKEN}`]) {
      for (const host of ["attacker.example", `attacker.example:${dashboard.port}`, `localhost:${dashboard.port + 1}`]) {
        const res = await getWithHost(dashboard.origin + path, host, auth);
        expect(res.status, `${host} ${path}`).toBe(421);
        expect(res.body).not.toContain("resources");
      }
    }
    for (const host of [`localhost:${dashboard.port}`, `127.0.0.1:${dashboard.port}`]) {
      const res = await getWithHost(`${dashboard.origin}/api/state`, host, auth);
      expect(res.status, host).toBe(200);
      expect(JSON.parse(res.body)).toHaveProperty("resources");
    }
  });

  it("allowedHosts adds names", async () => {
    const { dashboard } = await kernelAndDashboard({ allowedHosts: ["ops.internal"] });
    expect((await getWithHost(`${dashboard.origin}/api/state`, "ops.internal:8443", auth)).status).toBe(200);
    expect((await getWithHost(`${dashboard.origin}/api/state`, "ops.internal.attacker.example", auth)).status).toBe(421);
  });
});

describe("serveDashboard: options and binding", () => {
  it("refuses a non-loopback host without allowRemote, and tracks nothing", async () => {
    const kernel = await createKernel({ env: {}, config: {} });
    onTestFinished(async () => void (await kernel.shutdown()));
    await expect(serveDashboard(kernel, { host: "0.0.0.0", log: () => {} })).rejects.toMatchObject({ code: "ERR_DASHBOARD_REMOTE_BIND" });
    expect(kernel.snapshot()).toEqual([]);
  });

  it("binds another interface with allowRemote: true", async () => {
    const { dashboard } = await kernelAndDashboard({ host: "0.0.0.0", allowRemote: true });
    expect(dashboard.host).toBe("0.0.0.0");
    expect((await fetch(`http://127.0.0.1:${dashboard.port}/api/state`, { headers: auth })).status).toBe(200);
    // The printed address works too (its Host is the bound IP literal).
    expect((await fetch(`${dashboard.origin}/api/state`, { headers: auth })).status).toBe(200);
  });

  it("rejects invalid options with ERR_DASHBOARD_INVALID_OPTIONS and never echoes a given token", async () => {
    const kernel = await createKernel({ env: {}, config: {} });
    onTestFinished(async () => void (await kernel.shutdown()));
    const bad: DashboardOptions[] = [
      { port: 70_000 },
      { port: 1.5 },
      { token: "short" },
      { token: "has spaces in the token!" },
      { sampleMs: 1 },
      { windowMs: -1 },
      { allowRemote: "yes" as never },
      { host: "" },
    ];
    for (const o of bad) {
      const error: unknown = await serveDashboard(kernel, { log: () => {}, ...o }).catch((e: unknown) => e);
      expect(isKernelError(error, "ERR_DASHBOARD_INVALID_OPTIONS"), JSON.stringify(o)).toBe(true);
      if (o.token !== undefined) expect((error as Error).message).not.toContain(o.token);
    }
    expect(kernel.snapshot()).toEqual([]);
  });

  it("fails with ERR_DASHBOARD_LISTEN when the port is taken, and tracks nothing", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => blocker.close(() => r())));
    const port = (blocker.address() as { port: number }).port;
    const kernel = await createKernel({ env: {}, config: {} });
    onTestFinished(async () => void (await kernel.shutdown()));
    const error = await serveDashboard(kernel, { port, log: () => {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ERR_DASHBOARD_LISTEN", cause: { code: "EADDRINUSE" } });
    expect(kernel.snapshot()).toEqual([]);
  });

  it("refuses to start on a kernel that is shutting down", async () => {
    const kernel = await createKernel({ env: {}, config: {} });
    await kernel.shutdown();
    await expect(serveDashboard(kernel, { log: () => {} })).rejects.toMatchObject({ code: "ERR_KERNEL_CLOSED" });
  });
});

describe("serveDashboard: a tracked resource", () => {
  it("is an http.server resource named dashboard; close() releases it and the port stops answering", async () => {
    const { kernel, dashboard } = await kernelAndDashboard();
    expect(kernel.snapshot()).toMatchObject([
      { type: "http.server", name: "dashboard", state: "active", details: { url: dashboard.origin, clients: 0, role: "dashboard" } },
    ]);
    const outcome = await dashboard.close();
    expect(outcome).toMatchObject({ name: "dashboard", outcome: "released" });
    expect(await dashboard.close()).toMatchObject({ outcome: "released" });
    expect(kernel.snapshot()).toEqual([]);
    await expect(fetch(dashboard.origin + "/api/state", { headers: auth })).rejects.toThrow();
  });

  it("says goodbye to open streams when closed outside shutdown", async () => {
    const { dashboard } = await kernelAndDashboard();
    const sse = await openSse(dashboard.origin + "/api/events", auth);
    await sse.next("state");
    const closing = dashboard.close();
    expect((await sse.next("bye")).data).toEqual({ reason: "dashboard closed" });
    await closing;
  });

  it("keeps no secrets on the page: resource names, details, errors and its own token are redacted", async () => {
    const { kernel, dashboard } = await kernelAndDashboard();
    await kernel.acquire({
      type: "thing",
      name: "mysql://root:toor@db/app",
      details: { url: "postgres://app:hunter2@db/x", headers: { authorization: "Bearer sekrit-bearer" }, apiKey: "sekrit-key", size: 3, borrowed: 1 },
    });
    kernel.registerType("boom", { create: () => Promise.reject(new Error("auth failed for redis://u:sekrit-redis@cache")), release: () => {} });
    await expect(kernel.acquire({ type: "boom" })).rejects.toThrow();
    const body = await (await fetch(dashboard.origin + "/api/state", { headers: auth })).text();
    for (const secret of ["toor", "hunter2", "sekrit-bearer", "sekrit-key", "sekrit-redis", TOKEN]) expect(body).not.toContain(secret);
    expect(body).toContain("postgres://app:[redacted]@db/x");
    expect(body).toContain("redis://u:[redacted]@cache");
  });

  it("streams none of the planted secrets over SSE: user-only URL names, libpq details, pw keys, passwords with @, leak and plugin events (issue 13 §5)", async () => {
    const { kernel, dashboard } = await kernelAndDashboard({ sampleMs: 60_000 });
    const sse = await openSse(dashboard.origin + "/api/events", auth);
    onTestFinished(() => sse.close());
    await sse.next("state");
    const planted = ["ghp_SseUser1", "SseKv2", "SsePw3", "SseAt4", "SsePlug5", "SseLeak6"];
    const h = await kernel.acquire({
      type: "thing",
      name: "http://ghp_SseUser1@api.example/x",
      details: { conninfo: "password=SseKv2 host=db", pw: "SsePw3", dsn: "postgres://u:p@SseAt4@db/x" },
    });
    kernel.emitPluginEvent("test", "thing:opened", { url: "amqp://u:SsePlug5@mq" });
    kernel.reportLeak({ id: h.id, type: "thing", name: "redis://:SseLeak6@cache", reason: "garbage-collected" });
    await sse.next("kernel", (m) => m.data.type === "resource:leak-suspected");
    const state = await sse.next("state", (m) => m.data.total === 2);
    expect(JSON.stringify(state.data)).toContain("http://[redacted]@api.example/x");
    const text = JSON.stringify(sse.seen);
    expect(planted.filter((s) => text.includes(s))).toEqual([]);
  });
});

describe("serveDashboard: live stream", () => {
  it("streams the full state first, then kernel events and fresh state as resources come and go", async () => {
    const { kernel, dashboard } = await kernelAndDashboard({ sampleMs: 60_000 });
    const sse = await openSse(dashboard.origin + "/api/events", auth);
    onTestFinished(() => sse.close());
    const first = await sse.next("state");
    expect(first.data.total).toBe(1);
    expect(first.data.series).toHaveLength(1);
    await kernel.acquire({ type: "thing", name: "a" });
    expect((await sse.next("kernel", (m) => m.data.type === "resource:acquired")).data.text).toBe('thing "a" acquired');
    const next = await sse.next("state", (m) => m.data.total === 2);
    expect(next.data.series).toBeUndefined();
    expect(next.data.counts.byType).toEqual({ "http.server": { active: 1 }, thing: { active: 1 } });
    expect(kernel.snapshot()[0].details).toMatchObject({ clients: 1 });
  });

  it("stays up during shutdown until every other resource settled, shows each outcome, then closes; the report stays ok", async () => {
    const { kernel, dashboard } = await kernelAndDashboard({}, { shutdown: { deadline: "10s" } });
    let finish!: () => void;
    const gate = new Promise<void>((r) => (finish = r));
    kernel.registerType("gated", { create: () => ({}), release: () => gate });
    await kernel.acquire({ type: "gated", name: "gated" });
    await kernel.acquire({ type: "thing", name: "quick" });
    const sse = await openSse(dashboard.origin + "/api/events", auth);
    onTestFinished(() => sse.close());
    await sse.next("state");
    const shutdown = kernel.shutdown("deploy");
    await sse.next("kernel", (m) => m.data.type === "resource:released" && m.data.text.startsWith('thing "quick"'));
    // The gated release is still pending: the dashboard still answers and shows it releasing.
    const mid = (await (await fetch(dashboard.origin + "/api/state", { headers: auth })).json()) as DashboardState;
    expect(mid.kernelState).toBe("closing");
    expect(mid.shutdown?.outcomes.map((o) => [o.name, o.outcome])).toEqual([["quick", "released"]]);
    expect(Object.keys(mid.shutdown?.releasing ?? {})).toEqual(["r2"]);
    expect(mid.shutdown?.settled).toBe(false);
    finish();
    const bye = await sse.next("bye");
    expect(bye.data).toEqual({ reason: "process shutting down" });
    const last = sse.seen.filter((m) => m.event === "state").at(-1)!;
    expect(last.data.shutdown.settled).toBe(true);
    expect(last.data.shutdown.outcomes.map((o: { name: string; outcome: string }) => [o.name, o.outcome])).toEqual([
      ["quick", "released"],
      ["gated", "released"],
    ]);
    const report = await shutdown;
    expect(report.ok).toBe(true);
    expect(report.outcomes.map((o) => [o.name, o.outcome])).toContainEqual(["dashboard", "released"]);
    await expect(fetch(dashboard.origin + "/api/state", { headers: auth })).rejects.toThrow();
  });

  it("when others still hang at the force point, watches the forced phase and closes before the hard deadline", async () => {
    const { kernel, dashboard } = await kernelAndDashboard({}, { shutdown: { deadline: "600ms", reserve: "200ms" } });
    kernel.registerType("hung", { create: () => ({}), release: () => new Promise<void>(() => {}), force: () => {} });
    await kernel.acquire({ type: "hung", name: "hung" });
    const sse = await openSse(dashboard.origin + "/api/events", auth);
    onTestFinished(() => sse.close());
    await sse.next("state");
    const report = await kernel.shutdown("deploy");
    await sse.next("bye");
    const last = sse.seen.filter((m) => m.event === "state").at(-1)!;
    expect(last.data.shutdown.outcomes.map((o: { name: string; outcome: string }) => [o.name, o.outcome])).toEqual([["hung", "forced"]]);
    expect(report.outcomes.find((o) => o.name === "hung")?.outcome).toBe("forced");
    // Released when hung's force lands before the dashboard's own budget ends, forced otherwise
    // (the two timers end together), or failed with ERR_RELEASE_LATE when its close settled just
    // past the budget before the budget timer fired; never abandoned: it closes before the hard deadline.
    const dash = report.outcomes.find((o) => o.name === "dashboard");
    expect(["released", "forced", "failed"]).toContain(dash?.outcome);
    if (dash?.outcome === "failed") expect(dash.error).toMatchObject({ code: "ERR_RELEASE_LATE" });
    expect(report.elapsedMs).toBeLessThan(600);
  });
});
