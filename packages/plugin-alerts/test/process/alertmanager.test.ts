// A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1: a rule fired from a real
// kernel reaches GET /api/v2/alerts and Alertmanager's webhook receiver; shutdown resolves it.
// Real time on purpose: this is a process-level test against a real service.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@custodian/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { alertsOf, alertsPlugin, type WebhookPayload } from "../../src/index.js";
import { startReceiver } from "../helpers/receiver.js";

const BIN = "/usr/bin/prometheus-alertmanager";
const present = spawnSync(BIN, ["--version"]).status === 0;
if (!present) console.log(`skipping the Alertmanager test: ${BIN} is not installed (run .ci/install-alertmanager.sh)`);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface GettableAlert {
  labels: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

describe("real Alertmanager", () => {
  it.skipIf(!present && process.env.CI !== "true")(
    "receives the alert, routes it to its webhook, and resolves it at kernel shutdown",
    async () => {
      const hook = await startReceiver();
      const dir = mkdtempSync(join(tmpdir(), "custodian-am-"));
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(
        join(dir, "alertmanager.yml"),
        [
          "route:",
          "  receiver: hook",
          "  group_by: [alertname]",
          "  group_wait: 0s",
          "  group_interval: 1s",
          "  repeat_interval: 1h",
          "receivers:",
          "  - name: hook",
          "    webhook_configs:",
          `      - url: ${hook.url}/am`,
          "        send_resolved: true",
          "",
        ].join("\n"),
      );
      const port = await freePort();
      const am: ChildProcess = spawn(
        BIN,
        [
          `--config.file=${join(dir, "alertmanager.yml")}`,
          `--storage.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--cluster.listen-address=",
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      am.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<void>((resolve) => am.once("exit", () => resolve()));
      onTestFinished(async () => {
        if (am.exitCode === null) am.kill("SIGTERM");
        await exited;
      });
      const base = `http://127.0.0.1:${port}`;
      await poll("Alertmanager to be ready", async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined)).catch((e: unknown) => {
        throw new Error(`${(e as Error).message}; stderr: ${stderr}`);
      });

      const kernel = await createKernel({
        env: {},
        config: {
          shutdown: { deadline: "5s" },
          alerts: {
            evaluationInterval: "200ms",
            rules: [
              {
                name: "CustodianJobStuck",
                kind: "threshold",
                select: { type: "job" },
                threshold: 0,
                labels: { severity: "warning" },
                annotations: { summary: "{{ $value }} job(s)" },
              },
            ],
            sinks: [{ kind: "alertmanager", urls: [base], resend_delay: "1s" }],
          },
        },
        plugins: [alertsPlugin],
      });
      onTestFinished(async () => {
        await kernel.shutdown();
      });
      kernel.adopt({}, { type: "job", name: "nightly", release: () => {} });

      const listed = await poll("the alert in GET /api/v2/alerts", async () => {
        const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as GettableAlert[];
        return alerts.find((a) => a.labels.alertname === "CustodianJobStuck");
      });
      expect(listed.labels).toEqual({ alertname: "CustodianJobStuck", severity: "warning" });
      expect(listed.status.state).toBe("active");

      const firing = await poll("the firing notification at the webhook", async () =>
        hook.requests
          .map((r) => r.body as WebhookPayload)
          .find((p) => p.status === "firing" && p.alerts.some((a) => a.labels.alertname === "CustodianJobStuck")),
      );
      expect(firing.alerts[0].annotations).toEqual({ summary: "1 job(s)" });

      const report = await kernel.shutdown();
      expect(report.ok).toBe(true);
      expect(alertsOf(kernel).stats().undelivered).toBe(0);

      await poll("the alert to leave GET /api/v2/alerts", async () => {
        const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as GettableAlert[];
        return alerts.some((a) => a.labels.alertname === "CustodianJobStuck") ? undefined : true;
      });
      const resolved = await poll("the resolved notification at the webhook", async () =>
        hook.requests.map((r) => r.body as WebhookPayload).find((p) => p.status === "resolved"),
      );
      expect(resolved.alerts[0]).toMatchObject({ status: "resolved", labels: { alertname: "CustodianJobStuck" } });

      am.kill("SIGTERM");
      await exited;
    },
    60_000,
  );
});
