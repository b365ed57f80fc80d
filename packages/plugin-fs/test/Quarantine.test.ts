// Deletion through the quarantine folder: only the very entry that was judged is removed; anything
// swapped in its place is put back untouched; the walk never follows a symlink.
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { chown, mkdir, rename, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Quarantine, removeTree } from "../src/Quarantine.js";
import { scratchDir } from "./helpers/fsKernel.js";

const identity = (path: string) => {
  const st = lstatSync(path);
  return { dev: st.dev, ino: st.ino };
};

async function setup() {
  const dir = await scratchDir();
  const root = join(dir, "root");
  const victim = join(dir, "victim");
  await mkdir(root, { mode: 0o700 });
  await mkdir(victim);
  await writeFile(join(victim, "precious"), "keep");
  let n = 0;
  const quarantine = new Quarantine(root, () => `q${process.pid}-test-${n++}`);
  return { dir, root, victim, quarantine };
}

describe("Quarantine", () => {
  it("removes the judged folder and lists nothing else in the root afterwards", async () => {
    const { root, quarantine } = await setup();
    const target = join(root, "p1");
    await mkdir(join(target, "a", "b"), { recursive: true });
    await writeFile(join(target, "a", "b", "f"), "x");
    expect(await quarantine.remove(target, identity(target))).toEqual({ status: "removed" });
    await quarantine.close();
    expect(readdirSync(root)).toEqual([]);
  });

  it("a folder swapped for a symlink after it was judged is put back, and its target is untouched", async () => {
    const { root, victim, quarantine } = await setup();
    const target = join(root, "p1");
    await mkdir(target);
    const judged = identity(target);
    await rename(target, join(root, "moved"));
    await symlink(victim, target);
    const result = await quarantine.remove(target, judged);
    expect(result).toMatchObject({ status: "replaced" });
    expect(lstatSync(target).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(victim, "precious"), "utf8")).toBe("keep");
    expect(existsSync(join(root, "moved"))).toBe(true);
  });

  it("a folder replaced by another folder is put back untouched", async () => {
    const { root, quarantine } = await setup();
    const target = join(root, "p1");
    await mkdir(target);
    const judged = identity(target);
    await rename(target, join(root, "moved"));
    await mkdir(target);
    await writeFile(join(target, "theirs"), "x");
    expect(await quarantine.remove(target, judged)).toMatchObject({ status: "replaced" });
    expect(readdirSync(target)).toEqual(["theirs"]);
  });

  it("a folder already gone is reported vanished, not removed", async () => {
    const { root, quarantine } = await setup();
    expect(await quarantine.remove(join(root, "nothing"), { dev: 0, ino: 0 })).toMatchObject({ status: "vanished" });
  });

  it("the walk unlinks symlinks inside (to a file, to a folder), never their targets", async () => {
    const { root, victim } = await setup();
    const tree = join(root, "tree");
    await mkdir(join(tree, "sub"), { recursive: true });
    await symlink(victim, join(tree, "to-dir"));
    await symlink(join(victim, "precious"), join(tree, "sub", "to-file"));
    await removeTree(tree);
    expect(existsSync(tree)).toBe(false);
    expect(readdirSync(victim)).toEqual(["precious"]);
  });

  it.skipIf(process.getuid?.() !== 0 && process.env.CI !== "true")("as root: the walk stops at an entry owned by another user (ERR_FS_NOT_OWNED)", async () => {
    const { root } = await setup();
    const tree = join(root, "tree");
    await mkdir(tree);
    await writeFile(join(tree, "theirs"), "x");
    await chown(join(tree, "theirs"), 65534, 65534);
    await expect(removeTree(tree)).rejects.toMatchObject({ code: "ERR_FS_NOT_OWNED" });
    expect(readdirSync(tree)).toEqual(["theirs"]);
  });
});
