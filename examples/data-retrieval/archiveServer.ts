/**
 * The embedded market-data archive: a real HTTP server on 127.0.0.1 serving generated daily CSV
 * files, with deliberately bad endpoints (one stalls forever, one drips, one fails) so the demo
 * shows what Custodian does with them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ArchiveServer {
  readonly server: Server;
  readonly origin: string;
  /** Requests answered so far, by kind. */
  readonly stats: { ok: number; stalled: number; dripping: number; failed: number };
}

/** Deterministic pseudo-random numbers from a string seed (same day, same file). */
function rng(seed: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return ((h ^= h >>> 16) >>> 0) / 4294967296;
  };
}

/** One trading day of minute bars for `symbol` as CSV: time,price,volume. */
export function dailyCsv(symbol: string, day: string): string {
  const rand = rng(`${symbol}/${day}`);
  let price = 100 + rand() * 50;
  const lines = ["time,price,volume"];
  for (let minute = 0; minute < 390; minute++) {
    price = Math.max(1, price * (1 + (rand() - 0.5) * 0.004));
    const hh = String(9 + Math.floor((minute + 30) / 60)).padStart(2, "0");
    const mm = String((minute + 30) % 60).padStart(2, "0");
    lines.push(`${day}T${hh}:${mm},${price.toFixed(2)},${Math.floor(rand() * 5000)}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Starts the archive on 127.0.0.1 (port 0 = any free port).
 * Routes: /archive/:symbol/:day.csv, /stall/..., /drip/..., /fail/...
 */
export async function startArchiveServer(port = 0, dripIntervalMs = 250): Promise<ArchiveServer> {
  const stats = { ok: 0, stalled: 0, dripping: 0, failed: 0 };
  const drips = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [, kind, symbol = "X", file = "day.csv"] = (req.url ?? "/").split("/");
    const day = file.replace(/\.csv$/, "");
    if (kind === "archive") {
      stats.ok++;
      const body = dailyCsv(symbol, day);
      res.writeHead(200, { "content-type": "text/csv", "content-length": Buffer.byteLength(body) });
      res.end(body);
    } else if (kind === "stall") {
      stats.stalled++; // accept, never answer
    } else if (kind === "drip") {
      stats.dripping++;
      const body = dailyCsv(symbol, day);
      res.writeHead(200, { "content-type": "text/csv", "content-length": Buffer.byteLength(body) });
      let i = 0;
      const t = setInterval(() => {
        if (i >= body.length || res.destroyed) {
          clearInterval(t);
          drips.delete(t);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(body[i++]);
      }, dripIntervalMs);
      drips.add(t);
      res.on("close", () => {
        clearInterval(t);
        drips.delete(t);
      });
    } else if (kind === "fail") {
      stats.failed++;
      res.writeHead(503, { "content-type": "text/plain" });
      res.end("archive node unavailable\n");
    } else {
      res.writeHead(404).end();
    }
  });
  server.on("close", () => {
    for (const t of drips) clearInterval(t);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const { port: bound } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${bound}`, stats };
}
