/**
 * HttpAgent: an undici dispatcher whose forced phase really reaches every connection. It wraps an
 * undici Agent built with a tracking `factory`, so the per-origin Pools stay reachable after
 * `Agent.close()` has emptied the Agent's own map (the trap in LESSONS.md). Every request enters
 * through this dispatcher's own dispatch(), which counts it in flight (with a handler decorator in
 * whichever handler API the caller used), checks the origin's circuit breaker, and fails fast with
 * a typed error when the agent is closing or the breaker is open.
 */
import type { Socket } from "node:net";
import { Agent, buildConnector, Dispatcher, Pool } from "undici";
import { redactString, systemClock, type Clock } from "@custodian/core";
import type { Breaker, BreakerRegistry } from "@custodian/plugin-pool";
import { HttpAgentClosedError, HttpBreakerOpenError, HttpOriginNotAllowedError, HttpRequestAbortedError } from "./errors.js";

/** Options of an HttpAgent (TypeScript form: durations in ms). */
export interface HttpAgentOptions {
  /** Shown in errors and events. */
  name?: string;
  /** When set, the agent serves only these origins; any other fails with ERR_HTTP_ORIGIN_NOT_ALLOWED. */
  origin?: string | readonly string[];
  /** Connections per origin. Default 10. */
  connections?: number;
  /** Requests pipelined per connection. Default 1. */
  pipelining?: number;
  /** Idle keep-alive socket lifetime. Default 4s. */
  keepAliveTimeoutMs?: number;
  /** Time to wait for response headers. Default 10s (undici: 300s). */
  headersTimeoutMs?: number;
  /** Time allowed between two body chunks. Default 10s (undici: 300s). */
  bodyTimeoutMs?: number;
  /** TCP/TLS connect timeout. Default 5s. */
  connectTimeoutMs?: number;
  /** Per-origin circuit breakers. */
  breakers?: BreakerRegistry;
  /** Count a response with status >= 500 as a breaker failure. Default true. */
  breakerOn5xx?: boolean;
  /** Clock for request ages. Default systemClock. */
  clock?: Clock;
  /** Receives plugin events (payloads already redacted). */
  onEvent?: (name: string, data: Record<string, unknown>) => void;
  /** When given, event payloads are built only while this returns true. */
  isObserved?: () => boolean;
}

export const AGENT_DEFAULTS = Object.freeze({
  connections: 10,
  pipelining: 1,
  keepAliveTimeoutMs: 4_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
});

/** Options of `HttpAgent.close`. */
export interface CloseAgentOptions {
  /** Budget of the graceful close; at its end, pending requests are aborted and sockets destroyed. */
  timeoutMs?: number;
  /** `cause` of the ERR_HTTP_REQUEST_ABORTED errors of requests aborted at the budget. */
  cause?: unknown;
}

/** Live figures of an agent, as shown in `kernel.snapshot()`. */
export interface HttpAgentStats {
  state: "open" | "closing" | "destroyed";
  origins: string[];
  openSockets: number;
  inFlight: number;
  /** Age of the oldest request in flight (ms), 0 when none. */
  oldestInFlightMs: number;
}

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;
type AnyFn = (...args: any[]) => any;
/** undici's older handler API (undici 6, Node's bundled fetch, undici 7's request()). */
type LegacyHandler = Record<
  "onConnect" | "onError" | "onHeaders" | "onData" | "onComplete" | "onUpgrade" | "onBodySent" | "onRequestSent" | "onResponseStarted",
  AnyFn | undefined
>;

const kSettle = Symbol("settle");

/** What the agent knows about one origin (cached: parsing a URL per request costs microseconds). */
interface OriginInfo {
  origin: string;
  redacted: string;
}

/** Bookkeeping of one request in flight. */
abstract class Tracked {
  status = 0;
  done = false;
  /** Intrusive list links: no Set hashing per request, and the head is the oldest. */
  prev: Tracked | undefined = undefined;
  next: Tracked | undefined = undefined;
  constructor(
    readonly agent: HttpAgent,
    readonly origin: OriginInfo,
    readonly startedAt: number,
    readonly breaker: Breaker | undefined,
  ) {}
}

/**
 * Decorates a handler of the new API (onRequestStart ... onResponseEnd/onResponseError).
 * Passed to undici as is.
 */
