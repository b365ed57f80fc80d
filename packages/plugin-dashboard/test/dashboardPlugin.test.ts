import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, isKernelError, normalizedConfigOf } from "@custodian/core";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import dashboardPluginDefault, { dashboardOptionsSchema, dashboardPlugin } from "../src/index.js";

const TOKEN = "plugin-token-0123456789";

describe("dashboard plugin", () => {
  it("is the default export, named dashboard, and its schema closes the options", () => {
    expect(dashboardPluginDefault).toBe(dashboardPlugin);
    expect(dashboardPlugin.name).toBe("dashboard");
    expect(dashboardPlugin.schema).toBe(dashboardOptionsSchema);
    expect(dashboardOptionsSchema.additionalProperties).toBe(false);
    expect(Object.keys(dashboardOptionsSchema.properties).sort()).toEqual([
      "allowRemote",
      "allowedHosts",
      "attach",
      "host",
      "port",
      "sampleInterval",
      "start",
      "token",
      "window",
    ]);
    expect(dashboardOptionsSchema.properties.host.default).toBe("127.0.0.1");
  });

  it("serves the dashboard while the kernel runs, prints its address on stderr, and closes with the kernel", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => void lines.push(String(line)));
    onTestFinished(() => spy.mockRestore());
    const kernel = await createKernel({
      env: {},
      config: {},
      plugins: [{ plugin: dashboardPlugin, options: { token: TOKEN, window: "2m", sampleInterval: "250ms" } }],
    });
    expect(lines).toHaveLength(1);
    const url = /^custodian dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=(.+))$/.exec(lines[0]);
    expect(url?.[2]).toBe(TOKEN);
    const origin = new URL(url![1]).origin;
    const state = await (await fetch(`${origin}/api/state`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(state).toMatchObject({ windowMs: 120_000, sampleMs: 250, total: 1 });
    expect(kernel.snapshot()).toMatchObject([{ type: "http.server", name: "dashboard" }]);
    const report = await kernel.shutdown();
    expect(report.outcomes).toMatchObject([{ name: "dashboard", outcome: "released" }]);
    await expect(fetch(`${origin}/api/state`)).rejects.toThrow();
  });

  it("fails kernel creation with the dashboard's own code when asked to bind a public interface", async () => {
    const error = await createKernel({ env: {}, config: {}, plugins: [{ plugin: dashboardPlugin, options: { host: "0.0.0.0" } }] }).catch((e: unknown) => e);
    expect(isKernelError(error, "ERR_PLUGIN_APPLY")).toBe(true);
    expect(isKernelError((error as Error).cause, "ERR_DASHBOARD_REMOTE_BIND")).toBe(true);
  });

  it("loads from resource.config.yaml by package name; options are checked by its schema and the token is redacted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "custodian-dashboard-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, "resource.config.yaml");
    await writeFile(file, `plugins:\n  - module: "@custodian/plugin-dashboard"\n    options:\n      token: ${TOKEN}\n      sampleInterval: 500ms\n`);
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    onTestFinished(() => spy.mockRestore());
    const kernel = await createKernel({ env: {}, config: file });
    onTestFinished(async () => void (await kernel.shutdown()));
    expect(kernel.snapshot()).toMatchObject([{ type: "http.server", name: "dashboard" }]);
    expect(spy).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^custodian dashboard: http://127\\.0\\.0\\.1:\\d+/\\?token=${TOKEN}$`)));
    expect(JSON.stringify(normalizedConfigOf(kernel, { redact: true }))).not.toContain(TOKEN);

    await writeFile(file, `plugins:\n  - module: "@custodian/plugin-dashboard"\n    options:\n      prot: 8080\n`);
    await expect(createKernel({ env: {}, config: file })).rejects.toMatchObject({ code: "ERR_CONFIG_INVALID" });
  });
});
