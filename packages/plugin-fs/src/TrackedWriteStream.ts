/**
 * An `fs.WriteStream` that counts every byte `write()` accepts, so that a release can prove
 * what reached the disk and a forced release can say exactly how much did not.
 */
import { fstatSync, fsync, stat, WriteStream } from "node:fs";
import { FsStreamClosingError, FsWriteIncompleteError } from "./errors.js";

type WriteCallback = (error: Error | null | undefined) => void;

/** Options of a tracked write stream (a subset of `fs.createWriteStream`'s). */
export interface TrackedWriteStreamOptions {
  flags?: "w" | "wx" | "a" | "ax";
  mode?: number;
  encoding?: BufferEncoding;
  highWaterMark?: number;
  /** fsync the file after the last write, before it closes, so that accepted bytes survive a power loss. */
  fsync?: boolean;
}

// fs.WriteStream is a function constructor taking (path, options); its typings only show Writable's.
const WriteStreamCtor = WriteStream as unknown as new (path: string, options: object) => WriteStream;

/**
 * The value of an `fs.writeStream` resource: a real `fs.WriteStream` (pipe into it, listen to it)
 * whose `write()` refuses chunks once release began instead of destroying the stream.
 *
 * **Gotchas** A plain `fs.WriteStream` destroys itself, buffered data included, on a write after
 * `end()`; this one answers such a write with `ERR_FS_STREAM_CLOSING` in the callback and keeps flushing.
 */
export class TrackedWriteStream extends WriteStreamCtor {
  #accepted = 0;
  #refused = 0;
  #closing = false;
  /** File size when the stream opened (append mode writes after it). */
  #initialSize = 0;
  #lastError: Error | undefined;
  readonly #encoding: BufferEncoding;
  readonly #fsync: boolean;
  #synced = false;

  constructor(path: string, options: TrackedWriteStreamOptions = {}) {
    super(path, { flags: options.flags ?? "w", mode: options.mode, encoding: options.encoding, highWaterMark: options.highWaterMark });
    this.#encoding = options.encoding ?? "utf8";
    this.#fsync = options.fsync === true;
    this.once("open", (fd: number) => {
      try {
        this.#initialSize = fstatSync(fd).size;
      } catch {
        this.#initialSize = 0;
      }
    });
    // Kept so that an I/O error is reported by the release, never thrown as an unhandled 'error'.
    this.on("error", (error: Error) => {
      this.#lastError ??= error;
    });
  }

  /** Bytes `write()` accepted so far. */
  get acceptedBytes(): number {
    return this.#accepted;
  }

  /** Bytes refused because they were written after release began (or after end/destroy). */
  get refusedBytes(): number {
    return this.#refused;
  }

  /** True once release began: further writes are refused. */
  get releasing(): boolean {
    return this.#closing;
  }

  /** The first error the stream emitted, if any. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** True once the file was fsync'ed after its last write (with the `fsync` option). */
  get synced(): boolean {
    return this.#synced;
  }

  /** Runs after every accepted byte is written and before 'finish': the place for fsync. @internal */
  override _final(callback: (error?: Error | null) => void): void {
    // Node 20's fs.WriteStream has no _final; later versions may (the `flush` option).
    const base = (WriteStream.prototype as { _final?: (cb: (error?: Error | null) => void) => void })._final;
    const next = (error?: Error | null): void => {
      if (error != null || base === undefined) callback(error);
      else base.call(this, callback);
    };
    if (!this.#fsync) return next();
    const fd = (this as unknown as { fd: number | null }).fd;
    if (typeof fd !== "number") return next();
    fsync(fd, (error) => {
      if (error === null) this.#synced = true;
      next(error);
    });
  }

  override write(chunk: unknown, encoding?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean {
    const callback = typeof encoding === "function" ? encoding : cb;
    const enc = typeof encoding === "string" ? encoding : undefined;
    const size = typeof chunk === "string" ? Buffer.byteLength(chunk, enc ?? this.#encoding) : ((chunk as Uint8Array | undefined)?.byteLength ?? 0);
    if (this.#closing || this.writableEnded || this.destroyed) {
      this.#refused += size;
      if (callback !== undefined) process.nextTick(callback, new FsStreamClosingError(String(this.path)));
      return false;
    }
    this.#accepted += size;
    return enc === undefined ? super.write(chunk, callback) : super.write(chunk, enc, callback);
  }

  /** @internal Stops accepting writes (the first step of a release). */
  beginRelease(): void {
    this.#closing = true;
  }

  /** Ends the stream and resolves once it has finished and closed (every accepted byte written). @internal */
  async endAndClose(): Promise<void> {
    this.beginRelease();
    if (!this.closed) {
      await new Promise<void>((resolve) => {
        this.once("close", () => resolve());
        // Destroyed (by the user) but not yet closed: 'close' is on its way; end() would do nothing.
        if (!this.writableEnded && !this.destroyed) this.end();
      });
    }
    await this.#check();
  }

  /** Destroys the stream, waits for its fd to close, and reports any shortfall. @internal */
  async destroyAndClose(): Promise<void> {
    this.beginRelease();
    if (!this.closed) {
      await new Promise<void>((resolve) => {
        this.once("close", () => resolve());
        this.destroy();
      });
    }
    await this.#check();
  }

  /** Bytes that reached the file: the stream's own count, or the file's growth when a write finished after destroy. */
  async writtenBytes(): Promise<number> {
    const size = await new Promise<number>((resolve) => stat(String(this.path), (err, st) => resolve(err === null ? st.size : 0)));
    return Math.max(this.bytesWritten, size - this.#initialSize);
  }

  async #check(): Promise<void> {
    const written = this.#accepted === this.bytesWritten ? this.bytesWritten : await this.writtenBytes();
    if (written < this.#accepted)
      throw new FsWriteIncompleteError(String(this.path), this.#accepted, written, this.#lastError === undefined ? undefined : { cause: this.#lastError });
    if (this.#lastError !== undefined) throw this.#lastError;
  }
}