class TrackedRequest extends Tracked implements Handler {
  constructor(
    agent: HttpAgent,
    readonly handler: Handler,
    origin: OriginInfo,
    startedAt: number,
    breaker: Breaker | undefined,
  ) {
    super(agent, origin, startedAt, breaker);
  }
  onRequestStart(controller: Controller, context: unknown): void {
    this.handler.onRequestStart?.(controller, context);
  }
  onRequestUpgrade(
    controller: Controller,
    statusCode: number,
    headers: Parameters<NonNullable<Handler["onRequestUpgrade"]>>[2],
    socket: Parameters<NonNullable<Handler["onRequestUpgrade"]>>[3],
  ): void {
    this.agent[kSettle](this, undefined);
    this.handler.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }
  onResponseStart(controller: Controller, statusCode: number, headers: Parameters<NonNullable<Handler["onResponseStart"]>>[2], statusMessage?: string): void {
    this.status = statusCode;
    this.handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }
  onResponseData(controller: Controller, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk);
  }
  onResponseEnd(controller: Controller, trailers: Parameters<NonNullable<Handler["onResponseEnd"]>>[1]): void {
    this.agent[kSettle](this, undefined);
    this.handler.onResponseEnd?.(controller, trailers);
  }
  onResponseError(controller: Controller, error: Error): void {
    this.agent[kSettle](this, error);
    this.handler.onResponseError?.(controller, error);
  }
}

/**
 * Decorates a handler of the older API. Kept in that API on purpose: undici passes such handlers
 * through without a conversion layer, which is the fast path of undici.request() (converting
 * through compose() cost ~17% CPU per request in bench/http.bench.mjs).
 */
class TrackedLegacyRequest extends Tracked {
  constructor(
    agent: HttpAgent,
    readonly h: LegacyHandler,
    origin: OriginInfo,
    startedAt: number,
    breaker: Breaker | undefined,
  ) {
    super(agent, origin, startedAt, breaker);
  }
  onConnect(abort: AnyFn, context: unknown): unknown {
    return this.h.onConnect?.(abort, context);
  }
  onResponseStarted(): unknown {
    return this.h.onResponseStarted?.();
  }
  onRequestSent(): unknown {
    return this.h.onRequestSent?.();
  }
  onBodySent(chunk: unknown): unknown {
    return this.h.onBodySent?.(chunk);
  }
  onHeaders(statusCode: number, rawHeaders: unknown, resume: AnyFn, statusText: string): unknown {
    this.status = statusCode;
    return this.h.onHeaders?.(statusCode, rawHeaders, resume, statusText);
  }
  onData(chunk: Buffer): unknown {
    return this.h.onData?.(chunk);
  }
  onUpgrade(statusCode: number, rawHeaders: unknown, socket: unknown): unknown {
    this.agent[kSettle](this, undefined);
    return this.h.onUpgrade?.(statusCode, rawHeaders, socket);
  }
  onComplete(trailers: unknown): unknown {
    this.agent[kSettle](this, undefined);
    return this.h.onComplete?.(trailers);
  }
  onError(error: Error): unknown {
    this.agent[kSettle](this, error);
    return this.h.onError?.(error);
  }
}

/** A controller for requests failed before they reached undici. */
const failedController = (reason: Error): Controller =>
  ({ aborted: true, paused: false, reason, abort() {}, pause() {}, resume() {} }) as unknown as Controller;

/** Aborted by the caller (AbortSignal, undici's abort) or by our own shutdown: says nothing about the origin. */
const isCancellation = (error: Error): boolean => {
  const code = (error as { code?: unknown }).code;
  return error.name === "AbortError" || code === "UND_ERR_ABORTED" || code === "ABORT_ERR" || code === "ERR_HTTP_REQUEST_ABORTED";
};

const normalizeOrigin = (o: string | URL): string => {
  try {
    return new URL(String(o)).origin;
  } catch {
    return String(o);
  }
};

/**
 * An undici dispatcher with tracked connections, bounded timeouts and per-origin breakers. Use it
 * as `request(url, { dispatcher })` or `fetch(url, { dispatcher })`.
 *
 * close() = stop accepting, let requests in flight finish, close sockets (idle ones at once).
 * destroy(err?) = abort every request and socket now, including after close() has started.
 * **Gotchas**: a request after close() fails with ERR_HTTP_AGENT_CLOSED; a request aborted by
 * destroy() fails with ERR_HTTP_REQUEST_ABORTED (with fetch(), as the `cause` of its TypeError).
 */
export class HttpAgent extends Dispatcher {
  readonly name: string;
  readonly #agent: Agent;
  /** Every Pool the factory made, with its origin, until it is destroyed. */
  readonly #pools = new Map<Pool, string>();
  readonly #sockets = new Set<Socket>();
  /** Requests in flight, in start order (first = oldest). */
  #head: Tracked | undefined;
  #tail: Tracked | undefined;
  #inFlightCount = 0;
  readonly #origins = new Map<string, OriginInfo>();
  readonly #allowed: Set<string> | undefined;
  readonly #breakers: BreakerRegistry | undefined;
  readonly #breakerOn5xx: boolean;
  readonly #clock: Clock;
  readonly #onEvent: HttpAgentOptions["onEvent"];
  readonly #isObserved: () => boolean;
  #state: "open" | "closing" | "destroyed" = "open";
  #closing: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;

