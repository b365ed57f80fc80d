/**
 * JSON Schemas of the resource specs (as written in resource.config.yaml) and their conversion to
 * TypeScript options: duration strings go through core's parseDuration, bad values fail with
 * ERR_HTTP_INVALID_SPEC or ERR_DURATION_INVALID naming the field.
 */
import { durationSchema, parseDuration } from "@custodian/core";
import { DEFAULT_BREAKER_OPTIONS, type BreakerOptions } from "./originBreakers.js";
import { HttpInvalidSpecError } from "./errors.js";
import type { HttpAgentOptions } from "./HttpAgent.js";
import type { DrainMode } from "./HttpServer.js";

// core's durationSchema carries the loader's "x-custodian": "duration" annotation.
const duration = durationSchema as { anyOf: unknown[] };
const common = {
  type: { type: "string" },
  dependsOn: { type: "array", items: { type: "string" } },
  timeout: duration,
};
const originUrl = { type: "string", pattern: "^https?://" };

/** Schema of `breaker:` in an http.agent spec (`true` = defaults). */
export const breakerSchema = {
  anyOf: [
    { type: "boolean" },
    {
      type: "object",
      additionalProperties: false,
      properties: {
        // No "default" here: ajv ignores defaults under anyOf (and strict mode rejects them).
        failureThreshold: { type: "integer", minimum: 1, description: "Consecutive failures that open the breaker. Default 5." },
        resetTimeout: { ...duration, description: "How long the breaker stays open before a trial request. Default 10s." },
        halfOpenMaxCalls: { type: "integer", minimum: 1, description: "Concurrent trial requests while half-open. Default 1." },
        idleTimeout: { ...duration, description: "A closed breaker unused this long is removed. Default 5m." },
        on5xx: { type: "boolean", description: "Count responses with status >= 500 as failures. Default true." },
      },
    },
  ],
} as const;

/** Schema of an `http.agent` resource. */
export const httpAgentSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...common,
    origin: { anyOf: [originUrl, { type: "array", items: originUrl, minItems: 1 }] },
    connections: { type: "integer", minimum: 1, default: 10 },
    pipelining: { type: "integer", minimum: 1, default: 1 },
    keepAliveTimeout: { ...duration, default: "4s" },
    headersTimeout: { ...duration, default: "10s" },
    bodyTimeout: { ...duration, default: "10s" },
    connectTimeout: { ...duration, default: "5s" },
    global: { type: "boolean", default: false, description: "Install as the global fetch dispatcher; the previous one is restored (never closed) at release." },
    breaker: breakerSchema,
  },
} as const;

/** Schema of an `http.server` resource (`server`/`handler` can only be given from code). */
export const httpServerSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...common,
    listen: {
      type: "object",
      additionalProperties: false,
      required: ["port"],
      properties: { host: { type: "string", default: "127.0.0.1" }, port: { type: "integer", minimum: 0, maximum: 65535 } },
    },
    whileDraining: {
      enum: ["close", "503"],
      default: "close",
      description: 'Requests arriving while the server drains: "close" stops accepting at once; "503" answers 503 for drainDelay (default 1s) first.',
    },
    drainDelay: { ...duration, description: 'With whileDraining "503": how long to answer 503 before closing the listener (at most half the release budget).' },
  },
} as const;

/** Schema of an `http.node-agent` resource (`agent` can only be given from code). */
export const httpNodeAgentSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...common,
    protocol: { enum: ["http", "https"], default: "http" },
    keepAlive: { type: "boolean", default: true },
    maxSockets: { type: "integer", minimum: 1 },
  },
} as const;

/** Schema of the plugin's own options (the breaker registry factory is code-only). */
export const httpPluginSchema = { type: "object", additionalProperties: true, properties: {} } as const;

