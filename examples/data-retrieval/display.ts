/**
 * What the demo prints: a live progress line on a TTY (plain lines otherwise) and the shutdown
 * report as a table.
 */
import type { Kernel, ShutdownReport } from "@custodian/core";

export interface Progress {
  done: number;
  failed: number;
  total: number;
  bytes: number;
}

const tty = process.stdout.isTTY === true;
const c = (code: number, s: string): string => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string): string => c(1, s);
export const dim = (s: string): string => c(2, s);
export const red = (s: string): string => c(31, s);
export const green = (s: string): string => c(32, s);
export const yellow = (s: string): string => c(33, s);

/** Starts the progress display; returns a function that stops it. */
export function showProgress(kernel: Kernel, progress: Progress, intervalMs = 200): () => void {
  let lastPlain = "";
  const render = (): void => {
    const live = kernel.snapshot();
    const byType = new Map<string, number>();
    let sockets = 0;
    for (const r of live) {
      byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
      const open =
        (r.details as { sockets?: number; openSockets?: number } | undefined)?.sockets ?? (r.details as { openSockets?: number } | undefined)?.openSockets;
      if (typeof open === "number") sockets += open;
    }
    const types = [...byType].map(([t, n]) => `${t}=${n}`).join(" ");
    const line = `downloads ${progress.done}/${progress.total} (${progress.failed} failed) · ${(progress.bytes / 1024).toFixed(0)} KiB · sockets ${sockets} · resources ${live.length} [${types}]`;
    if (tty) process.stdout.write(`\r\x1b[2K${line}`);
    else if (line !== lastPlain) {
      console.log(line);
      lastPlain = line;
    }
  };
  const timer = setInterval(render, intervalMs);
  timer.unref();
  render();
  return () => {
    clearInterval(timer);
    render();
    if (tty) process.stdout.write("\n");
  };
}

/** Prints the shutdown report as a table and a verdict line. */
export function printReport(report: ShutdownReport): void {
  const rows = report.outcomes.map((o) => [
    o.name ?? o.id,
    o.type,
    o.outcome,
    `${Math.round(o.elapsedMs)}ms`,
    o.error instanceof Error ? ((o.error as Error & { code?: string }).code ?? o.error.message) : "",
  ]);
  const head = ["resource", "type", "outcome", "time", "error"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
  console.log("");
  console.log(bold(`Shutdown report — strategy ${report.strategy}, ${Math.round(report.elapsedMs)}ms of a ${report.deadlineMs}ms deadline`));
  console.log(dim(line(head)));
  for (const r of rows) {
    const paint = r[2] === "released" ? green : r[2] === "forced" ? yellow : red;
    console.log(line(r).replace(r[2].padEnd(widths[2]), paint(r[2].padEnd(widths[2]))));
  }
  console.log(
    report.ok ? green("All resources released cleanly: exit 0") : yellow(`${report.errors?.errors.length ?? 0} resource(s) did not release cleanly: exit 1`),
  );
}
