/**
 * Shared pieces of the ported peer suites (generic-pool, tarn): a pool on a ManualClock, closed
 * when the test ends, a resource factory that counts what it did, and a promise whose state a test
 * can read synchronously.
 */
import { onTestFinished } from "vitest";
import { ManualClock } from "@custodian/core";
import { createPool } from "@custodian/plugin-pool";
import type { Pool, PoolEvent, PoolOptions } from "@custodian/plugin-pool";

export interface Item {
  id: number;
  /** How many times it was handed out (tests bump it). */
  n: number;
}

/** Counts creates and destroys; each resource gets the next id, from 0 like the peers' factories. */
export function counting() {
  const c = {
    created: 0,
    destroyed: [] as Item[],
    create: async (): Promise<Item> => ({ id: c.created++, n: 0 }),
    destroy: (r: Item): void => {
      c.destroyed.push(r);
    },
  };
  return c;
}

type Env = { clock: ManualClock; f: ReturnType<typeof counting> };

/**
 * A pool on a ManualClock with a counting factory; `options` override anything. Pass a function to
 * build options that use the clock or the counter.
 */
export function poolOn<T = Item>(options: Partial<PoolOptions<T>> | ((env: Env) => Partial<PoolOptions<T>>) = {}) {
  const clock = new ManualClock();
  const f = counting();
  if (typeof options === "function") options = options({ clock, f });
  const pool = createPool<T>({
    name: "port",
    clock,
    create: f.create as unknown as PoolOptions<T>["create"],
    destroy: f.destroy as unknown as PoolOptions<T>["destroy"],
    ...options,
  }) as Pool<T>;
  const events: PoolEvent[] = [];
  pool.on((e) => events.push(e));
  onTestFinished(async () => {
    await pool.close({ deadlineMs: 0 });
  });
  return { clock, f, pool, events };
}

/** The promise's outcome so far, readable without awaiting. */
export function settled<T>(p: Promise<T>): { done: boolean; value?: T; error?: { code?: string; message?: string; cause?: unknown } } {
  const s: { done: boolean; value?: T; error?: { code?: string } } = { done: false };
  p.then(
    (value) => Object.assign(s, { done: true, value }),
    (error: unknown) => Object.assign(s, { done: true, error }),
  );
  return s;
}

/** A promise resolved after `ms` on the given ManualClock. */
export const after = <V>(clock: ManualClock, ms: number, value: V): Promise<V> => new Promise((resolve) => clock.setTimeout(() => resolve(value), ms));
