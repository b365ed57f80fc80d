/**
 * Secrets never leave through a sink (issue 13 §5): credentials planted in a resource name, rule
 * labels and annotations are redacted in the log line, the webhook body and the Alertmanager body,
 * as captured by real loopback receivers; a configured Authorization header, in any case, is sent as
 * configured and never replaced by Basic auth built from the URL.
 */
import type { Kernel } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { alertsOf, createAlertsPlugin, type AlertsConfig, type SinkConfig } from "../../src/index.js";
import { makeKernel } from "../helpers/kernel.js";
import { startReceiver, type Received } from "../helpers/receiver.js";

const PLANTED = ["JobName1", "LabelPw2", "ghp_LabelUser3", "AnnKv4", "AnnAt5", "UrlPw6"];

const rules: AlertsConfig["rules"] = [
  {
    name: "JobsRunning",
    kind: "threshold",
    select: { type: "job" },
    by: ["name"],
    threshold: 0,
    labels: { severity: "warning", dsn: "postgres://app:LabelPw2@db/x", repo: "https://ghp_LabelUser3@github.com/o/r" },
    annotations: { summary: "connect with password=AnnKv4 host=db", runbook: "mysql://root:p@AnnAt5@db/app" },
  },
];

async function setup(sinks: SinkConfig[]) {
  const lines: string[] = [];
  const made = await makeKernel({
    config: { alerts: { evaluationInterval: "1s", rules, sinks } },
    plugins: [createAlertsPlugin({ write: (_s, line) => lines.push(line) })],
  });
  return { ...made, lines, api: alertsOf(made.kernel) };
}

const job = (kernel: Kernel, name: string) => kernel.adopt({}, { type: "job", name, release: () => {} });
const leaked = (text: string): string[] => PLANTED.filter((s) => text.includes(s));
const shown = (r: Received): string => JSON.stringify({ url: r.url, body: r.body });

describe("sinks show no secret", () => {
  it("the log line, the webhook body and the Alertmanager body carry none of the planted secrets", async () => {
    const hook = await startReceiver();
    const am = await startReceiver();
    const { kernel, clock, api, lines, events } = await setup([
      { kind: "log" },
      { kind: "webhook", url: `${hook.url}/hook`, group_wait: "0s", group_by: ["..."] },
      { kind: "alertmanager", urls: [am.url] },
    ]);
    job(kernel, "postgres://app:JobName1@db/x");
    await clock.advance(1_000);
    await api.idle();
    expect(lines).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
    expect(am.requests).toHaveLength(1);
    expect(leaked(lines.join(""))).toEqual([]);
    expect(leaked(shown(hook.requests[0]))).toEqual([]);
    expect(leaked(shown(am.requests[0]))).toEqual([]);
    expect(leaked(JSON.stringify(events))).toEqual([]);
    // Redacted, not dropped: the receiver still sees which resource and which runbook.
    expect(JSON.parse(lines[0])).toMatchObject({
      labels: { name: "postgres://app:[redacted]@db/x", dsn: "postgres://app:[redacted]@db/x", repo: "https://[redacted]@github.com/o/r" },
      annotations: { summary: "connect with password=[redacted] host=db", runbook: "mysql://root:[redacted]@db/app" },
    });
  });

  for (const name of ["Authorization", "AUTHORIZATION", "authorization"]) {
    it(`a configured "${name}: Bearer" header wins over URL credentials, and the URL's are never sent`, async () => {
      const hook = await startReceiver();
      const { kernel, clock, api } = await setup([
        { kind: "webhook", url: `${hook.url.replace("http://", "http://user:UrlPw6@")}/hook`, group_wait: "0s", headers: { [name]: "Bearer HookTok7" } },
      ]);
      job(kernel, "a");
      await clock.advance(1_000);
      await api.idle();
      expect(hook.requests).toHaveLength(1);
      expect(hook.requests[0].headers.authorization).toBe("Bearer HookTok7");
      expect(JSON.stringify(hook.requests[0].headers)).not.toContain(Buffer.from("user:UrlPw6").toString("base64"));
    });
  }
});
