import type { Kernel } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { alertsOf, alertsPlugin, type AlertsConfig, type WebhookPayload, type WebhookSinkConfig } from "../../src/index.js";
import { makeKernel, pluginEvents } from "../helpers/kernel.js";
import { startReceiver, until } from "../helpers/receiver.js";

const rules: AlertsConfig["rules"] = [
  { name: "JobsRunning", kind: "threshold", select: { type: "job" }, by: ["name"], threshold: 0, labels: { severity: "warning" } },
];

async function setup(sink: Omit<WebhookSinkConfig, "kind">, extra: Partial<AlertsConfig> = {}) {
  const made = await makeKernel({
    config: { alerts: { evaluationInterval: "1s", rules, sinks: [{ kind: "webhook", ...sink }], ...extra } },
    plugins: [alertsPlugin],
  });
  return { ...made, api: alertsOf(made.kernel) };
}

const job = (kernel: Kernel, name: string) => kernel.adopt({}, { type: "job", name, release: () => {} });

describe("webhook sink", () => {
  it("groups like Alertmanager: group_wait, then group_interval for changes, repeat_interval for reminders", async () => {
    const rx = await startReceiver();
    const { kernel, clock, api } = await setup({
      url: `${rx.url}/hook`,
      group_wait: "5s",
      group_interval: "20s",
      repeat_interval: "60s",
      group_by: ["alertname"],
    });
    job(kernel, "a");
    await clock.advance(1_000); // fires; group created, waits 5s
    const b = job(kernel, "b");
    await clock.advance(4_999);
    expect(rx.requests).toHaveLength(0);
    await clock.advance(1_000);
    await api.idle();
    expect(rx.requests).toHaveLength(1);
    const first = rx.requests[0].body as WebhookPayload;
    expect(first).toMatchObject({
      version: "4",
      status: "firing",
      receiver: "webhook-0",
      groupKey: '{}:{alertname="JobsRunning"}',
      groupLabels: { alertname: "JobsRunning" },
      commonLabels: { alertname: "JobsRunning", severity: "warning" },
      truncatedAlerts: 0,
    });
    expect(first.alerts.map((a) => [a.labels.name, a.status, a.endsAt])).toEqual([
      ["a", "firing", "0001-01-01T00:00:00Z"],
      ["b", "firing", "0001-01-01T00:00:00Z"],
    ]);
    expect(rx.requests[0].url).toBe("/hook");
    // Nothing changed: no notification at the next group_interval.
    await clock.advance(20_000);
    await api.idle();
    expect(rx.requests).toHaveLength(1);
    // A resolution is a change: sent at the following group_interval, then dropped from the group.
    await b.release();
    await clock.advance(20_000);
    await api.idle();
    expect(rx.requests).toHaveLength(2);
    const second = rx.requests[1].body as WebhookPayload;
    expect(second.status).toBe("firing");
    expect(second.alerts.map((a) => [a.labels.name, a.status])).toEqual([
      ["a", "firing"],
      ["b", "resolved"],
    ]);
    expect(second.alerts[1].endsAt).not.toBe("0001-01-01T00:00:00Z");
    // repeat_interval: the unchanged group is re-sent once 60s passed since the last send.
    await clock.advance(40_000);
    await api.idle();
    expect(rx.requests).toHaveLength(2);
    await clock.advance(20_000);
    await api.idle();
    expect(rx.requests).toHaveLength(3);
    expect((rx.requests[2].body as WebhookPayload).alerts.map((a) => a.labels.name)).toEqual(["a"]);
  });

  it("retries with exponential backoff on the kernel clock, then counts and reports the failure", async () => {
    const rx = await startReceiver((n) => (n < 2 ? 503 : 200));
    const { kernel, clock, api, events } = await setup({ url: rx.url, group_wait: "0s", retries: 2, backoff: "1s" });
    job(kernel, "a");
    const retried = () => api.stats().sinks["webhook-0"].retried;
    await clock.advance(1_000);
    // The failure has been handled (and the backoff armed) once the retry is counted.
    await until(() => retried() === 1);
    await clock.advance(999);
    expect(rx.requests).toHaveLength(1);
    await clock.advance(1);
    await until(() => rx.requests.length === 2 && retried() === 2);
    await clock.advance(1_999); // second backoff is 2s
    expect(rx.requests).toHaveLength(2);
    await clock.advance(1);
    await until(() => rx.requests.length === 3);
    await api.idle();
    expect(api.stats().sinks["webhook-0"]).toMatchObject({ sent: 1, retried: 2, failed: 0 });
    expect(pluginEvents(events, "alerts", "notification:sent")).toEqual([expect.objectContaining({ sink: "webhook-0", attempts: 3, status: 200 })]);

    rx.requests.length = 0;
    const failing = await startReceiver(() => 500);
    const second = await setup({ url: failing.url, group_wait: "0s", retries: 1, backoff: "1s" });
    job(second.kernel, "x");
    await second.clock.advance(1_000);
    await until(() => second.api.stats().sinks["webhook-0"].retried === 1);
    await second.clock.advance(1_000);
    await until(() => failing.requests.length === 2);
    await second.api.idle();
    expect(second.api.stats().sinks["webhook-0"]).toMatchObject({ sent: 0, failed: 1, retried: 1 });
    const failed = pluginEvents(second.events, "alerts", "notification:failed");
    expect(failed).toHaveLength(1);
    expect(failed[0].error).toMatchObject({ code: "ERR_ALERTS_DELIVERY_FAILED", status: 500 });
  });

  it("times out a hung receiver on the kernel clock", async () => {
    const rx = await startReceiver(() => "hang");
    const { kernel, clock, api, events } = await setup({ url: rx.url, group_wait: "0s", retries: 0, timeout: "3s" });
    job(kernel, "a");
    await clock.advance(1_000);
    await until(() => rx.requests.length === 1);
    await clock.advance(3_000);
    await api.idle();
    expect(api.stats().sinks["webhook-0"]).toMatchObject({ failed: 1 });
    expect(String((pluginEvents(events, "alerts", "notification:failed")[0].error as Error).message)).toContain("no answer within 3000ms");
  });

  it("moves URL credentials into an Authorization header and never shows them", async () => {
    const rx = await startReceiver();
    const { kernel, clock, api, events } = await setup({
      url: `${rx.url.replace("http://", "http://user:s3cret@")}/hook?token=abc`,
      group_wait: "0s",
      headers: { "x-api-key": "k3y" },
    });
    job(kernel, "a");
    await clock.advance(1_000);
    await api.idle();
    expect(rx.requests[0].headers.authorization).toBe(`Basic ${Buffer.from("user:s3cret").toString("base64")}`);
    expect(rx.requests[0].headers["x-api-key"]).toBe("k3y");
    expect(rx.requests[0].url).toBe("/hook?token=abc");
    const shown = JSON.stringify(events.filter((e) => e.type === "plugin:event"));
    expect(shown).toContain(`${rx.url}/hook`);
    for (const secret of ["s3cret", "token=abc", "k3y", "user:"]) expect(shown).not.toContain(secret);
  });

  it("a full queue drops the oldest notification and counts it", async () => {
    const rx = await startReceiver(() => "hang");
    const { kernel, clock, api, events } = await setup({ url: rx.url, group_wait: "0s", group_by: ["name"], max_queue: 2, timeout: "1h", retries: 0 });
    for (const n of ["a", "b", "c", "d"]) job(kernel, n);
    await clock.advance(1_000); // four groups: one in flight, two queued, one dropped
    await until(() => rx.requests.length === 1);
    expect(api.stats().sinks["webhook-0"]).toMatchObject({ dropped: 1, queued: 2 });
    expect(pluginEvents(events, "alerts", "notification:dropped")).toEqual([expect.objectContaining({ reason: "queue-full", sink: "webhook-0" })]);
  });

  it("at shutdown flushes pending groups within the deadline and counts what is undelivered", async () => {
    const rx = await startReceiver((n) => (n === 0 ? 200 : "hang"));
    const { kernel, clock, api, events } = await setup({ url: rx.url, group_wait: "1m", group_by: ["name"], timeout: "1h" });
    job(kernel, "a");
    job(kernel, "b");
    await clock.advance(1_000);
    expect(rx.requests).toHaveLength(0); // still in group_wait
    const report = kernel.shutdown();
    await until(() => rx.requests.length === 2);
    await clock.advance(10_000);
    const r = await report;
    expect(api.stats()).toMatchObject({ undelivered: 1, sinks: { "webhook-0": { sent: 1, undelivered: 1 } } });
    expect(r.ok).toBe(false);
    expect(r.errors?.errors).toEqual([
      expect.objectContaining({
        code: "ERR_ALERTS_DELIVERY_FAILED",
        message:
          'Sink "webhook-0" could not deliver to its webhook endpoint: 1 notification(s) not confirmed before the shutdown deadline (the receiver may still have processed them)',
      }),
    ]);
    expect(pluginEvents(events, "alerts", "notifications:undelivered")).toEqual([{ count: 1, sinks: { "webhook-0": 1 } }]);
  });

  it("an alert that fires and resolves within group_wait is never announced", async () => {
    const rx = await startReceiver();
    const { kernel, clock, api } = await setup({ url: rx.url, group_wait: "10s", group_interval: "10s" });
    const h = job(kernel, "a");
    await clock.advance(1_000); // firing; the group waits 10s
    await h.release();
    await clock.advance(1_000); // resolved before the first notification
    await clock.advance(30_000);
    await api.idle();
    expect(rx.requests).toHaveLength(0);
  });

  // Issue 15: the receiver's last word for a firing alert must not stay "firing" with a zero endsAt.
  it("at shutdown sends every firing alert as resolved, with endsAt = now, within the budget", async () => {
    const rx = await startReceiver();
    const { kernel, clock, api } = await setup({ url: rx.url, group_wait: "0s" });
    const t0 = clock.now();
    job(kernel, "a");
    await clock.advance(1_000);
    await api.idle();
    expect((rx.requests[0].body as WebhookPayload).status).toBe("firing");
    await clock.advance(500);
    const report = kernel.shutdown();
    await until(() => rx.requests.length === 2);
    await clock.advance(10_000);
    expect((await report).ok).toBe(true);
    const last = rx.requests[1].body as WebhookPayload;
    expect(last.status).toBe("resolved");
    expect(last.alerts.map((a) => [a.labels.name, a.status, a.endsAt])).toEqual([["a", "resolved", new Date(t0 + 1_500).toISOString()]]);
  });

  // Prometheus sends startsAt = FiredAt (rules/manager.go SendAlerts), not the time the alert went pending.
  it("startsAt is the time the alert started firing", async () => {
    const rx = await startReceiver();
    const { kernel, clock, api } = await setup(
      { url: rx.url, group_wait: "0s" },
      { rules: [{ name: "JobsRunning", kind: "threshold", select: { type: "job" }, by: ["name"], threshold: 0, for: "2s" }] },
    );
    const t0 = clock.now();
    job(kernel, "a");
    await clock.advance(1_000); // pending at 1s
    await clock.advance(2_000); // firing at 3s
    await api.idle();
    expect((rx.requests[0].body as WebhookPayload).alerts[0].startsAt).toBe(new Date(t0 + 3_000).toISOString());
  });
});
