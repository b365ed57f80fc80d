// @custodian/core/testing: what plugin authors use in their own tests.
import { describe, expect, it } from "vitest";
import { definePlugin, systemClock } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";

describe("createTestKernel", () => {
  it("searches no config, reads no environment, records events, and close() forces a hanging release past the deadline", async () => {
    process.env.CUSTODIAN_FEATURE_DEADLINE_CLEANUP = "off";
    try {
      const plugin = definePlugin({ name: "p", apply: (kernel) => kernel.emitPluginEvent("p", "ready", { n: 1 }) });
      const t = await createTestKernel({ plugins: [plugin], config: { shutdown: { deadline: "2s" } } });
      // The repository's resource.config.yaml (found from cwd) declares resources: none here.
      expect(Object.keys(t.kernel.config.resources ?? {})).toEqual([]);
      expect(t.kernel.features.isEnabled("deadlineCleanup")).toBe(true);
      expect(t.pluginEvents("p", "ready")).toEqual([{ n: 1 }]);
      const h = t.kernel.adopt({}, { type: "stuck", release: () => new Promise<void>(() => {}), force: () => {} });
      const report = await t.close();
      expect(report.outcomes.find((o) => o.id === h.id)?.outcome).toBe("forced");
      expect(await t.close()).toBe(report);
      expect(t.events.at(-1)?.type).toBe("kernel:shutdown-completed");
    } finally {
      delete process.env.CUSTODIAN_FEATURE_DEADLINE_CLEANUP;
    }
  });

  it("refuses a real clock (close() could not drive it)", async () => {
    await expect(createTestKernel({ clock: systemClock })).rejects.toThrow("clock must be a ManualClock");
  });
});
