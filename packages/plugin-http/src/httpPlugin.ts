/**
 * The "http" plugin: registers the resource types http.agent (undici dispatcher), http.server
 * (node:http server) and http.node-agent (node:http Agent), each with a graceful release, a forced
 * phase that really ends every connection, and live details for `kernel.snapshot()`.
 */
import http, { type Agent as NodeHttpAgent, type RequestListener, type Server } from "node:http";
import https from "node:https";
import { definePlugin, type Kernel, type ReleaseContext, type ResourceHandle } from "@custodian/core";
import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from "undici";
import type { BreakerRegistry } from "@custodian/plugin-pool";
import { createOriginBreakers, type BreakerRegistryFactory } from "./originBreakers.js";
import { HttpInvalidSpecError, HttpListenFailedError } from "./errors.js";
import { HttpAgent } from "./HttpAgent.js";
import { isNodeServer, serverTracker } from "./HttpServer.js";
import { NodeAgentTracker } from "./NodeAgent.js";
import { agentOptionsFromSpec, httpAgentSchema, httpNodeAgentSchema, httpPluginSchema, httpServerSchema, serverOptionsFromSpec } from "./schema.js";

/** Options of the http plugin (code only). */
export interface HttpPluginOptions {
  /**
   * Makes the per-agent breaker registry. Default: a @custodian/plugin-pool BreakerRegistry with
   * the agent's `breaker:` options; pass a factory to configure it differently (or to share one).
   */
  createBreakerRegistry?: BreakerRegistryFactory;
}

/** Extra state of an agent resource. */
interface AgentExtras {
  registry: BreakerRegistry | undefined;
  /** The global dispatcher this agent replaced (restored, never closed, at release). */
  previousGlobal: Dispatcher | undefined;
}

const agentExtras = new WeakMap<HttpAgent, AgentExtras>();
const nodeAgentTrackers = new WeakMap<NodeHttpAgent, NodeAgentTracker>();

/** Gives the global dispatcher back to whoever had it, if it is still ours. */
function restoreGlobal(agent: HttpAgent): void {
  const extras = agentExtras.get(agent);
  if (extras?.previousGlobal === undefined) return;
  if (getGlobalDispatcher() === agent) setGlobalDispatcher(extras.previousGlobal);
  extras.previousGlobal = undefined;
}

function finishAgent(agent: HttpAgent): void {
  agentExtras.get(agent)?.registry?.close();
}

const agentType = {
  schema: httpAgentSchema as unknown as Record<string, unknown>,
  async release(agent: HttpAgent): Promise<void> {
    restoreGlobal(agent);
    await agent.close();
    finishAgent(agent);
  },
  async force(agent: HttpAgent, ctx: ReleaseContext): Promise<void> {
    restoreGlobal(agent);
    await agent.abort({ cause: ctx.signal.aborted ? ctx.signal.reason : undefined });
    finishAgent(agent);
  },
  describe: (agent: HttpAgent): Record<string, unknown> => ({ ...agent.stats() }),
};

const releaseServer = async (server: Server, ctx: ReleaseContext): Promise<void> => {
  const t = serverTracker(server);
  await t.announceDrain(ctx.deadline, ctx.signal);
  await t.close();
};
const forceServer = (server: Server): Promise<void> => serverTracker(server).destroy();
const describeServer = (server: Server): Record<string, unknown> => ({ ...serverTracker(server).stats() });

const nodeAgentTracker = (agent: NodeHttpAgent): NodeAgentTracker => {
  let t = nodeAgentTrackers.get(agent);
  if (t === undefined) nodeAgentTrackers.set(agent, (t = new NodeAgentTracker(agent)));
  return t;
};

/**
 * The http plugin.
 * @example
 *   const kernel = await createKernel({ plugins: [httpPlugin], config: { resources: { api: { type: "http.agent", origin: "https://api.example.com" } } } })
 *   const api = await kernel.acquire<HttpAgent>("api")
 *   const res = await fetch("https://api.example.com/v1/items", { dispatcher: api.value })
 */
