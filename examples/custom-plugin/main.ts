/**
 * A user-written plugin (plugins/child-process.mjs) declared in YAML manages child processes: one
 * stops on SIGTERM, one ignores it and is forced with SIGKILL at its budget. No child survives.
 *
 *   node examples/dist/custom-plugin/main.js
 */
import { fileURLToPath } from "node:url";
import { createKernel } from "@custodian/core";

const configFile = fileURLToPath(new URL("../../custom-plugin/resource.config.yaml", import.meta.url));
const kernel = await createKernel({ config: configFile });

const stubborn = await kernel.acquire<{ child: { pid: number } }>("stubborn"); // acquires well-behaved first
const pids = kernel.snapshot().map((s) => (s.details as { pid: number }).pid);
console.log(
  `running: ${kernel
    .snapshot()
    .map((s) => `${s.name} (pid ${(s.details as { pid: number }).pid})`)
    .join(", ")}`,
);
void stubborn;

const report = await kernel.shutdown("example finished");
for (const o of report.outcomes) console.log(`${o.name}: ${o.outcome} in ${Math.round(o.elapsedMs)}ms`);

const alive = pids.filter((pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
});
console.log(alive.length === 0 ? "no child process survived" : `still alive: ${alive.join(", ")}`);
process.exitCode = alive.length === 0 ? 0 : 1;
