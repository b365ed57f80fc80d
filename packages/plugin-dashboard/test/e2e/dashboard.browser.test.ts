// End-to-end in a real browser: Debian's Chromium driven by playwright-core. Real time and real
// sockets on purpose (a browser is the point). Skips with a printed reason when Chromium is
// absent, except under CI=true, where it must run (.ci/install-chromium.sh installs it).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { createKernel, type Kernel, type ReleaseContext } from "@custodian/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { serveDashboard } from "../../src/index.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const XSS = `<img src=x onerror="window.__xss=1">`;
const CI = process.env.CI === "true";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !CI) console.warn(`[plugin-dashboard] browser test skipped: ${CHROMIUM} is absent (run .ci/install-chromium.sh)`);

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function launch(): Promise<BrowserContext> {
  // A fresh, empty user-data-dir per run (playwright takes it as launchPersistentContext's argument).
  const profile = await mkdtemp(join(tmpdir(), "custodian-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1500 },
  });
  onTestFinished(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  return context;
}

interface Fake {
  url: string;
  borrowed: number;
}

async function demoKernel(): Promise<Kernel> {
  const kernel = await createKernel({
    env: {},
    config: { shutdown: { deadline: "3s" }, tracking: { captureStacks: true, leakThreshold: "1s" } },
  });
  onTestFinished(async () => void (await kernel.shutdown("test finished")));
  kernel.registerType<Fake, { url: string }>("pg.pool", {
    create: (spec) => ({ url: spec.url, borrowed: 3 }),
    release: () => {},
    describe: (p) => ({ url: p.url, size: 5, borrowed: p.borrowed, idle: 2, pending: 1, max: 10 }),
  });
  kernel.registerType("cache", { create: () => ({}), release: () => {} });
  kernel.registerType("queue.consumer", {
    create: () => ({}),
    // Hangs until its budget ends, then force() ends it: outcome "forced".
    release: (_v: unknown, ctx: ReleaseContext) => new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve())),
    force: () => {},
  });
  kernel.registerType("temp.dir", {
    create: () => ({}),
    release: () => Promise.reject(new Error("EBUSY: resource busy, rmdir '/tmp/x'")),
  });
  return kernel;
}

// Chromium shares 2 cores with the rest of the suite: give every UI wait room.
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 50 });
const text = async (page: Page, testId: string): Promise<string> => (await page.getByTestId(testId).textContent())?.trim() ?? "";