const int = (spec: Record<string, unknown>, key: string, subject: string): number | undefined => {
  const v = spec[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new HttpInvalidSpecError(`${subject}.${key}`, "an integer >= 1", v);
  return v;
};

const ms = (spec: Record<string, unknown>, key: string, subject: string): number | undefined => {
  const v = spec[key];
  if (v === undefined) return undefined;
  return parseDuration(v as string | number, `${subject}.${key}`);
};

const KNOWN_AGENT = new Set(Object.keys(httpAgentSchema.properties));
const KNOWN_SERVER = new Set(Object.keys(httpServerSchema.properties));

/** Converts an http.agent spec to HttpAgentOptions plus the breaker and global settings. */
export function agentOptionsFromSpec(
  spec: Record<string, unknown>,
  subject: string,
): { options: HttpAgentOptions; breaker: (BreakerOptions & { on5xx: boolean }) | undefined; global: boolean } {
  for (const key of Object.keys(spec))
    if (!KNOWN_AGENT.has(key)) throw new HttpInvalidSpecError(`${subject}.${key}`, `one of ${[...KNOWN_AGENT].join(", ")}`, key);
  const origin = spec.origin;
  const origins = origin === undefined ? undefined : Array.isArray(origin) ? origin : [origin];
  for (const o of origins ?? []) {
    if (typeof o !== "string" || !/^https?:\/\//.test(o)) throw new HttpInvalidSpecError(`${subject}.origin`, "an http(s) URL or a list of them", o);
  }
  if (spec.global !== undefined && typeof spec.global !== "boolean") throw new HttpInvalidSpecError(`${subject}.global`, "a boolean", spec.global);
  const options: HttpAgentOptions = {
    origin: origins as string[] | undefined,
    connections: int(spec, "connections", subject),
    pipelining: int(spec, "pipelining", subject),
    keepAliveTimeoutMs: ms(spec, "keepAliveTimeout", subject),
    headersTimeoutMs: ms(spec, "headersTimeout", subject),
    bodyTimeoutMs: ms(spec, "bodyTimeout", subject),
    connectTimeoutMs: ms(spec, "connectTimeout", subject),
  };
  let breaker: (BreakerOptions & { on5xx: boolean }) | undefined;
  const b = spec.breaker;
  if (b === true || (b !== null && typeof b === "object" && !Array.isArray(b))) {
    const o = b === true ? {} : (b as Record<string, unknown>);
    const allowed = new Set(Object.keys(breakerSchema.anyOf[1].properties));
    for (const key of Object.keys(o))
      if (!allowed.has(key)) throw new HttpInvalidSpecError(`${subject}.breaker.${key}`, `one of ${[...allowed].join(", ")}`, key);
    if (o.on5xx !== undefined && typeof o.on5xx !== "boolean") throw new HttpInvalidSpecError(`${subject}.breaker.on5xx`, "a boolean", o.on5xx);
    breaker = {
      failureThreshold: int(o, "failureThreshold", `${subject}.breaker`) ?? DEFAULT_BREAKER_OPTIONS.failureThreshold,
      resetTimeoutMs: ms(o, "resetTimeout", `${subject}.breaker`) ?? DEFAULT_BREAKER_OPTIONS.resetTimeoutMs,
      halfOpenMaxCalls: int(o, "halfOpenMaxCalls", `${subject}.breaker`) ?? DEFAULT_BREAKER_OPTIONS.halfOpenMaxCalls,
      idleTimeoutMs: ms(o, "idleTimeout", `${subject}.breaker`) ?? DEFAULT_BREAKER_OPTIONS.idleTimeoutMs,
      on5xx: (o.on5xx as boolean | undefined) ?? true,
    };
  } else if (b !== undefined && b !== false) {
    throw new HttpInvalidSpecError(`${subject}.breaker`, "true, false or an object", b);
  }
  return { options, breaker, global: spec.global === true };
}

/** Reads the `listen` and `whileDraining` fields of an http.server spec. */
export function serverOptionsFromSpec(
  spec: Record<string, unknown>,
  subject: string,
): { listen: { host: string; port: number } | undefined; mode: DrainMode; drainDelayMs: number } {
  for (const key of Object.keys(spec))
    if (!KNOWN_SERVER.has(key)) throw new HttpInvalidSpecError(`${subject}.${key}`, `one of ${[...KNOWN_SERVER].join(", ")}, server, handler`, key);
  const mode = spec.whileDraining ?? "close";
  if (mode !== "close" && mode !== "503") throw new HttpInvalidSpecError(`${subject}.whileDraining`, '"close" or "503"', mode);
  const drainDelayMs = ms(spec, "drainDelay", subject) ?? (mode === "503" ? 1_000 : 0);
  const l = spec.listen;
  if (l === undefined) return { listen: undefined, mode, drainDelayMs };
  if (l === null || typeof l !== "object") throw new HttpInvalidSpecError(`${subject}.listen`, "an object { host?, port }", l);
  const { host = "127.0.0.1", port } = l as { host?: unknown; port?: unknown };
  if (typeof host !== "string") throw new HttpInvalidSpecError(`${subject}.listen.host`, "a string", host);
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new HttpInvalidSpecError(`${subject}.listen.port`, "an integer in [0, 65535]", port);
  return { listen: { host, port }, mode, drainDelayMs };
}
