/**
 * @custodian/cli — the `custodian` command (validate, print-config, schema, rules export, dashboard) as a function.
 */
export { run } from "./run.js";
export type { CliIO } from "./run.js";
export { REDACTED, redactSecrets, redactString, isSecretKey } from "./redact.js";
