/**
 * Every error @custodian/plugin-fs throws: KernelError subclasses with stable ERR_FS_* codes.
 */
import { KernelError } from "@custodian/core";

/** Every error code of plugin-fs, keyed by itself. */
export const FsErrorCodes = Object.freeze({
  ERR_FS_OUTSIDE_ROOT: "ERR_FS_OUTSIDE_ROOT",
  ERR_FS_UNSAFE_ROOT: "ERR_FS_UNSAFE_ROOT",
  ERR_FS_NOT_OWNED: "ERR_FS_NOT_OWNED",
  ERR_FS_WRITE_INCOMPLETE: "ERR_FS_WRITE_INCOMPLETE",
  ERR_FS_STREAM_CLOSING: "ERR_FS_STREAM_CLOSING",
  ERR_FS_INVALID_SPEC: "ERR_FS_INVALID_SPEC",
  ERR_FS_ROOT_NOT_PRIVATE: "ERR_FS_ROOT_NOT_PRIVATE",
} as const);

export type FsErrorCode = keyof typeof FsErrorCodes;

/** A path would land outside the managed root (`..`, an absolute path elsewhere, or a symlink out). Nothing was touched. */
export class FsOutsideRootError extends KernelError {
  readonly path: string;
  readonly root: string;
  constructor(path: string, root: string, why: string) {
    super(
      "ERR_FS_OUTSIDE_ROOT",
      `Path ${JSON.stringify(path)} resolves outside the managed root ${JSON.stringify(root)} (${why}); nothing was created or deleted. Use a relative name without ".." inside the root.`,
    );
    this.path = path;
    this.root = root;
  }
}

/** The managed root exists but is not a directory owned by this user (a symlink, a file, someone else's folder). */
export class FsUnsafeRootError extends KernelError {
  readonly root: string;
  constructor(root: string, why: string) {
    super(
      "ERR_FS_UNSAFE_ROOT",
      `Managed root ${JSON.stringify(root)} is unsafe: ${why}. Remove it (as its owner) so that it is created again with mode 0700, or set the plugin's "root" option to a directory you own.`,
    );
    this.root = root;
  }
}

/**
 * The managed root is one other users could tamper with while it is reaped: writable by group or
 * others, a shared system folder (`/`, the home or temp folder), or under a folder another user can write.
 */
export class FsRootNotPrivateError extends KernelError {
  readonly root: string;
  constructor(root: string, why: string, fix: string) {
    super("ERR_FS_ROOT_NOT_PRIVATE", `Managed root ${JSON.stringify(root)} is not private: ${why}. ${fix}. Nothing was reaped or created.`);
    this.root = root;
  }
}

/** At release, the path no longer is what Custodian created (replaced, swapped for a symlink): it is left alone. */
export class FsNotOwnedError extends KernelError {
  readonly path: string;
  constructor(path: string, why: string) {
    super("ERR_FS_NOT_OWNED", `Refusing to delete ${JSON.stringify(path)}: ${why}. Custodian only deletes what it created; nothing was deleted.`);
    this.path = path;
  }
}

/** A write stream was destroyed at its budget with bytes that write() had accepted still unflushed. */
export class FsWriteIncompleteError extends KernelError {
  readonly path: string;
  /** Bytes write() accepted in total. */
  readonly acceptedBytes: number;
  /** Bytes on disk when the stream closed. */
  readonly writtenBytes: number;
  /** acceptedBytes - writtenBytes: what was lost. */
  readonly unflushedBytes: number;
  constructor(path: string, acceptedBytes: number, writtenBytes: number, options?: ErrorOptions) {
    const unflushed = acceptedBytes - writtenBytes;
    super(
      "ERR_FS_WRITE_INCOMPLETE",
      `Write stream to ${JSON.stringify(path)} was destroyed at its release budget with ${unflushed} of ${acceptedBytes} accepted bytes not flushed (${writtenBytes} on disk). Give the resource a longer "timeout" or write less before shutdown.`,
      options,
    );
    this.path = path;
    this.acceptedBytes = acceptedBytes;
    this.writtenBytes = writtenBytes;
    this.unflushedBytes = unflushed;
  }
}

/** write() after the release of a write stream began: the chunk is refused (the stream is not destroyed). */
export class FsStreamClosingError extends KernelError {
  constructor(path: string) {
    super(
      "ERR_FS_STREAM_CLOSING",
      `Write stream to ${JSON.stringify(path)} is being released; write() after release is refused and the chunk was not written.`,
    );
  }
}

/** A resource spec or plugin option that the JSON schema cannot express was wrong. */
export class FsInvalidSpecError extends KernelError {
  constructor(message: string) {
    super("ERR_FS_INVALID_SPEC", message);
  }
}
