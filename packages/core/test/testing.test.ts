// @custodian/core/testing: what plugin authors use in their own tests.
import { describe, expect, it } from "vitest";
import { definePlugin, systemClock } from "@custodian/core";
import { createTestKernel } from "@custodian/core/testing";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "");

describe("createTestKernel", () => {
  it("searches no config, reads no environment, records events, and close() forces a hanging release past the deadline", async () => {
    process.env.CUSTODIAN_FEATURE_DEADLINE_CLEANUP = "off";
    try {
      const plugin = definePlugin({ name: "p", apply: (kernel) => kernel.emitPluginEvent("p", "ready", { n: 1 }) });
      // No config option: createKernel() would find the repository's resource.config.yaml from the
      // working directory (it declares resources and signal handlers); createTestKernel does not search.
      expect(process.cwd()).toBe(repoRoot);
      expect(existsSync(`${repoRoot}/resource.config.yaml`)).toBe(true);
      const t = await createTestKernel({ plugins: [plugin] });
      expect(t.kernel.config.resources ?? {}).toEqual({});
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
