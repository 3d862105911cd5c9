/**
 * The dashboard page: holds what the server's snapshot and patches say (view-model.ts), and draws it
 * once per animation frame, only the rows that changed: tables by Tabulator (virtual rows, updates
 * in place), charts by uPlot (canvas). With `?trace` in the URL it records when each wire message
 * reached the screen, for bench/dashboard-latency.ts.
 */
import { type ColumnDefinition, TabulatorFull as Tabulator } from "tabulator-tables";
import "tabulator-tables/dist/css/tabulator_midnight.min.css";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import type {
  AgentRow,
  AlertRow,
  LoanRow,
  NegotiationRow,
  Patch,
  RiskView,
  TickerItem,
} from "../view-model.ts";

declare global {
  interface Window {
    /** [message id, epoch ms when the page had drawn it, the server's time on its patch, when the page received the patch], with ?trace. */
    __rendered?: Array<[string, number, number, number]>;
    __patches?: number;
    /** Time spent in receive() and draw(), and in long tasks (`tables`), ms (with ?trace). */
    __cost?: { receive: number; draw: number; tables: number; frames: number };
  }
}

const $ = (id: string) => document.getElementById(id)!;
const tracing = new URLSearchParams(location.search).has("trace");
if (tracing) {
  window.__rendered = [];
  window.__cost = { receive: 0, draw: 0, tables: 0, frames: 0 };
  // Main-thread time in tasks over 50 ms (layout, paint, the tables' asynchronous work included).
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__cost!.tables += e.duration;
  }).observe({ type: "longtask" });
}
window.__patches = 0;

// ---------- formatting ----------
const decimalsOf = new Map<string, { symbol: string; decimals: number }>();
const names = new Map<string, string>();
const short = (a: string) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : "");
const who = (a: string) => names.get(a.toLowerCase()) ?? short(a);
function units(amount: string, token: string | undefined): string {
  const t = token ? decimalsOf.get(token.toLowerCase()) : undefined;
  if (!t) return amount;
  const neg = amount.startsWith("-");
  const digits = (neg ? amount.slice(1) : amount).padStart(t.decimals + 1, "0");
  const whole = digits.slice(0, digits.length - t.decimals) || "0";
  const value = Number(
    `${whole}.${digits.slice(digits.length - t.decimals, digits.length - t.decimals + 2) || "0"}`,
  );
  return `${neg ? "-" : ""}${value.toLocaleString("en-US", { maximumFractionDigits: 2 })} ${t.symbol}`;
}
const pct = (bps: number | null | undefined) =>
  bps === null || bps === undefined ? "" : `${(bps / 100).toFixed(2)} %`;
const age = (at: number, now: number) => `${Math.max(0, Math.round((now - at) / 1000))} s`;
const cls = (prefix: string) => (cell: { getValue(): unknown }) =>
  `<span class="${prefix}-${String(cell.getValue())}">${String(cell.getValue())}</span>`;

// ---------- state ----------
const agents = new Map<string, AgentRow>();
const negotiations = new Map<string, NegotiationRow>();
const loans = new Map<string, LoanRow>();
let alerts: AlertRow[] = [];
let ticker: TickerItem[] = [];
let risk: RiskView = { snapshots: [], proposals: [] };
let last: Patch | undefined;
const dirty = {
  agents: new Set<string>(),
  negotiations: new Set<string>(),
  removed: new Set<string>(),
  loans: new Set<string>(),
};
let reset = false;
let alertsChanged = false;
let tickerChanged = false;
let riskChanged = false;
let pendingTrace: Array<[string, number, number]> = [];
const series: [number[], number[], number[], number[]] = [[], [], [], []];

function receive(p: Patch): void {
  window.__patches = (window.__patches ?? 0) + 1;
  if (p.type === "snapshot") {
    agents.clear();
    negotiations.clear();
    loans.clear();
    alerts = [];
    ticker = [];
    reset = true;
  }
  for (const a of p.agents) {
    agents.set(a.id, a);
    dirty.agents.add(a.id);
    if (a.health !== "seen") names.set(a.id, a.name);
    for (const l of a.liquidity)
      decimalsOf.set(l.token.toLowerCase(), { symbol: l.symbol, decimals: l.decimals });
  }
  for (const t of p.tokens) decimalsOf.set(t.id, { symbol: t.symbol, decimals: t.decimals });
  for (const n of p.negotiations) {
    negotiations.set(n.id, n);
    dirty.negotiations.add(n.id);
  }
  for (const id of p.removedNegotiations) {
    negotiations.delete(id);
    dirty.removed.add(id);
  }
  for (const l of p.loans) {
    loans.set(l.id, l);
    dirty.loans.add(l.id);
  }
  if (p.alerts.length > 0) {
    alerts = [...p.alerts, ...alerts].slice(0, 100);
    alertsChanged = true;
  }
  if (p.ticker.length > 0) {
    ticker = [...p.ticker, ...ticker].slice(0, 40);
    tickerChanged = true;
  }
  if (p.risk) {
    risk = p.risk;
    riskChanged = true;
  }
  if (p.trace) {
    const receivedAt = performance.timeOrigin + performance.now();
    for (const id of p.trace) pendingTrace.push([id, p.at, receivedAt]);
  }
  const x = p.at / 1000;
  const [t, rate, open, active] = series;
  if (t.length === 0 || x > t[t.length - 1]!) {
    t.push(x);
    rate.push(p.metrics.perSecond);
    open.push(p.metrics.openNegotiations);
    active.push(p.metrics.activeLoans);
    if (t.length > 900) for (const s of series) s.shift();
  }
  last = p;
  requestDraw();
}

