/**
 * The alert state machine, with Prometheus semantics: inactive → pending → firing → resolved,
 * `for` and `keep_firing_for`, identity by the fingerprint of the sorted label set, and
 * inhibition (a firing source alert mutes matching targets).
 */
import { DuplicateLabelsetError } from "./errors.js";
import type { CompiledRule, EvalContext, EventView, Sample } from "./rules.js";
import type { InhibitRuleConfig } from "./schema.js";
import { compileTemplate, TemplateSyntaxError, type TemplateData } from "./template.js";

/** Where an alert is in its life. */
export type AlertState = "inactive" | "pending" | "firing" | "resolved";

/** An alert as sinks and subscribers see it (a frozen copy). */
export interface Alert {
  readonly fingerprint: string;
  /** The rule's name (also `labels.alertname`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: AlertState;
  readonly value: number;
  /** When the condition first held (the alert went pending). */
  readonly activeAt: number;
  /** When it started firing: Alertmanager's `startsAt`, as Prometheus sends it. */
  readonly firedAt: number | undefined;
  readonly resolvedAt: number | undefined;
  /** True while a firing alert matching an inhibition rule's source mutes this one. */
  readonly inhibited: boolean;
}

/** One state change: `from` → `alert.state`. */
export interface AlertChange {
  readonly from: AlertState;
  readonly alert: Alert;
}

interface Rec {
  fingerprint: string;
  rule: CompiledRule;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  value: number;
  activeAt: number;
  firedAt: number | undefined;
  keepFiringSince: number | undefined;
  inhibited: boolean;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const utf8 = new TextEncoder();

/**
 * Fingerprint of a label set, as Alertmanager computes it (prometheus/common model.LabelSet.Fingerprint):
 * 64-bit FNV-1a over the label names in sorted order, each name and value followed by the byte 0xff,
 * printed as 16 hex digits. The same labels give the same fingerprint here, in webhook payloads and in
 * Alertmanager's API.
 */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let h = FNV_OFFSET;
  const feed = (s: string): void => {
    for (const b of utf8.encode(s)) h = BigInt.asUintN(64, (h ^ BigInt(b)) * FNV_PRIME);
    h = BigInt.asUintN(64, (h ^ 0xffn) * FNV_PRIME);
  };
  // Go sorts names by bytes; label names are ASCII ([a-zA-Z_][a-zA-Z0-9_]*), where UTF-16 order is the same.
  for (const k of Object.keys(labels).sort()) {
    feed(k);
    feed(labels[k]);
  }
  return h.toString(16).padStart(16, "0");
}

/**
 * Renders alert template text as Prometheus does (`{{ $labels.name }}`, `{{ $value }}`, pipelines and
 * functions; see template.ts), with rule-specific values such as `{{ $oldest }}` from `vars`. Text
 * that cannot be compiled is returned as an error string, as Prometheus does.
 */
export function renderTemplate(
  text: string,
  labels: Readonly<Record<string, string>>,
  value: number,
  vars: Readonly<Record<string, string>> | undefined,
): string {
  try {
    return compileTemplate(text, new Set(Object.keys(vars ?? {})))({ labels, value, vars });
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return `<error expanding template: ${error.message}>`;
    throw error;
  }
}

