// Refreshes the README screenshots from the dashboard example (real workload, real Chromium):
//   npm run build && node packages/plugin-dashboard/scripts/screenshot.mjs [seconds]
// Writes docs/dashboard.png (live) and docs/dashboard-shutdown.png (after Ctrl-C).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const seconds = Number(process.argv[2] ?? 30);
const child = spawn(process.execPath, [join(root, "examples/dist/dashboard/main.js"), "--deadline", "4s"], { stdio: ["ignore", "inherit", "pipe"] });
const url = await new Promise((resolve, reject) => {
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
    const m = /custodian dashboard: (\S+)/.exec(err);
    if (m) resolve(m[1]);
  });
  child.on("exit", () => reject(new Error("example exited early:\n" + err)));
});
const profile = await mkdtemp(join(tmpdir(), "custodian-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1400, height: 1700 },
});
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForTimeout(seconds * 1000);
  await page.screenshot({ path: join(root, "docs/dashboard.png") });
  child.kill("SIGINT");
  await page.getByTestId("conn-status").filter({ hasText: "disconnected" }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(root, "docs/dashboard-shutdown.png") });
  console.log("wrote docs/dashboard.png and docs/dashboard-shutdown.png");
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
  if (child.exitCode === null) child.kill("SIGKILL");
}