// ---------- tables ----------
function table<T>(el: string, columns: ColumnDefinition[], height: number, sort?: string) {
  let ready = false;
  const queue: Array<() => void> = [];
  const t = new Tabulator(`#${el}`, {
    index: "id",
    height,
    layout: "fitColumns",
    addRowPos: "top",
    columns,
    placeholder: "nothing yet",
    ...(sort ? { initialSort: [{ column: sort, dir: "desc" as const }] } : {}),
  });
  t.on("tableBuilt", () => {
    ready = true;
    for (const run of queue.splice(0)) run();
  });
  return {
    when: (run: () => void) => (ready ? run() : queue.push(run)),
    upsert(rows: T[]) {
      if (rows.length === 0) return;
      this.when(() => {
        // One redraw for the batch, not one per row.
        t.blockRedraw();
        void t.updateOrAddData(rows as object[]).finally(() => t.restoreRedraw());
      });
    },
    replace(rows: T[]) {
      this.when(() => void t.replaceData(rows as object[]));
    },
    remove(ids: string[]) {
      if (ids.length === 0) return;
      this.when(() => {
        const present = ids.filter((id) => t.getRow(id));
        if (present.length === 0) return;
        t.blockRedraw();
        void t.deleteRow(present).finally(() => t.restoreRedraw());
      });
    },
  };
}

const agentsTable = table<AgentRow>(
  "agents",
  [
    { title: "agent", field: "name", widthGrow: 2 },
    { title: "kind", field: "kind" },
    { title: "health", field: "health", formatter: cls("health") },
    { title: "state", field: "state" },
    {
      title: "net liquidity",
      field: "liquidity",
      widthGrow: 2,
      formatter: (c) => (c.getValue() as AgentRow["liquidity"]).map((l) => units(l.net, l.token)).join(", "),
    },
    {
      title: "utilization",
      field: "risk",
      formatter: (c) => pct((c.getValue() as Record<string, number>).utilizationBps),
    },
    { title: "home rate", field: "opportunityRateBps", formatter: (c) => pct(c.getValue() as number) },
    {
      title: "deals",
      field: "sessions",
      formatter: (c) => String((c.getValue() as AgentRow["sessions"]).agreed),
    },
    { title: "loans", field: "loans", formatter: (c) => String((c.getValue() as AgentRow["loans"]).settled) },
    { title: "msgs", field: "sent", hozAlign: "right" },
  ],
  300,
);

const negotiationsTable = table<NegotiationRow>(
  "negotiations",
  [
    { title: "session", field: "id", formatter: (c) => short(String(c.getValue())) },
    { title: "borrower", field: "borrower", formatter: (c) => who(String(c.getValue())) },
    {
      title: "asks",
      field: "principal",
      widthGrow: 2,
      formatter: (c) => units(String(c.getValue()), (c.getRow().getData() as NegotiationRow).principalToken),
    },
    { title: "cap", field: "maxRateBps", formatter: (c) => pct(c.getValue() as number) },
    { title: "lenders", field: "lenders", formatter: (c) => (c.getValue() as string[]).map(who).join(", ") },
    { title: "offers", field: "offers", hozAlign: "right" },
    {
      title: "last offer",
      field: "lastOffer",
      widthGrow: 2,
      formatter: (c) => {
        const o = c.getValue() as NegotiationRow["lastOffer"];
        return o ? `${who(o.from)}: ${pct(o.rateBps)}` : "";
      },
    },
    { title: "best", field: "bestRateBps", formatter: (c) => pct(c.getValue() as number | null) },
    { title: "status", field: "status", formatter: cls("status") },
    { title: "updated", field: "updatedAt", visible: false },
  ],
  300,
  "updatedAt",
);

