/**
 * Scopes: a group of resources released together, in dependency order and within the scope's
 * budget, when the scope closes. Child scopes close first, within what remains of their parent's
 * budget. The kernel does the work; a scope reaches it through symbol-keyed methods of its host,
 * so nothing of the kernel's internals is public.
 */
import type { AcquireSpec, AdoptOptions, ResourceHandle, ResourceOutcome } from "../types.js";
import { assertTimeoutMs } from "../kernel/checkInput.js";
import type { Rec } from "../kernel/ResourceRecord.js";

/** Options of `kernel.scope(name, options)`. */
export interface ScopeOptions {
  /** Total budget for releasing everything in the scope when it closes. */
  timeoutMs?: number;
}

/** A group of resources released together, in dependency order, when the scope closes. */
export interface Scope extends AsyncDisposable {
  readonly name: string;
  readonly closed: boolean;
  acquire<T = unknown>(nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>>;
  adopt<T>(value: T, options: AdoptOptions<T>): ResourceHandle<T>;
  scope(name: string, options?: ScopeOptions): Scope;
  /** Releases every resource of this scope and its child scopes. Idempotent. */
  close(): Promise<ResourceOutcome[]>;
}

/** @internal The kernel's side of a scope. */
export const kAcquireIn = Symbol("acquireIn");
/** @internal */
export const kAdoptIn = Symbol("adoptIn");
/** @internal */
export const kCloseScope = Symbol("closeScope");
/** @internal */
export const kAssertScopeOpen = Symbol("assertScopeOpen");

/** @internal What a scope needs of the kernel. */
export interface ScopeHost {
  [kAcquireIn]<T>(scope: ScopeImpl, nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>>;
  [kAdoptIn]<T>(scope: ScopeImpl, value: T, options: AdoptOptions<T>): ResourceHandle<T>;
  [kCloseScope](scope: ScopeImpl, parentDeadlineAt: number): Promise<ResourceOutcome[]>;
  [kAssertScopeOpen](scope: ScopeImpl, operation: string): void;
}

/** @internal */
export class ScopeImpl implements Scope {
  readonly recs = new Set<Rec>();
  readonly children = new Set<ScopeImpl>();
  #closing: Promise<ResourceOutcome[]> | undefined;
  constructor(
    readonly kernel: ScopeHost,
    readonly name: string,
    readonly timeoutMs: number | undefined,
    readonly parent: ScopeImpl | undefined,
  ) {}
  get closed(): boolean {
    return this.#closing !== undefined;
  }
  acquire<T = unknown>(nameOrSpec: string | AcquireSpec): Promise<ResourceHandle<T>> {
    return this.kernel[kAcquireIn]<T>(this, nameOrSpec);
  }
  adopt<T>(value: T, options: AdoptOptions<T>): ResourceHandle<T> {
    return this.kernel[kAdoptIn](this, value, options);
  }
  scope(name: string, options?: ScopeOptions): Scope {
    this.kernel[kAssertScopeOpen](this, "open a child scope");
    if (options?.timeoutMs !== undefined) assertTimeoutMs(options.timeoutMs, `scope("${this.name}/${name}")`);
    const child = new ScopeImpl(this.kernel, `${this.name}/${name}`, options?.timeoutMs, this);
    this.children.add(child);
    return child;
  }
  close(parentDeadlineAt = Infinity): Promise<ResourceOutcome[]> {
    return (this.#closing ??= this.kernel[kCloseScope](this, parentDeadlineAt));
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
