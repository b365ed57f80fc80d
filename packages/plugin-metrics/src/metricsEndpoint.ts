/**
 * The `/metrics` endpoint: an http.Server adopted by the kernel (type `metrics.endpoint`) that
 * answers only who it should. It binds loopback unless `allowRemote: true` comes with a `token`
 * (then every scrape needs `Authorization: Bearer <token>`), and it answers a request only when
 * its `Host` is a loopback name with the endpoint's port, the bound IP literal, or one of
 * `allowedHosts`: a DNS-rebinding page gets 421, never the exposition text.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHostAllowList, isLoopbackHost, type Kernel } from "@custodian/core";
import { MetricsEndpointError, MetricsRemoteBindError } from "./errors.js";
import type { MetricsOptions } from "./schema.js";

/** What the endpoint serves. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

/**
 * Starts the endpoint and has the kernel track it; resolves its URL.
 * @throws MetricsRemoteBindError ERR_METRICS_REMOTE_BIND (non-loopback host without allowRemote and a token),
 *   MetricsEndpointError ERR_METRICS_ENDPOINT (could not listen)
 */
export async function serveMetrics(kernel: Kernel, source: MetricsSource, endpoint: NonNullable<MetricsOptions["endpoint"]>): Promise<string> {
  const host = endpoint.host ?? "127.0.0.1";
  const path = endpoint.path ?? "/metrics";
  const token = endpoint.token;
  if (!isLoopbackHost(host) && (endpoint.allowRemote !== true || token === undefined)) throw new MetricsRemoteBindError(host);
  const tokenDigest = token === undefined ? undefined : digest(token);
  let hosts = createHostAllowList({ port: 0 });

  const server = http.createServer((req, res) => {
    if (!hosts.allows(req.headers.host)) {
      res.writeHead(421, { "content-type": "text/plain" }).end("misdirected request: this Host is not served here (metrics.endpoint.allowedHosts)\n");
      return;
    }
    if (tokenDigest !== undefined) {
      const auth = req.headers.authorization;
      const given = auth !== undefined && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, "").trim() : "";
      if (!timingSafeEqual(digest(given), tokenDigest)) {
        res.writeHead(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' }).end("unauthorized\n");
        return;
      }
    }
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== path) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    source.metrics().then(
      (text) => res.writeHead(200, { "content-type": source.contentType }).end(text),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  const port = endpoint.port ?? 9464;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e) => reject(new MetricsEndpointError(`${host}:${port}`, e)));
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  hosts = createHostAllowList({ port: addr.port, bindHost: host, allowedHosts: endpoint.allowedHosts });
  kernel.adopt(server, {
    type: "metrics.endpoint",
    name: "metrics-endpoint",
    release: (s, ctx) =>
      new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
        ctx.signal.addEventListener("abort", () => s.closeAllConnections(), { once: true });
      }),
    force: (s) => s.closeAllConnections(),
  });
  return `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}${path}`;
}
