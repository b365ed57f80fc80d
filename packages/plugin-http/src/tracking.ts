/**
 * diagnostics_channel subscriptions shared by every tracked resource. Each message is attributed
 * to its owner through an identity the owner handed out: the http.Server of an http.server, the
 * node:http Agent of an http.node-agent. One subscription per channel for the whole process; no
 * monkey-patching, no async_hooks. (http.agent attributes its sockets in its own connector and its
 * requests in its own dispatch path: see HttpAgent.ts for why undici's channels cannot.)
 *
 * Channels used, checked on Node 20.20: http.server.request.start {request, response, socket,
 * server}; http.client.request.start {request}. Node 20 has no http.client.request.error: request
 * ends are seen on the request's own 'close' event.
 */
import dc from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage, Server, ServerResponse, Agent as NodeAgent } from "node:http";

/** Receives the requests of the server it registered. */
export interface ServerOwner {
  onRequest(request: IncomingMessage, response: ServerResponse): void;
}

/** Receives the requests of the node:http Agent it registered. */
export interface ClientOwner {
  onRequest(request: ClientRequest): void;
}

// Weak keys: an owner that is dropped without release is not kept alive by the tracking.
const servers = new WeakMap<Server, ServerOwner>();
const nodeAgents = new WeakMap<NodeAgent, ClientOwner>();

let serverSubscribed = false;
let clientSubscribed = false;

const onServerRequest = (message: unknown): void => {
  const m = message as { server?: Server; request: IncomingMessage; response: ServerResponse };
  if (m.server === undefined) return;
  servers.get(m.server)?.onRequest(m.request, m.response);
};

const onClientRequest = (message: unknown): void => {
  const request = (message as { request?: ClientRequest }).request;
  const agent = (request as { agent?: NodeAgent } | undefined)?.agent;
  if (agent == null) return;
  nodeAgents.get(agent)?.onRequest(request!);
};

/** Attributes every request `server` receives to `owner`. */
export function trackServer(server: Server, owner: ServerOwner): void {
  servers.set(server, owner);
  if (!serverSubscribed) {
    serverSubscribed = true;
    dc.subscribe("http.server.request.start", onServerRequest);
  }
}

/** Stops attributing `server`'s requests. */
export function untrackServer(server: Server): void {
  servers.delete(server);
}

/** Attributes every request sent through `agent` to `owner`. */
export function trackNodeAgent(agent: NodeAgent, owner: ClientOwner): void {
  nodeAgents.set(agent, owner);
  if (!clientSubscribed) {
    clientSubscribed = true;
    dc.subscribe("http.client.request.start", onClientRequest);
  }
}
