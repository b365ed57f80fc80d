import { describe, expect, it } from "vitest";
import { alertsOf, alertsPlugin, type PostableAlert } from "../../src/index.js";
import { makeKernel } from "../helpers/kernel.js";
import { startReceiver, until } from "../helpers/receiver.js";

describe("alertmanager sink", () => {
  it("posts to /api/v2/alerts of every URL, re-sends while firing with endsAt ahead, endsAt = resolvedAt on resolve", async () => {
    const am1 = await startReceiver();
    const am2 = await startReceiver();
    const { kernel, clock } = await makeKernel({
      config: {
        alerts: {
          evaluationInterval: "10s",
          externalURL: "http://custodian.example/alerts",
          rules: [{ name: "JobRunning", kind: "threshold", select: { type: "job" }, threshold: 0, annotations: { summary: "{{ $value }} jobs" } }],
          sinks: [{ kind: "alertmanager", urls: [am1.url, `${am2.url}/prefix/`], resend_delay: "1m" }],
        },
      },
      plugins: [alertsPlugin],
    });
    const api = alertsOf(kernel);
    const h = kernel.adopt({}, { type: "job", name: "j", release: () => {} });
    const start = clock.now();
    await clock.advance(10_000);
    await api.idle();
    expect(am1.requests.map((r) => r.url)).toEqual(["/api/v2/alerts"]);
    expect(am2.requests.map((r) => r.url)).toEqual(["/prefix/api/v2/alerts"]);
    const [first] = am1.requests[0].body as PostableAlert[];
    expect(first).toEqual({
      labels: { alertname: "JobRunning" },
      annotations: { summary: "1 jobs" },
      startsAt: new Date(start + 10_000).toISOString(),
      // 4 × max(evaluationInterval, resend_delay) ahead.
      endsAt: new Date(start + 10_000 + 240_000).toISOString(),
      generatorURL: "http://custodian.example/alerts",
    });
    // Re-sent once per resend_delay while firing.
    await clock.advance(50_000);
    await api.idle();
    expect(am1.requests).toHaveLength(1);
    await clock.advance(20_000);
    await api.idle();
    expect(am1.requests).toHaveLength(2);
    expect((am1.requests[1].body as PostableAlert[])[0].endsAt).toBe(new Date(start + 70_000 + 240_000).toISOString());
    await h.release();
    await clock.advance(10_000);
    await api.idle();
    expect(am1.requests).toHaveLength(3);
    expect((am1.requests[2].body as PostableAlert[])[0].endsAt).toBe(new Date(start + 90_000).toISOString());
    expect(api.stats().sinks["alertmanager-0"]).toMatchObject({ sent: 6, failed: 0 });
  });

  it("at kernel shutdown, sends every firing alert with endsAt = now", async () => {
    const am = await startReceiver();
    const { kernel, clock } = await makeKernel({
      config: {
        alerts: {
          evaluationInterval: "10s",
          rules: [{ name: "JobRunning", kind: "threshold", select: { type: "job" }, threshold: 0 }],
          sinks: [{ kind: "alertmanager", urls: [am.url] }],
        },
      },
      plugins: [alertsPlugin],
    });
    kernel.adopt({}, { type: "job", name: "j", release: () => {} });
    await clock.advance(10_000);
    await alertsOf(kernel).idle();
    const at = clock.now();
    const report = kernel.shutdown();
    await until(() => am.requests.length === 2);
    await clock.advance(5_000);
    expect((await report).ok).toBe(true);
    expect((am.requests[1].body as PostableAlert[])[0]).toMatchObject({ labels: { alertname: "JobRunning" }, endsAt: new Date(at).toISOString() });
    expect(alertsOf(kernel).stats().undelivered).toBe(0);
  });
});
