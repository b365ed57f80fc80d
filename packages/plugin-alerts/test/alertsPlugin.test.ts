import { createKernel, isKernelError, ManualClock } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { alertsOf, alertsPlugin, createAlertsPlugin, type AlertChange, type AlertsConfig } from "../src/index.js";
import { makeKernel, pluginEvents } from "./helpers/kernel.js";

const socketRule: AlertsConfig = {
  evaluationInterval: "10s",
  rules: [
    {
      name: "Sockets",
      kind: "threshold",
      select: { type: "http.socket" },
      threshold: 1,
      labels: { severity: "warning" },
      annotations: { summary: "{{ $value }} sockets" },
    },
  ],
};

const socket = (kernel: import("@custodian/core").Kernel, name: string) => kernel.adopt({}, { type: "http.socket", name, release: () => {} });

describe("alerts plugin", () => {
  it("declares its schema and owns the `alerts` config section", () => {
    expect(alertsPlugin.name).toBe("alerts");
    expect(alertsPlugin.configKey).toBe("alerts");
    expect(alertsPlugin.schema).toMatchObject({ type: "object", additionalProperties: false });
  });

  it("reads kernel.config.alerts when given no options, and evaluates on the kernel clock", async () => {
    const { kernel, clock } = await makeKernel({ config: { alerts: socketRule }, plugins: [alertsPlugin] });
    const api = alertsOf(kernel);
    const changes: AlertChange[] = [];
    api.alerts$.subscribe((c) => changes.push(c));
    socket(kernel, "a");
    socket(kernel, "b");
    await clock.advance(9_999);
    expect(api.stats().evaluations).toBe(0);
    await clock.advance(1);
    expect(api.stats().evaluations).toBe(1);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      from: "inactive",
      alert: { name: "Sockets", state: "firing", value: 2, labels: { alertname: "Sockets", severity: "warning" }, annotations: { summary: "2 sockets" } },
    });
    await clock.advance(10_000);
    expect(api.stats().evaluations).toBe(2);
    expect(changes).toHaveLength(1); // still firing: no change
  });

  it("options given to the plugin win over the config section", async () => {
    const { kernel, clock } = await makeKernel({
      config: { alerts: { rules: [{ name: "FromConfig", kind: "threshold", threshold: -1 }] } },
      plugins: [{ plugin: alertsPlugin, options: { evaluationInterval: "1s", rules: [{ name: "FromOptions", kind: "threshold", threshold: -1 }] } }],
    });
    await clock.advance(1_000);
    expect(
      alertsOf(kernel)
        .active()
        .map((a) => a.name),
    ).toEqual(["FromOptions"]);
  });

  it("an invalid section fails createKernel with ERR_ALERTS_INVALID_RULE as the cause", async () => {
    const err: unknown = await createKernel({
      clock: new ManualClock(),
      env: {},
      config: { alerts: { rules: [{ name: "X", kind: "threshold" }] } },
      plugins: [alertsPlugin],
    }).catch((e: unknown) => e);
    expect(isKernelError(err, "ERR_PLUGIN_APPLY")).toBe(true);
    expect((err as Error).cause).toMatchObject({ code: "ERR_ALERTS_INVALID_RULE", problems: [{ path: "/rules/0", rule: "X" }] });
    const bad: unknown = await createKernel({
      clock: new ManualClock(),
      env: {},
      config: { alerts: { rules: [{ name: "M", kind: "threshold", threshold: 1, measure: "details.a /" }] } },
      plugins: [alertsPlugin],
    }).catch((e: unknown) => e);
    expect((bad as Error).cause).toMatchObject({ code: "ERR_ALERTS_INVALID_RULE", problems: [{ path: "/rules/0/measure", rule: "M" }] });
  });

  it("alertsOf throws ERR_ALERTS_NOT_APPLIED without the plugin", async () => {
    const { kernel } = await makeKernel();
    expect(() => alertsOf(kernel)).toThrow(expect.objectContaining({ code: "ERR_ALERTS_NOT_APPLIED" }));
  });

  it("the log sink writes one structured line per state change; resource labels come from config", async () => {
    const lines: Array<[string, string]> = [];
    const plugin = createAlertsPlugin({ write: (stream, line) => lines.push([stream, line]) });
    const { kernel, clock, events } = await makeKernel({
      config: {
        alerts: {
          evaluationInterval: "1s",
          rules: [{ name: "TeamDb", kind: "threshold", select: { labels: { team: "core" } }, threshold: 0, for: "2s" }],
          sinks: [{ kind: "log", stream: "stdout" }],
        },
        resources: { db: { type: "noop", labels: { team: "core" } } },
      },
      plugins: [plugin, { name: "noop", apply: (k) => k.registerType("noop", { create: () => ({}), release: () => {} }) }],
    });
    const h = await kernel.acquire("db");
    await clock.advance(3_000);
    await h.release();
    await clock.advance(1_000);
    const parsed: Array<Record<string, unknown>> = lines.map(([stream, l]) => ({ stream, ...(JSON.parse(l) as Record<string, unknown>) }));
    expect(parsed.map((p) => [p.stream, p.from, p.state, p.level])).toEqual([
      ["stdout", "inactive", "pending", "info"],
      ["stdout", "pending", "firing", "warn"],
      ["stdout", "firing", "resolved", "info"],
    ]);
    expect(parsed[1]).toMatchObject({
      alertname: "TeamDb",
      msg: "alert TeamDb firing",
      labels: { alertname: "TeamDb" },
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(pluginEvents(events, "alerts", "alert:state-changed").map((d) => d.to)).toEqual(["pending", "firing", "resolved"]);
  });

  it("event rules read kernel.events$: a real leak suspicion fires, then resolves after the window", async () => {
    const { kernel, clock } = await makeKernel({
      config: {
        tracking: { leakThreshold: "30s" },
        alerts: {
          evaluationInterval: "10s",
          rules: [{ name: "Leak", kind: "event", on: { event: "resource:leak-suspected" }, by: ["type", "name"], window: "1m" }],
        },
      },
      plugins: [alertsPlugin],
    });
    kernel.adopt({}, { type: "http.socket", name: "s1", release: () => {} });
    await clock.advance(29_999);
    expect(alertsOf(kernel).active()).toEqual([]);
    // The leak timer (armed at adopt) and the 30s tick (armed at 20s) fall due together: leak first.
    await clock.advance(1);
    expect(alertsOf(kernel).active()).toEqual([
      expect.objectContaining({ name: "Leak", state: "firing", labels: { alertname: "Leak", type: "http.socket", name: "s1" } }),
    ]);
    await clock.advance(60_000);
    expect(alertsOf(kernel).active()).toEqual([]);
  });

  it("stops evaluating at shutdown and completes alerts$", async () => {
    const clock = new ManualClock();
    const kernel = await createKernel({ clock, env: {}, config: { alerts: socketRule }, plugins: [alertsPlugin] });
    const api = alertsOf(kernel);
    let completed = false;
    api.alerts$.subscribe({ complete: () => (completed = true) });
    await clock.advance(10_000);
    const report = kernel.shutdown();
    await clock.advance(10_000);
    await report;
    expect(completed).toBe(true);
    expect(api.stats().evaluations).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});
