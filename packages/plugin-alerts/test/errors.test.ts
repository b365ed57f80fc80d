import { isKernelError } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { AlertsConfigError, AlertsNotAppliedError, DeliveryFailedError, RuleTestFailedError } from "../src/index.js";

describe("plugin-alerts error codes", () => {
  it("messages name the subject, the problem and the fix", () => {
    const e = new AlertsConfigError([{ path: "/rules/1/for", rule: "Slow", message: "must be a duration" }]);
    expect(isKernelError(e, "ERR_ALERTS_INVALID_RULE")).toBe(true);
    expect(e.message).toBe('Invalid alerts configuration (1 problem):\n  alerts.rules.1.for (rule "Slow"): must be a duration');
    expect(new AlertsNotAppliedError().message).toContain("add it to createKernel({ plugins: [alertsPlugin] })");
    expect(new DeliveryFailedError("hook", "http://h/x", "HTTP 500 after 3 attempt(s)", 500).message).toBe(
      'Sink "hook" could not deliver to http://h/x: HTTP 500 after 3 attempt(s)',
    );
    expect(new RuleTestFailedError(["at 1m: missing"]).failures).toEqual(["at 1m: missing"]);
  });
});
