/**
 * The README's "Writing a plugin" example, run as written: a child that has already exited is
 * released at once (its `exit` event is not awaited a second time, which would leave the release
 * to be forced at its 2 s budget), and a child that is alive stops on SIGTERM. `README_FILE` points
 * the test at another copy of the README (how the old example was shown to fail).
 */
import { type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createKernel, type PluginDescriptor } from "@custodian/core";
import { afterAll, expect, it, onTestFinished } from "vitest";
import { blocksOf, ROOT } from "./docBlocks.js";

const readme = process.env.README_FILE ?? "README.md";
const section = readFileSync(join(ROOT, readme), "utf8").split("## Writing a plugin")[1] ?? "";
const block = blocksOf(readme).find((b) => b.lang === "ts" && section.includes(b.text.trim()));
const scratch = mkdtempSync(join(ROOT, "test", ".docs-plugin-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function readmePlugin(): Promise<PluginDescriptor> {
  expect(block, 'README.md has a ts block under "Writing a plugin"').toBeDefined();
  const file = join(scratch, "plugin.ts");
  writeFileSync(file, block!.text);
  return ((await import(pathToFileURL(file).href)) as { default: PluginDescriptor }).default;
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", resolve));

it("releases a child that already exited at once (outcome released, not forced)", async () => {
  const kernel = await createKernel({ config: {}, plugins: [await readmePlugin()], env: {}, exit: () => {} });
  onTestFinished(async () => void (await kernel.shutdown()));
  const handle = await kernel.acquire<ChildProcess>({ type: "child", command: process.execPath, args: ["-e", ""] });
  await exited(handle.value);
  const outcome = await handle.release();
  expect(outcome.outcome).toBe("released");
});

it("passes args and stops a live child with SIGTERM", async () => {
  const kernel = await createKernel({ config: {}, plugins: [await readmePlugin()], env: {}, exit: () => {} });
  onTestFinished(async () => void (await kernel.shutdown()));
  const handle = await kernel.acquire<ChildProcess>({ type: "child", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"] });
  const child = handle.value;
  expect(child.spawnargs.slice(1)).toEqual(["-e", "setInterval(() => {}, 1000)"]);
  const outcome = await handle.release();
  expect(outcome.outcome).toBe("released");
  expect(child.signalCode).toBe("SIGTERM");
});
