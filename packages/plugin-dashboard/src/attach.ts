/**
 * Attaching to a running process: `listenForAttach(kernel)` opens a small local control endpoint
 * (a Unix socket, mode 0600, named after the pid, in a per-user folder `custodian-<uid>` of mode
 * 0700 in the OS temp folder) and tracks it; the `custodian dashboard --pid N` command calls
 * `attachDashboard(N)`, which asks that endpoint to start the dashboard (or returns the one
 * already running) and gets its URL with the token back. Only this user can open the socket; the
 * attaching side checks that the folder and the socket are this user's own and writable by no one
 * else before it trusts the answer (another user could otherwise plant a socket that hands out a
 * URL of their choosing). The page still needs the token.
 */
import { lstat, chmod, mkdir, rm } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Kernel, ResourceHandle } from "@custodian/core";
import { DashboardAttachError, DashboardListenError } from "./errors.js";
import { serveDashboard, type Dashboard, type DashboardOptions } from "./serveDashboard.js";

/** The per-user folder of the attach sockets: `<tmp>/custodian-<uid>`, mode 0700. */
export const attachFolder = (): string => join(tmpdir(), `custodian-${process.getuid?.() ?? "user"}`);

/** The control socket of process `pid`. */
export const attachSocketPath = (pid: number = process.pid): string =>
  process.platform === "win32" ? `\\\\.\\pipe\\custodian-${pid}` : join(attachFolder(), `dashboard-${pid}.sock`);

/**
 * Why `path` is not private to this user (undefined when it is): it must be a real folder or socket
 * (not a symlink), owned by this uid, and writable by neither group nor others.
 */
async function notPrivate(path: string, kind: "folder" | "socket"): Promise<string | undefined> {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined; // Windows: named pipes, no uid.
  const st = await lstat(path).catch(() => undefined);
  if (st === undefined) return undefined; // Absent: connect/listen reports it.
  if (kind === "folder" ? !st.isDirectory() : !st.isSocket()) return `${path} is not a ${kind === "folder" ? "folder" : "socket"} (a symlink or another file)`;
  if (st.uid !== uid) return `${path} is owned by uid ${st.uid}, not by this user (uid ${uid})`;
  if ((st.mode & 0o022) !== 0)
    return `${path} is writable by ${(st.mode & 0o002) !== 0 ? "others" : "its group"} (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")})`;
  return undefined;
}

/** Options of `listenForAttach`. */
export interface AttachOptions {
  /** Socket path. Default `attachSocketPath(process.pid)`. */
  path?: string;
  /** Options of the dashboard it starts; an attaching client may only choose `port`. */
  dashboard?: DashboardOptions;
  /** A dashboard already running: attaching returns its URL while it is open. */
  current?: Dashboard;
}

/** A listening control endpoint. */
export interface AttachEndpoint {
  readonly path: string;
  readonly handle: ResourceHandle<Server>;
  /** The dashboard, once someone attached. */
  readonly dashboard: Dashboard | undefined;
  close(): Promise<void>;
}

/** What the endpoint answers, one JSON line. */
type Answer = { ok: true; url: string } | { ok: false; code: string; message: string };

/**
 * Opens the control endpoint `custodian dashboard` attaches to; tracked as a `net.server`.
 * @throws KernelError ERR_DASHBOARD_LISTEN (socket path taken by a live process), ERR_KERNEL_CLOSED
 * @example
 *   await listenForAttach(kernel)          // then: custodian dashboard --pid <this pid>
 */
