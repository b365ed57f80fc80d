/**
 * JSON Schema of the dashboard plugin's options in resource.config.yaml.
 */
import { durationSchema } from "@custodian/core";

/** Options of the dashboard plugin, as written in resource.config.yaml. */
export interface DashboardPluginOptions {
  /** Interface to bind. Default "127.0.0.1". */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Access token; random when omitted (printed at start). */
  token?: string;
  /** Allow binding a non-loopback interface. Default false. */
  allowRemote?: boolean;
  /** More Host names answered besides localhost/127.0.0.1/[::1] with the port (others get 421). */
  allowedHosts?: string[];
  /** History kept by the charts, a duration ("10m") or ms. Default "10m". */
  window?: string | number;
  /** Chart sampling interval, a duration ("1s") or ms. Default "1s". */
  sampleInterval?: string | number;
  /** Serve the dashboard when the kernel starts. Default true. */
  start?: boolean;
  /** Open the local attach endpoint for `custodian dashboard --pid N`. Default false. */
  attach?: boolean;
}

/** JSON Schema of `DashboardPluginOptions`. */
export const dashboardOptionsSchema = Object.freeze({
  type: "object",
  additionalProperties: false,
  properties: {
    host: { type: "string", minLength: 1, default: "127.0.0.1", description: "Interface to bind; anything but loopback needs allowRemote: true" },
    port: { type: "integer", minimum: 0, maximum: 65535, default: 0, description: "0 picks a free port" },
    token: {
      "x-custodian": "secret",
      type: "string",
      minLength: 16,
      pattern: "^[\\x21-\\x2b\\x2d-\\x3a\\x3c-\\x7e]+$",
      description: "Access token; random when omitted",
    },
    allowRemote: { type: "boolean", default: false, description: "Allow a non-loopback host" },
    allowedHosts: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description: "More Host names answered (name, or name:port), besides localhost/127.0.0.1/[::1] with the port; others get 421",
    },
    window: { ...durationSchema, default: "10m", description: "How much history the charts keep" },
    sampleInterval: { ...durationSchema, default: "1s", description: "Chart sampling interval" },
    start: { type: "boolean", default: true, description: "Serve the dashboard when the kernel starts" },
    attach: { type: "boolean", default: false, description: "Open a local attach endpoint (a 0600 Unix socket) for `custodian dashboard --pid N`" },
  },
});
