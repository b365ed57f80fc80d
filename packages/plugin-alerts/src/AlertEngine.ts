/**
 * The alert state machine, with Prometheus semantics: inactive → pending → firing → resolved,
 * `for` and `keep_firing_for`, identity by the fingerprint of the sorted label set, and
 * inhibition (a firing source alert mutes matching targets).
 */
import type { InhibitRuleConfig } from "./schema.js";
import { formatValue, type CompiledRule, type EvalContext, type EventView } from "./rules.js";

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
  /** When the condition first held (Alertmanager's `startsAt`). */
  readonly activeAt: number;
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

/** Fingerprint of a label set: 64-bit FNV-1a over sorted `name=value` pairs, as 16 hex digits. */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  const keys = Object.keys(labels).sort();
  const feed = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 7);
    }
  };
  for (const k of keys) {
    feed(k);
    feed("\u00ff");
    feed(labels[k]);
    feed("\u00fe");
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

const TEMPLATE = /\{\{\s*\$(\w+)(?:\.(\w+))?\s*\}\}/g;

/** Renders `{{ $labels.x }}`, `{{ $value }}` and rule-specific `{{ $oldest }}`-style values. */
export function renderTemplate(
  text: string,
  labels: Readonly<Record<string, string>>,
  value: number,
  vars: Readonly<Record<string, string>> | undefined,
): string {
  if (!text.includes("{{")) return text;
  return text.replace(TEMPLATE, (whole, name: string, key: string | undefined) => {
    if (name === "labels" && key !== undefined) return labels[key] ?? "";
    if (name === "value" && key === undefined) return formatValue(value);
    if (key === undefined && vars !== undefined && Object.hasOwn(vars, name)) return vars[name];
    return whole;
  });
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

  constructor(rules: readonly CompiledRule[], inhibit: readonly InhibitRuleConfig[] = []) {
    this.rules = rules;
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
      const seen = new Set<string>();
      const byKey = this.#keys.get(rule)!;
      for (const s of rule.evaluate(ctx)) {
        // Fast path: a group seen before maps straight to its fingerprint (no label merge, no hash).
        let fp = s.key === undefined ? undefined : byKey.get(s.key);
        let labels: Record<string, string> | undefined;
        if (fp === undefined || !alerts.has(fp)) {
          // Rule labels override group labels; alertname overrides both (as in Prometheus).
          labels = Object.freeze({ ...s.labels, ...rule.labels, alertname: rule.name });
          fp = fingerprint(labels);
          if (s.key !== undefined) byKey.set(s.key, fp);
        }
        if (seen.has(fp)) continue;
        seen.add(fp);
        let a = alerts.get(fp);
        if (a === undefined) {
          labels ??= Object.freeze({ ...s.labels, ...rule.labels, alertname: rule.name });
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
          a.annotations = renderAll(rule.annotations, labels, s.value, s.vars);
          if (rule.forMs > 0) changes.push({ from: "inactive", alert: view(a, "pending", undefined) });
        } else {
          a.value = s.value;
          a.keepFiringSince = undefined;
          if (rule.templated) a.annotations = renderAll(rule.annotations, a.labels, s.value, s.vars);
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

function renderAll(
  annotations: Readonly<Record<string, string>>,
  labels: Record<string, string>,
  value: number,
  vars: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in annotations) out[k] = renderTemplate(annotations[k], labels, value, vars);
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
