/**
 * The dashboard as a plugin: `plugins: ["@custodian/plugin-dashboard"]` in resource.config.yaml,
 * or `createKernel({ plugins: [{ plugin: dashboardPlugin, options: { port: 8123 } }] })`.
 */
import { definePlugin, parseDuration } from "@custodian/core";
import { dashboardOptionsSchema, type DashboardPluginOptions } from "./schema.js";
import { listenForAttach } from "./attach.js";
import { serveDashboard, type DashboardOptions } from "./serveDashboard.js";

/**
 * Serves the live dashboard while the kernel runs; its server is a tracked `http.server` resource
 * and closes with the kernel, after the other resources have settled.
 * @throws KernelError ERR_PLUGIN_APPLY wrapping ERR_DASHBOARD_INVALID_OPTIONS, ERR_DASHBOARD_REMOTE_BIND
 *   or ERR_DASHBOARD_LISTEN
 * @example
 *   const kernel = await createKernel({ plugins: [{ plugin: dashboardPlugin, options: { port: 0 } }] })
 */
export const dashboardPlugin = definePlugin<DashboardPluginOptions>({
  name: "dashboard",
  version: "0.1.0",
  schema: dashboardOptionsSchema,
  types: {},
  async apply(kernel, options) {
    const dashboard: DashboardOptions = {
      host: options.host,
      port: options.port,
      token: options.token,
      allowRemote: options.allowRemote,
      allowedHosts: options.allowedHosts,
      windowMs: options.window === undefined ? undefined : parseDuration(options.window, "dashboard.window"),
      sampleMs: options.sampleInterval === undefined ? undefined : parseDuration(options.sampleInterval, "dashboard.sampleInterval"),
    };
    const current = options.start === false ? undefined : await serveDashboard(kernel, dashboard);
    if (options.attach === true) await listenForAttach(kernel, { dashboard, current });
  },
});
