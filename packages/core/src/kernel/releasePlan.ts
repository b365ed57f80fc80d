/**
 * The release plan, pure: which resources a release takes with it (dependents first), in what
 * order it starts them, how deep each one's chain of dependencies is, and what budget each one
 * gets. No clock, no promises: the releaser asks these questions with the time it read, so the
 * arithmetic is testable on its own.
 */

/** What the plan needs of a tracked resource (a `Rec`). */
export interface PlanNode<N extends PlanNode<N>> {
  /** Acquisition order: later resources are released first. */
  readonly seq: number;
  readonly deps: readonly N[];
  readonly dependents: ReadonlySet<N> | undefined;
}

/**
 * Longest chain of live dependencies below `node` that this release will also release (0 when
 * none): dependencies outside `members` (a scope's or a handle's group) stay, so they take no share.
 * `memo` is shared across one plan (it also cuts a cycle short).
 */
export function chainBelow<N extends PlanNode<N>>(node: N, memo: Map<N, number>, isLive: (n: N) => boolean, members?: ReadonlySet<N>): number {
  const known = memo.get(node);
  if (known !== undefined) return known;
  memo.set(node, 0);
  let max = 0;
  for (const d of node.deps) {
    if (isLive(d) && (members === undefined || members.has(d))) max = Math.max(max, 1 + chainBelow(d, memo, isLive, members));
  }
  memo.set(node, max);
  return max;
}

/** `nodes` and, transitively, everything that depends on them. */
export function closure<N extends PlanNode<N>>(nodes: readonly N[]): Set<N> {
  const out = new Set<N>();
  const add = (n: N): void => {
    if (out.has(n)) return;
    out.add(n);
    if (n.dependents !== undefined) for (const d of n.dependents) add(d);
  };
  for (const n of nodes) add(n);
  return out;
}

/** Start order: newest first, as teardown reads (a new array; `nodes` is left alone). */
export function newestFirst<N extends { readonly seq: number }>(nodes: Iterable<N>): N[] {
  return [...nodes].sort((a, b) => b.seq - a.seq);
}

/**
 * The force window kept back from a group's hard deadline: the configured reserve, but never more
 * than half of what remains (a short deadline still leaves graceful time). No deadline: the reserve.
 */
export function groupReserveMs(hardAt: number, now: number, reserveMs: number): number {
  return Number.isFinite(hardAt) ? Math.min(reserveMs, (hardAt - now) * 0.5) : reserveMs;
}

/**
 * The graceful budget of one resource in a group: its own timeout, capped by its share of what
 * remains before the force point (one share per level of its chain: itself plus what is below it).
 * Without a force point a resource without a timeout gets the default release timeout. Once the
 * kernel is forcing, the budget is 0.
 */
export function releaseBudgetMs(p: {
  timeoutMs: number | undefined;
  forceAt: number;
  now: number;
  chainBelow: number;
  releaseTimeoutMs: number;
  forcing: boolean;
}): number {
  if (p.forcing) return 0;
  const bounded = Number.isFinite(p.forceAt);
  const own = p.timeoutMs ?? (bounded ? Infinity : p.releaseTimeoutMs);
  return bounded ? Math.min(own, Math.max(0, p.forceAt - p.now) / (1 + p.chainBelow)) : own;
}

/**
 * The shutdown hook's budget: the share of one dependency level of what remains before the force
 * point, with the hook counting as one level above the deepest chain of live resources.
 * A loop, not Math.max(...spread): spreading >~120k arguments overflows the stack.
 */
export function shutdownHookBudgetMs<N extends PlanNode<N>>(
  live: Iterable<N>,
  isLive: (n: N) => boolean,
  hardAt: number,
  reserveMs: number,
  start: number,
): number {
  if (!Number.isFinite(hardAt)) return Infinity;
  const chains = new Map<N, number>();
  let levels = 1;
  for (const n of live) levels = Math.max(levels, 2 + chainBelow(n, chains, isLive));
  return Math.max(0, hardAt - reserveMs - start) / levels;
}
