/**
 * Custodian and Prometheus agree on every rule case: the same inputs drive Custodian's evaluator
 * and `promtool test rules` over the exported rules and plugin-metrics' exposition (see harness.ts).
 */
import { describe, expect, it } from "vitest";
import { cases } from "./cases.js";
import { promtoolAvailable, runParityCase } from "./harness.js";

const promtool = promtoolAvailable();
if (!promtool) console.log("skipping the parity suite: promtool is not installed (Debian package `prometheus`; bash .ci/install-alertmanager.sh)");

describe.skipIf(!promtool && process.env.CI !== "true")("parity with Prometheus (promtool test rules)", () => {
  it("has at least 30 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(c.title, async () => {
      const r = await runParityCase(c);
      expect(r.fires.sort()).toEqual([...c.fires].sort());
      if (c.evaluationError !== undefined) {
        // promtool counts a failed rule evaluation as a test failure: the failure itself is the agreement.
        expect(r.promtool.output).toContain(c.evaluationError.message);
        expect(r.failedEvaluations.length).toBeGreaterThan(0);
        expect(new Set(r.failedEvaluations)).toEqual(new Set([`${c.alerts.rules?.[0]?.name} ${c.evaluationError.code}`]));
        return;
      }
      if (r.promtool.status !== 0) throw new Error(`promtool disagrees:\n${r.promtool.output}\n--- rules.yml\n${r.rules}`);
    });
  }
});
