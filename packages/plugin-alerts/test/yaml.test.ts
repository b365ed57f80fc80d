import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createKernel, ManualClock } from "@custodian/core";
import { describe, expect, it, onTestFinished } from "vitest";
import { alertsOf, alertsPlugin } from "../src/index.js";

const writeConfig = (text: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "custodian-alerts-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "resource.config.yaml");
  writeFileSync(path, text);
  return path;
};

describe("alerts in resource.config.yaml", () => {
  it("the plugins load by package name and the alerts section drives the rules", async () => {
    const clock = new ManualClock();
    const kernel = await createKernel({ clock, env: {}, config: fileURLToPath(new URL("./fixtures/resource.config.yaml", import.meta.url)) });
    onTestFinished(async () => {
      const p = kernel.shutdown();
      await clock.advance(10_000);
      await p;
    });
    expect(kernel.plugins.names()).toEqual(["metrics", "alerts"]);
    kernel.adopt({}, { type: "job", name: "nightly", release: () => {} });
    await clock.advance(5_000);
    expect(alertsOf(kernel).active()).toEqual([expect.objectContaining({ name: "JobsRunning", annotations: { summary: "1 job(s) running" } })]);
  });

  it("an invalid rule in the file fails createKernel with ERR_ALERTS_INVALID_RULE naming the rule and path", async () => {
    const path = writeConfig(`
alerts:
  rules:
    - name: Broken
      kind: held_longer_than
      select: { type: job }
      duration: forever
`);
    const err: unknown = await createKernel({ clock: new ManualClock(), env: {}, config: path, plugins: [alertsPlugin] }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "ERR_PLUGIN_APPLY",
      cause: { code: "ERR_ALERTS_INVALID_RULE", problems: [{ path: "/rules/0/duration", rule: "Broken" }] },
    });
  });

  it("a rule without kind is one problem listing the kinds, and a bad interval says what a duration is", async () => {
    const path = writeConfig(`plugins:
  - "@custodian/plugin-alerts"
alerts:
  evaluationInterval: fast
  rules:
    - name: Foo
      select: { type: job }
`);
    const err: unknown = await createKernel({ clock: new ManualClock(), env: {}, config: path }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_CONFIG_INVALID" });
    expect(
      (err as { issues: Array<{ line: number; column: number; path: string; message: string }> }).issues.map(
        (i) => `${i.line}:${i.column} ${i.path}: ${i.message}`,
      ),
    ).toEqual([
      '4:3 alerts.evaluationInterval: must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received a string ("fast")',
      '6:7 alerts.rules[0].kind: missing required key "kind" (one of "threshold", "held_longer_than", "forecast", "transitions", "event")',
    ]);
  });

  it("plugin-metrics options are checked by the config loader, with positions", async () => {
    const file = fileURLToPath(new URL("./fixtures/bad-metrics-options.yaml", import.meta.url));
    const err: unknown = await createKernel({ clock: new ManualClock(), env: {}, config: file }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_CONFIG_INVALID", issues: [expect.objectContaining({ line: 5, path: expect.stringContaining("maxSerie") })] });
  });
});