export const httpPlugin = definePlugin<HttpPluginOptions>({
  name: "http",
  version: "0.1.0",
  schema: httpPluginSchema as unknown as Record<string, unknown>,
  types: {
    "http.agent": { schema: httpAgentSchema as unknown as Record<string, unknown> },
    "http.server": { schema: httpServerSchema as unknown as Record<string, unknown> },
    "http.node-agent": { schema: httpNodeAgentSchema as unknown as Record<string, unknown> },
  },
  apply(kernel, options) {
    const createRegistry = options.createBreakerRegistry ?? createOriginBreakers;
    const emit = (name: string, data: Record<string, unknown>): void => kernel.emitPluginEvent("http", name, data);
    const isObserved = (): boolean => kernel.observed;

    kernel.registerType<HttpAgent>("http.agent", {
      ...agentType,
      create(spec, ctx) {
        const subject = `resources.${ctx.name ?? ctx.id}`;
        const { options: agentOptions, breaker, global } = agentOptionsFromSpec(spec, subject);
        const registry =
          breaker === undefined
            ? undefined
            : createRegistry({
                ...breaker,
                clock: ctx.clock,
                onStateChange: (origin, from, to) => {
                  if (kernel.observed) emit("breaker:state-changed", { agent: ctx.name ?? ctx.id, origin, from, to });
                },
              });
        const agent = new HttpAgent({
          ...agentOptions,
          name: ctx.name ?? ctx.id,
          clock: ctx.clock,
          breakers: registry,
          breakerOn5xx: breaker?.on5xx,
          onEvent: emit,
          isObserved,
        });
        const extras: AgentExtras = { registry, previousGlobal: undefined };
        agentExtras.set(agent, extras);
        if (global) {
          extras.previousGlobal = getGlobalDispatcher();
          setGlobalDispatcher(agent);
        }
        return agent;
      },
    });

    kernel.registerType<Server>("http.server", {
      schema: httpServerSchema as unknown as Record<string, unknown>,
      async create(spec, ctx) {
        const subject = `resources.${ctx.name ?? ctx.id}`;
        const { server: given, handler, ...rest } = spec as { server?: unknown; handler?: unknown } & Record<string, unknown>;
        const { listen, mode, drainDelayMs } = serverOptionsFromSpec(rest, subject);
        if (handler !== undefined && typeof handler !== "function")
          throw new HttpInvalidSpecError(`${subject}.handler`, "a request listener function", typeof handler);
        if (given !== undefined) {
          if (!isNodeServer(given)) throw new HttpInvalidSpecError(`${subject}.server`, "a node:http or node:https Server", typeof given);
          if (mode === "503") {
            throw new HttpInvalidSpecError(`${subject}.whileDraining`, '"close" for an adopted server (answer 503 yourself with isDraining(server))', mode);
          }
          if (handler !== undefined)
            throw new HttpInvalidSpecError(`${subject}.handler`, "absent for an adopted server (it has its own listeners)", "a function");
          if (listen !== undefined && !given.listening) await listenOn(given, listen, ctx.signal);
          serverTracker(given, { clock: ctx.clock });
          return given;
        }
        if (listen === undefined) throw new HttpInvalidSpecError(subject, "given listen: { host, port } (or, from code, server: an http.Server)", rest);
        const server = http.createServer();
        const tracker = serverTracker(server, { clock: ctx.clock, mode, drainDelayMs, handler: handler as RequestListener | undefined });
        server.on("request", tracker.listener);
        await listenOn(server, listen, ctx.signal);
        return server;
      },
      release: releaseServer,
      force: forceServer,
      describe: describeServer,
    });

    kernel.registerType<NodeHttpAgent>("http.node-agent", {
      schema: httpNodeAgentSchema as unknown as Record<string, unknown>,
      create(spec, ctx) {
        const subject = `resources.${ctx.name ?? ctx.id}`;
        const {
          agent: given,
          protocol = "http",
          keepAlive = true,
          maxSockets,
          type: _t,
          dependsOn: _d,
          timeout: _to,
          ...extra
        } = spec as Record<string, unknown>;
        if (Object.keys(extra).length > 0)
          throw new HttpInvalidSpecError(`${subject}.${Object.keys(extra)[0]}`, "one of agent, protocol, keepAlive, maxSockets", Object.keys(extra)[0]);
        if (given !== undefined) {
          if (!(given instanceof http.Agent)) throw new HttpInvalidSpecError(`${subject}.agent`, "a node:http(s) Agent", typeof given);
          nodeAgentTracker(given);
          return given;
        }
        if (protocol !== "http" && protocol !== "https") throw new HttpInvalidSpecError(`${subject}.protocol`, '"http" or "https"', protocol);
        if (typeof keepAlive !== "boolean") throw new HttpInvalidSpecError(`${subject}.keepAlive`, "a boolean", keepAlive);
        if (maxSockets !== undefined && (typeof maxSockets !== "number" || !Number.isInteger(maxSockets) || maxSockets < 1)) {
          throw new HttpInvalidSpecError(`${subject}.maxSockets`, "an integer >= 1", maxSockets);
        }
        const Ctor = protocol === "https" ? https.Agent : http.Agent;
        const agent = new Ctor({ keepAlive, maxSockets: maxSockets as number | undefined });
        nodeAgentTrackers.set(agent, new NodeAgentTracker(agent, ctx.clock));
        return agent;
      },
      release: (agent) => nodeAgentTracker(agent).close(),
      force: (agent) => nodeAgentTracker(agent).destroy(),
      describe: (agent) => ({ ...nodeAgentTracker(agent).stats() }),
    });
  },
});

function listenOn(server: Server, listen: { host: string; port: number }, signal: AbortSignal): Promise<void> {
  const address = `${listen.host}:${listen.port}`;
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      signal.removeEventListener("abort", onAbort);
      reject(new HttpListenFailedError(address, error));
    };
    const onAbort = (): void => {
      server.off("error", onError);
      server.close();
      reject(new HttpListenFailedError(address, signal.reason));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    server.once("error", onError);
    server.listen(listen.port, listen.host, () => {
      server.off("error", onError);
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

/** Options of `adoptServer` / `adoptNodeAgent`. */
export interface AdoptHttpOptions {
  name?: string;
  timeoutMs?: number;
}

/**
 * Tracks a node:http Server created elsewhere (synchronous, like `kernel.adopt`). Release closes it
 * (idle connections at once), force ends every connection.
 */
export function adoptServer(kernel: Kernel, server: Server, options: AdoptHttpOptions = {}): ResourceHandle<Server> {
  serverTracker(server, { clock: kernel.clock });
  return kernel.adopt(server, { type: "http.server", ...options, release: releaseServer, force: forceServer, describe: describeServer });
}

/** Tracks a node:http(s) Agent created elsewhere. Release waits for requests in flight; force is `agent.destroy()`. */
export function adoptNodeAgent(kernel: Kernel, agent: NodeHttpAgent, options: AdoptHttpOptions = {}): ResourceHandle<NodeHttpAgent> {
  const t = nodeAgentTrackers.get(agent) ?? new NodeAgentTracker(agent, kernel.clock);
  nodeAgentTrackers.set(agent, t);
  return kernel.adopt(agent, {
    type: "http.node-agent",
    ...options,
    release: () => t.close(),
    force: () => t.destroy(),
    describe: () => ({ ...t.stats() }),
  });
}
