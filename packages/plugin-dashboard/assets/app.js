// Custodian dashboard front end: plain JS + SVG, no framework, no network beyond this origin.
// Every value from the process is set with textContent / setAttribute, never parsed as HTML.
"use strict";
(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const STATES = ["active", "acquiring", "releasing"];
  const PALETTE = ["#58a6ff", "#3fb950", "#d29922", "#a371f7", "#f778ba", "#39c5cf", "#db6d28", "#8b949e", "#e3b341", "#7ee787"];
  const STATE_COLORS = { active: "#3fb950", acquiring: "#58a6ff", releasing: "#d29922" };
  const OUTCOME_COLORS = { released: "#3fb950", failed: "#f85149", forced: "#db6d28", abandoned: "#a371f7" };
  const typeColors = new Map();
  const colorOf = (type) => {
    if (!typeColors.has(type)) typeColors.set(type, PALETTE[typeColors.size % PALETTE.length]);
    return typeColors.get(type);
  };

  let series = [];
  let last = null;
  const events = [];

  const $ = (id) => document.getElementById(id);
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null && v !== false) el.setAttribute(k, String(v));
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
    return el;
  }
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  }
  const fill = (el, nodes) => el.replaceChildren(...nodes);
  const emptyRow = (cols, text) => h("tr", {}, h("td", { colspan: cols, class: "empty" }, text));

  function fmtMs(ms) {
    if (ms === undefined || ms === null || ms < 0) return "–";
    if (ms < 1000) return Math.round(ms) + " ms";
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
    if (ms < 3600000) return Math.floor(ms / 60000) + " m " + Math.round((ms % 60000) / 1000) + " s";
    return Math.floor(ms / 3600000) + " h " + Math.round((ms % 3600000) / 60000) + " m";
  }
  const fmtTime = (t) => new Date(t).toLocaleTimeString();
  const label = (r) => (r.name !== undefined && r.name !== null ? r.name : r.id);
  const short = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

  // ------------------------------------------------------------------ counts
  function renderCounts(st) {
    $("total").textContent = String(st.total);
    fill($("state-counts"), STATES.map((k) => h("div", { class: "card " + k, "data-testid": "count-state-" + k }, h("span", { class: "n" }, String(st.counts.byState[k] || 0)), k)));
    const types = Object.keys(st.counts.byType).sort();
    fill($("type-counts"), types.length === 0 ? [emptyRow(5, "nothing live")] : types.map((t) => {
      const c = st.counts.byType[t];
      const total = Object.values(c).reduce((a, b) => a + b, 0);
      return h("tr", { "data-testid": "count-type", "data-type": t },
        h("td", {}, t),
        ...STATES.map((k) => h("td", { class: "num" }, String(c[k] || 0))),
        h("td", { class: "num", "data-testid": "count-type-total" }, String(total)));
    }));
    const r = st.released;
    $("released-counts").textContent = `released so far: ${r.released} released · ${r.failed} failed · ${r.forced} forced · ${r.abandoned} abandoned`;
  }

  // ------------------------------------------------------------------ charts
  function chart(el, keys, valueOf, colorFor, stacked) {
    const W = 640, H = 190, L = 34, R = 8, T = 8, B = 20;
    const pts = series.slice();
    if (last && (pts.length === 0 || pts[pts.length - 1].t < last.now)) {
      pts.push({ t: last.now, byType: currentByType(last), byState: last.counts.byState });
    }
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "chart" });
    const legend = h("div", { class: "legend" }, keys.map((k) => h("span", {}, h("i", {}), k)));
    legend.querySelectorAll("i").forEach((i, n) => { i.style.background = colorFor(keys[n]); });
    if (pts.length === 0) { fill(el, [svg]); return; }
    const tMax = pts[pts.length - 1].t;
    const minSpan = 20 * (last ? last.sampleMs : 1000);
    const span = Math.min(last ? last.windowMs : 600000, Math.max(minSpan, tMax - pts[0].t));
    const tMin = tMax - span;
    const visible = pts.filter((p) => p.t >= tMin);
    let yMax = 1;
    for (const p of visible) {
      if (stacked) yMax = Math.max(yMax, keys.reduce((a, k) => a + (valueOf(p, k) || 0), 0));
      else for (const k of keys) yMax = Math.max(yMax, valueOf(p, k) || 0);
    }
    yMax = niceMax(yMax);
    const x = (t) => L + ((t - tMin) / span) * (W - L - R);
    const y = (v) => T + (1 - v / yMax) * (H - T - B);
    for (const v of [0, yMax / 2, yMax]) {
      svg.append(s("line", { class: "axis", x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      svg.append(s("text", { x: L - 4, y: y(v) + 3, "text-anchor": "end" }, String(Math.round(v))));
    }
    for (const f of [0, 0.5, 1]) {
      const t = tMin + f * span;
      svg.append(s("text", { x: x(t), y: H - 5, "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle" }, f === 1 ? "now" : "-" + fmtMs(tMax - t)));
    }
    const base = visible.map(() => 0);
    keys.forEach((k) => {
      const vals = visible.map((p) => valueOf(p, k) || 0);
      const top = vals.map((v, i) => (stacked ? base[i] + v : v));
      const line = visible.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.t).toFixed(1)},${y(top[i]).toFixed(1)}`).join("");
      if (stacked) {
        const back = visible.map((p, i) => `L${x(p.t).toFixed(1)},${y(base[i]).toFixed(1)}`).reverse().join("");
        svg.append(s("path", { class: "series area", "data-key": k, d: line + back + "Z", fill: colorFor(k), "fill-opacity": 0.35, stroke: "none" }));
        top.forEach((v, i) => { base[i] = v; });
      }
      svg.append(s("path", { class: "series line", "data-key": k, d: line, fill: "none", stroke: colorFor(k), "stroke-width": 1.5 }));
    });
    fill(el, [legend, svg]);
  }
  function niceMax(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }
  function currentByType(st) {
    const out = {};
    for (const [t, c] of Object.entries(st.counts.byType)) out[t] = Object.values(c).reduce((a, b) => a + b, 0);
    return out;
  }
  function renderCharts() {
    const types = new Set();
    for (const p of series) for (const t of Object.keys(p.byType)) types.add(t);
    if (last) for (const t of Object.keys(last.counts.byType)) types.add(t);
    const keys = [...types].sort();
    chart($("chart-type"), keys, (p, k) => p.byType[k], colorOf, true);
    chart($("chart-state"), STATES, (p, k) => p.byState[k], (k) => STATE_COLORS[k], false);
    if (series.length > 1) $("chart-span").textContent = "last " + fmtMs(series[series.length - 1].t - series[0].t);
  }

  // "at fn (/a/b/file.ts:12:3)" -> "fn file.ts:12"
  function siteOf(frame) {
    const m = /^at\s+(?:(.*?)\s+\()?(.*?):(\d+):\d+\)?$/.exec(frame);
    if (!m) return short(frame, 60);
    const file = m[2].split(/[\\/]/).pop();
    return (m[1] ? m[1] + " " : "") + file + ":" + m[3];
  }

  // ------------------------------------------------------------------ resources
  function renderResources(st) {
    const rows = st.resources.map((r) => {
      const frame = r.stack ? r.stack.split("\n")[0] : "";
      return h("tr", { class: [r.leak ? "leak" : "", r.self ? "self" : ""].join(" ").trim() || undefined, "data-testid": "resource-row", "data-id": r.id, "data-leak": r.leak || undefined },
        h("td", {}, h("code", {}, r.id)),
        h("td", {}, r.name === undefined || r.name === null ? "" : short(r.name, 48), r.leak ? h("div", { class: "leak-text" }, "suspected leak: " + r.leak) : null),
        h("td", {}, r.type),
        h("td", { class: "state " + r.state }, r.state),
        h("td", { class: "num" }, fmtMs(r.ageMs)),
        h("td", {}, r.scope || ""),
        h("td", {}, r.stack ? h("details", {}, h("summary", {}, siteOf(frame)), h("pre", {}, r.stack)) : h("span", { class: "muted" }, "stacks off")),
        h("td", {}, r.details ? h("code", {}, short(JSON.stringify(r.details), 90)) : ""));
    });
    fill($("resources"), rows.length === 0 ? [emptyRow(8, "nothing live")] : rows);
    $("leak-summary").textContent = st.leaks.length > 0 ? `· ${st.leaks.length} suspected leak${st.leaks.length > 1 ? "s" : ""}` : "";
  }

  function renderPanels(st) {
    fill($("pools"), st.pools.length === 0 ? [emptyRow(7, "no pools")] : st.pools.map((p) => {
      const bar = s("svg", { viewBox: "0 0 100 8", width: 100, height: 8 });
      const max = p.max || p.size || 1;
      bar.append(s("rect", { x: 0, y: 0, width: 100, height: 8, fill: "#1d242c" }));
      bar.append(s("rect", { x: 0, y: 0, width: (100 * (p.borrowed || 0)) / max, height: 8, fill: "#d29922" }));
      bar.append(s("rect", { x: (100 * (p.borrowed || 0)) / max, y: 0, width: (100 * (p.idle || 0)) / max, height: 8, fill: "#3fb950" }));
      return h("tr", { "data-testid": "pool-row" }, h("td", {}, label(p)), ...["size", "borrowed", "idle", "pending", "max"].map((k) => h("td", { class: "num" }, p[k] === undefined ? "–" : String(p[k]))), h("td", {}, bar));
    }));
    fill($("breakers"), st.breakers.length === 0 ? [emptyRow(4, "no breaker events yet")] : st.breakers.map((b) =>
      h("tr", { "data-testid": "breaker-row", "data-state": b.state }, h("td", {}, b.key), h("td", { class: "state " + b.state }, b.state), h("td", {}, (b.from ? b.from + " → " + b.state + ", " : "") + fmtMs(st.now - b.at) + " ago"), h("td", { class: "num" }, String(b.transitions)))));
    fill($("alerts"), st.alerts.length === 0 ? [emptyRow(5, "no firing or pending alerts")] : st.alerts.map((a) =>
      h("tr", { "data-testid": "alert-row", "data-state": a.state }, h("td", {}, a.name), h("td", { class: "state " + a.state }, a.state), h("td", {}, fmtMs(st.now - a.since)), h("td", {}, a.value === undefined ? "" : JSON.stringify(a.value)), h("td", {}, h("code", {}, a.labels ? short(JSON.stringify(a.labels), 80) : "")))));
  }

  // ------------------------------------------------------------------ dependency graph
  function renderGraph(st) {
    const nodes = st.resources.slice(0, 150);
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const level = new Map();
    const levelOf = (n, seen) => {
      if (level.has(n.id)) return level.get(n.id);
      if (seen.has(n.id)) return 0;
      seen.add(n.id);
      let l = 0;
      for (const d of n.dependsOn) if (byId.has(d)) l = Math.max(l, 1 + levelOf(byId.get(d), seen));
      level.set(n.id, l);
      return l;
    };
    nodes.forEach((n) => levelOf(n, new Set()));
    const cols = [];
    for (const n of nodes) (cols[level.get(n.id)] ||= []).push(n);
    const NW = 150, NH = 30, GX = 60, GY = 10, P = 10;
    const pos = new Map();
    cols.forEach((col, c) => col.forEach((n, r) => pos.set(n.id, { x: P + c * (NW + GX), y: P + r * (NH + GY) })));
    const W = Math.max(300, P * 2 + cols.length * (NW + GX) - GX);
    const H = Math.max(60, P * 2 + Math.max(1, ...cols.map((c) => c.length)) * (NH + GY) - GY);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": "dependency graph" });
    const defs = s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto" }, s("path", { d: "M0,0L8,4L0,8Z", fill: "#4b5866" })));
    svg.append(defs);
    for (const n of nodes) for (const d of n.dependsOn) {
      const a = pos.get(n.id), b = pos.get(d);
      if (!a || !b) continue;
      const x1 = a.x, y1 = a.y + NH / 2, x2 = b.x + NW, y2 = b.y + NH / 2, mx = (x1 + x2) / 2;
      svg.append(s("path", { class: "edge", "data-from": n.id, "data-to": d, d: `M${x1},${y1}C${mx},${y1} ${mx},${y2} ${x2},${y2}`, "marker-end": "url(#arrow)" }));
    }
    for (const n of nodes) {
      const p = pos.get(n.id);
      const g = s("g", { class: ["node", n.state, n.leak ? "leak" : "", n.self ? "self" : ""].join(" "), "data-id": n.id, transform: `translate(${p.x},${p.y})` });
      g.append(s("title", {}, `${n.id} ${n.type} ${n.state} · age ${fmtMs(n.ageMs)}${n.leak ? " · suspected leak" : ""}`));
      g.append(s("rect", { width: NW, height: NH, rx: 4 }));
      g.append(s("text", { x: 6, y: 13 }, short(String(label(n)), 22)));
      g.append(s("text", { x: 6, y: 25, class: "t" }, short(n.type + " · " + n.id, 26)));
      svg.append(g);
    }
    fill($("graph"), nodes.length === 0 ? [h("p", { class: "empty" }, "nothing live")] : [svg]);
  }

  // ------------------------------------------------------------------ shutdown
  function renderShutdown(st) {
    const sd = st.shutdown;
    const panel = $("shutdown");
    if (!sd) { panel.hidden = true; return; }
    panel.hidden = false;
    const elapsed = st.now - sd.startedAt;
    const outcomes = new Map(sd.outcomes.map((o) => [o.id, o]));
    const counts = {};
    for (const o of sd.outcomes) counts[o.outcome] = (counts[o.outcome] || 0) + 1;
    const pending = sd.resources.filter((r) => !outcomes.has(r.id)).length;
    $("shutdown-summary").textContent = `· ${sd.reason} · ${sd.strategy} · deadline ${fmtMs(sd.deadlineMs)} · ${Object.entries(counts).map(([k, v]) => v + " " + k).join(", ") || "nothing settled yet"}${pending ? " · " + pending + " pending" : ""}${sd.settled ? " · all settled" : ""}`;
    // One lane per resource against the deadline: its release from start to settle, colored by
    // outcome; a pending release grows with the elapsed time.
    const lanes = sd.resources.slice(0, 60);
    const W = 1000, L = 170, R = 12, T = 22, LH = 16, span = sd.deadlineMs > 0 ? sd.deadlineMs : Math.max(elapsed, 1);
    const H = T + lanes.length * LH + 22;
    const x = (ms) => L + Math.min(1, Math.max(0, ms / span)) * (W - L - R);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, "data-testid": "deadline-chart" });
    svg.append(s("text", { x: L, y: 12 }, "0"));
    svg.append(s("text", { x: W - R, y: 12, "text-anchor": "end" }, "deadline " + fmtMs(sd.deadlineMs)));
    svg.append(s("rect", { x: L, y: T - 4, width: Math.max(0, x(elapsed) - L), height: lanes.length * LH + 4, fill: "#1d242c" }));
    lanes.forEach((r, i) => {
      const y = T + i * LH;
      const o = outcomes.get(r.id);
      const rel = sd.releasing[r.id];
      svg.append(s("text", { x: L - 8, y: y + 10, "text-anchor": "end", class: "lane" }, short(String(label(r)), 26)));
      const from = o ? (o.startMs !== undefined ? o.startMs : o.atMs - o.elapsedMs) : rel ? rel.atMs : undefined;
      if (from === undefined) return;
      const to = o ? o.atMs : elapsed;
      const color = o ? OUTCOME_COLORS[o.outcome] || "#8b949e" : "#d29922";
      const bar = s("rect", { x: x(from), y: y + 2, width: Math.max(3, x(to) - x(from)), height: LH - 5, rx: 2, fill: color, "data-outcome": o ? o.outcome : "releasing" });
      bar.append(s("title", {}, `${label(r)}: ${o ? o.outcome + " after " + fmtMs(o.elapsedMs) : "releasing for " + fmtMs(elapsed - from)}`));
      svg.append(bar);
      const budget = o ? o.budgetMs : rel ? rel.budgetMs : undefined;
      if (budget !== undefined && budget >= 0) svg.append(s("line", { x1: x(from + budget), x2: x(from + budget), y1: y + 1, y2: y + LH - 2, stroke: "#8b949e", "stroke-dasharray": "2 2" }));
    });
    if (sd.deadlineExceededAtMs !== undefined) svg.append(s("line", { x1: x(sd.deadlineExceededAtMs), x2: x(sd.deadlineExceededAtMs), y1: T - 6, y2: H - 16, stroke: "#db6d28", "stroke-width": 2 }));
    svg.append(s("line", { x1: x(elapsed), x2: x(elapsed), y1: T - 6, y2: H - 16, stroke: "#58a6ff" }));
    svg.append(s("text", { x: Math.min(W - 80, x(elapsed) + 4), y: H - 4 }, "elapsed " + fmtMs(elapsed)));
    fill($("deadline"), [svg]);
    const rows = sd.resources.map((r) => {
      const o = outcomes.get(r.id);
      const rel = sd.releasing[r.id];
      const status = o ? o.outcome : rel ? "releasing" : "pending";
      return h("tr", { "data-testid": "outcome-row", "data-id": r.id, "data-outcome": status },
        h("td", {}, label(r)), h("td", {}, r.type), h("td", { class: "state " + status }, status),
        h("td", { class: "num" }, o ? fmtMs(o.elapsedMs) : rel ? fmtMs(elapsed - rel.atMs) + " / " + fmtMs(rel.budgetMs) : "–"),
        h("td", { class: "num" }, o ? fmtMs(o.atMs) : "–"),
        h("td", { title: o && o.error ? errText(o.error) : undefined }, o && o.error ? short(errText(o.error), 100) : ""));
    });
    if (sd.moreOutcomes > 0) rows.push(emptyRow(6, `…and ${sd.moreOutcomes} more outcomes`));
    fill($("outcomes"), rows.length === 0 ? [emptyRow(6, "nothing to release")] : rows);
  }

  const errText = (e) => (e && typeof e === "object" ? (e.code ? e.code + ": " : "") + (e.message || JSON.stringify(e)) : String(e));

  // ------------------------------------------------------------------ events
  function addEvent(e) {
    events.push(e);
    if (events.length > 200) events.splice(0, events.length - 200);
  }
  function renderEvents() {
    fill($("events"), events.slice(-100).reverse().map((e) => h("li", { "data-type": e.type }, h("time", {}, fmtTime(e.at)), e.text)));
  }

  // ------------------------------------------------------------------ wiring
  function render() {
    if (!last) return;
    $("pid").textContent = String(last.pid);
    const ks = $("kernel-state");
    ks.textContent = last.kernelState;
    ks.className = "badge " + last.kernelState;
    $("clock").textContent = fmtTime(last.now);
    renderCounts(last);
    renderCharts();
    renderResources(last);
    renderPanels(last);
    renderGraph(last);
    renderShutdown(last);
    renderEvents();
    document.body.dataset.updated = String(last.now);
  }

  function onState(st) {
    if (st.series) series = st.series;
    else if (st.sample && (series.length === 0 || st.sample.t > series[series.length - 1].t)) series.push(st.sample);
    const oldest = st.now - st.windowMs;
    while (series.length > 0 && series[0].t < oldest) series.shift();
    if (st.events) { events.length = 0; st.events.forEach(addEvent); }
    last = st;
    render();
  }

  function setConn(text, cls) {
    const c = $("conn");
    c.textContent = text;
    c.className = "badge conn " + cls;
    c.dataset.state = cls;
  }

  function connect() {
    const es = new EventSource("/api/events");
    es.addEventListener("open", () => setConn("live", "live"));
    es.addEventListener("state", (m) => onState(JSON.parse(m.data)));
    es.addEventListener("kernel", (m) => { addEvent(JSON.parse(m.data)); renderEvents(); });
    es.addEventListener("bye", (m) => {
      es.close();
      setConn("disconnected: " + JSON.parse(m.data).reason, "down");
    });
    es.addEventListener("error", () => { if (es.readyState === EventSource.CLOSED) setConn("disconnected", "down"); else setConn("reconnecting…", "closing"); });
  }

  connect();
})();
