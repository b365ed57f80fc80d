import { existsSync, readdirSync } from "node:fs";
import { lstat, mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isKernelError } from "@custodian/core";
import { fsPluginState, type TempPath } from "../src/index.js";
import { makeFsKernel, scratchDir } from "./helpers/fsKernel.js";

/** A folder outside the root holding a canary file that must survive every test. */
async function canary(dir: string): Promise<{ outside: string; file: string; check: () => Promise<void> }> {
  const outside = join(dir, "outside");
  await mkdir(outside);
  const file = join(outside, "canary.txt");
  await writeFile(file, "alive");
  return {
    outside,
    file,
    check: async () => {
      expect(await readFile(file, "utf8")).toBe("alive");
      expect(readdirSync(outside).sort()).toEqual(["canary.txt"]);
    },
  };
}

describe("path safety", () => {
  it("refuses '..' escapes and absolute paths elsewhere with ERR_FS_OUTSIDE_ROOT, creating nothing", async () => {
    const dir = await scratchDir();
    const c = await canary(dir);
    const root = join(dir, "root");
    const { kernel } = await makeFsKernel({ root, baseDir: dir });
    const attempts = [
      { type: "fs.tempdir", subpath: "../escape" },
      { type: "fs.tempdir", subpath: "../../outside/x" },
      { type: "fs.tempfile", subpath: "a/../../../outside/canary.txt" },
      { type: "fs.tempfile", subpath: c.file },
      { type: "fs.tempdir", subpath: c.outside },
      { type: "fs.tempdir", subpath: "/etc" },
      // prefix and suffix are checked by the YAML schema, but ad-hoc specs bypass it.
      { type: "fs.tempdir", prefix: "../../outside/x" },
      { type: "fs.tempfile", suffix: "/../../../outside/y" },
    ];
    for (const spec of attempts) {
      const err = await kernel.acquire(spec).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isKernelError(err, "ERR_FS_OUTSIDE_ROOT"), JSON.stringify(spec)).toBe(true);
    }
    // Refused before anything was made: not even the root exists.
    expect(existsSync(root)).toBe(false);
    await c.check();
    expect(kernel.snapshot()).toHaveLength(0);
  });

  it("refuses a name that goes through a symlink pointing outside the root", async () => {
    const dir = await scratchDir();
    const c = await canary(dir);
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const inside = await kernel.acquire<TempPath>({ type: "fs.tempdir", subpath: "legit" });
    const processDir = fsPluginState(kernel)!.root.processDir!;
    await symlink(c.outside, join(processDir, "link"));
    await expect(kernel.acquire({ type: "fs.tempfile", subpath: "link/new.txt" })).rejects.toMatchObject({ code: "ERR_FS_OUTSIDE_ROOT" });
    await expect(kernel.acquire({ type: "fs.tempdir", subpath: "link/sub/deeper" })).rejects.toMatchObject({ code: "ERR_FS_OUTSIDE_ROOT" });
    // The link itself as the target: exclusive create refuses to open through it.
    await expect(kernel.acquire({ type: "fs.tempfile", subpath: "link" })).rejects.toMatchObject({ code: "EEXIST" });
    await c.check();
    expect((await inside.release()).outcome).toBe("released");
  });

  it("a temp dir swapped for a symlink at release is not deleted (ERR_FS_NOT_OWNED), nor is its target", async () => {
    const dir = await scratchDir();
    const c = await canary(dir);
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const h = await kernel.acquire<TempPath>({ type: "fs.tempdir" });
    const path = h.value.path;
    await rm(path, { recursive: true });
    await symlink(c.outside, path);
    const outcome = await h.release();
    expect(outcome.outcome).toBe("failed");
    expect(((outcome.error as Error).cause as { code: string }).code).toBe("ERR_FS_NOT_OWNED");
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    await c.check();
  });

  it("a temp file replaced by another file at release is left alone", async () => {
    const dir = await scratchDir();
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const h = await kernel.acquire<TempPath>({ type: "fs.tempfile", suffix: ".txt" });
    const path = h.value.path;
    await writeFile(path + ".new", "someone else's");
    await rename(path + ".new", path);
    const outcome = await h.release();
    expect(((outcome.error as Error).cause as { code: string }).code).toBe("ERR_FS_NOT_OWNED");
    expect(await readFile(path, "utf8")).toBe("someone else's");
  });

  it("a symlink inside a temp dir is removed with the dir; what it points to survives", async () => {
    const dir = await scratchDir();
    const c = await canary(dir);
    const { kernel } = await makeFsKernel({ root: join(dir, "root"), baseDir: dir });
    const h = await kernel.acquire<TempPath>({ type: "fs.tempdir" });
    const path = h.value.path;
    await symlink(c.outside, join(path, "to-outside"));
    await symlink(c.file, join(path, "to-canary"));
    await writeFile(join(path, "mine.txt"), "x");
    expect((await h.release()).outcome).toBe("released");
    expect(existsSync(path)).toBe(false);
    await c.check();
  });

  it("refuses a root that is a symlink (ERR_FS_UNSAFE_ROOT) without touching its target", async () => {
    const dir = await scratchDir();
    const c = await canary(dir);
    await symlink(c.outside, join(dir, "root"));
    await expect(makeFsKernel({ root: join(dir, "root"), baseDir: dir })).rejects.toMatchObject({
      code: "ERR_PLUGIN_APPLY",
      cause: { code: "ERR_FS_UNSAFE_ROOT" },
    });
    await writeFile(join(dir, "plain-file"), "");
    await expect(makeFsKernel({ root: "plain-file", baseDir: dir })).rejects.toMatchObject({ code: "ERR_PLUGIN_APPLY", cause: { code: "ERR_FS_UNSAFE_ROOT" } });
    await c.check();
  });
});
