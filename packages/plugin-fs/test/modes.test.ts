// File modes in resource.config.yaml keep their meaning (issue 13 §7): "0640" is octal; a plain
// 0640 (decimal 640 in YAML 1.2) is refused with a hint instead of creating a file with mode 0o1200.
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createKernel, ManualClock } from "@custodian/core";
import { fsPlugin, type TempPath } from "../src/index.js";
import { scratchDir } from "./helpers/fsKernel.js";

async function configWith(mode: string): Promise<{ file: string; root: string }> {
  const dir = await scratchDir();
  const file = join(dir, "resource.config.yaml");
  await writeFile(file, ["resources:", "  scratch:", "    type: fs.tempfile", `    mode: ${mode}`, ""].join("\n"));
  return { file, root: join(dir, "root") };
}

describe("fs modes in a config file", () => {
  it('mode: "0640" creates the file with mode 0o640', async () => {
    const { file, root } = await configWith('"0640"');
    const kernel = await createKernel({ env: {}, config: file, clock: new ManualClock(), plugins: [{ plugin: fsPlugin, options: { root } }] });
    onTestFinished(async () => void (await kernel.shutdown()));
    const h = await kernel.acquire<TempPath>("scratch");
    expect((await stat(h.value.path)).mode & 0o7777).toBe(0o640);
  });

  it("mode: 0640 unquoted is refused, suggesting the quoted form", async () => {
    const { file, root } = await configWith("0640");
    const error = await createKernel({ env: {}, config: file, clock: new ManualClock(), plugins: [{ plugin: fsPlugin, options: { root } }] }).then(
      () => undefined,
      (e: unknown) => e as { code: string; issues: Array<{ path: string; line: number; message: string }> },
    );
    expect(error?.code).toBe("ERR_CONFIG_INVALID");
    expect(error?.issues.map((i) => [i.path, i.line])).toEqual([["resources.scratch.mode", 4]]);
    expect(error?.issues[0].message).toContain('quote it: "0640"');
  });
});