const matchesAll = (labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean => {
  for (const k in want) if (labels[k] !== want[k]) return false;
  return true;
};

/** Evaluates rules and keeps the alert states. */
export class AlertEngine {
  readonly rules: readonly CompiledRule[];
  readonly #inhibit: readonly InhibitRuleConfig[];
  readonly #byRule = new Map<CompiledRule, Map<string, Rec>>();
  readonly #eventRules: CompiledRule[];
  /** Per rule: group key → fingerprint, so a steady alert costs a lookup per evaluation. */
  readonly #keys = new Map<CompiledRule, Map<string, string>>();

  readonly #onRuleError: (rule: CompiledRule, error: Error) => void;

  /** `onRuleError` hears about a rule whose evaluation failed (its alerts kept their state). */
  constructor(rules: readonly CompiledRule[], inhibit: readonly InhibitRuleConfig[] = [], onRuleError: (rule: CompiledRule, error: Error) => void = () => {}) {
    this.rules = rules;
    this.#onRuleError = onRuleError;
    this.#inhibit = inhibit;
    for (const r of rules) {
      this.#byRule.set(r, new Map());
      this.#keys.set(r, new Map());
    }
    this.#eventRules = rules.filter((r) => r.observe !== undefined);
  }

  /** True when some rule reads kernel events. */
  get needsEvents(): boolean {
    return this.#eventRules.length > 0;
  }

  /** Feeds a kernel event to the event and transitions rules. */
  observe(e: EventView): void {
    for (const r of this.#eventRules) r.observe!(e);
  }

  /** Pending and firing alerts. */
  active(): Alert[] {
    const out: Alert[] = [];
    for (const m of this.#byRule.values()) for (const a of m.values()) out.push(view(a, a.state, undefined));
    return out;
  }

  /** Runs every rule once at `ctx.now`; returns the state changes, in rule order. */
  evaluate(ctx: EvalContext): AlertChange[] {
    const now = ctx.now;
    const changes: AlertChange[] = [];
    for (const rule of this.rules) {
      const alerts = this.#byRule.get(rule)!;
      const byKey = this.#keys.get(rule)!;
      const samples = rule.evaluate(ctx);
      // First the identity of every group; two groups with one identity fail the rule, as in Prometheus.
      const fps: string[] = new Array<string>(samples.length);
      const newLabels: Array<Record<string, string> | undefined> = new Array<Record<string, string> | undefined>(samples.length);
      const seen = new Set<string>();
      let collision: Record<string, string> | undefined;
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i];
        // Fast path: a group seen before maps straight to its fingerprint (no label merge, no hash).
        let fp = s.key === undefined || rule.labelTemplates !== undefined ? undefined : byKey.get(s.key);
        if (fp === undefined || !alerts.has(fp)) {
          const labels = alertLabels(rule, s);
          fp = fingerprint(labels);
          newLabels[i] = labels;
          if (s.key !== undefined && rule.labelTemplates === undefined) byKey.set(s.key, fp);
        }
        if (seen.has(fp)) {
          collision = newLabels[i] ?? alerts.get(fp)?.labels ?? alertLabels(rule, s);
          break;
        }
        seen.add(fp);
        fps[i] = fp;
      }
      if (collision !== undefined) {
        this.#onRuleError(rule, new DuplicateLabelsetError(rule.name, collision));
        continue;
      }
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i];
        const fp = fps[i];
        const data: TemplateData = { labels: s.labels, value: s.value, vars: s.vars };
        let a = alerts.get(fp);
        if (a === undefined) {
          const labels = newLabels[i] ?? alertLabels(rule, s);
          a = {
            fingerprint: fp,
            rule,
            labels,
            annotations: {},
            state: "pending",
            value: s.value,
            activeAt: now,
            firedAt: undefined,
            keepFiringSince: undefined,
            inhibited: false,
          };
          alerts.set(fp, a);
          a.annotations = renderAll(rule, data);
          if (rule.forMs > 0) changes.push({ from: "inactive", alert: view(a, "pending", undefined) });
        } else {
          a.value = s.value;
          a.keepFiringSince = undefined;
          if (rule.templated) a.annotations = renderAll(rule, data);
        }
        if (a.state === "pending" && now - a.activeAt >= rule.forMs) {
          a.state = "firing";
          a.firedAt = now;
          changes.push({ from: rule.forMs > 0 ? "pending" : "inactive", alert: view(a, "firing", undefined) });
        }
      }
      for (const [fp, a] of alerts) {
        if (seen.has(fp)) continue;
        if (a.state === "pending") {
          alerts.delete(fp);
          changes.push({ from: "pending", alert: view(a, "inactive", undefined) });
          continue;
        }
        if (rule.keepFiringForMs > 0) {
          a.keepFiringSince ??= now;
          if (now - a.keepFiringSince < rule.keepFiringForMs) continue;
        }
        alerts.delete(fp);
        changes.push({ from: "firing", alert: view(a, "resolved", now) });
      }
      // Groups whose alert is gone lose their key: the map never outgrows the live alerts by much.
      if (byKey.size > 2 * alerts.size + 64) for (const [k, f] of byKey) if (!alerts.has(f)) byKey.delete(k);
    }
    this.#applyInhibition();
    return changes.map((c) =>
      c.alert.state === "firing" ? { from: c.from, alert: Object.freeze({ ...c.alert, inhibited: this.#isInhibited(c.alert.fingerprint) }) } : c,
    );
  }

  /** Resolves every firing alert (pending ones go inactive) at `now`, as after a reset; returns the changes. */
  resolveAll(now: number): AlertChange[] {
    const changes: AlertChange[] = [];
    for (const alerts of this.#byRule.values()) {
      for (const [fp, a] of alerts) {
        alerts.delete(fp);
        changes.push({ from: a.state, alert: view(a, a.state === "firing" ? "resolved" : "inactive", now) });
      }
    }
    return changes;
  }

  #isInhibited(fp: string): boolean {
    for (const m of this.#byRule.values()) {
      const a = m.get(fp);
      if (a !== undefined) return a.inhibited;
    }
    return false;
  }

  #applyInhibition(): void {
    if (this.#inhibit.length === 0) return;
    const firing: Rec[] = [];
    for (const m of this.#byRule.values()) for (const a of m.values()) if (a.state === "firing") firing.push(a);
    for (const m of this.#byRule.values()) {
      for (const target of m.values()) {
        target.inhibited = this.#inhibit.some(
          (rule) =>
            matchesAll(target.labels, rule.target_match) &&
            firing.some(
              (src) =>
                src !== target &&
                matchesAll(src.labels, rule.source_match) &&
                // As in Alertmanager: alerts that match both sides do not mute each other.
                !(matchesAll(target.labels, rule.source_match) && matchesAll(src.labels, rule.target_match)) &&
                (rule.equal ?? []).every((l) => (src.labels[l] ?? "") === (target.labels[l] ?? "")),
            ),
        );
      }
    }
  }
}

/**
 * An alert's labels: group labels, then rule labels (templated ones expanded over the group labels
 * and value), then alertname, as Prometheus builds them.
 */
function alertLabels(rule: CompiledRule, s: Sample): Record<string, string> {
  const labels: Record<string, string> = { ...s.labels, ...rule.labels };
  if (rule.labelTemplates !== undefined) {
    const data: TemplateData = { labels: s.labels, value: s.value };
    for (const [k, t] of rule.labelTemplates) labels[k] = t(data);
  }
  labels.alertname = rule.name;
  // An empty label is no label, as in Prometheus.
  for (const k in labels) if (labels[k] === "") delete labels[k];
  return Object.freeze(labels);
}

/** Annotations rendered with the group's labels (`$labels` is the expression's labels in Prometheus too). */
function renderAll(rule: CompiledRule, data: TemplateData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, t] of rule.annotationTemplates) out[k] = t(data);
  return out;
}

function view(a: Rec, state: AlertState, resolvedAt: number | undefined): Alert {
  return Object.freeze({
    fingerprint: a.fingerprint,
    name: a.rule.name,
    labels: a.labels,
    annotations: a.annotations,
    state,
    value: a.value,
    activeAt: a.activeAt,
    firedAt: a.firedAt,
    resolvedAt,
    inhibited: a.inhibited,
  });
}
