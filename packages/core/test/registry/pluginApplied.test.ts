// `plugin:applied` is declared in the KernelEvent union: it must be what the kernel emits when a
// plugin's apply() has settled (issue 16), not a `plugin:event` carrying the same name.
import { createKernel, definePlugin, ManualClock, type KernelEvent } from "@custodian/core";
import { expect, it, onTestFinished } from "vitest";

it("emits plugin:applied, with the plugin's name, once per applied plugin", async () => {
  const events: KernelEvent[] = [];
  const recorder = definePlugin({ name: "recorder", apply: (k) => void k.events$.subscribe((e) => events.push(e)) });
  const clock = new ManualClock();
  const kernel = await createKernel({ clock, env: {}, config: {}, plugins: [recorder, definePlugin({ name: "second", apply() {} })] });
  onTestFinished(() => void kernel.shutdown());
  const applied = events.filter((e) => e.type === "plugin:applied");
  expect(applied).toEqual([
    { type: "plugin:applied", at: clock.now(), plugin: "recorder", elapsedMs: 0 },
    { type: "plugin:applied", at: clock.now(), plugin: "second", elapsedMs: 0 },
  ]);
  expect(events.filter((e) => e.type === "plugin:event")).toEqual([]);
});
