// ESM consumer of the packed packages: a kernel with every plugin, one resource of each built-in
// kind that needs no outside service, a clean shutdown.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { run } from "@custodian/cli";
import { createKernel } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";
import { alertsPlugin } from "@custodian/plugin-alerts";
import { dashboardPlugin } from "@custodian/plugin-dashboard";
import { fsPlugin } from "@custodian/plugin-fs";
import { httpPlugin } from "@custodian/plugin-http";
import { metricsOf, metricsPlugin } from "@custodian/plugin-metrics";
import { poolPlugin } from "@custodian/plugin-pool";

const kernel = await createKernel({
  config: { shutdown: { deadline: "2s" } },
  plugins: [poolPlugin, httpPlugin, fsPlugin, alertsPlugin, metricsPlugin, dashboardPlugin],
  env: {},
});
const tmp = await kernel.acquire({ type: "fs.tempdir" });
const tmpPath = tmp.value.path;
assert.equal(existsSync(tmpPath), true);
await kernel.acquire({ type: "http.agent" });
const scrape = await metricsOf(kernel).metrics();
assert.match(scrape, /custodian_resources\{type="fs.tempdir",state="active"\} 1/);
const report = await kernel.shutdown("esm consumer done");
assert.equal(report.ok, true);
assert.equal(existsSync(tmpPath), false, "the temp dir is removed at shutdown");
assert.deepEqual(
  report.outcomes.map((o) => o.outcome),
  report.outcomes.map(() => "released"),
);
assert.deepEqual(new Set(report.outcomes.map((o) => o.type)), new Set(["fs.tempdir", "http.agent", "http.server"]));

const test = await createTestKernel();
await test.close();

let out = "";
assert.equal(await run(["schema"], { stdout: (s) => (out += s), stderr: () => {}, cwd: process.cwd(), env: {} }), 0);
assert.equal(JSON.parse(out).type, "object");
console.log(`esm: ok (kernel with 6 plugins; outcomes ${report.outcomes.map((o) => `${o.type} ${o.outcome}`).join(", ")}; cli run() ok)`);
