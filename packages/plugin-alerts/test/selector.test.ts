import type { ResourceSnapshot } from "@custodian/core";
import { describe, expect, it } from "vitest";
import { compileSelector, parseMeasure } from "../src/index.js";
import { compileMeasure } from "../src/selector.js";

const view = (snap: Partial<ResourceSnapshot>, labels: Record<string, string> = {}) => ({
  snap: { id: "r1", type: "t", name: undefined, state: "active", acquiredAt: 0, ageMs: 0, dependsOn: [], scope: undefined, ...snap } as ResourceSnapshot,
  labels,
});

describe("selectors", () => {
  it("match type, state (active by default), name and labels; regexes are anchored", () => {
    const s = compileSelector({ type: ["pool", "db"], name: { regex: "db-.*" }, labels: { team: { not: "ops" } } });
    expect(s.types).toEqual(["pool", "db"]);
    expect(s.test(view({ type: "pool", name: "db-1" }, { team: "core" }))).toBe(true);
    expect(s.test(view({ type: "pool", name: "x-db-1" }))).toBe(false);
    expect(s.test(view({ type: "pool", name: "db-1" }, { team: "ops" }))).toBe(false);
    expect(s.test(view({ type: "pool", name: "db-1", state: "releasing" }))).toBe(false);
    expect(compileSelector({ state: { notRegex: "active" } }).test(view({ state: "releasing" }))).toBe(true);
    expect(compileSelector({ state: { notRegex: "active" } }).types).toBeUndefined();
  });
});

describe("measure expressions", () => {
  it("compute ratios over any type's details, with precedence and parentheses", () => {
    const m = compileMeasure(parseMeasure("details.borrowed / details.max"));
    expect(m(view({ details: { borrowed: 9, max: 10 } }))).toBe(0.9);
    expect(compileMeasure(parseMeasure("1 + 2 * details.a"))(view({ details: { a: 3 } }))).toBe(7);
    expect(compileMeasure(parseMeasure("(1 + 2) * details.a"))(view({ details: { a: 3 } }))).toBe(9);
    expect(compileMeasure(parseMeasure("ageMs / 1000"))(view({ ageMs: 2500 }))).toBe(2.5);
  });

  it("give NaN (resource skipped) for a missing field or a zero divisor", () => {
    const m = compileMeasure(parseMeasure("details.borrowed / details.max"));
    expect(m(view({ details: { borrowed: 1 } }))).toBeNaN();
    expect(m(view({ details: { borrowed: 1, max: 0 } }))).toBeNaN();
    expect(m(view({}))).toBeNaN();
  });

  it("reject malformed expressions", () => {
    expect(() => parseMeasure("details.a /")).toThrow(/unexpected end/);
    expect(() => parseMeasure("details.a $ 2")).toThrow(/unexpected character/);
    expect(() => parseMeasure("(details.a")).toThrow(/missing "\)"/);
  });
});
