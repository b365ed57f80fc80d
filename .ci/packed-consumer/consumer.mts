// A strict TypeScript consumer of the packed packages: every public entry point is imported and
// used, then checked with skipLibCheck: false (the shipped .d.ts files are type-checked too).
import { run } from "@custodian/cli";
import { createKernel, definePlugin, isKernelError, type KernelEvent, type PluginDescriptor } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";
import { alertsOf, alertsPlugin, exportPrometheusRules } from "@custodian/plugin-alerts";
import { dashboardPlugin, serveDashboard } from "@custodian/plugin-dashboard";
import { fsPlugin, type TempPath } from "@custodian/plugin-fs";
import { HttpAgent, httpPlugin } from "@custodian/plugin-http";
import { metricsOf, metricsPlugin } from "@custodian/plugin-metrics";
import { createBreaker, createPool, type Pool, poolPlugin } from "@custodian/plugin-pool";

const plugins: PluginDescriptor[] = [poolPlugin, httpPlugin, fsPlugin, alertsPlugin, metricsPlugin, dashboardPlugin];
const kernel = await createKernel({ config: { shutdown: { deadline: "2s" } }, plugins });
const tmp = await kernel.acquire<TempPath>({ type: "fs.tempdir" });
const tmpPath: string = tmp.value.path;
const pool: Pool<{ n: number }> = createPool({ create: () => ({ n: 1 }), max: 2 });
const agent = new HttpAgent({ bodyTimeoutMs: 1_000 });
const breaker = createBreaker({ name: "b" });
const events: KernelEvent[] = [];
kernel.events$.subscribe((e) => events.push(e));
const text: string = await metricsOf(kernel).metrics();
const active = alertsOf(kernel).active().length;
const rules: string = exportPrometheusRules({ rules: [] });
const exitCode: number = await run(["--help"], { stdout: () => {}, stderr: () => {}, cwd: process.cwd(), env: {} });
const report = await kernel.shutdown("done");
const ok: boolean = report.ok;
await pool.close();
await agent.close();
const test = await createTestKernel();
await test.close();
void [tmpPath, breaker.state, text, active, rules, exitCode, ok, isKernelError(new Error("x")), serveDashboard, definePlugin];