  constructor(options: HttpAgentOptions = {}) {
    super();
    this.name = options.name === undefined ? "(unnamed)" : `"${options.name}"`;
    this.#clock = options.clock ?? systemClock;
    this.#breakers = options.breakers;
    this.#breakerOn5xx = options.breakerOn5xx ?? true;
    this.#onEvent = options.onEvent;
    this.#isObserved = options.isObserved ?? (() => true);
    const origins = options.origin === undefined ? [] : typeof options.origin === "string" ? [options.origin] : options.origin;
    this.#allowed = origins.length === 0 ? undefined : new Set(origins.map(normalizeOrigin));
    // Sockets are attributed where they are made: in this agent's own connector. (undici's
    // undici:client:connected message cannot attribute them: Client wraps a custom connector in a
    // fresh closure, so the published `connector` is never the function we passed.)
    const base = buildConnector({ timeout: options.connectTimeoutMs ?? AGENT_DEFAULTS.connectTimeoutMs });
    const connector: buildConnector.connector = (opts, callback) =>
      base(opts, (error, socket) => {
        if (error === null) this.#addSocket(socket as Socket);
        callback(error as Error & null, socket as Socket & null);
      });
    this.#agent = new Agent({
      connections: options.connections ?? AGENT_DEFAULTS.connections,
      pipelining: options.pipelining ?? AGENT_DEFAULTS.pipelining,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? AGENT_DEFAULTS.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs ?? AGENT_DEFAULTS.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs ?? AGENT_DEFAULTS.bodyTimeoutMs,
      connect: connector,
      factory: (origin, opts) => {
        // Always a Pool (even for connections: 1): the forced phase destroys Pools we hold here.
        const pool = new Pool(origin, opts);
        // undici's Agent closes a Pool whose sockets are all gone; forget the destroyed ones here
        // (new Pools are rare) so a long-lived agent over many origins does not accumulate them.
        for (const p of this.#pools.keys()) if (p.destroyed) this.#pools.delete(p);
        this.#pools.set(pool, redactString(String(origin)));
        return pool;
      },
    });
    this.#forwardEvents();
  }

  #originInfo(raw: string | URL | undefined): OriginInfo {
    const key = raw === undefined ? "" : typeof raw === "string" ? raw : raw.href;
    let info = this.#origins.get(key);
    if (info === undefined) {
      const origin = normalizeOrigin(key);
      info = { origin, redacted: redactString(origin) };
      // Bounded: a caller cycling through endless origins must not grow this cache forever.
      if (this.#origins.size >= 1_000) this.#origins.clear();
      this.#origins.set(key, info);
    }
    return info;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const info = this.#originInfo(opts.origin);
    if (this.#state !== "open") return this.#fail(handler, new HttpAgentClosedError(info.redacted, this.name));
    if (this.#allowed !== undefined && !this.#allowed.has(info.origin)) {
      return this.#fail(
        handler,
        new HttpOriginNotAllowedError(
          info.redacted,
          this.name,
          [...this.#allowed].map((o) => redactString(o)),
        ),
      );
    }
    let breaker: Breaker | undefined;
    if (this.#breakers !== undefined) {
      breaker = this.#breakers.get(info.redacted);
      if (!breaker.tryAcquire()) {
        this.#emit("request:rejected", () => ({ origin: info.redacted, reason: "breaker-open" }));
        return this.#fail(handler, new HttpBreakerOpenError(info.redacted, breaker.state));
      }
    }
    const now = this.#clock.now();
    const tracked =
      typeof handler.onRequestStart === "function"
        ? new TrackedRequest(this, handler, info, now, breaker)
        : new TrackedLegacyRequest(this, handler as unknown as LegacyHandler, info, now, breaker);
    this.#link(tracked);
    return this.#agent.dispatch(opts, tracked as unknown as Handler);
  }

  /** Re-emits the inner Agent's events as this dispatcher's own (undici's Agent does the same for its Pools). */
  #forwardEvents(): void {
    for (const name of ["connect", "disconnect", "connectionError", "drain"] as const) {
      // Typed per event in undici's d.ts; forwarded generically here.
      const inner = this.#agent as unknown as NodeJS.EventEmitter;
      inner.on(name, (origin: unknown, targets: unknown[], error?: unknown) => {
        (this as unknown as NodeJS.EventEmitter).emit(name, origin, [this, ...targets.slice(1)], error);
      });
    }
  }

  #link(t: Tracked): void {
    t.prev = this.#tail;
    if (this.#tail === undefined) this.#head = t;
    else this.#tail.next = t;
    this.#tail = t;
    this.#inFlightCount++;
  }

  #unlink(t: Tracked): void {
    if (t.prev === undefined) this.#head = t.next;
    else t.prev.next = t.next;
    if (t.next === undefined) this.#tail = t.prev;
    else t.next.prev = t.prev;
    t.prev = t.next = undefined;
    this.#inFlightCount--;
  }

  #fail(handler: Handler, error: Error): false {
    if (typeof handler.onRequestStart === "function") handler.onResponseError?.(failedController(error), error);
    else (handler as unknown as LegacyHandler).onError?.(error);
    return false;
  }

  /** @internal Called once per request when it ends (error undefined = success). */
  [kSettle](req: Tracked, error: Error | undefined): void {
    if (req.done) return;
    req.done = true;
    this.#unlink(req);
    const b = req.breaker;
    if (b !== undefined) {
      if (error !== undefined && isCancellation(error)) {
        b.cancel();
      } else if (error !== undefined || (this.#breakerOn5xx && req.status >= 500)) b.failure(error);
      else b.success();
    }
    if (error !== undefined) {
      this.#emit("request:failed", () => ({
        origin: req.origin.redacted,
        error: (error as { code?: string }).code ?? error.name,
        elapsedMs: this.#clock.now() - req.startedAt,
      }));
    }
  }

  #emit(name: string, data: () => Record<string, unknown>): void {
    if (this.#onEvent !== undefined && this.#isObserved()) this.#onEvent(name, data());
  }

  #addSocket(socket: Socket): void {
    if (socket.destroyed) return;
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  /**
   * Graceful: rejects new requests, lets those in flight finish, then closes every socket. With
   * `timeoutMs`, whatever is still pending at that budget is destroyed (as `destroy()`), and the
   * promise resolves after that; the budget's timer is ref'd while the promise is awaited, so a
   * process whose only pending work is this close waits for it.
   */
  override close(): Promise<void>;
  override close(options: CloseAgentOptions): Promise<void>;
  override close(callback: () => void): void;
  override close(arg?: (() => void) | CloseAgentOptions): Promise<void> | void {
    if (this.#state === "open") this.#state = "closing";
    this.#closing ??= this.#agent.close().catch(() => undefined);
    const closing = this.#closing;
    if (typeof arg === "function") {
      closing.then(arg, arg);
      return;
    }
    const timeoutMs = arg?.timeoutMs;
    if (timeoutMs === undefined) return closing;
    return new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(() => void this.abort({ cause: arg?.cause }).then(resolve), timeoutMs, { ref: true });
      void closing.then(() => {
        this.#clock.clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Forced: every request still pending fails (with `err`, or ERR_HTTP_REQUEST_ABORTED naming its
   * origin) and every socket is destroyed. Works after close(), unlike undici's Agent.
   */
  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const err = typeof errOrCallback === "function" ? undefined : (errOrCallback ?? undefined);
    const cb = typeof errOrCallback === "function" ? errOrCallback : callback;
    const p = this.abort(err === undefined ? undefined : { error: err });
    if (cb === undefined) return p;
    p.then(cb, cb);
  }

  /**
   * Forced phase with a cause: each pending request fails with ERR_HTTP_REQUEST_ABORTED naming its
   * origin, `cause` attached (e.g. the DeadlineExceededError of the release).
   */
  abort(options: { cause?: unknown; error?: Error } = {}): Promise<void> {
    this.#state = "destroyed";
    return (this.#destroying ??= this.#destroyAll(options));
  }

  async #destroyAll(options: { cause?: unknown; error?: Error }): Promise<void> {
    const pending = this.#inFlightCount;
    const pools = [...this.#pools];
    const errorFor = (origin: string): Error =>
      options.error ?? new HttpRequestAbortedError(origin, this.name, options.cause === undefined ? undefined : { cause: options.cause });
    await Promise.all([
      ...pools.map(([pool, origin]) => pool.destroy(errorFor(origin)).catch(() => undefined)),
      this.#agent.destroy(errorFor("(any origin)")).catch(() => undefined),
    ]);
    this.#pools.clear();
    // Belt and braces: a socket undici did not close is destroyed and reported.
    let stray = 0;
    for (const s of this.#sockets) {
      if (!s.destroyed) {
        stray++;
        s.destroy();
      }
    }
    this.#emit("agent:destroyed", () => ({ agent: this.name, pools: pools.length, requestsAborted: pending, straySockets: stray }));
  }

  /** Live figures: open sockets, requests in flight, age of the oldest. */
  stats(): HttpAgentStats {
    for (const pool of this.#pools.keys()) if (pool.destroyed) this.#pools.delete(pool);
    const oldest = this.#head === undefined ? 0 : Math.max(0, this.#clock.now() - this.#head.startedAt);
    const out: HttpAgentStats = {
      state: this.#state,
      origins: [...new Set(this.#pools.values())],
      openSockets: this.#sockets.size,
      inFlight: this.#inFlightCount,
      oldestInFlightMs: oldest,
    };
    return out;
  }
}
