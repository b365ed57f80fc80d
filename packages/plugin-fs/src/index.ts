/**
 * @custodian/plugin-fs — file handles, write streams, temp files and watchers that never leak and
 * never lose data.
 */
export { fsPlugin, fsPlugin as default, fsPluginState } from "./fsPlugin.js";
export type { FileSpec, FsPluginOptions, FsPluginState, TempdirSpec, TempfileSpec, TempPath, WatcherSpec, WriteStreamSpec } from "./fsPlugin.js";
export { ManagedRoot, MARKER } from "./ManagedRoot.js";
export type { ProcessMarker, ReapResult, ReapSkipped } from "./ManagedRoot.js";
export { TrackedWriteStream } from "./TrackedWriteStream.js";
export type { TrackedWriteStreamOptions } from "./TrackedWriteStream.js";
export { fileSchema, fsPluginSchema, tempdirSchema, tempfileSchema, watcherSchema, writeStreamSchema } from "./schema.js";
export {
  FsErrorCodes,
  FsInvalidSpecError,
  FsNotOwnedError,
  FsOutsideRootError,
  FsRootNotPrivateError,
  FsStreamClosingError,
  FsUnsafeRootError,
  FsWriteIncompleteError,
} from "./errors.js";
export type { FsErrorCode } from "./errors.js";
