/**
 * Guards the process edge while shutdowns run: if the process exits before a kernel's shutdown
 * report is done (a release called `process.exit()`, or something else did), the exit code becomes
 * 1 (unless it already says failure) and the resources that were not released are named on
 * stderr, written synchronously: nothing asynchronous runs after 'exit'. One 'exit' listener
 * serves every kernel, installed while at least one is shutting down.
 */
import { writeSync } from "node:fs";

/** Each closing kernel's description of what it has not released yet ("" when nothing). */
const closing = new Set<() => string>();

function onExit(): void {
  const lines = [...closing].map((describe) => describe()).filter((line) => line !== "");
  if (lines.length === 0) return;
  if (Number(process.exitCode ?? 0) === 0) process.exitCode = 1;
  try {
    writeSync(2, lines.map((line) => `${line}\n`).join(""));
  } catch {
    // stderr is closed: the exit code still says it.
  }
}

/**
 * @internal Marks a shutdown as running until the returned function is called; `describe` says
 * what is still unreleased when the process exits meanwhile.
 */
export function guardExit(describe: () => string): () => void {
  if (closing.size === 0) process.on("exit", onExit);
  closing.add(describe);
  return () => {
    if (!closing.delete(describe)) return;
    if (closing.size === 0) process.off("exit", onExit);
  };
}
