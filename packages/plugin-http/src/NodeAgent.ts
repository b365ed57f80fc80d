/**
 * Tracking and shutdown of node:http(s) Agents, which have no close(): the graceful phase destroys
 * idle sockets and waits for requests in flight; the forced phase is `agent.destroy()`, which kills
 * them.
 */
import type { Agent, ClientRequest } from "node:http";
import { systemClock, type Clock } from "@custodian/core";
import { trackNodeAgent } from "./tracking.js";

/** Live figures of a node:http Agent. */
export interface NodeAgentStats {
  openSockets: number;
  freeSockets: number;
  inFlight: number;
  oldestInFlightMs: number;
}

const count = (m: NodeJS.ReadOnlyDict<unknown[]> | undefined): number => {
  let n = 0;
  for (const list of Object.values(m ?? {})) n += list?.length ?? 0;
  return n;
};

/** @internal One tracked node:http Agent. */
export class NodeAgentTracker {
  readonly agent: Agent;
  readonly #inFlight = new Map<ClientRequest, number>();
  readonly #clock: Clock;
  #idle: Array<() => void> = [];

  constructor(agent: Agent, clock: Clock = systemClock) {
    this.agent = agent;
    this.#clock = clock;
    trackNodeAgent(agent, this);
  }

  /** diagnostics_channel http.client.request.start, attributed to this agent. */
  onRequest(request: ClientRequest): void {
    this.#inFlight.set(request, this.#clock.now());
    request.once("close", () => {
      this.#inFlight.delete(request);
      if (this.#inFlight.size === 0) {
        const waiters = this.#idle;
        this.#idle = [];
        for (const w of waiters) w();
      }
    });
  }

  /** Graceful: destroy idle sockets now, wait for requests in flight, then destroy the agent. */
  async close(): Promise<void> {
    for (const list of Object.values(this.agent.freeSockets ?? {})) for (const s of list ?? []) s.destroy();
    if (this.#inFlight.size > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    this.agent.destroy();
  }

  /** Forced: `agent.destroy()` (synchronous; requests in flight fail with ECONNRESET). */
  destroy(): void {
    this.agent.destroy();
  }

  stats(): NodeAgentStats {
    let oldest = 0;
    for (const at of this.#inFlight.values()) {
      oldest = Math.max(0, this.#clock.now() - at);
      break;
    }
    return {
      openSockets: count(this.agent.sockets) + count(this.agent.freeSockets),
      freeSockets: count(this.agent.freeSockets),
      inFlight: this.#inFlight.size,
      oldestInFlightMs: oldest,
    };
  }
}
