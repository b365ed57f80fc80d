// The managed root must be private to this user: a root that another user can write to (or swap out
// from under the reaper) is refused before anything is created or reaped.
import { existsSync, statSync } from "node:fs";
import { chmod, chown, mkdir, rename, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { fsPluginState, ManagedRoot, type TempPath } from "../src/index.js";
import { makeFsKernel, scratchDir } from "./helpers/fsKernel.js";

const isRoot = process.getuid?.() === 0;

/** Points os.tmpdir() at `dir` for this test (it reads TMPDIR on every call). */
function useTmpdir(dir: string): void {
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  onTestFinished(() => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
  });
}

const refusal = (code: string) => ({ code: "ERR_PLUGIN_APPLY", cause: { code } });

describe("the managed root is private", () => {
  it("refuses a root writable by group or others (0777, 1777, 0770) with ERR_FS_ROOT_NOT_PRIVATE naming the fix", async () => {
    const dir = await scratchDir();
    for (const mode of [0o777, 0o1777, 0o770, 0o720]) {
      const root = join(dir, `root-${mode.toString(8)}`);
      await mkdir(root);
      await chmod(root, mode);
      const err = await makeFsKernel({ root }).then(
        () => undefined,
        (e: unknown) => (e as { cause: Error & { code: string; root: string } }).cause,
      );
      expect(err, mode.toString(8)).toMatchObject({ code: "ERR_FS_ROOT_NOT_PRIVATE", root });
      expect(err!.message).toContain(`chmod 700 ${root}`);
      expect(err!.message).toContain(mode.toString(8).padStart(4, "0"));
    }
  });

  it("refuses the filesystem root, the home folder and the temp folder itself", async () => {
    for (const root of ["/", homedir(), tmpdir()]) {
      await expect(makeFsKernel({ root }), root).rejects.toMatchObject(refusal("ERR_FS_ROOT_NOT_PRIVATE"));
      await expect(new ManagedRoot(root, 0).reap(), root).rejects.toMatchObject({ code: "ERR_FS_ROOT_NOT_PRIVATE" });
    }
  });

  it("refuses a root under a folder others can write to without the sticky bit; accepts one under a sticky folder", async () => {
    const dir = await scratchDir();
    const open = join(dir, "open");
    await mkdir(join(open, "root"), { recursive: true, mode: 0o700 });
    await chmod(open, 0o777);
    await expect(makeFsKernel({ root: join(open, "root") })).rejects.toMatchObject(refusal("ERR_FS_ROOT_NOT_PRIVATE"));
    // Not created yet: refused at start all the same, not at first use.
    await expect(makeFsKernel({ root: join(open, "later", "root") })).rejects.toMatchObject(refusal("ERR_FS_ROOT_NOT_PRIVATE"));
    expect(existsSync(join(open, "later"))).toBe(false);
    await chmod(open, 0o1777);
    const { kernel } = await makeFsKernel({ root: join(open, "root") });
    await kernel.acquire<TempPath>({ type: "fs.tempdir" });
  });

  it("refuses a root owned by another user with ERR_FS_UNSAFE_ROOT", async () => {
    const dir = await scratchDir();
    let root = "/usr";
    if (isRoot) {
      root = join(dir, "theirs");
      await mkdir(root, { mode: 0o700 });
      await chown(root, 65534, 65534);
    }
    await expect(makeFsKernel({ root })).rejects.toMatchObject(refusal("ERR_FS_UNSAFE_ROOT"));
  });

  it("a root opened up after start is refused by the next reap; nothing is removed", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    const { kernel } = await makeFsKernel({ root });
    const t = await kernel.acquire<TempPath>({ type: "fs.tempdir" });
    const managed = fsPluginState(kernel)!.root;
    await chmod(root, 0o777);
    await expect(managed.reap()).rejects.toMatchObject({ code: "ERR_FS_ROOT_NOT_PRIVATE" });
    expect(existsSync(t.value.path)).toBe(true);
    await chmod(root, 0o700);
  });

  it("a root replaced by another folder after start is refused by the next reap", async () => {
    const dir = await scratchDir();
    const root = join(dir, "root");
    await mkdir(root, { mode: 0o700 });
    const { kernel } = await makeFsKernel({ root });
    await rename(root, join(dir, "old-root"));
    await mkdir(root, { mode: 0o700 });
    await expect(fsPluginState(kernel)!.root.reap()).rejects.toMatchObject({ code: "ERR_FS_UNSAFE_ROOT" });
  });
});

describe("the default root", () => {
  it("is <os.tmpdir()>/custodian-<uid>/<app>, both folders created with mode 0700", async () => {
    const dir = await scratchDir();
    useTmpdir(dir);
    const { kernel } = await makeFsKernel({ app: "importer" });
    const t = await kernel.acquire<TempPath>({ type: "fs.tempfile" });
    const perUser = join(dir, `custodian-${process.getuid!()}`);
    expect(fsPluginState(kernel)!.root.path).toBe(join(perUser, "importer"));
    expect(t.value.path.startsWith(join(perUser, "importer") + "/")).toBe(true);
    expect(statSync(perUser).mode & 0o777).toBe(0o700);
    expect(statSync(join(perUser, "importer")).mode & 0o777).toBe(0o700);
  });

  it("pre-created with a wrong mode: refused at start saying how to fix it; once removed, the next start works", async () => {
    const dir = await scratchDir();
    useTmpdir(dir);
    const perUser = join(dir, `custodian-${process.getuid!()}`);
    await mkdir(perUser);
    await chmod(perUser, 0o777);
    const err = await makeFsKernel({ app: "importer" }).then(
      () => undefined,
      (e: unknown) => (e as { cause: Error & { code: string } }).cause,
    );
    expect(err).toMatchObject({ code: "ERR_FS_ROOT_NOT_PRIVATE" });
    expect(err!.message).toContain(perUser);
    expect(err!.message).toContain('"root" option');
    await rm(perUser, { recursive: true });
    const { kernel } = await makeFsKernel({ app: "importer" });
    await kernel.acquire<TempPath>({ type: "fs.tempdir" });
  });

  it.skipIf(!isRoot && process.env.CI !== "true")("pre-created by another user: refused at start with a clear error (remove it or set root)", async () => {
    const dir = await scratchDir();
    useTmpdir(dir);
    const perUser = join(dir, `custodian-${process.getuid!()}`);
    await mkdir(join(perUser, "importer"), { recursive: true, mode: 0o700 });
    await chown(perUser, 65534, 65534);
    const err = await makeFsKernel({ app: "importer" }).then(
      () => undefined,
      (e: unknown) => (e as { cause: Error & { code: string } }).cause,
    );
    expect(err).toMatchObject({ code: "ERR_FS_ROOT_NOT_PRIVATE" });
    expect(err!.message).toContain(`Remove "${perUser}"`);
    expect(err!.message).toContain('"root" option');
    // Not a dead end: a configured root works.
    const { kernel } = await makeFsKernel({ app: "importer", root: join(dir, "mine") });
    await kernel.acquire<TempPath>({ type: "fs.tempdir" });
  });
});