export async function listenForAttach(kernel: Kernel, options: AttachOptions = {}): Promise<AttachEndpoint> {
  const path = options.path ?? attachSocketPath();
  let dashboard: Dashboard | undefined = options.current;
  let starting: Promise<Dashboard> | undefined;
  const sockets = new Set<Socket>();

  const start = (port: unknown): Promise<Dashboard> => {
    if (dashboard !== undefined && dashboard.handle.state === "active") return Promise.resolve(dashboard);
    const opts: DashboardOptions = { ...options.dashboard };
    if (typeof port === "number") opts.port = port;
    return (starting ??= serveDashboard(kernel, opts).then(
      (d) => ((dashboard = d), (starting = undefined), d),
      (error: unknown) => {
        starting = undefined;
        throw error;
      },
    ));
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setTimeout(5_000, () => socket.destroy());
    let buffer = "";
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      if (buffer.length > 4_096) return void socket.destroy();
      const nl = buffer.indexOf("\n");
      if (nl < 0) return;
      let request: { op?: unknown; port?: unknown };
      try {
        request = JSON.parse(buffer.slice(0, nl)) as { op?: unknown; port?: unknown };
      } catch {
        return reply(socket, { ok: false, code: "ERR_DASHBOARD_INVALID_OPTIONS", message: "the request is not one JSON line" });
      }
      if (request.op !== "dashboard")
        return reply(socket, { ok: false, code: "ERR_DASHBOARD_INVALID_OPTIONS", message: `unknown op ${JSON.stringify(request.op)}` });
      start(request.port).then(
        (d) => reply(socket, { ok: true, url: d.url }),
        (error: unknown) =>
          reply(socket, {
            ok: false,
            code: (error as { code?: string }).code ?? "ERR_DASHBOARD_LISTEN",
            message: error instanceof Error ? error.message : String(error),
          }),
      );
    });
  });

  if (options.path === undefined && process.platform !== "win32") {
    const folder = dirname(path);
    await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw new DashboardListenError(folder, error, "the per-user attach folder could not be made; pass another path");
    });
    const problem = await notPrivate(folder, "folder");
    if (problem !== undefined)
      throw new DashboardListenError(path, new Error(problem), `the attach folder must be this user's own, mode 0700: remove ${folder} or pass another path`);
  }
  await removeStaleSocket(path);
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => reject(new DashboardListenError(path, error, "another process (or kernel) owns this attach socket; pass another path")));
    server.listen(path, () => resolve());
  });
  if (process.platform !== "win32") await chmod(path, 0o600);

  const closeServer = (hard: boolean): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      if (hard) for (const s of sockets) s.destroy();
    });
  let handle: ResourceHandle<Server>;
  try {
    handle = kernel.adopt(server, {
      type: "net.server",
      name: "dashboard-attach",
      release: () => closeServer(false),
      force: () => closeServer(true),
      describe: () => ({ path, attached: dashboard !== undefined }),
    });
  } catch (error) {
    await closeServer(true);
    throw error;
  }
  return {
    path,
    handle,
    get dashboard() {
      return dashboard;
    },
    close: async () => void (await handle.release()),
  };
}

function reply(socket: Socket, answer: Answer): void {
  socket.end(JSON.stringify(answer) + "\n");
}

/** A socket file left by a crashed process answers nothing: remove it. A live one is kept (listen fails). */
async function removeStaleSocket(path: string): Promise<void> {
  if (process.platform === "win32") return;
  const alive = await new Promise<boolean>((resolve) => {
    const c = createConnection(path);
    c.once("connect", () => (c.destroy(), resolve(true)));
    c.once("error", () => resolve(false));
  });
  if (!alive) await rm(path, { force: true });
}

/**
 * Asks process `pid` (or the socket at `path`) to start its dashboard and returns its URL with the
 * token. What `custodian dashboard --pid N` calls.
 * @throws KernelError ERR_DASHBOARD_ATTACH (no endpoint, it answered an error, or its folder or socket
 *   is not this user's own or is writable by group/others)
 */
export async function attachDashboard(target: number | string, options: { port?: number; timeoutMs?: number } = {}): Promise<{ url: string }> {
  const path = typeof target === "number" ? attachSocketPath(target) : target;
  const subject = typeof target === "number" ? `process ${target}` : path;
  const problem = (await notPrivate(dirname(path), "folder")) ?? (await notPrivate(path, "socket"));
  if (problem !== undefined)
    throw new DashboardAttachError(
      subject,
      `refusing an attach socket another user could have placed: ${problem}`,
      undefined,
      "Only a socket in a folder of your own, writable by no one else, is trusted.",
    );
  const answer = await new Promise<Answer>((resolve, reject) => {
    const socket = createConnection(path);
    let data = "";
    socket.setTimeout(options.timeoutMs ?? 10_000, () => socket.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000}ms`)));
    socket.on("connect", () => socket.write(JSON.stringify({ op: "dashboard", port: options.port }) + "\n"));
    socket.on("data", (d) => (data += d.toString("utf8")));
    socket.on("end", () => {
      try {
        resolve(JSON.parse(data) as Answer);
      } catch {
        reject(new Error(`unreadable answer ${JSON.stringify(data.slice(0, 80))}`));
      }
    });
    socket.on("error", reject);
  }).catch((cause: unknown) => {
    throw new DashboardAttachError(subject, cause instanceof Error ? cause.message : String(cause), { cause });
  });
  if (!answer.ok) throw new DashboardAttachError(subject, `it answered ${answer.code}: ${answer.message}`);
  return { url: answer.url };
}
