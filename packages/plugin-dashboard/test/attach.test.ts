import { existsSync } from "node:fs";
import { chmod, chown, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createKernel, isKernelError, type Kernel } from "@custodian/core";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { attachDashboard, attachFolder, attachSocketPath, dashboardPlugin, listenForAttach } from "../src/index.js";

async function tempSocket(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "custodian-attach-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return join(dir, "ctl.sock");
}

async function kernel(): Promise<Kernel> {
  const k = await createKernel({ env: {}, config: {} });
  onTestFinished(async () => void (await k.shutdown()));
  return k;
}

describe.skipIf(process.platform === "win32")("attach endpoint", () => {
  it("starts the dashboard on request, returns the same URL on the next request, and is itself tracked", async () => {
    const k = await kernel();
    const path = await tempSocket();
    const lines: string[] = [];
    const endpoint = await listenForAttach(k, { path, dashboard: { log: (l) => lines.push(l) } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(k.snapshot().map((r) => [r.type, r.name])).toEqual([["net.server", "dashboard-attach"]]);
    const { url } = await attachDashboard(path);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect(lines).toEqual([`custodian dashboard: ${url}`]);
    expect((await attachDashboard(path)).url).toBe(url);
    const { origin, searchParams } = new URL(url);
    expect((await fetch(`${origin}/api/state`, { headers: { authorization: `Bearer ${searchParams.get("token")}` } })).status).toBe(200);
    expect(endpoint.dashboard?.url).toBe(url);
    const report = await k.shutdown();
    expect(report.outcomes.map((o) => [o.name, o.outcome]).sort()).toEqual([
      ["dashboard", "released"],
      ["dashboard-attach", "released"],
    ]);
    expect(existsSync(path)).toBe(false);
  });

  it("answers a refused start with the dashboard's own code", async () => {
    const k = await kernel();
    const path = await tempSocket();
    await listenForAttach(k, { path, dashboard: { host: "0.0.0.0", log: () => {} } });
    const error = await attachDashboard(path).catch((e: unknown) => e);
    expect(isKernelError(error, "ERR_DASHBOARD_ATTACH")).toBe(true);
    expect((error as Error).message).toContain("ERR_DASHBOARD_REMOTE_BIND");
  });

  it("fails with ERR_DASHBOARD_ATTACH when nothing listens for that pid", async () => {
    const error = await attachDashboard(2 ** 22 + 12345).catch((e: unknown) => e);
    expect(isKernelError(error, "ERR_DASHBOARD_ATTACH")).toBe(true);
    expect(attachSocketPath(42)).toBe(join(tmpdir(), `custodian-${process.getuid!()}`, "dashboard-42.sock"));
  });

  it("replaces a stale socket file but refuses one a live process still serves", async () => {
    const k = await kernel();
    const path = await tempSocket();
    const other = createServer();
    await new Promise<void>((r) => other.listen(path, r));
    await expect(listenForAttach(k, { path })).rejects.toMatchObject({ code: "ERR_DASHBOARD_LISTEN" });
    // A crashed owner leaves its file behind (Node unlinks on close, so write one in its place).
    await new Promise<void>((r) => other.close(() => r()));
    await writeFile(path, "");
    const endpoint = await listenForAttach(k, { path, dashboard: { log: () => {} } });
    expect(endpoint.path).toBe(path);
    expect((await attachDashboard(path)).url).toMatch(/^http:/);
  });

  it("the plugin's attach option opens the endpoint at the pid's path and reuses a dashboard it already started", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    onTestFinished(() => spy.mockRestore());
    const k = await createKernel({ env: {}, config: {}, plugins: [{ plugin: dashboardPlugin, options: { attach: true, token: "attach-token-0123456789" } }] });
    onTestFinished(async () => void (await k.shutdown()));
    const { url } = await attachDashboard(process.pid);
    expect(url).toContain("?token=attach-token-0123456789");
    expect(k.snapshot().map((r) => r.name)).toEqual(["dashboard", "dashboard-attach"]);
    // The default socket lives in a per-user folder of mode 0700, itself 0600.
    const folder = await lstat(attachFolder());
    expect([folder.isDirectory(), folder.uid, folder.mode & 0o777]).toEqual([true, process.getuid!(), 0o700]);
    expect((await lstat(attachSocketPath())).mode & 0o777).toBe(0o600);
  });
});

describe.skipIf(process.platform === "win32")("attach: only this user's own socket is trusted", () => {
  /** A private folder with a live attach endpoint at <folder>/ctl.sock. */
  async function endpointIn(): Promise<{ folder: string; path: string }> {
    const k = await kernel();
    const path = await tempSocket();
    await listenForAttach(k, { path, dashboard: { log: () => {} } });
    return { folder: dirname(path), path };
  }

  it("refuses a socket whose folder is group- or other-writable", async () => {
    const { folder, path } = await endpointIn();
    expect((await attachDashboard(path)).url).toMatch(/^http:/);
    for (const mode of [0o777, 0o770, 0o1777]) {
      await chmod(folder, mode);
      const error = await attachDashboard(path).catch((e: unknown) => e);
      expect(isKernelError(error, "ERR_DASHBOARD_ATTACH"), mode.toString(8)).toBe(true);
      expect((error as Error).message).toMatch(/refusing an attach socket another user could have placed: .* is writable by (others|its group)/);
    }
  });

  it("refuses a socket writable by others, and a symlink in place of the socket", async () => {
    const { folder, path } = await endpointIn();
    await chmod(path, 0o666);
    expect(await attachDashboard(path).catch((e: { code?: string }) => e.code)).toBe("ERR_DASHBOARD_ATTACH");
    await chmod(path, 0o600);
    const link = join(folder, "link.sock");
    await symlink(path, link);
    const error = await attachDashboard(link).catch((e: unknown) => e);
    expect((error as Error).message).toContain("is not a socket (a symlink or another file)");
  });

  it("refuses a folder owned by another user (needs root to make one; skipped otherwise)", async (ctx) => {
    if (process.getuid!() !== 0) {
      console.log("skipped: making a folder owned by another user needs root");
      return ctx.skip();
    }
    const { folder, path } = await endpointIn();
    await chown(folder, 65534, 65534);
    const error = await attachDashboard(path).catch((e: unknown) => e);
    expect(isKernelError(error, "ERR_DASHBOARD_ATTACH")).toBe(true);
    expect((error as Error).message).toContain("is owned by uid 65534, not by this user");
  });

  it("listenForAttach refuses a default per-user folder someone else made or left open (ERR_DASHBOARD_LISTEN)", async () => {
    const tmp = await mkdtemp(join(tmpdir(), "custodian-tmp-"));
    onTestFinished(() => rm(tmp, { recursive: true, force: true }));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    onTestFinished(() => void (saved === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = saved)));
    await mkdir(attachFolder(), { mode: 0o700 });
    await chmod(attachFolder(), 0o777);
    const k = await kernel();
    const error = await listenForAttach(k).catch((e: unknown) => e);
    expect(isKernelError(error, "ERR_DASHBOARD_LISTEN")).toBe(true);
    expect((error as Error).message).toContain("the attach folder must be this user's own, mode 0700");
    expect(k.snapshot()).toEqual([]);
  });
});
