/**
 * The dashboard's HTTP server: static page + JSON state + a Server-Sent Events stream, behind an
 * access token, bound to loopback unless told otherwise, answering only its own Host names (421
 * otherwise, so a DNS-rebinding page cannot read it). The server is itself a tracked resource
 * (`http.server`): during shutdown it stays up until every other resource has settled, so the page
 * shows each outcome, then closes.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createHostAllowList,
  isLoopbackHost,
  KernelError,
  type Kernel,
  type KernelEvent,
  type ReleaseContext,
  type ResourceHandle,
  type ResourceOutcome,
  type TimerHandle,
} from "@custodian/core";
import { loadAssets, type Asset } from "./assets.js";
import { DashboardModel, eventView } from "./DashboardModel.js";
import { DashboardListenError, DashboardOptionsError, DashboardRemoteBindError } from "./errors.js";

/** Options of `serveDashboard`. */
export interface DashboardOptions {
  /** Interface to bind. Default "127.0.0.1". Anything but loopback needs `allowRemote: true`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** Access token (at least 16 characters). Default: 32 random bytes, base64url. */
  token?: string;
  /** Allow binding a non-loopback interface. Default false. */
  allowRemote?: boolean;
  /**
   * More `Host` names the dashboard answers (`name` on any port, or `name:port`). Always answered:
   * `localhost`, `127.0.0.1` and `[::1]` with the dashboard's port, and the bound IP literal; any
   * other Host (a DNS-rebinding page) gets 421.
   */
  allowedHosts?: string[];
  /** How much history the charts keep. Default 10 minutes. */
  windowMs?: number;
  /** Sampling interval of the charts (and the page's refresh tick). Default 1000 ms. */
  sampleMs?: number;
  /** Most resources listed on the page (oldest first). Default 200. */
  maxResources?: number;
  /** Name of the dashboard's own resource. Default "dashboard". */
  name?: string;
  /** Where the start line goes (it carries the token). Default console.error. */
  log?: (line: string) => void;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page's address with the token: open this. */
  readonly url: string;
  /** The address without the token. */
  readonly origin: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** The dashboard's own tracked resource (type `http.server`). */
  readonly handle: ResourceHandle<Server>;
  /** Closes the dashboard (releases its resource). Idempotent. */
  close(): Promise<ResourceOutcome>;
}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
} as const;

/** Most kernel events sent per push; the rest are counted in one "dropped" line. */
const MAX_LINES_PER_PUSH = 200;

interface Client {
  res: ServerResponse;
  /** False while the socket's buffer is full: state pushes are skipped, not queued. */
  writable: boolean;
}

/**
 * Starts the dashboard for `kernel` and tracks its server as a resource. Prints the address with
 * its token through `log` (default `console.error`) and emits `plugin:event` dashboard/listening.
 * @throws KernelError ERR_DASHBOARD_INVALID_OPTIONS, ERR_DASHBOARD_REMOTE_BIND, ERR_DASHBOARD_LISTEN,
 *   ERR_KERNEL_CLOSED (the kernel is shutting down)
 * @example
 *   const dashboard = await serveDashboard(kernel, { port: 0 })
 *   console.log(dashboard.url)   // http://127.0.0.1:PORT/?token=...
 */
