/**
 * The alerts plugin: evaluates the rules of the `alerts` config section on the kernel clock, from
 * a live index of resources kept by `kernel.events$` (plus a `kernel.snapshot()` per tick only when
 * a rule reads describe() details), and routes state changes to sinks and `alerts$`.
 */
import { definePlugin, parseDuration, type Kernel, type KernelEvent, type PluginDescriptor } from "@custodian/core";
import { Subject, type Observable } from "rxjs";
import { AlertEngine, type Alert, type AlertChange } from "./AlertEngine.js";
import { LiveIndex, needsSnapshot, snapshotTypes } from "./LiveIndex.js";
import { AlertsNotAppliedError, DeliveryFailedError } from "./errors.js";
import { compileRules, toEventView, type EvalContext } from "./rules.js";
import { alertsSchema, validateAlertsConfig, type AlertsConfig, type SinkConfig } from "./schema.js";
import type { ResourceView } from "./selector.js";
import { AlertmanagerSink } from "./sinks/AlertmanagerSink.js";
import type { DeliveryStats } from "./sinks/DeliveryQueue.js";
import { LogSink } from "./sinks/LogSink.js";
import { matches, type Sink, type SinkContext } from "./sinks/Sink.js";
import { WebhookSink } from "./sinks/WebhookSink.js";

/** Options of `createAlertsPlugin` that YAML cannot carry. */
export interface AlertsRuntimeOptions {
  /** Where the log sink writes. Default: process.stdout / process.stderr. */
  write?: (stream: "stdout" | "stderr", line: string) => void;
}

/** Counts of the alerts plugin. */
export interface AlertsStats {
  evaluations: number;
  /** Wall time of the last evaluation (performance.now(), not the kernel clock). */
  lastEvaluationMs: number;
  rules: number;
  sinks: Record<string, DeliveryStats & { kind: Sink["kind"] }>;
  /** Notifications that could not be delivered before the shutdown deadline, over all sinks. */
  undelivered: number;
}

/** The alerts plugin's runtime on one kernel: `alertsOf(kernel)`. */
export interface AlertsApi {
  /** Every alert state change (pending, firing, resolved, inactive). Completes at shutdown. */
  readonly alerts$: Observable<AlertChange>;
  /** Pending and firing alerts now. */
  active(): Alert[];
  /** Evaluates every rule now (besides the periodic evaluation) and dispatches the changes. */
  evaluate(): AlertChange[];
  stats(): AlertsStats;
  /** Resolves when no notification is queued or in flight (tests with real receivers). */
  idle(): Promise<void>;
}

const runtimes = new WeakMap<Kernel, AlertsApi>();

/** @internal Feeds a synthetic kernel event to the event rules (the rule-testing harness). */
export const kInjectEvent = Symbol("custodian.alerts.injectEvent");
/** @internal */
export type InjectableApi = AlertsApi & { [kInjectEvent](e: KernelEvent): void };

/**
 * The alerts runtime of a kernel.
 * @throws AlertsNotAppliedError ERR_ALERTS_NOT_APPLIED when the plugin is not applied.
 */
export function alertsOf(kernel: Kernel): AlertsApi {
  const api = runtimes.get(kernel);
  if (api === undefined) throw new AlertsNotAppliedError();
  return api;
}

const DEFAULT_EVALUATION_INTERVAL = "15s";

const sinkName = (cfg: SinkConfig, index: number): string => cfg.name ?? `${cfg.kind}-${index}`;

/** Labels of declared resources (`resources.<name>.labels` in config). */
function configLabels(kernel: Kernel): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const [name, decl] of Object.entries(kernel.config.resources ?? {})) {
    const labels = (decl as { labels?: unknown }).labels;
    if (labels !== null && typeof labels === "object" && !Array.isArray(labels)) {
      out.set(name, Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string")));
    }
  }
  return out;
}

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_RESOURCES: readonly ResourceView[] = Object.freeze([]);

/**
 * Creates the alerts plugin (use `alertsPlugin` unless you need runtime options).
 * @example
 *   const kernel = await createKernel({ plugins: [alertsPlugin], config: { alerts: { rules: [...] } } })
 *   alertsOf(kernel).alerts$.subscribe((c) => console.log(c.alert.name, c.from, "->", c.alert.state))
 */
