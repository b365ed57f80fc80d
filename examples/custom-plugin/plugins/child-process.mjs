// A user-written Custodian plugin, in plain JavaScript: it manages child processes, which none of
// the built-in plugins do. Declared in resource.config.yaml with `plugins: ["./plugins/child-process.mjs"]`.
import { spawn } from "node:child_process";
import { definePlugin } from "@custodian/core";

/** JSON Schema of a `child-process` resource in resource.config.yaml. */
const childSchema = {
  type: "object",
  properties: {
    command: { type: "string", minLength: 1 },
    args: { type: "array", items: { type: "string" }, default: [] },
    // Signal sent by the graceful release; SIGKILL is the force.
    stopSignal: { type: "string", enum: ["SIGTERM", "SIGINT", "SIGHUP"], default: "SIGTERM" },
  },
  required: ["command"],
  additionalProperties: false,
};

export default definePlugin({
  name: "child-process",
  version: "1.0.0",
  schema: {
    type: "object",
    properties: { echo: { type: "boolean", default: false } },
    additionalProperties: false,
  },
  // What apply() registers, so `custodian validate` checks child-process resources without applying.
  types: { "child-process": { schema: childSchema } },
  apply(kernel, options) {
    kernel.registerType("child-process", {
      schema: childSchema,
      timeoutMs: 1_000,
      async create(spec, ctx) {
        const child = spawn(spec.command, spec.args ?? [], { stdio: ["ignore", "pipe", "inherit"] });
        await new Promise((resolve, reject) => {
          child.once("error", reject);
          // The child says it is ready on its first line of output.
          child.stdout.once("data", (line) => {
            if (options.echo) process.stdout.write(`[${ctx.name}] ${line}`);
            resolve();
          });
        });
        child.stdout.resume();
        return { child, stopSignal: spec.stopSignal ?? "SIGTERM", startedAt: ctx.clock.now() };
      },
      // Graceful: ask it to stop and wait for it to exit; honour the kernel's abort signal.
      release({ child, stopSignal }, ctx) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        return new Promise((resolve) => {
          child.once("exit", () => resolve());
          ctx.signal.addEventListener("abort", () => resolve(), { once: true });
          child.kill(stopSignal);
        });
      },
      // Forced at the budget: SIGKILL cannot be ignored.
      force({ child }) {
        if (child.exitCode !== null || child.signalCode !== null) return;
        return new Promise((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        });
      },
      describe: ({ child }) => ({ pid: child.pid, running: child.exitCode === null && child.signalCode === null }),
    });
  },
});
