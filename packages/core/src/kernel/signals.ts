/**
 * The process edge of shutdown: the configured signals start it (the first) and force it (the
 * second), and when it ends the process exits with a code the config chooses, after saying on
 * stderr what happened (one line when every resource was released, a table of what was not
 * otherwise). The kernel hands in what to call; this module owns the handlers and the wording.
 */
import { constants } from "node:os";
import type { ShutdownReport } from "../types.js";

/** Exit code policy after a signal-initiated shutdown (`shutdown.exitCode`). */
export type SignalExitCode = "zero-on-success" | "conventional";
/** What a signal-initiated shutdown prints on stderr (`shutdown.report`). */
export type SignalReport = "silent" | "summary" | "table";

/** What installSignalHandlers needs from the kernel. */
export interface SignalShutdown {
  signals: readonly string[];
  exitCode: SignalExitCode;
  report: SignalReport;
  /** Called for every signal received (the kernel emits `kernel:signal`). */
  onSignal(signal: string, count: number): void;
  /** Starts shutdown; resolves with its report. */
  shutdown(signal: string): Promise<ShutdownReport>;
  /** Second signal: force everything now. */
  forceNow(): void;
  exit(code: number): void;
  /** Where the report goes. Default process.stderr. */
  write?: (text: string) => void;
}

/** After a second signal the process exits this soon, whatever is still running. */
export const SECOND_SIGNAL_EXIT_MS = 100;

/**
 * The exit code of a shutdown started by `signal`: 1 when the report is not ok; when it is ok, 0, or
 * 128 + the signal number with "conventional" (143 for SIGTERM, 130 for SIGINT).
 */
export function signalExitCode(signal: string, ok: boolean, policy: SignalExitCode): number {
  if (!ok) return 1;
  if (policy === "zero-on-success") return 0;
  const n = (constants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? 0 : 128 + n;
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));

/**
 * What a signal-initiated shutdown prints: with "summary", one line when clean and the table of the
 * resources that were not released otherwise; with "table", every resource; "silent" prints nothing.
 */
export function formatSignalReport(signal: string, report: ShutdownReport, code: number, mode: SignalReport): string {
  if (mode === "silent") return "";
  const total = report.outcomes.length;
  const bad = report.outcomes.filter((o) => o.outcome !== "released");
  const elapsed = `${Math.round(report.elapsedMs)} ms`;
  const hookErrors = (report.errors?.errors.length ?? 0) - bad.length;
  if (report.ok && mode === "summary") {
    return `custodian: ${signal}: shut down cleanly in ${elapsed} (${total} ${total === 1 ? "resource" : "resources"} released); exit code ${code}\n`;
  }
  const head = report.ok
    ? `custodian: ${signal}: shut down cleanly in ${elapsed}; exit code ${code}`
    : `custodian: ${signal}: shutdown ended in ${elapsed}: ${bad.length} of ${total} ${total === 1 ? "resource" : "resources"} not released${hookErrors > 0 ? `, ${hookErrors} shutdown hook error(s)` : ""}; exit code ${code}`;
  const rows = (mode === "table" ? report.outcomes : bad).map((o) => [o.name ?? o.id, o.type, o.outcome, `${Math.round(o.elapsedMs)} ms`]);
  if (rows.length === 0) return `${head}\n`;
  const all = [["RESOURCE", "TYPE", "OUTCOME", "ELAPSED"], ...rows];
  const widths = all[0].map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return (
    [
      head,
      ...all.map(
        (r) =>
          "  " +
          r
            .map((c, i) => pad(c, widths[i]))
            .join("  ")
            .trimEnd(),
      ),
    ].join("\n") + "\n"
  );
}

/**
 * Installs the handlers; returns the function that removes them (idempotent).
 * **Gotchas:** the second signal exits after SECOND_SIGNAL_EXIT_MS of real time: this is the process edge.
 */
export function installSignalHandlers(opts: SignalShutdown): () => void {
  const write = opts.write ?? ((text: string) => void process.stderr.write(text));
  const say = (text: string): void => {
    if (opts.report === "silent" || text === "") return;
    try {
      write(text);
    } catch {
      // A closed stderr must not change the exit code.
    }
  };
  let count = 0;
  const handlers: Array<[string, () => void]> = [];
  for (const sig of opts.signals) {
    const handler = (): void => {
      count++;
      opts.onSignal(sig, count);
      if (count === 1) {
        opts.shutdown(sig).then(
          (report) => {
            const code = signalExitCode(sig, report.ok, opts.exitCode);
            say(formatSignalReport(sig, report, code, opts.report));
            opts.exit(code);
          },
          (error: unknown) => {
            say(`custodian: ${sig}: shutdown failed: ${error instanceof Error ? error.message : String(error)}; exit code 1\n`);
            opts.exit(1);
          },
        );
      } else {
        say(`custodian: second ${sig}: forcing every resource now; exit code 1\n`);
        opts.forceNow();
        // Real time on purpose: this is the process edge.
        setTimeout(() => opts.exit(1), SECOND_SIGNAL_EXIT_MS).unref();
      }
    };
    process.on(sig as NodeJS.Signals, handler);
    handlers.push([sig, handler]);
  }
  return () => {
    for (const [sig, handler] of handlers.splice(0)) process.off(sig as NodeJS.Signals, handler);
  };
}