export function createAlertsPlugin(runtime: AlertsRuntimeOptions = {}): PluginDescriptor<AlertsConfig> {
  return definePlugin<AlertsConfig>({
    name: "alerts",
    version: "0.1.0",
    schema: alertsSchema as unknown as Record<string, unknown>,
    configKey: "alerts",
    types: {},
    apply(kernel, options) {
      const given = options !== undefined && Object.keys(options).length > 0 ? options : ((kernel.config.alerts ?? {}) as AlertsConfig);
      const cfg = validateAlertsConfig(given);
      const intervalMs = parseDuration(cfg.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL, "alerts.evaluationInterval");
      const clock = kernel.clock;
      // A rule whose evaluation fails (colliding label sets) is reported; the others go on.
      const engine = new AlertEngine(compileRules(cfg), cfg.inhibit, (rule, error) =>
        kernel.emitPluginEvent("alerts", "evaluation:failed", { rule: rule.name, code: (error as { code?: string }).code, error }),
      );
      const subject = new Subject<AlertChange>();
      const write = runtime.write ?? ((stream, line) => void process[stream].write(line));
      const ctx: SinkContext = {
        clock,
        evaluationIntervalMs: intervalMs,
        externalURL: cfg.externalURL ?? "",
        report: (name, data) => kernel.emitPluginEvent("alerts", name, data),
        write,
      };
      const sinkCfgs = cfg.sinks ?? [];
      const sinks: Array<{ sink: Sink; match: Record<string, string> | undefined }> = sinkCfgs.map((s, i) => {
        const name = sinkName(s, i);
        const sink = s.kind === "log" ? new LogSink(s, name, ctx) : s.kind === "webhook" ? new WebhookSink(s, name, ctx) : new AlertmanagerSink(s, name, ctx);
        return { sink, match: s.match };
      });
      const labelsByName = configLabels(kernel);
      const labelsOf = (name: string | undefined): Record<string, string> => (name === undefined ? EMPTY : (labelsByName.get(name) ?? EMPTY));

      const labelCache = new Map<string, Map<string, Record<string, string>>>();
      let evaluations = 0;
      let lastEvaluationMs = 0;
      let undelivered = 0;
      let stopped = false;

      const dispatch = (changes: AlertChange[]): void => {
        for (const c of changes) {
          // `name`, `state` and `value` too: what a dashboard shows without knowing fingerprints.
          kernel.emitPluginEvent("alerts", "alert:state-changed", {
            alertname: c.alert.name,
            name: c.alert.name,
            fingerprint: c.alert.fingerprint,
            from: c.from,
            to: c.alert.state,
            state: c.alert.state,
            value: c.alert.value,
            labels: c.alert.labels,
            inhibited: c.alert.inhibited,
          });
          if (subject.observed) subject.next(c);
        }
        if (sinks.length === 0) return;
        const active = engine.active();
        for (const { sink, match } of sinks) {
          try {
            const mine = match === undefined ? changes : changes.filter((c) => matches(c.alert.labels, match));
            if (mine.length > 0) sink.notify(mine);
            sink.tick(match === undefined ? active : active.filter((a) => matches(a.labels, match)));
          } catch (error) {
            // A sink's bug must not stop evaluation or the other sinks.
            ctx.report("sink:error", { sink: sink.name, error });
          }
        }
      };

      // Resources as rules see them, kept up to date by events. Rules that read only what events
      // carry need nothing else (no snapshot per tick); otherwise one snapshot per tick adds details.
      const live = new LiveIndex(labelsOf);
      const withSnapshot = needsSnapshot(cfg.rules ?? [], true);
      // Only the types those rules select: describe() runs for them alone.
      const detailTypes = withSnapshot ? snapshotTypes(cfg.rules ?? [], true) : undefined;
      const snapshotOptions = detailTypes === undefined ? undefined : { types: detailTypes };
      const evaluate = (): AlertChange[] => {
        const started = performance.now();
        if (withSnapshot) live.refresh(kernel.snapshot(snapshotOptions));
        const now = clock.now();
        const changes = engine.evaluate({ now, resources: NO_RESOURCES, byType: live.byType(now), memo: new Map(), labelCache });
        evaluations++;
        lastEvaluationMs = performance.now() - started;
        dispatch(changes);
        return changes;
      };

      let timer = clock.setTimeout(function tick() {
        if (stopped || kernel.state !== "running") return;
        try {
          evaluate();
        } catch (error) {
          ctx.report("evaluation:failed", { error });
        }
        timer = clock.setTimeout(tick, intervalMs);
      }, intervalMs);

      const subscription = kernel.events$.subscribe((e) => {
        live.observe(e);
        // Our own plugin events never feed rules (no alert loops).
        if (!engine.needsEvents || (e.type === "plugin:event" && e.plugin === "alerts")) return;
        engine.observe(toEventView(e, labelsOf));
      });
      live.seed(kernel);

      kernel.hooks.shutdown.tapPromise("alerts", async (shutdownCtx) => {
        stopped = true;
        clock.clearTimeout(timer);
        const firing = engine.active().filter((a) => a.state === "firing");
        await Promise.all(
          sinks.map(({ sink, match }) => sink.shutdown(match === undefined ? firing : firing.filter((a) => matches(a.labels, match)), shutdownCtx.deadline)),
        );
        const bySink: Record<string, number> = {};
        for (const { sink } of sinks) {
          const n = sink.stats().undelivered;
          if (n > 0) {
            bySink[sink.name] = n;
            // Into ShutdownReport.errors: a notification lost at shutdown is not a clean shutdown.
            shutdownCtx.reportError(
              new DeliveryFailedError(
                sink.name,
                `its ${sink.kind} endpoint`,
                `${n} notification(s) not confirmed before the shutdown deadline (the receiver may still have processed them)`,
              ),
            );
          }
          undelivered += n;
        }
        if (undelivered > 0) ctx.report("notifications:undelivered", { count: undelivered, sinks: bySink });
        subscription.unsubscribe();
        subject.complete();
      });

      const api: InjectableApi = {
        [kInjectEvent]: (e: KernelEvent) => engine.observe(toEventView(e, labelsOf)),
        alerts$: subject.asObservable(),
        active: () => engine.active(),
        evaluate,
        stats: () => ({
          evaluations,
          lastEvaluationMs,
          rules: engine.rules.length,
          sinks: Object.fromEntries(sinks.map(({ sink }) => [sink.name, { ...sink.stats(), kind: sink.kind }])),
          undelivered,
        }),
        idle: async () => {
          await Promise.all(sinks.map(({ sink }) => sink.idle()));
        },
      };
      runtimes.set(kernel, api);
    },
  });
}

/** The alerts plugin. Its options are the `alerts` section; with none, it reads `kernel.config.alerts`. */
export const alertsPlugin: PluginDescriptor<AlertsConfig> = createAlertsPlugin();
