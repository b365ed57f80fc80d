/**
 * Tracking and shutdown of node:http and node:https servers. A tracked server counts its
 * connections and the requests in flight (with the age of the oldest), and drains so that
 * keep-alive clients survive it, the way http-terminator and stoppable do:
 *
 * 1. Draining starts: the listener closes at once (new connections are refused), and the last
 *    response of each connection that has not sent its headers yet gets `connection: close`.
 * 2. Requests a client already sent are answered: a connection is judged idle only after the
 *    event loop has read what is already in the socket buffers (two I/O turns), so a request
 *    queued on a keep-alive socket becomes a request in flight (and gets `connection: close`)
 *    instead of being reset with the idle socket.
 * 3. A connection closes once its last response has ended: node closes it after a
 *    `connection: close` response. One whose headers went out as keep-alive (the client was not
 *    told) lingers `idleLingerMs` (default 250 ms) for the request a client sends at once on a
 *    socket it still believes open (answered with `connection: close`), then is closed as idle.
 * 4. Forced, at the budget: `closeAllConnections()`, and upgraded sockets destroyed.
 *
 * An inherent race stays: a request still on the wire when an idle connection is closed is
 * lost (RFC 9112 §9.6: clients retry it). Nothing already received is.
 */
import { Server as HttpServerClass, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { Server as HttpsServerClass } from "node:https";
import { Server as NetServer, type Socket } from "node:net";
import { systemClock, type Clock, type TimerHandle } from "@custodian/core";
import { HttpInvalidSpecError } from "./errors.js";
import { trackServer, untrackServer } from "./tracking.js";

/** What a server does with requests that arrive while it is draining. */
export type DrainMode = "close" | "503";

/** Live figures of a server, as shown in `kernel.snapshot()`. */
export interface HttpServerStats {
  state: "open" | "draining" | "closed";
  listening: boolean;
  openSockets: number;
  inFlight: number;
  oldestInFlightMs: number;
}

const trackers = new WeakMap<Server, ServerTracker>();

/** True for a node:http or node:https server (an https.Server is not an instance of http.Server). */
export const isNodeServer = (value: unknown): value is Server => value instanceof HttpServerClass || value instanceof HttpsServerClass;

/** Runs `fn` after the event loop has read what already sits in the socket buffers. */
function afterPendingReads(fn: () => void): void {
  // The first immediate may run before this loop turn's poll phase; the second runs after a full one.
  setImmediate(() => setImmediate(fn));
}

/** @internal */
export interface TrackerOptions {
  clock?: Clock;
  mode?: DrainMode;
  drainDelayMs?: number;
  handler?: RequestListener;
  /** How long a connection whose last response went out keep-alive during the drain waits for one more request. */
  idleLingerMs?: number;
}

/** Default of `idleLingerMs`. */
export const DEFAULT_IDLE_LINGER_MS = 250;

/** @internal One tracked server. */
export class ServerTracker {
  readonly server: Server;
  /** Every connection (TCP level; for https, the socket under the TLS one). */
  readonly #sockets = new Set<Socket>();
  readonly #inFlight = new Map<ServerResponse, number>();
  /** Responses in flight per HTTP connection, in request order (pipelined requests queue here). */
  readonly #perConnection = new Map<Socket, ServerResponse[]>();
  /** Responses this tracker put `connection: close` on (and may move to a later request). */
  readonly #marked = new WeakSet<ServerResponse>();
  /** Connections lingering after a keep-alive response during the drain, with their timer. */
  readonly #lingering = new Map<Socket, TimerHandle>();
  readonly #clock: Clock;
  /** How long a connection whose last response went out keep-alive during the drain waits for one more request. */
  idleLingerMs: number;
  readonly mode: DrainMode;
  /** In "503" mode: how long to keep answering 503 before closing the listener. */
  readonly drainDelayMs: number;
  handler: RequestListener | undefined;
  #state: "open" | "draining" | "closed" = "open";
  #closed: Promise<void> | undefined;
  /** True once this tracker closed the listener itself (then node's own close() may follow once). */
  #closedListener = false;
  #preClosed = false;
  #sweepScheduled = false;

  constructor(server: Server, options: TrackerOptions) {
    this.server = server;
    this.#clock = options.clock ?? systemClock;
    this.mode = options.mode ?? "close";
    this.drainDelayMs = options.drainDelayMs ?? 0;
    this.handler = options.handler;
    this.idleLingerMs = options.idleLingerMs ?? DEFAULT_IDLE_LINGER_MS;
    server.on("connection", this.#onConnection);
    trackServer(server, this);
    trackers.set(server, this);
  }

  get draining(): boolean {
    return this.#state !== "open";
  }

  readonly #onConnection = (socket: Socket): void => {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  };

  /** diagnostics_channel http.server.request.start, attributed to this server. */
  onRequest(request: IncomingMessage, response: ServerResponse): void {
    this.#inFlight.set(response, this.#clock.now());
    // The request's socket: a pipelined response has none until the one before it has ended.
    const connection = (request.socket as Socket | null) ?? null;
    if (connection !== null) {
      this.#stopLingering(connection);
      const list = this.#perConnection.get(connection);
      if (list === undefined) this.#perConnection.set(connection, [response]);
      else list.push(response);
    }
    response.once("close", () => {
      this.#inFlight.delete(response);
      if (connection === null) return;
      const list = this.#perConnection.get(connection);
      const i = list?.indexOf(response) ?? -1;
      if (i >= 0) list!.splice(i, 1);
      if (list?.length !== 0) return;
      this.#perConnection.delete(connection);
      // After a `connection: close` response node has already ended the connection (destroySoon).
      if (this.#state !== "open" && !connection.destroyed && !connection.writableEnded) this.#linger(connection);
    });
    if (this.#state !== "open" && connection !== null) this.#markLast(connection);
  }

  /**
   * Asks the client to close after the last request it has sent on `connection`: that response
   * gets `connection: close`; an earlier one this tracker marked is unmarked, so a request queued
   * behind it is still answered.
   */
  #markLast(connection: Socket): void {
    const list = this.#perConnection.get(connection);
    if (list === undefined) return;
    const last = list[list.length - 1];
    for (const res of list) {
      if (res !== last && this.#marked.has(res) && !res.headersSent) {
        res.removeHeader("connection");
        this.#marked.delete(res);
      }
    }
    if (last !== undefined && !last.headersSent) {
      last.setHeader("connection", "close");
      this.#marked.add(last);
    }
  }

  /** Marks every connection's last response; called once, when draining starts. */
  #startDraining(): void {
    if (this.#state !== "open") return;
    this.#state = "draining";
    for (const connection of this.#perConnection.keys()) this.#markLast(connection);
  }

  /** Gives `connection` idleLingerMs for one more request, then closes it if idle. */
  #linger(connection: Socket): void {
    if (this.idleLingerMs <= 0) return this.#scheduleSweep();
    if (this.#lingering.has(connection)) return;
    // Ref'd: the drain awaiting this connection holds the process until it ends.
    const timer = this.#clock.setTimeout(
      () => {
        this.#lingering.delete(connection);
        this.#scheduleSweep();
      },
      this.idleLingerMs,
      { ref: true },
    );
    this.#lingering.set(connection, timer);
    connection.once("close", () => this.#stopLingering(connection));
  }

  #stopLingering(connection: Socket): void {
    const timer = this.#lingering.get(connection);
    if (timer === undefined) return;
    this.#clock.clearTimeout(timer);
    this.#lingering.delete(connection);
    // A sweep skipped while this connection lingered is due now.
    if (this.#state !== "open") this.#scheduleSweep();
  }

  /** Closes idle connections once what the clients already sent has been read. */
  #scheduleSweep(): void {
    if (this.#sweepScheduled) return;
    this.#sweepScheduled = true;
    afterPendingReads(() => {
      this.#sweepScheduled = false;
      // closeIdleConnections() closes every idle connection, a lingering one too: wait until the
      // last linger has ended (each end schedules a sweep).
      if (this.#lingering.size > 0) return;
      // node's own close() clears the server's connection-checking interval as well as closing idle
      // connections. Its listener part is then a no-op, and it schedules no second 'close' event
      // only while a connection survives it: one with a response in flight. Without one, only
      // the idle connections are closed, and that (unref'd) interval stays armed.
      const busy = [...this.#perConnection.keys()].some((s) => !s.destroyed);
      if (this.#closedListener && !this.#preClosed && busy) {
        this.#preClosed = true;
        this.server.close();
      } else {
        this.server.closeIdleConnections();
      }
    });
  }

  /** The request listener of servers Custodian creates: 503 while draining in "503" mode. */
  readonly listener: RequestListener = (req, res) => {
    if (this.#state !== "open" && this.mode === "503") {
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "5", connection: "close" });
      res.end("Service is shutting down\n");
      return;
    }
    if (this.handler !== undefined) {
      this.handler(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("No request handler is set on this server\n");
  };

  /**
   * "503" mode: keep listening and answer 503 (so load balancers take the instance out) for
   * drainDelayMs, but never more than half of what remains of `deadline`; ends early on `signal`.
   * The wait's timer is ref'd: the release awaiting it holds the process until it ends.
   */
  async announceDrain(deadline: { remainingMs(): number }, signal: AbortSignal): Promise<void> {
    this.#startDraining();
    const ms = Math.min(this.drainDelayMs, deadline.remainingMs() / 2);
    if (this.mode !== "503" || !(ms > 0) || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(done, ms, { ref: true });
      function done(): void {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }
      const onAbort = (): void => {
        this.#clock.clearTimeout(timer);
        done();
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Graceful: stop accepting at once, answer what was already sent, close each connection after
   * its last response, and resolve when every connection has ended.
   */
  close(): Promise<void> {
    this.#startDraining();
    return (this.#closed ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.#state = "closed";
        untrackServer(this.server);
        resolve();
      };
      const live = [...this.#sockets].some((s) => !s.destroyed);
      if (this.server.listening && !live) {
        // Nothing connected: node's own close() has nothing idle to reset.
        this.server.close(() => done());
        return;
      }
      if (this.server.listening) {
        // Only the listener: node's http close() would also reset idle keep-alive connections
        // at once, racing requests already in their buffers. Those are closed by the sweep.
        this.#closedListener = true;
        NetServer.prototype.close.call(this.server, () => done());
      } else if (!live) {
        done();
        return;
      } else {
        // Not listening (never listened, or closed by its owner): wait for the connections we saw.
        let left = this.#sockets.size;
        for (const s of this.#sockets) s.once("close", () => --left === 0 && done());
      }
      this.#scheduleSweep();
    }));
  }

  /** Forced: end every connection now, upgraded ones included. */
  async destroy(): Promise<void> {
    const closing = this.close();
    for (const connection of [...this.#lingering.keys()]) this.#stopLingering(connection);
    this.server.closeAllConnections();
    // closeAllConnections() skips upgraded sockets (WebSocket, CONNECT): destroy what we track.
    for (const s of this.#sockets) s.destroy();
    await closing;
  }

  stats(): HttpServerStats {
    let oldest = 0;
    for (const at of this.#inFlight.values()) {
      oldest = Math.max(0, this.#clock.now() - at);
      break;
    }
    return {
      state: this.#state,
      listening: this.server.listening,
      openSockets: this.#sockets.size,
      inFlight: this.#inFlight.size,
      oldestInFlightMs: oldest,
    };
  }
}

/** @internal The tracker of a server, made on first use. */
export function serverTracker(server: Server, options: TrackerOptions = {}): ServerTracker {
  return trackers.get(server) ?? new ServerTracker(server, options);
}

/** Options of `closeServer`. */
export interface CloseServerOptions {
  /** Graceful budget; at its end every connection is closed. Default: no budget (graceful only). */
  timeoutMs?: number;
  /** Clock of the budget's timer. Default systemClock. */
  clock?: Clock;
  /**
   * How long a connection whose last response went out keep-alive waits for one more request.
   * Default 250; 0 closes it as soon as that response has ended (stoppable's behaviour).
   */
  idleLingerMs?: number;
}

/**
 * Drains a node:http(s) server outside any kernel: stops accepting at once, answers what clients
 * already sent (with `connection: close`), closes each connection after its last response, and
 * at `timeoutMs` closes the rest. While awaited, the budget's timer is ref'd, so a process whose
 * only pending work is this promise waits for it. Resolves "closed" (graceful) or "forced".
 * @throws HttpInvalidSpecError ERR_HTTP_INVALID_SPEC when `server` is not a node:http(s) server
 * @example const outcome = await closeServer(server, { timeoutMs: 5_000 })
 */
export async function closeServer(server: Server, options: CloseServerOptions = {}): Promise<"closed" | "forced"> {
  if (!isNodeServer(server)) throw new HttpInvalidSpecError("closeServer(server)", "a node:http or node:https Server", typeof server);
  const clock = options.clock ?? systemClock;
  const tracker = serverTracker(server, { clock });
  if (options.idleLingerMs !== undefined) tracker.idleLingerMs = options.idleLingerMs;
  const closing = tracker.close();
  const timeoutMs = options.timeoutMs;
  if (timeoutMs === undefined) {
    await closing;
    return "closed";
  }
  let timer: TimerHandle | undefined;
  const forced = new Promise<"forced">((resolve) => {
    timer = clock.setTimeout(() => resolve("forced"), timeoutMs, { ref: true });
  });
  const outcome = await Promise.race([closing.then(() => "closed" as const), forced]);
  clock.clearTimeout(timer);
  if (outcome === "forced") await tracker.destroy();
  return outcome;
}

/**
 * True while a tracked server is shutting down. Handlers of adopted servers use it to answer
 * readiness probes with 503.
 * @example app.get("/ready", (req, res) => res.status(isDraining(server) ? 503 : 200).end())
 */
export function isDraining(server: Server): boolean {
  return trackers.get(server)?.draining ?? false;
}

/** Sets the request handler of a server Custodian created from `listen` (e.g. declared in YAML). */
export function setRequestHandler(server: Server, handler: RequestListener): void {
  const t = trackers.get(server);
  if (t === undefined) throw new HttpInvalidSpecError("setRequestHandler(server)", "a server of an http.server resource", "an untracked server");
  t.handler = handler;
}
