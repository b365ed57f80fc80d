/**
 * Tracking and shutdown of node:http servers. A tracked server counts its connections and the
 * requests in flight (with the age of the oldest), and shuts down in three steps: stop accepting
 * and close idle keep-alive connections (graceful), ask clients to close after the current
 * response, then `closeAllConnections()` and destroy upgraded sockets at the budget (forced).
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { systemClock, type Clock } from "@custodian/core";
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

/** @internal */
export interface TrackerOptions {
  clock?: Clock;
  mode?: DrainMode;
  drainDelayMs?: number;
  handler?: RequestListener;
}

/** @internal One tracked server. */
export class ServerTracker {
  readonly server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #inFlight = new Map<ServerResponse, number>();
  readonly #clock: Clock;
  readonly mode: DrainMode;
  /** In "503" mode: how long to keep answering 503 before closing the listener. */
  readonly drainDelayMs: number;
  handler: RequestListener | undefined;
  #state: "open" | "draining" | "closed" = "open";
  #closed: Promise<void> | undefined;

  constructor(server: Server, options: TrackerOptions) {
    this.server = server;
    this.#clock = options.clock ?? systemClock;
    this.mode = options.mode ?? "close";
    this.drainDelayMs = options.drainDelayMs ?? 0;
    this.handler = options.handler;
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
  onRequest(_request: IncomingMessage, response: ServerResponse): void {
    this.#inFlight.set(response, this.#clock.now());
    response.once("close", () => {
      this.#inFlight.delete(response);
      if (this.#state !== "open") this.server.closeIdleConnections();
    });
    // While draining, ask the client to close after this response (the socket then ends itself).
    if (this.#state !== "open" && !response.headersSent) response.setHeader("connection", "close");
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
   */
  async announceDrain(deadline: { remainingMs(): number }, signal: AbortSignal): Promise<void> {
    if (this.#state === "open") this.#state = "draining";
    const ms = Math.min(this.drainDelayMs, deadline.remainingMs() / 2);
    if (this.mode !== "503" || !(ms > 0) || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = this.#clock.setTimeout(done, ms);
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
   * Graceful: stop accepting, close idle connections, and resolve when every connection has ended.
   * In "503" mode the listener keeps answering 503 on live connections until they end.
   */
  close(): Promise<void> {
    if (this.#state === "open") this.#state = "draining";
    return (this.#closed ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.#state = "closed";
        untrackServer(this.server);
        resolve();
      };
      if (this.server.listening) {
        this.server.close(() => done());
      } else if (this.#sockets.size === 0) {
        done();
        return;
      } else {
        // Not listening (never listened, or closed by its owner): wait for the connections we saw.
        let left = this.#sockets.size;
        for (const s of this.#sockets) s.once("close", () => --left === 0 && done());
      }
      this.server.closeIdleConnections();
    }));
  }

  /** Forced: end every connection now, upgraded ones included. */
  async destroy(): Promise<void> {
    const closing = this.close();
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
