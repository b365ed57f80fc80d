/**
 * A raw HTTP/1.1 keep-alive connection for drain tests: every byte is written when the test says
 * so (a request is "already sent" the moment send() returns), and responses are parsed as they
 * arrive. Also a self-signed certificate for https servers, made with openssl at test time.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  get as httpGet,
  type Agent as HttpAgentLike,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, get as httpsGet } from "node:https";
import { createConnection, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { onTestFinished } from "vitest";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One client connection; `next()` resolves the next response, or rejects with how the socket ended. */
export class RawConnection {
  readonly socket: Socket;
  /** "end" (the server closed it cleanly) or "error:<code>". */
  readonly ended: Promise<string>;
  #buffer = "";
  #ready: RawResponse[] = [];
  #waiters: Array<{ resolve: (r: RawResponse) => void; reject: (e: Error) => void }> = [];
  #end: string | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      this.#parse();
    });
    this.ended = new Promise<string>((resolve) => {
      const finish = (how: string): void => {
        if (this.#end !== undefined) return;
        this.#end = how;
        for (const w of this.#waiters.splice(0)) w.reject(new Error(how));
        resolve(how);
      };
      socket.on("error", (e: NodeJS.ErrnoException) => finish(`error:${e.code ?? e.message}`));
      socket.on("end", () => finish("end"));
      socket.on("close", () => finish("end"));
    });
  }

  static open(url: string): Promise<RawConnection> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const port = Number(u.port);
      const socket =
        u.protocol === "https:"
          ? tlsConnect({ host: u.hostname, port, rejectUnauthorized: false }, () => resolve(new RawConnection(socket)))
          : createConnection({ host: u.hostname, port }, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Writes one GET request now (several paths: pipelined in one write). */
  send(...paths: string[]): void {
    this.socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`).join(""));
  }

  next(): Promise<RawResponse> {
    const r = this.#ready.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.#end !== undefined) return Promise.reject(new Error(this.#end));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  close(): void {
    this.socket.destroy();
  }

  #parse(): void {
    for (;;) {
      const headEnd = this.#buffer.indexOf("\r\n\r\n");
      if (headEnd < 0) return;
      const [statusLine, ...lines] = this.#buffer.slice(0, headEnd).split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let rest = this.#buffer.slice(headEnd + 4);
      let body = "";
      if (headers["transfer-encoding"] === "chunked") {
        for (;;) {
          const nl = rest.indexOf("\r\n");
          if (nl < 0) return;
          const size = Number.parseInt(rest.slice(0, nl), 16);
          if (rest.length < nl + 2 + size + 2) return;
          body += rest.slice(nl + 2, nl + 2 + size);
          rest = rest.slice(nl + 2 + size + 2);
          if (size === 0) break;
        }
      } else {
        const length = Number(headers["content-length"] ?? 0);
        if (rest.length < length) return;
        body = rest.slice(0, length);
        rest = rest.slice(length);
      }
      this.#buffer = rest;
      const response = { status: Number(statusLine.split(" ")[1]), headers, body };
      const w = this.#waiters.shift();
      if (w !== undefined) w.resolve(response);
      else this.#ready.push(response);
    }
  }
}

let cert: { key: Buffer; cert: Buffer } | undefined;

/** A self-signed certificate for 127.0.0.1 and localhost (made once per test file). */
export function selfSignedCert(): { key: Buffer; cert: Buffer } {
  if (cert !== undefined) return cert;
  const dir = mkdtempSync(join(tmpdir(), "custodian-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    cert = { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
    return cert;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type Scheme = "http" | "https";

/** An incoming request the test answers when it chooses to. */
export interface Held {
  req: IncomingMessage;
  res: ServerResponse;
}

/** A server whose requests queue up for the test (`held()` resolves the next one); closed when the test ends. */
export async function heldServer(scheme: Scheme): Promise<{ server: Server; url: string; held(): Promise<Held>; count(): number }> {
  const queue: Held[] = [];
  const waiters: Array<(h: Held) => void> = [];
  let count = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    count++;
    const w = waiters.shift();
    if (w !== undefined) w({ req, res });
    else queue.push({ req, res });
  };
  const server = scheme === "https" ? createHttpsServer(selfSignedCert(), onRequest) : createHttpServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return {
    server,
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => {
      const h = queue.shift();
      return h !== undefined ? Promise.resolve(h) : new Promise<Held>((resolve) => waiters.push(resolve));
    },
    count: () => count,
  };
}

/** Resolves how a fresh connection attempt ends: "connected" or "error:<code>". */
export function tryConnect(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname, port: Number(u.port) }, () => {
      s.destroy();
      resolve("connected");
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
  });
}

/** A GET through a node:http(s) Agent; resolves the response, or rejects with the error code. */
export function agentGet(url: string, agent?: HttpAgentLike): Promise<RawResponse> {
  const get = url.startsWith("https:") ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: agent ?? false, rejectUnauthorized: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}
