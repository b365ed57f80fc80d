/**
 * @custodian/plugin-http — HTTP agents and servers that can always be shut down on time.
 */
import { httpPlugin } from "./httpPlugin.js";
export { httpPlugin, adoptServer, adoptNodeAgent } from "./httpPlugin.js";
export type { HttpPluginOptions, AdoptHttpOptions } from "./httpPlugin.js";
export { HttpAgent, AGENT_DEFAULTS } from "./HttpAgent.js";
export type { CloseAgentOptions, HttpAgentOptions, HttpAgentStats } from "./HttpAgent.js";
export { closeServer, isDraining, setRequestHandler } from "./HttpServer.js";
export type { CloseServerOptions, DrainMode, HttpServerStats } from "./HttpServer.js";
export type { NodeAgentStats } from "./NodeAgent.js";
export { createOriginBreakers, DEFAULT_BREAKER_OPTIONS } from "./originBreakers.js";
export type { BreakerOptions, BreakerRegistryFactory, OriginBreakersOptions } from "./originBreakers.js";
/** Re-exported so existing imports keep working: the breakers are plugin-pool's. */
export type { BreakerState } from "@custodian/plugin-pool";
export { httpAgentSchema, httpServerSchema, httpNodeAgentSchema, breakerSchema } from "./schema.js";
export {
  HttpErrorCodes,
  HttpAgentClosedError,
  HttpBreakerOpenError,
  HttpInvalidSpecError,
  HttpListenFailedError,
  HttpOriginNotAllowedError,
  HttpRequestAbortedError,
} from "./errors.js";
export type { HttpErrorCode } from "./errors.js";

/** The plugin, as the config loader imports it from `plugins: ["@custodian/plugin-http"]`. */
export default httpPlugin;
