/**
 * Human durations ("250ms", "5s", "2m", "1h") and sizes ("10MB") as used in resource.config.yaml.
 */
import { KernelError } from "../errors.js";

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration to milliseconds. Numbers are milliseconds.
 * @throws KernelError ERR_DURATION_INVALID for anything else (negative, NaN, unknown unit).
 */
export function parseDuration(value: string | number, subject = "duration"): number {
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return value;
  } else if (typeof value === "string") {
    const m = DURATION.exec(value);
    if (m) return Number(m[1]) * UNIT_MS[m[2] ?? "ms"];
  }
  throw new KernelError(
    "ERR_DURATION_INVALID",
    `${subject} must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received ${JSON.stringify(value)}`,
  );
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$/i;
const UNIT_B: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/**
 * Parses a size to bytes ("10MB", "512KiB", or a number of bytes).
 * @throws KernelError ERR_DURATION_INVALID is not used here: ERR_CONFIG_INVALID for a bad size.
 */
export function parseSize(value: string | number, subject = "size"): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string") {
    const m = SIZE.exec(value);
    if (m) return Math.round(Number(m[1]) * UNIT_B[(m[2] ?? "b").toLowerCase()]);
  }
  throw new KernelError("ERR_CONFIG_INVALID", `${subject} must be a size like "10MB" or a number of bytes; received ${JSON.stringify(value)}`);
}
