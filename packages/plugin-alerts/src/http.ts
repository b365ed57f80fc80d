/**
 * JSON POSTs over node:http(s) with a timeout on the kernel clock. URLs are split into a
 * redacted form (for logs and events) and credentials (moved to an Authorization header).
 */
import http from "node:http";
import https from "node:https";
import type { Clock } from "@custodian/core";

/** A delivery target: the URL to call, its headers, and how it may be shown. */
export interface Target {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  /** scheme://host/path: no userinfo, no query (either may carry a token). */
  readonly display: string;
}

/**
 * Splits credentials out of `raw`: userinfo becomes `Authorization: Basic` unless `headers` already
 * carry an Authorization header (in any case), which is then sent as configured; nothing secret is displayed.
 */
export function makeTarget(raw: string, headers: Readonly<Record<string, string>> = {}): Target {
  const url = new URL(raw);
  const h: Record<string, string> = { ...headers };
  if (url.username !== "" || url.password !== "") {
    if (!Object.keys(h).some((k) => k.toLowerCase() === "authorization"))
      h.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
    url.username = "";
    url.password = "";
  }
  return { url, headers: h, display: `${url.protocol}//${url.host}${url.pathname}` };
}

/** The agents of one sink; destroyed when the sink is done. */
export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export const createAgents = (): Agents => ({ http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) });

/**
 * POSTs `body` as JSON; resolves with the status code on 2xx, rejects otherwise.
 * The timeout runs on `clock`; `signal` aborts at once.
 */
export function postJson(target: Target, body: string, opts: { clock: Clock; timeoutMs: number; agents: Agents; signal?: AbortSignal }): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const mod = target.url.protocol === "https:" ? https : http;
    let settled = false;
    const done = (err: Error | undefined, status?: number): void => {
      if (settled) return;
      settled = true;
      opts.clock.clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      if (err !== undefined) reject(err);
      else resolve(status!);
    };
    const req = mod.request(target.url, {
      method: "POST",
      agent: target.url.protocol === "https:" ? opts.agents.https : opts.agents.http,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "custodian-alerts", ...target.headers },
    });
    const timer = opts.clock.setTimeout(() => {
      done(new Error(`no answer within ${opts.timeoutMs}ms`));
      req.destroy();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      done(new Error("aborted at the shutdown deadline"));
      req.destroy();
    };
    if (opts.signal?.aborted === true) return onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) done(undefined, status);
        else done(Object.assign(new Error(`HTTP ${status}`), { status }));
      });
      res.on("error", (e) => done(e));
    });
    // The message of a network error names the host and port, never userinfo (already removed).
    req.on("error", (e) => done(e));
    req.end(body);
  });
}