describe.skipIf(!haveChromium && !CI)("dashboard in Chromium", () => {
  it("needs the token, renders counts and charts, follows acquisitions live, and shows shutdown outcomes", { timeout: 90_000 }, async () => {
    const kernel = await demoKernel();
    const db = await kernel.acquire({ type: "pg.pool", name: "db", url: "postgres://app:hunter2@db.internal:5432/orders" });
    await kernel.acquire({ type: "cache", name: "sessions", dependsOn: [db] });
    await kernel.acquire({ type: "queue.consumer", name: "orders-consumer", dependsOn: ["db", "sessions"] });
    await kernel.acquire({ type: "temp.dir", name: "uploads" });
    kernel.adopt({}, { type: "cache", name: XSS, release: () => {} });
    const lines: string[] = [];
    const dashboard = await serveDashboard(kernel, { sampleMs: 200, log: (l) => lines.push(l) });
    expect(lines).toEqual([`custodian dashboard: ${dashboard.url}`]);

    const browser = await launch();
    const page = await browser.newPage();
    // Without the token: 401, and no page.
    const denied = await page.goto(`${dashboard.origin}/`);
    expect(denied?.status()).toBe(401);
    expect(await page.content()).not.toContain("Live resources");
    const consoleErrors: string[] = [];
    page.on("console", (m) => void (m.type() === "error" && consoleErrors.push(m.text())));

    // With it: the token becomes a cookie and leaves the address bar.
    const opened = await page.goto(dashboard.url);
    expect(opened?.status()).toBe(200);
    expect(page.url()).toBe(`${dashboard.origin}/`);
    await poll(() => text(page, "conn-status")).toBe("live");
    await poll(() => text(page, "count-total")).toBe("6"); // 5 + the dashboard itself
    expect(await page.getByTestId("count-state-active").locator(".n").textContent()).toBe("6");
    expect(await page.locator('[data-testid="count-type"][data-type="pg.pool"] [data-testid="count-type-total"]').textContent()).toBe("1");

    // The by-type chart draws one area per type.
    await poll(() => page.locator('[data-testid="chart-by-type"] svg path.series.area').count()).toBe(5); // 5 types
    expect(await page.locator('[data-testid="chart-by-type"] svg path.area[data-key="cache"]').getAttribute("d")).toMatch(/^M[\d.]+,[\d.]+L/);

    // Dependency graph: orders-consumer → db, sessions; sessions → db.
    expect(await page.locator('[data-testid="graph"] g.node').count()).toBe(6);
    expect(await page.locator('[data-testid="graph"] path.edge').count()).toBe(3);

    // Pools come from details; credentials never reach the page.
    expect(await page.locator('[data-testid="pool-row"] td').allTextContents()).toEqual(["db", "5", "3", "2", "1", "10", ""]);
    const html = await page.content();
    expect(html).not.toContain("hunter2");
    expect(html).toContain("postgres://app:[redacted]@db.internal:5432/orders");
    expect(html).not.toContain(dashboard.token);

    // Names are text, never markup.
    expect(await page.locator('[data-testid="resource-row"] td:nth-child(2)', { hasText: "onerror" }).textContent()).toContain(XSS);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();

    // Acquisition stacks point at this file.
    const dbRow = page.locator('[data-testid="resource-row"]', { hasText: "pg.pool" });
    expect(await dbRow.locator("details pre").textContent()).toContain("dashboard.browser.test.ts");

    // Breakers and alerts light up from plugin events, as plugin-pool and plugin-alerts emit them.
    kernel.emitPluginEvent("pool", "breaker:state", { key: "db", from: "closed", to: "open" });
    kernel.emitPluginEvent("alerts", "alert:state", { name: "PoolSaturated", state: "firing", labels: { pool: "db" }, value: 0.93 });
    kernel.emitPluginEvent("alerts", "alert:state", { name: "SlowShutdown", state: "pending", labels: {}, value: 4 });
    await poll(() => page.locator('[data-testid="breaker-row"][data-state="open"]').count()).toBe(1);
    await poll(() => page.locator('[data-testid="alert-row"]').count()).toBe(2);
    expect(await page.locator('[data-testid="alert-row"][data-state="firing"] td').first().textContent()).toBe("PoolSaturated");

    // Held past leakThreshold (1s): highlighted as suspected leaks.
    await poll(() => page.locator('[data-testid="resource-row"].leak').count()).toBeGreaterThanOrEqual(4);

    // Acquire more: the page follows without a reload.
    const scope = kernel.scope("request-42");
    for (let i = 0; i < 3; i++) await scope.acquire({ type: "cache", name: `tmp-${i}` });
    await poll(() => text(page, "count-total")).toBe("9");
    expect(await page.locator('[data-testid="count-type"][data-type="cache"] [data-testid="count-type-total"]').textContent()).toBe("5");
    expect(await page.locator('[data-testid="resource-row"]', { hasText: "tmp-1" }).locator("td").nth(5).textContent()).toBe("request-42");
    // The chart follows: its y axis grows to fit 8 live resources.
    const yMax = async (): Promise<number> =>
      Math.max(...(await page.locator('[data-testid="chart-by-type"] svg text').allTextContents()).map(Number).filter(Number.isFinite));
    await poll(yMax).toBeGreaterThanOrEqual(9);
    await scope.close();
    await poll(() => text(page, "count-total")).toBe("6");

    await mkdir(join(root, ".artifacts"), { recursive: true });
    await page.screenshot({ path: join(root, ".artifacts", "dashboard-live.png"), fullPage: true });

    // Shut down: the page shows each outcome as it settles, then the server says goodbye.
    const shutdown = kernel.shutdown("deploy");
    await poll(() => page.getByTestId("shutdown-panel").isVisible()).toBe(true);
    await poll(() => page.locator('[data-testid="outcome-row"][data-outcome="forced"]').count()).toBe(1);
    await poll(() => text(page, "conn-status")).toBe("disconnected: process shutting down");
    const outcomes = Object.fromEntries(
      await page.locator('[data-testid="outcome-row"]').evaluateAll((rows) => rows.map((r) => [r.children[0].textContent, r.getAttribute("data-outcome")])),
    );
    expect(outcomes).toEqual({ db: "released", sessions: "released", "orders-consumer": "forced", uploads: "failed", [XSS]: "released" });
    expect(await page.locator('[data-testid="outcome-row"][data-outcome="failed"] td').last().textContent()).toContain("ERR_RELEASE_FAILED");
    await page.screenshot({ path: join(root, ".artifacts", "dashboard-shutdown.png"), fullPage: true });
    // The deadline chart draws one bar per settled resource, colored by outcome.
    expect(
      await page.locator('[data-testid="deadline-chart"] rect[data-outcome]').evaluateAll((bars) => bars.map((b) => b.getAttribute("data-outcome")).sort()),
    ).toEqual(["failed", "forced", "released", "released", "released"]);

    const report = await shutdown;
    // The page and the report agree; the dashboard itself outlived the resources it watched.
    for (const o of report.outcomes) if (o.name !== "dashboard") expect(outcomes[o.name!]).toBe(o.outcome);
    // Every other resource settled before the dashboard closed, so it released cleanly.
    expect(report.outcomes.find((o) => o.name === "dashboard")?.outcome).toBe("released");
    expect(consoleErrors).toEqual([]);

    // Closed with the kernel: nothing answers any more.
    await expect(fetch(dashboard.url)).rejects.toThrow();
  });
});
