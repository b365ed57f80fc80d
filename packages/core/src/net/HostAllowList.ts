/**
 * Which `Host` headers a local HTTP endpoint answers. A page served from an attacker's name that
 * resolves to 127.0.0.1 (DNS rebinding) reaches a loopback endpoint with the browser's blessing,
 * but its requests carry the attacker's name in `Host`. Endpoints that show what a process holds
 * (/metrics, the dashboard) answer only the loopback names with their own port, the IP literal
 * they are bound to, and names their operator configured; anything else gets 421.
 */

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True for 127.0.0.0/8, ::1 (bracketed or not), ::ffff:127.x and localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127(\.\d{1,3}){3}$/.test(h) || /^(\[)?::ffff:127(\.\d{1,3}){3}(\])?$/.test(h);
}

/** Splits a Host header into a lower-case name (IPv6 kept in brackets) and a port (undefined when absent). */
function parseHost(header: string): { name: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (m === null) return undefined;
  return { name: m[1].toLowerCase(), port: m[2] === undefined ? undefined : Number(m[2]) };
}

const isIpLiteral = (name: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/i.test(name);

/** Options of `createHostAllowList`. */
export interface HostAllowListOptions {
  /** The port the endpoint listens on (what a browser puts after the name). */
  port: number;
  /** The address it is bound to: when an IP literal, it is allowed as a Host too (with the port). */
  bindHost?: string;
  /** More names, `name` (any port) or `name:port`, e.g. the DNS name Prometheus scrapes. */
  allowedHosts?: readonly string[];
}

/** A Host check for one endpoint. */
export interface HostAllowList {
  /** True when a request with this `Host` header may be answered. */
  allows(hostHeader: string | undefined): boolean;
}

/**
 * Builds the Host check of an endpoint on `port`: `localhost`, `127.0.0.1` and `[::1]` with that
 * port, the bound IP literal with that port, and `allowedHosts`. A missing Host is refused.
 * @example
 *   const hosts = createHostAllowList({ port: 9464, allowedHosts: ["metrics.internal"] })
 *   http.createServer((req, res) => {
 *     if (!hosts.allows(req.headers.host)) return void res.writeHead(421).end()
 *     res.end("ok")
 *   })
 */
export function createHostAllowList(options: HostAllowListOptions): HostAllowList {
  const { port } = options;
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const name of ["localhost", "127.0.0.1", "[::1]"]) exact.add(`${name}:${port}`);
  // An IP literal is never a name an attacker's page can be served from, so the bound address
  // (a wildcard too: the printed URL of an endpoint bound to 0.0.0.0 carries it) is safe to answer.
  const bind = options.bindHost?.toLowerCase();
  if (bind !== undefined) {
    const name = bind.includes(":") && !bind.startsWith("[") ? `[${bind}]` : bind;
    if (isIpLiteral(name)) exact.add(`${name}:${port}`);
  }
  for (const entry of options.allowedHosts ?? []) {
    const parsed = parseHost(entry);
    if (parsed === undefined) continue;
    if (parsed.port === undefined) anyPort.add(parsed.name);
    else exact.add(`${parsed.name}:${parsed.port}`);
  }
  return {
    allows(hostHeader) {
      if (hostHeader === undefined) return false;
      const parsed = parseHost(hostHeader);
      if (parsed === undefined) return false;
      if (anyPort.has(parsed.name)) return true;
      return exact.has(`${parsed.name}:${parsed.port ?? 80}`);
    },
  };
}
