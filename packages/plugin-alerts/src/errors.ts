/**
 * Errors of @custodian/plugin-alerts: one code per failure, extending core's KernelError.
 */
import { KernelError } from "@custodian/core";

/** Every error code of plugin-alerts, keyed by itself. */
export const AlertsErrorCodes = Object.freeze({
  ERR_ALERTS_INVALID_RULE: "ERR_ALERTS_INVALID_RULE",
  ERR_ALERTS_NOT_APPLIED: "ERR_ALERTS_NOT_APPLIED",
  ERR_ALERTS_DELIVERY_FAILED: "ERR_ALERTS_DELIVERY_FAILED",
  ERR_ALERTS_RULE_TEST_FAILED: "ERR_ALERTS_RULE_TEST_FAILED",
  ERR_ALERTS_DUPLICATE_LABELSET: "ERR_ALERTS_DUPLICATE_LABELSET",
} as const);

/** One problem found in the `alerts` section: where (a JSON pointer) and what. */
export interface AlertsConfigProblem {
  /** JSON pointer into the `alerts` section, e.g. `/rules/2/for`. */
  path: string;
  /** The rule's `name` when the problem is inside a rule. */
  rule: string | undefined;
  message: string;
}

/** The `alerts` section (plugin options) is invalid: `problems` lists each one with its path. */
export class AlertsConfigError extends KernelError {
  readonly problems: AlertsConfigProblem[];
  constructor(problems: AlertsConfigProblem[]) {
    const lines = problems.map((p) => `  alerts${p.path.replaceAll("/", ".")}${p.rule === undefined ? "" : ` (rule "${p.rule}")`}: ${p.message}`);
    super("ERR_ALERTS_INVALID_RULE", `Invalid alerts configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
    this.problems = problems;
  }
}

/** `alertsOf(kernel)` on a kernel where the alerts plugin was not applied. */
export class AlertsNotAppliedError extends KernelError {
  constructor() {
    super("ERR_ALERTS_NOT_APPLIED", "alertsOf(kernel): the alerts plugin is not applied to this kernel; add it to createKernel({ plugins: [alertsPlugin] })");
  }
}

/** A notification could not be delivered (non-2xx answer, network error or timeout). The URL is redacted. */
export class DeliveryFailedError extends KernelError {
  readonly status: number | undefined;
  constructor(sink: string, target: string, detail: string, status?: number, options?: ErrorOptions) {
    super("ERR_ALERTS_DELIVERY_FAILED", `Sink "${sink}" could not deliver to ${target}: ${detail}`, options);
    this.status = status;
  }
}

/** A rule test (runRuleTest) did not produce the expected alerts; `failures` says where. */
export class RuleTestFailedError extends KernelError {
  readonly failures: string[];
  constructor(failures: string[]) {
    super("ERR_ALERTS_RULE_TEST_FAILED", `Rule test failed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
    this.failures = failures;
  }
}

/**
 * Two groups of one rule have the same labels once the rule's labels are applied: the rule's
 * evaluation fails and its alerts stay as they were, as in Prometheus.
 */
export class DuplicateLabelsetError extends KernelError {
  readonly rule: string;
  readonly labels: Readonly<Record<string, string>>;
  constructor(rule: string, labels: Readonly<Record<string, string>>) {
    super(
      "ERR_ALERTS_DUPLICATE_LABELSET",
      `Rule "${rule}": vector contains metrics with the same labelset after applying alert labels (${JSON.stringify(labels)}); the evaluation failed and its alerts keep their state. Group by the labels the rule's labels override, or do not override them.`,
    );
    this.rule = rule;
    this.labels = labels;
  }
}
