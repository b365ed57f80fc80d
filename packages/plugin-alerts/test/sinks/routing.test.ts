import { describe, expect, it } from "vitest";
import { alertsOf, createAlertsPlugin, type AlertChange, type WebhookPayload } from "../../src/index.js";
import { makeKernel } from "../helpers/kernel.js";
import { startReceiver } from "../helpers/receiver.js";

describe("routing and inhibition across sinks", () => {
  it("routes by `match` labels; inhibited alerts reach alerts$ and the log, not the webhook", async () => {
    const critical = await startReceiver();
    const all = await startReceiver();
    const lines: string[] = [];
    const { kernel, clock } = await makeKernel({
      config: {
        alerts: {
          evaluationInterval: "1s",
          rules: [
            {
              name: "PoolFull",
              kind: "threshold",
              select: { type: "pool" },
              measure: "details.borrowed / details.max",
              by: ["name"],
              threshold: 0.99,
              labels: { severity: "critical" },
            },
            {
              name: "PoolBusy",
              kind: "threshold",
              select: { type: "pool" },
              measure: "details.borrowed / details.max",
              by: ["name"],
              threshold: 0.5,
              labels: { severity: "warning" },
            },
          ],
          inhibit: [{ source_match: { severity: "critical" }, target_match: { severity: "warning" }, equal: ["name"] }],
          sinks: [
            { kind: "webhook", name: "pager", url: critical.url, match: { severity: "critical" }, group_wait: "0s" },
            { kind: "webhook", name: "chat", url: all.url, group_wait: "0s", group_by: ["alertname", "name"] },
            { kind: "log" },
          ],
        },
      },
      plugins: [createAlertsPlugin({ write: (_s, line) => lines.push(line) })],
    });
    const api = alertsOf(kernel);
    const changes: AlertChange[] = [];
    api.alerts$.subscribe((c) => changes.push(c));
    const describe = (v: { borrowed: number; max: number }) => ({ ...v });
    kernel.adopt({ borrowed: 10, max: 10 }, { type: "pool", name: "a", release: () => {}, describe });
    kernel.adopt({ borrowed: 6, max: 10 }, { type: "pool", name: "b", release: () => {}, describe });
    await clock.advance(1_000);
    await api.idle();
    const sent = (rx: typeof all) => rx.requests.flatMap((r) => (r.body as WebhookPayload).alerts.map((a) => `${a.labels.alertname}/${a.labels.name}`)).sort();
    expect(sent(critical)).toEqual(["PoolFull/a"]);
    expect(sent(all)).toEqual(["PoolBusy/b", "PoolFull/a"]);
    expect(changes.map((c) => `${c.alert.name}/${c.alert.labels.name}:${c.alert.inhibited}`).sort()).toEqual([
      "PoolBusy/a:true",
      "PoolBusy/b:false",
      "PoolFull/a:false",
    ]);
    expect(
      lines
        .map((l) => JSON.parse(l) as { alertname: string; inhibited: boolean })
        .filter((l) => l.inhibited)
        .map((l) => l.alertname),
    ).toEqual(["PoolBusy"]);
  });
});
