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
export { createPoolBreakerRegistry } from "./poolBreakers.js";
export { createFallbackBreakerRegistry, DEFAULT_BREAKER_OPTIONS } from "./Breaker.js";
export type { BreakerLike, BreakerOptions, BreakerRegistryFactory, BreakerRegistryLike, BreakerState } from "./Breaker.js";
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