const loansTable = table<LoanRow>(
  "loans",
  [
    { title: "loan", field: "id", formatter: (c) => short(String(c.getValue())) },
    { title: "lender", field: "lender", formatter: (c) => who(String(c.getValue())) },
    { title: "borrower", field: "borrower", formatter: (c) => who(String(c.getValue())) },
    {
      title: "principal",
      field: "principal",
      formatter: (c) => units(String(c.getValue()), (c.getRow().getData() as LoanRow).principalToken),
    },
    {
      title: "collateral",
      field: "collateral",
      formatter: (c) => units(String(c.getValue()), (c.getRow().getData() as LoanRow).collateralToken),
    },
    { title: "rate", field: "rateBps", formatter: (c) => pct(c.getValue() as number) },
    {
      title: "maturity",
      field: "maturity",
      formatter: (c) => new Date(Number(c.getValue()) * 1000).toISOString().slice(0, 16).replace("T", " "),
    },
    {
      title: "outstanding",
      field: "outstanding",
      formatter: (c) => units(String(c.getValue()), (c.getRow().getData() as LoanRow).principalToken),
    },
    { title: "status", field: "status", formatter: cls("status") },
  ],
  220,
);

// ---------- charts ----------
function chart(el: string, labels: string[], colors: string[]): uPlot {
  const box = $(el);
  return new uPlot(
    {
      width: Math.max(300, box.clientWidth),
      height: 200,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: colors[i] ?? "#58a6ff", width: 1.5 }))],
      axes: [{ stroke: "#7d8896" }, { stroke: "#7d8896" }],
      scales: { x: { time: true } },
    },
    [[], ...labels.map(() => [])],
    box,
  );
}
const activity = chart(
  "chart-activity",
  ["msgs/s", "open negotiations", "active loans"],
  ["#58a6ff", "#d29922", "#3fb950"],
);
let contagion: uPlot | undefined;

// ---------- drawing ----------
const NEGOTIATIONS_SHOWN = 60;
/** The negotiations on screen: the most recently active. */
function shownNegotiations(): NegotiationRow[] {
  return [...negotiations.values()].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, NEGOTIATIONS_SHOWN);
}
/** Tables are redrawn at most this often: a person reads nothing faster, and each redraw lays
 *  out and paints asynchronously well beyond what the call itself costs. */
const TABLES_MIN_INTERVAL_MS = 200;
let nextTablesAt = 0;
let nextChartAt = 0;
let nextAgentsAt = 0;
let drawing = false;
function requestDraw(): void {
  if (drawing) return;
  drawing = true;
  requestAnimationFrame(draw);
}

function draw(): void {
  const t0 = performance.now();
  drawFrame();
  if (window.__cost) {
    window.__cost.draw += performance.now() - t0;
    window.__cost.frames++;
  }
}

