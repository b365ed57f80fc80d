import { describe, expect, it } from "vitest";
import { isKernelError } from "@custodian/core";
import {
  FsErrorCodes,
  FsInvalidSpecError,
  FsNotOwnedError,
  FsOutsideRootError,
  FsRootNotPrivateError,
  FsStreamClosingError,
  FsUnsafeRootError,
  FsWriteIncompleteError,
} from "../src/index.js";

describe("fs error codes", () => {
  it("each class carries its code and is a KernelError", () => {
    const errors = [
      new FsOutsideRootError("../x", "/tmp/r", '".." escape'),
      new FsUnsafeRootError("/tmp/r", "it is a symbolic link"),
      new FsNotOwnedError("/tmp/r/p/x", "it has been replaced by a symbolic link"),
      new FsWriteIncompleteError("/tmp/out", 100, 40),
      new FsStreamClosingError("/tmp/out"),
      new FsInvalidSpecError("fs.file: path"),
      new FsRootNotPrivateError("/tmp/r", "its mode is 0777", "Run `chmod 700 /tmp/r`"),
    ];
    expect(errors.map((e) => e.code)).toEqual(Object.values(FsErrorCodes));
    for (const e of errors) expect(isKernelError(e, e.code)).toBe(true);
  });

  it("messages name the subject, what happened and how to fix it", () => {
    const e = new FsWriteIncompleteError("/tmp/out", 100, 40);
    expect(e.unflushedBytes).toBe(60);
    expect(e.message).toBe(
      'Write stream to "/tmp/out" was destroyed at its release budget with 60 of 100 accepted bytes not flushed (40 on disk). Give the resource a longer "timeout" or write less before shutdown.',
    );
    expect(new FsRootNotPrivateError("/srv/x", "its mode is 0777: other users can write to it", "Run `chmod 700 /srv/x`").message).toBe(
      'Managed root "/srv/x" is not private: its mode is 0777: other users can write to it. Run `chmod 700 /srv/x`. Nothing was reaped or created.',
    );
    expect(new FsUnsafeRootError("/tmp/custodian-0", "it is owned by uid 65534, not by this process (uid 0)").message).toBe(
      'Managed root "/tmp/custodian-0" is unsafe: it is owned by uid 65534, not by this process (uid 0). Remove it (as its owner) so that it is created again with mode 0700, or set the plugin\'s "root" option to a directory you own.',
    );
    expect(new FsOutsideRootError("../x", "/tmp/r", '".." escape').message).toBe(
      'Path "../x" resolves outside the managed root "/tmp/r" (".." escape); nothing was created or deleted. Use a relative name without ".." inside the root.',
    );
  });
});
