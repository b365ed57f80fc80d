/**
 * The kernel's event stream: a typed RxJS Subject that costs almost nothing when nobody listens.
 */
import { Subject, type Observable } from "rxjs";
import type { KernelEvent } from "./KernelEvent.js";

/** @internal */
export class EventBus {
  readonly #subject = new Subject<KernelEvent>();
  readonly events$: Observable<KernelEvent> = this.#subject.asObservable();

  /** True when someone subscribed: callers skip building an event object otherwise. */
  get observed(): boolean {
    return this.#subject.observed;
  }

  emit(event: KernelEvent): void {
    // Fast path: Subject.next costs ~45 ns even unobserved; `observed` ~2 ns.
    if (!this.#subject.observed) return;
    try {
      this.#subject.next(event);
    } catch {
      // A subscriber's error must never break the kernel. RxJS reports it on its own.
    }
  }

  complete(): void {
    this.#subject.complete();
  }
}
