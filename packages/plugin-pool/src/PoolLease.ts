/**
 * A borrowed resource as a disposable: `await using lease = await pool.lease()` returns it to the
 * pool when the block ends; `lease.destroy()` destroys it instead. Either happens once.
 */

/** What a lease needs of its pool. */
export interface LeasePool<T> {
  release(resource: T): void;
  destroy(resource: T): Promise<void>;
}

/** A borrowed resource that returns itself to the pool when disposed. */
export class PoolLease<T> implements AsyncDisposable {
  #done = false;
  constructor(
    readonly pool: LeasePool<T>,
    readonly value: T,
  ) {}
  /** Returns the resource. Idempotent. */
  release(): void {
    if (this.#done) return;
    this.#done = true;
    this.pool.release(this.value);
  }
  /** Destroys the resource instead of returning it. */
  async destroy(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.pool.destroy(this.value);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }
}
