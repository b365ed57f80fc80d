import { describe, expect, it } from "vitest";
import { isKernelError } from "@custodian/core";
import {
  FsErrorCodes,
  FsInvalidSpecError,
  FsNotOwnedError,
  FsOutsideRootError,
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
    expect(new FsOutsideRootError("../x", "/tmp/r", '".." escape').message).toBe(
      'Path "../x" resolves outside the managed root "/tmp/r" (".." escape); nothing was created or deleted. Use a relative name without ".." inside the root.',
    );
  });
});
