/**
 * JSON Schemas of the fs plugin's options and of each resource type's spec in resource.config.yaml.
 * `"x-custodian": "path"` values are resolved against the config file's folder by the loader.
 */
import { fileModeSchema, pathSchema } from "@custodian/core";

type Schema = Record<string, unknown>;

const path = (description: string): Schema => ({ ...pathSchema, description });

/** Options of the fs plugin. */
export const fsPluginSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    root: path("Managed root for temp dirs and files, private to this user (mode 0700). Default: <os.tmpdir()>/custodian-<uid>/<app>."),
    app: { type: "string", pattern: "^[A-Za-z0-9._-]{1,64}$", default: "app", description: "Application name used in the default root." },
    baseDir: path("Folder that relative paths of ad-hoc specs and a relative root resolve against. Default: the config file's folder."),
    reap: { type: "boolean", default: true, description: "At start, remove the folders that dead processes left in the managed root." },
  },
};

const subpath: Schema = {
  type: "string",
  minLength: 1,
  description: 'Relative name inside this process\'s folder of the managed root (no "..", no absolute path elsewhere). Default: generated.',
};
const prefix: Schema = { type: "string", pattern: "^[A-Za-z0-9._-]{0,64}$", default: "tmp-", description: "Prefix of a generated name." };

/** Spec of an `fs.file` resource. */
export const fileSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["path"],
  properties: {
    path: path("File to open; a relative path resolves against the config file's folder."),
    flags: { enum: ["r", "r+", "w", "wx", "w+", "wx+", "a", "ax", "a+", "ax+"], default: "r", description: "fs.open flags." },
    mode: { ...fileModeSchema, description: 'File mode when the file is created: a quoted octal string ("0644").' },
    datasync: { type: "boolean", default: false, description: "Call datasync() before closing at release." },
  },
};

/** Spec of an `fs.writeStream` resource. */
export const writeStreamSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["path"],
  properties: {
    path: path("File to write; a relative path resolves against the config file's folder."),
    flags: { enum: ["w", "wx", "a", "ax"], default: "w", description: "fs.createWriteStream flags." },
    mode: { ...fileModeSchema, description: 'File mode when the file is created: a quoted octal string ("0644").' },
    encoding: { enum: ["utf8", "utf-8", "ascii", "latin1", "binary", "base64", "base64url", "hex", "ucs2", "ucs-2", "utf16le", "utf-16le"] },
    highWaterMark: { type: "integer", minimum: 1, description: "Bytes buffered before write() returns false." },
    fsync: { type: "boolean", default: false, description: "fsync the file after the last write, before closing it at release." },
  },
};

/** Spec of an `fs.tempdir` resource. */
export const tempdirSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: { subpath, prefix },
};

/** Spec of an `fs.tempfile` resource. */
export const tempfileSchema: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    subpath,
    prefix,
    suffix: { type: "string", pattern: "^[A-Za-z0-9._-]{0,32}$", default: "", description: "Suffix of a generated name (e.g. .json)." },
    mode: { ...fileModeSchema, default: 0o600, description: 'File mode: a quoted octal string ("0600").' },
  },
};

/** Spec of an `fs.watcher` resource. */
export const watcherSchema: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["path"],
  properties: {
    path: path("File or folder to watch; a relative path resolves against the config file's folder."),
    recursive: { type: "boolean", default: false },
    persistent: { type: "boolean", default: true, description: "Keep the process alive while the watcher is open (Node's default)." },
    encoding: { enum: ["utf8", "buffer", "hex", "base64", "latin1"], default: "utf8" },
  },
};
