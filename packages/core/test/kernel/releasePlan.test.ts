// The release plan is pure: order, dependency levels and budgets, checked without a clock.
import { describe, expect, it } from "vitest";
import { chainBelow, closure, groupReserveMs, newestFirst, releaseBudgetMs, shutdownHookBudgetMs, type PlanNode } from "../../src/kernel/releasePlan.js";

interface Node extends PlanNode<Node> {
  readonly name: string;
  deps: Node[];
  dependents: Set<Node> | undefined;
}

/** a ← b ← c (c depends on b, b on a), d alone; seq = acquisition order. */
function graph(): Record<"a" | "b" | "c" | "d", Node> {
  const make = (name: string, seq: number, deps: Node[]): Node => {
    const n: Node = { name, seq, deps, dependents: undefined };
    for (const d of deps) (d.dependents ??= new Set()).add(n);
    return n;
  };
  const a = make("a", 1, []);
  const b = make("b", 2, [a]);
  const c = make("c", 3, [b]);
  const d = make("d", 4, []);
  return { a, b, c, d };
}
const live = (): boolean => true;
const names = (ns: Iterable<Node>): string[] => [...ns].map((n) => n.name);

describe("releasePlan", () => {
  it("closure takes every transitive dependent along, and nothing else", () => {
    const { a, b, d } = graph();
    expect(names(closure([a])).sort()).toEqual(["a", "b", "c"]);
    expect(names(closure([b])).sort()).toEqual(["b", "c"]);
    expect(names(closure([d]))).toEqual(["d"]);
  });

  it("newestFirst orders by acquisition, newest first, without touching its input", () => {
    const { a, b, c, d } = graph();
    const input = [a, c, d, b];
    expect(names(newestFirst(input))).toEqual(["d", "c", "b", "a"]);
    expect(names(input)).toEqual(["a", "c", "d", "b"]);
  });

  it("chainBelow counts live levels below, only within the group's members when given", () => {
    const { a, b, c } = graph();
    expect(chainBelow(c, new Map(), live)).toBe(2);
    expect(chainBelow(a, new Map(), live)).toBe(0);
    // b's dependency a is not in the group {b, c}: it stays and takes no share.
    expect(chainBelow(c, new Map(), live, new Set([b, c]))).toBe(1);
    // a dead dependency takes no share either.
    expect(chainBelow(c, new Map(), (n) => n !== a)).toBe(1);
  });

  it("the reserve is the configured one, but at most half of what remains", () => {
    expect(groupReserveMs(Infinity, 0, 500)).toBe(500);
    expect(groupReserveMs(10_000, 0, 500)).toBe(500);
    expect(groupReserveMs(600, 0, 500)).toBe(300);
  });

  it("a resource's budget is its share of the time before the force point, capped by its own timeout", () => {
    const base = { timeoutMs: undefined, forceAt: 9_000, now: 0, chainBelow: 2, releaseTimeoutMs: 5_000, forcing: false };
    // Three levels (itself and two below): a third each.
    expect(releaseBudgetMs(base)).toBe(3_000);
    expect(releaseBudgetMs({ ...base, timeoutMs: 1_000 })).toBe(1_000);
    expect(releaseBudgetMs({ ...base, now: 12_000 })).toBe(0);
    // No force point: its own timeout, else the default release timeout.
    expect(releaseBudgetMs({ ...base, forceAt: Infinity })).toBe(5_000);
    expect(releaseBudgetMs({ ...base, forceAt: Infinity, timeoutMs: 250 })).toBe(250);
    expect(releaseBudgetMs({ ...base, forcing: true })).toBe(0);
  });

  it("the shutdown hook gets one level's share above the deepest chain", () => {
    const { a, b, c, d } = graph();
    // Deepest chain c → b → a: 3 levels of resources + the hook = 4 shares of (10s − 1s reserve).
    expect(shutdownHookBudgetMs([a, b, c, d], live, 10_000, 1_000, 0)).toBe(2_250);
    expect(shutdownHookBudgetMs([], live, 10_000, 1_000, 0)).toBe(9_000);
    expect(shutdownHookBudgetMs([a], live, Infinity, 1_000, 0)).toBe(Infinity);
  });
});