function drawFrame(): void {
  drawing = false;
  const p = last;
  if (!p) return;
  const now = p.at;
  // Tables cost the most: they are redrawn when the last redraw has paid for itself (at most a
  // fifth of the main thread goes to them), the agents' table once a second (its counters move
  // with every message). Everything else is cheap and drawn every frame.
  const t = performance.now();
  let tablesDrawn = false;
  if (reset) {
    reset = false;
    agentsTable.replace([...agents.values()]);
    negotiationsTable.replace(shownNegotiations());
    loansTable.replace([...loans.values()]);
    alertsChanged = tickerChanged = riskChanged = true;
    tablesDrawn = true;
    dirty.agents.clear();
  } else if (t >= nextTablesAt) {
    if (dirty.negotiations.size > 0 || dirty.removed.size > 0) negotiationsTable.replace(shownNegotiations());
    loansTable.upsert([...dirty.loans].map((id) => loans.get(id)!).filter(Boolean));
    if (t >= nextAgentsAt && dirty.agents.size > 0) {
      agentsTable.upsert([...dirty.agents].map((id) => agents.get(id)!).filter(Boolean));
      dirty.agents.clear();
      nextAgentsAt = t + 1_000;
    }
    nextTablesAt = t + Math.max(TABLES_MIN_INTERVAL_MS, 4 * (performance.now() - t));
    tablesDrawn = true;
  }
  if (tablesDrawn) {
    dirty.negotiations.clear();
    dirty.removed.clear();
    dirty.loans.clear();
  }
  if (dirty.agents.size > 0 || dirty.negotiations.size > 0 || dirty.loans.size > 0) requestDraw();

  const m = p.metrics;
  $("kpi-agents").textContent = String(m.agents);
  $("kpi-open").textContent = String(m.openNegotiations);
  $("kpi-loans").textContent = String(m.activeLoans);
  $("kpi-rate").textContent = String(m.perSecond);
  $("kpi-refused").textContent = String(m.refused);
  $("kpi-risk").textContent = String(m.riskLevel);
  $("clock").textContent = new Date(now).toISOString().slice(11, 19);
  const source = $("source");
  source.textContent = p.source;
  source.className = `badge ${p.source === "replay" ? "replay" : ""}`;

  const banner = $("alert-banner");
  const expires = Number(m.riskLevelExpiresAt) * 1000;
  if (m.riskLevel > 0 || alerts.length > 0) {
    const a = alerts[0];
    banner.hidden = false;
    banner.textContent =
      m.riskLevel > 0
        ? `System risk level ${m.riskLevel} until ${new Date(expires).toISOString().slice(0, 19).replace("T", " ")} UTC` +
          (a ? `: alert raised by ${a.signers.length} agents (${a.signers.map(who).join(", ")})` : "")
        : `Last alert (level ${a!.level}) has expired.`;
  } else banner.hidden = true;

  if (alertsChanged) {
    alertsChanged = false;
    const list = $("alerts");
    list.replaceChildren(
      ...(alerts.length === 0
        ? [
            Object.assign(document.createElement("li"), {
              className: "muted",
              textContent: "No alert raised on chain.",
            }),
          ]
        : alerts.map((a) => {
            const li = document.createElement("li");
            li.innerHTML = `<span class="level">level ${a.level}</span> issued ${new Date(Number(a.issuedAt) * 1000).toISOString().slice(11, 19)}, expires ${new Date(Number(a.expiresAt) * 1000).toISOString().slice(11, 19)}, signed by ${a.signers.map(who).join(", ")}`;
            return li;
          })),
    );
  }
  if (tickerChanged) {
    tickerChanged = false;
    $("ticker").replaceChildren(
      ...ticker.map((t) => {
        const li = document.createElement("li");
        const rate = t.rateBps === null ? "" : ` ${pct(t.rateBps)}`;
        li.innerHTML = `<span class="kind">${t.kind}</span> ${who(t.from)} → ${t.to.startsWith("0x000000") ? "all" : who(t.to)}${rate} <span class="muted">${short(t.sessionId)} · ${age(t.at, now)} ago</span>`;
        return li;
      }),
    );
  }
  if (riskChanged) {
    riskChanged = false;
    drawRisk();
  }
  if (t >= nextChartAt) {
    activity.setData(series.slice(0, 4) as uPlot.AlignedData);
    nextChartAt = t + 250;
  }

  // A message counts as drawn once the tables showing it are (its sender's counter may lag up to 1 s).
  if (tracing && tablesDrawn && pendingTrace.length > 0) {
    const at = performance.timeOrigin + performance.now();
    for (const [id, sentAt, receivedAt] of pendingTrace)
      window.__rendered!.push([id, at, sentAt, receivedAt]);
    pendingTrace = [];
  }
}

function drawRisk(): void {
  const waiting = risk.snapshots.length === 0 && risk.proposals.length === 0;
  $("risk-waiting").hidden = !waiting;
  if (waiting) return;
  // Contagion probability per agent at each horizon the snapshots carry.
  const horizons = [...new Set(risk.snapshots.flatMap((s) => s.contagion.map((c) => c.horizonHours)))].sort(
    (a, b) => a - b,
  );
  const rows = risk.snapshots.map((s) =>
    horizons.map((h) => s.contagion.find((c) => c.horizonHours === h)?.probability ?? 0),
  );
  contagion?.destroy();
  contagion = new uPlot(
    {
      width: Math.max(300, $("chart-contagion").clientWidth),
      height: 200,
      scales: { x: { time: false }, y: { range: [0, 1] } },
      series: [
        { label: "horizon (h)" },
        ...risk.snapshots.map((s) => ({ label: who(s.agent), stroke: "#f85149", width: 1.5 })),
      ],
      axes: [{ stroke: "#7d8896" }, { stroke: "#7d8896" }],
    },
    [horizons, ...rows] as uPlot.AlignedData,
    $("chart-contagion"),
  );
  $("votes").replaceChildren(
    ...risk.proposals.map(({ proposal, votes }) => {
      const li = document.createElement("li");
      const yes = votes.filter((v) => v.approve).length;
      li.textContent = `proposal ${proposal.proposalId.slice(0, 10)} by ${who(proposal.proposer)}: level ${proposal.level}, ${yes} for, ${votes.length - yes} against`;
      return li;
    }),
  );
}

// ---------- connection ----------
function connectEvents(): void {
  const conn = $("connection");
  const es = new EventSource("/events");
  es.onopen = () => {
    conn.textContent = "connected";
    conn.className = "badge on";
  };
  es.onerror = () => {
    conn.textContent = "reconnecting…";
    conn.className = "badge off";
  };
  es.onmessage = (ev) => {
    const t0 = performance.now();
    receive(JSON.parse(ev.data as string) as Patch);
    if (window.__cost) window.__cost.receive += performance.now() - t0;
  };
}
connectEvents();
