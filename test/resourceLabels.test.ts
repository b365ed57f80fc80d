/**
 * `resources.<name>.labels` (documented by plugin-alerts, read by its rules) is accepted by the
 * core schema on a resource of any type, and is not passed to the type's `create` (a closed type
 * schema would otherwise see an unknown option).
 */
import { createKernel, definePlugin } from "@custodian/core";
import { expect, it, onTestFinished } from "vitest";

it("a declared resource keeps its labels in config; its type's create never sees them", async () => {
  const specs: Record<string, unknown>[] = [];
  const plugin = definePlugin({
    name: "thing",
    types: { thing: { schema: { type: "object", properties: { size: { type: "integer" } }, additionalProperties: false } } },
    apply(kernel) {
      kernel.registerType("thing", {
        schema: { type: "object", properties: { size: { type: "integer" } }, additionalProperties: false },
        create: (spec) => void specs.push({ ...spec }),
        release: () => {},
      });
    },
  });
  const kernel = await createKernel({
    config: { resources: { box: { type: "thing", size: 2, labels: { team: "payments" } } } },
    plugins: [plugin],
    env: {},
    exit: () => {},
  });
  onTestFinished(async () => void (await kernel.shutdown()));
  expect(kernel.config.resources?.box?.labels).toEqual({ team: "payments" });
  await kernel.acquire("box");
  expect(specs).toEqual([{ size: 2 }]);
});

it("labels must be a mapping of strings", async () => {
  await expect(
    createKernel({
      config: { resources: { box: { type: "thing", labels: { tier: 1 } as unknown as Record<string, string> } } },
      plugins: [],
      env: {},
      exit: () => {},
    }),
  ).rejects.toMatchObject({ code: "ERR_CONFIG_INVALID" });
});
