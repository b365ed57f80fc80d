/**
 * @custodian/plugin-dashboard — a live resource dashboard in the browser: what the process holds,
 * how that changes, what is about to go wrong, and how shutdown settles. Pushed over Server-Sent
 * Events, drawn in plain SVG, behind an access token, bound to loopback by default.
 */
import { dashboardPlugin } from "./dashboardPlugin.js";

export { dashboardPlugin };
export default dashboardPlugin;
export { serveDashboard, isLoopback } from "./serveDashboard.js";
export type { Dashboard, DashboardOptions } from "./serveDashboard.js";
export { attachDashboard, attachFolder, attachSocketPath, listenForAttach } from "./attach.js";
export type { AttachEndpoint, AttachOptions } from "./attach.js";
export { dashboardOptionsSchema } from "./schema.js";
export type { DashboardPluginOptions } from "./schema.js";
export { DashboardAttachError, DashboardErrorCodes, DashboardListenError, DashboardOptionsError, DashboardRemoteBindError } from "./errors.js";
export type { DashboardErrorCode } from "./errors.js";
export type {
  AlertView,
  BreakerView,
  DashboardState,
  EventView,
  OutcomeView,
  PoolView,
  ResourceView,
  Sample,
  ShutdownView,
} from "./DashboardModel.js";
