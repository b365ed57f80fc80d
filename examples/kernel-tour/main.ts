/**
 * A two-minute tour of the kernel: resources with dependencies, one that hangs on release, and a
 * shutdown that still finishes on time with an honest report.
 *
 *   node examples/dist/kernel-tour/main.js [--deadline 1s]
 */
import { createKernel, type ShutdownReport } from "@custodian/core";

const deadlineArg = process.argv.indexOf("--deadline");
const deadline = deadlineArg > 0 ? process.argv[deadlineArg + 1] : "1s";

const kernel = await createKernel({ config: { shutdown: { deadline } } });
kernel.events$.subscribe((e) => {
  if (e.type === "resource:released") console.log(`  released ${e.name ?? e.id}: ${e.outcome} in ${e.elapsedMs}ms`);
  if (e.type === "kernel:deadline-exceeded" && e.scope === "resource") console.log(`  budget over for ${e.name}: aborting and forcing`);
});

const db = kernel.adopt({ connected: true }, { type: "db", name: "db", release: async () => void (await sleep(50)) });
kernel.adopt({ jobs: 3 }, { type: "queue", name: "queue", dependsOn: [db], release: async () => void (await sleep(30)) });
kernel.adopt(
  { url: "http://archive.invalid/stalled" },
  {
    type: "download",
    name: "stalled-download",
    dependsOn: [db],
    // The bug this project exists for: a close() that waits forever on a stalled transfer.
    release: () => new Promise<void>(() => {}),
    force: (v) => console.log(`  forced: aborted ${v.url}`),
  },
);

console.log(`Holding ${kernel.snapshot().length} resources; shutting down with a ${deadline} deadline...`);
const report = await kernel.shutdown("tour finished");
printReport(report);
process.exitCode = report.ok ? 0 : 1;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function printReport(r: ShutdownReport): void {
  console.log(`\nShutdown report (${r.strategy}, ${r.elapsedMs}ms of ${r.deadlineMs}ms, ok=${r.ok})`);
  for (const o of r.outcomes) console.log(`  ${(o.name ?? o.id).padEnd(18)} ${o.outcome.padEnd(9)} ${o.elapsedMs}ms`);
}