export async function serveDashboard(kernel: Kernel, options: DashboardOptions = {}): Promise<Dashboard> {
  const opts = checkOptions(options);
  if (kernel.state !== "running") throw new KernelError("ERR_KERNEL_CLOSED", "Cannot start the dashboard: the kernel is shutting down or closed");
  const assets = await loadAssets();
  const tokenDigest = digest(opts.token);
  let selfId: string | undefined = undefined;
  const model = new DashboardModel(kernel, { windowMs: opts.windowMs, sampleMs: opts.sampleMs, maxResources: opts.maxResources, selfId: () => selfId });
  const clients = new Set<Client>();
  let cookieName = "custodian_dashboard";
  let closing = false;

  let hosts = createHostAllowList({ port: 0 });
  const server = createServer((req, res) => route(req, res));
  // Node answers 408 to slow requests on its own; SSE responses are not bound by requestTimeout.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  function route(req: IncomingMessage, res: ServerResponse): void {
    // Before the token: a page on a rebinding name learns nothing, not even that a token is asked.
    if (!hosts.allows(req.headers.host))
      return send(res, 421, "text/plain; charset=utf-8", "421 Misdirected Request: this Host is not served here (dashboard option allowedHosts)\n");
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain; charset=utf-8", "Method not allowed\n", { allow: "GET, HEAD" });
    const queryToken = url.searchParams.get("token");
    const given = queryToken ?? bearer(req) ?? cookie(req, cookieName);
    if (given === undefined || !timingSafeEqual(digest(given), tokenDigest)) {
      return send(res, 401, "text/plain; charset=utf-8", "401 Unauthorized: open the dashboard with the URL (and ?token=) it printed at start\n", {
        "www-authenticate": 'Bearer realm="custodian-dashboard"',
      });
    }
    if (queryToken !== null && url.pathname === "/") {
      // Trade the token in the address bar for a cookie, then drop it from the URL.
      url.searchParams.delete("token");
      return send(res, 303, "text/plain; charset=utf-8", "", {
        location: url.pathname + url.search,
        "set-cookie": `${cookieName}=${given}; Path=/; HttpOnly; SameSite=Strict`,
      });
    }
    if (url.pathname === "/api/state") return send(res, 200, "application/json; charset=utf-8", JSON.stringify(model.state(true)));
    if (url.pathname === "/api/events") return req.method === "HEAD" ? send(res, 200, "text/event-stream; charset=utf-8", "") : openStream(req, res);
    const asset: Asset | undefined = assets.get(url.pathname);
    if (asset === undefined) return send(res, 404, "text/plain; charset=utf-8", "Not found\n");
    return send(res, 200, asset.contentType, asset.body); // Node sends no body for HEAD
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    if (closing) return send(res, 503, "text/plain; charset=utf-8", "The dashboard is closing\n");
    res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" });
    const client: Client = { res, writable: true };
    clients.add(client);
    res.on("drain", () => (client.writable = true));
    const drop = (): void => void clients.delete(client);
    req.on("close", drop);
    res.on("error", drop);
    client.writable = res.write(`retry: 2000\n\n`);
    write(client, "state", model.state(true));
  }

  function write(client: Client, event: string, data: unknown): void {
    // A slow page is skipped, not buffered: it catches up with the next state after "drain".
    if (!client.writable && event !== "bye") return;
    client.writable = client.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  // Kernel events become log lines, sent in one write with the next state push: on every
  // sample, and at most 50 ms after a kernel event.
  let pushTimer: TimerHandle | undefined;
  let lines: string[] = [];
  let dropped = 0;
  const pushState = (): void => {
    kernel.clock.clearTimeout(pushTimer);
    pushTimer = undefined;
    if (clients.size === 0) return void (lines = []);
    let chunk = "";
    for (const l of lines) chunk += `event: kernel\ndata: ${l}\n\n`;
    if (dropped > 0)
      chunk += `event: kernel\ndata: ${JSON.stringify({ at: kernel.clock.now(), type: "dashboard:dropped", text: `${dropped} more events not shown` })}\n\n`;
    chunk += `event: state\ndata: ${JSON.stringify(model.state(false))}\n\n`;
    lines = [];
    dropped = 0;
    for (const c of clients) if (c.writable) c.writable = c.res.write(chunk);
  };
  const stopListening = model.onChange((kind, event?: KernelEvent) => {
    if (kind === "sample") return pushState();
    if (clients.size === 0 || event === undefined) return;
    if (lines.length < MAX_LINES_PER_PUSH) lines.push(JSON.stringify(eventView(event)));
    else dropped++;
    pushTimer ??= kernel.clock.setTimeout(pushState, 50);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: unknown): void => reject(new DashboardListenError(`${opts.host}:${opts.port}`, error));
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      resolve();
    });
  }).catch((error: unknown) => {
    stopListening();
    throw error;
  });
  server.on("error", (error) => kernel.emitPluginEvent("dashboard", "dashboard:error", { message: error.message }));
  const address = server.address() as AddressInfo;
  const port = address.port;
  hosts = createHostAllowList({ port, bindHost: opts.host, allowedHosts: opts.allowedHosts });
  cookieName = `custodian_dashboard_${port}`;
  const hostPart = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${hostPart}:${port}`;
  const url = `${origin}/?token=${encodeURIComponent(opts.token)}`;

  /** Sends a last state and a goodbye, ends the streams and closes the server. */
  const shutDownServer = (hard: boolean): Promise<void> => {
    closing = true;
    pushState();
    model.stop();
    stopListening();
    const done = new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
    for (const c of clients) {
      write(c, "bye", { reason: kernel.state === "running" ? "dashboard closed" : "process shutting down" });
      c.res.end();
    }
    clients.clear();
    if (hard) server.closeAllConnections();
    else server.closeIdleConnections();
    return done;
  };

  /** During shutdown, wait for the others first so the page sees every outcome. */
  const release = async (_server: Server, ctx: ReleaseContext): Promise<void> => {
    if (kernel.state !== "running") await model.whenOthersSettled(ctx.signal);
    if (ctx.signal.aborted) return; // force() takes over
    await shutDownServer(false);
  };
  const force = async (): Promise<void> => {
    const sd = model.shutdown;
    if (sd !== undefined && sd.deadlineMs > 0) {
      // Keep watching the forced phase, leaving a margin before the hard deadline.
      const hardAt = sd.startedAt + sd.deadlineMs;
      const left = hardAt - kernel.clock.now();
      const watch = new AbortController();
      const t = kernel.clock.setTimeout(() => watch.abort(), Math.max(0, left - Math.max(20, left * 0.25)));
      await model.whenOthersSettled(watch.signal);
      kernel.clock.clearTimeout(t);
    }
    await shutDownServer(true);
  };

  let handle: ResourceHandle<Server>;
  try {
    handle = kernel.adopt(server, {
      type: "http.server",
      name: opts.name,
      release,
      force,
      describe: () => ({ url: origin, clients: clients.size, role: "dashboard" }),
    });
  } catch (error) {
    stopListening();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  selfId = handle.id;
  model.start();

  opts.log(`custodian dashboard: ${url}`);
  kernel.emitPluginEvent("dashboard", "dashboard:listening", { url, origin, host: opts.host, port, token: opts.token });

  return {
    url,
    origin,
    token: opts.token,
    host: opts.host,
    port,
    handle,
    close: () => handle.release(),
  };
}

interface CheckedOptions {
  host: string;
  allowedHosts: string[];
  port: number;
  token: string;
  windowMs: number;
  sampleMs: number;
  maxResources: number;
  name: string;
  log: (line: string) => void;
}

function checkOptions(o: DashboardOptions): CheckedOptions {
  if (o === null || typeof o !== "object") throw new DashboardOptionsError("options", "an object", o);
  const host = o.host ?? "127.0.0.1";
  if (typeof host !== "string" || host === "") throw new DashboardOptionsError("host", "a non-empty string", host);
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DashboardOptionsError("port", "an integer from 0 to 65535", port);
  if (o.allowRemote !== undefined && typeof o.allowRemote !== "boolean") throw new DashboardOptionsError("allowRemote", "a boolean", o.allowRemote);
  if (!isLoopback(host) && o.allowRemote !== true) throw new DashboardRemoteBindError(host);
  const allowedHosts = o.allowedHosts ?? [];
  if (!Array.isArray(allowedHosts) || !allowedHosts.every((h) => typeof h === "string" && h !== ""))
    throw new DashboardOptionsError("allowedHosts", "an array of non-empty host names", allowedHosts);
  const token = o.token ?? randomBytes(32).toString("base64url");
  if (typeof token !== "string" || token.length < 16 || !/^[\x21-\x7e]+$/.test(token) || /[;,]/.test(token)) {
    throw new DashboardOptionsError("token", "at least 16 printable characters without spaces, ';' or ','", o.token === undefined ? undefined : "(hidden)");
  }
  const windowMs = o.windowMs ?? 600_000;
  if (!(typeof windowMs === "number" && windowMs > 0 && Number.isFinite(windowMs)))
    throw new DashboardOptionsError("windowMs", "a positive number of ms", windowMs);
  const sampleMs = o.sampleMs ?? 1_000;
  if (!(typeof sampleMs === "number" && sampleMs >= 50 && Number.isFinite(sampleMs)))
    throw new DashboardOptionsError("sampleMs", "a number of ms >= 50", sampleMs);
  const maxResources = o.maxResources ?? 200;
  if (!(Number.isInteger(maxResources) && maxResources > 0)) throw new DashboardOptionsError("maxResources", "a positive integer", maxResources);
  const name = o.name ?? "dashboard";
  if (typeof name !== "string" || name === "") throw new DashboardOptionsError("name", "a non-empty string", name);
  const log = o.log ?? ((line: string) => console.error(line));
  if (typeof log !== "function") throw new DashboardOptionsError("log", "a function", log);
  return { host, allowedHosts, port, token, windowMs, sampleMs, maxResources, name, log };
}

/** True for 127.0.0.0/8, ::1 and localhost (core's isLoopbackHost). */
export const isLoopback: (host: string) => boolean = isLoopbackHost;

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

function bearer(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, "").trim();
  const h = req.headers["x-custodian-token"];
  return typeof h === "string" ? h : undefined;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": contentType, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}
