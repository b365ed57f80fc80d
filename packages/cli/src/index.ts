/**
 * @custodian/cli — the `custodian` command (validate, print-config, schema, rules export, dashboard) as a function.
 */
export { run } from "./run.js";
export type { CliIO } from "./run.js";
