/**
 * The dashboard's picture of the system, built from its inputs (inputs.ts): agents, negotiations,
 * loans, alerts, the risk loop's views. `apply` folds one input in and remembers which rows changed;
 * `patch` hands those rows out (and forgets them), `snapshot` everything. Pure and synchronous:
 * the live server and a replay drive it the same way, and tests drive it directly.
 */
import type { DashboardInput, LoanEventInput, WireInput } from "./inputs.ts";
import type { RiskProposalView, RiskSnapshotView, RiskVoteView } from "./risk-feed.ts";
import {
  type AgentRow,
  type AlertRow,
  type LoanRow,
  type Metrics,
  type NegotiationRow,
  type Patch,
  type RiskView,
  type TickerItem,
  type TokenRow,
  VIEW_VERSION,
} from "./view-model.ts";

export type DashboardStateOptions = {
  /** Ended negotiations kept on the page, newest first. Default 200. */
  keepEnded?: number;
  /** An open negotiation silent this long is dropped, ms. Default 5 min. */
  staleMs?: number;
  /** Recent messages in the ticker. Default 40. */
  tickerSize?: number;
  /** Collect every wire message id into patches (latency measurement). */
  trace?: boolean;
};

const RATE_WINDOW_MS = 5_000;

export class DashboardState {
  private readonly agents = new Map<string, AgentRow>();
  private readonly negotiations = new Map<string, NegotiationRow>();
  private readonly loans = new Map<string, LoanRow>();
  private readonly alerts: AlertRow[] = [];
  private readonly snapshots = new Map<string, RiskSnapshotView>();
  private readonly proposals = new Map<string, { proposal: RiskProposalView; votes: RiskVoteView[] }>();
  private ticker: TickerItem[] = [];
  private readonly tokens = new Map<string, TokenRow>();
  private newTokens: TokenRow[] = [];
  private readonly recentArrivals: number[] = [];
  private riskLevel = { level: 0, expiresAt: "0" };
  private messages = 0;
  private refused = 0;
  private seq = 0;

  private readonly dirtyAgents = new Set<string>();
  private readonly dirtyNegotiations = new Set<string>();
  private readonly removed = new Set<string>();
  private readonly dirtyLoans = new Set<string>();
  private newAlerts: AlertRow[] = [];
  private newTicker: TickerItem[] = [];
  private riskChanged = false;
  private trace: string[] = [];
  private changed = false;
  private readonly opts: Required<DashboardStateOptions>;

  constructor(options: DashboardStateOptions = {}) {
    this.opts = {
      keepEnded: options.keepEnded ?? 200,
      staleMs: options.staleMs ?? 5 * 60_000,
      tickerSize: options.tickerSize ?? 40,
      trace: options.trace ?? false,
    };
  }

  /** True when something changed since the last patch. */
  get dirty(): boolean {
    return this.changed;
  }

  /** A wire message that could not be decoded or whose signature does not hold. */
  refuse(): void {
    this.refused++;
    this.changed = true;
  }

  apply(input: DashboardInput, at: number): void {
    this.changed = true;
    switch (input.type) {
      case "wire":
        this.wire(input, at);
        return;
      case "status": {
        const s = input.status;
        const id = s.address.toLowerCase();
        const prev = this.agents.get(id);
        this.agents.set(id, {
          id,
          address: s.address,
          name: s.name,
          protocolId: s.protocolId,
          kind: s.protocolKind,
          health: s.health,
          state: s.state,
          liquidity:
            s.protocol?.liquidity.map(({ token, symbol, decimals, liquid, net }) => ({
              token,
              symbol,
              decimals,
              liquid,
              net,
            })) ?? [],
          risk: s.protocol?.risk ?? {},
          opportunityRateBps: s.protocol?.opportunityRateBps ?? null,
          shortfallCostBps: s.protocol?.shortfallCostBps ?? null,
          sessions: s.sessions,
          loans: s.loans,
          sent: prev?.sent ?? 0,
          lastSeen: at,
          lastError: s.lastError ?? null,
        });
        this.dirtyAgents.add(id);
        return;
      }
      case "loan":
        this.loan(input, at);
        return;
      case "alert": {
        const row: AlertRow = {
          id: input.txHash,
          level: input.level,
          evidenceHash: input.evidenceHash,
          issuedAt: input.issuedAt,
          expiresAt: input.expiresAt,
          signers: input.signers,
          at,
        };
        if (this.alerts.some((a) => a.id === row.id)) return;
        this.alerts.unshift(row);
        this.newAlerts.push(row);
        return;
      }
      case "riskLevel":
        this.riskLevel = { level: input.level, expiresAt: input.expiresAt };
        return;
      case "token": {
        const row = { id: input.address.toLowerCase(), symbol: input.symbol, decimals: input.decimals };
        this.tokens.set(row.id, row);
        this.newTokens.push(row);
        return;
      }
      case "risk.snapshot":
        this.snapshots.set(input.agent.toLowerCase(), input);
        this.riskChanged = true;
        return;
      case "risk.proposal": {
        const p = this.proposals.get(input.proposalId);
        this.proposals.set(input.proposalId, { proposal: input, votes: p?.votes ?? [] });
        this.riskChanged = true;
        return;
      }
      case "risk.vote": {
        const p = this.proposals.get(input.proposalId);
        if (!p) return;
        p.votes = [...p.votes.filter((v) => v.voter.toLowerCase() !== input.voter.toLowerCase()), input];
        this.riskChanged = true;
        return;
      }
    }
  }

  private seen(address: string, at: number): AgentRow {
    const id = address.toLowerCase();
    let row = this.agents.get(id);
    if (!row) {
      row = {
        id,
        address,
        name: `${address.slice(0, 8)}…`,
        protocolId: "",
        kind: "",
        health: "seen",
        state: "",
        liquidity: [],
        risk: {},
        opportunityRateBps: null,
        shortfallCostBps: null,
        sessions: { agreed: 0, failed: 0, unconfirmed: 0 },
        loans: { settled: 0, repaid: 0 },
        sent: 0,
        lastSeen: at,
        lastError: null,
      };
      this.agents.set(id, row);
    }
    return row;
  }

  private wire(m: WireInput, at: number): void {
    this.messages++;
    this.recentArrivals.push(at);
    if (this.opts.trace) this.trace.push(m.id);
    const sender = this.seen(m.from, at);
    sender.sent++;
    if (sender.health === "seen") sender.lastSeen = at;
    this.dirtyAgents.add(sender.id);

    const key = m.sessionId;
    let n = this.negotiations.get(key);
    if (m.kind === "rfq" && m.rfq) {
      if (!n) {
        n = {
          id: key,
          borrower: m.from,
          principalToken: m.rfq.principalToken,
          principal: m.rfq.principal,
          maxRateBps: m.rfq.maxRateBps,
          tenor: m.rfq.tenor,
          sealed: m.rfq.sealed,
          lenders: [],
          offers: 0,
          lastOffer: null,
          bestRateBps: null,
          status: "open",
          reason: null,
          loanId: null,
          startedAt: at,
          updatedAt: at,
        };
        this.negotiations.set(key, n);
      }
    } else if (n) {
      const lender = n.borrower.toLowerCase() === m.from.toLowerCase() ? m.to : m.from;
      if (!n.lenders.some((l) => l.toLowerCase() === lender.toLowerCase())) n.lenders.push(lender);
      if ((m.kind === "offer" || m.kind === "reveal") && m.terms) {
        n.offers++;
        n.lastOffer = { from: m.from, ...m.terms, at };
        if (m.from !== n.borrower && (n.bestRateBps === null || m.terms.rateBps < n.bestRateBps)) {
          n.bestRateBps = m.terms.rateBps;
        }
      } else if (m.kind === "accept") {
        if (n.status === "open") n.status = "accepted";
      } else if (m.kind === "confirm") {
        if (n.status !== "settled") n.status = "agreed";
      } else if (m.kind === "reject" && n.status === "open" && n.lenders.length <= 1) {
        n.status = "rejected";
        n.reason = m.reason ?? null;
      }
    }
    if (n) {
      n.updatedAt = at;
      this.dirtyNegotiations.add(key);
    }
    const item: TickerItem = {
      id: m.id,
      kind: m.kind,
      from: m.from,
      to: m.to,
      sessionId: m.sessionId,
      rateBps: m.terms?.rateBps ?? m.rfq?.maxRateBps ?? null,
      verified: m.verified ?? null,
      at,
    };
    this.newTicker.push(item);
    if (this.newTicker.length > this.opts.tickerSize) this.newTicker.shift();
  }

  private loan(e: LoanEventInput, at: number): void {
    const status: Record<LoanEventInput["event"], LoanRow["status"]> = {
      Settled: "Active",
      Repaid: "Repaid",
      DefaultClaimed: "Defaulted",
      LoanCalled: "Called",
      Disputed: "Disputed",
      Ruled: "Ruled",
    };
    let row = this.loans.get(e.id);
    if (e.event === "Settled" && e.agreement) {
      const a = e.agreement;
      row = {
        id: e.id,
        sessionId: a.sessionId,
        lender: a.lender,
        borrower: a.borrower,
        principalToken: a.principalToken,
        principal: a.principal,
        collateralToken: a.collateralToken,
        collateral: a.collateral,
        rateBps: a.rateBps,
        tenor: a.tenor,
        maturity: e.maturity ?? "0",
        amountDue: e.amountDue ?? "0",
        outstanding: e.amountDue ?? "0",
        status: "Active",
        txHash: e.txHash,
        updatedAt: at,
      };
      this.loans.set(e.id, row);
      const n = this.negotiations.get(a.sessionId);
      if (n) {
        n.status = "settled";
        n.loanId = e.id;
        n.updatedAt = at;
        this.dirtyNegotiations.add(n.id);
      }
    } else if (row) {
      if (e.event === "Repaid") {
        row.outstanding = e.outstanding ?? row.outstanding;
        if (row.outstanding === "0") row.status = "Repaid";
      } else if (e.event === "Disputed" || e.event === "Ruled") row.status = status[e.event];
      else row.status = status[e.event];
      if (e.maturity) row.maturity = e.maturity;
      row.updatedAt = at;
    } else return;
    this.dirtyLoans.add(e.id);
  }

  private metrics(at: number): Metrics {
    while (this.recentArrivals.length > 0 && this.recentArrivals[0]! < at - RATE_WINDOW_MS)
      this.recentArrivals.shift();
    let open = 0;
    for (const n of this.negotiations.values()) if (n.status === "open" || n.status === "accepted") open++;
    let active = 0;
    for (const l of this.loans.values())
      if (l.status === "Active" || l.status === "Called" || l.status === "Disputed") active++;
    return {
      messages: this.messages,
      refused: this.refused,
      perSecond: Math.round((this.recentArrivals.length * 1000) / RATE_WINDOW_MS),
      openNegotiations: open,
      activeLoans: active,
      riskLevel: this.riskLevel.level,
      riskLevelExpiresAt: this.riskLevel.expiresAt,
      agents: this.agents.size,
    };
  }

  private risk(): RiskView {
    return {
      snapshots: [...this.snapshots.values()],
      proposals: [...this.proposals.values()].map((p) => ({ proposal: p.proposal, votes: [...p.votes] })),
    };
  }

  /** Drops ended negotiations beyond `keepEnded` and open ones silent past `staleMs`. */
  private prune(at: number): void {
    const ended: NegotiationRow[] = [];
    for (const n of this.negotiations.values()) {
      const open = n.status === "open" || n.status === "accepted";
      if (open && at - n.updatedAt > this.opts.staleMs) this.drop(n.id);
      else if (!open) ended.push(n);
    }
    if (ended.length <= this.opts.keepEnded) return;
    ended.sort((a, b) => b.updatedAt - a.updatedAt);
    for (const n of ended.slice(this.opts.keepEnded)) this.drop(n.id);
  }

  private drop(id: string): void {
    this.negotiations.delete(id);
    this.dirtyNegotiations.delete(id);
    this.removed.add(id);
  }

  /** The rows that changed since the last patch. */
  patch(at: number, source: Patch["source"]): Patch {
    this.prune(at);
    this.ticker = [...this.newTicker.reverse(), ...this.ticker].slice(0, this.opts.tickerSize);
    const pick = <T>(ids: Set<string>, from: Map<string, T>) =>
      [...ids].map((id) => from.get(id)).filter((x): x is T => x !== undefined);
    const p: Patch = {
      v: VIEW_VERSION,
      type: "patch",
      seq: ++this.seq,
      at,
      source,
      agents: pick(this.dirtyAgents, this.agents).map((r) => ({ ...r })),
      negotiations: pick(this.dirtyNegotiations, this.negotiations).map((r) => ({
        ...r,
        lenders: [...r.lenders],
      })),
      removedNegotiations: [...this.removed],
      loans: pick(this.dirtyLoans, this.loans).map((r) => ({ ...r })),
      alerts: this.newAlerts,
      tokens: this.newTokens,
      ticker: this.newTicker,
      metrics: this.metrics(at),
      risk: this.riskChanged ? this.risk() : null,
      ...(this.opts.trace ? { trace: this.trace } : {}),
    };
    this.dirtyAgents.clear();
    this.dirtyNegotiations.clear();
    this.removed.clear();
    this.dirtyLoans.clear();
    this.newAlerts = [];
    this.newTokens = [];
    this.newTicker = [];
    this.riskChanged = false;
    this.trace = [];
    this.changed = false;
    return p;
  }

  /** Everything, for a page that just connected. */
  snapshot(at: number, source: Patch["source"]): Patch {
    return {
      v: VIEW_VERSION,
      type: "snapshot",
      seq: this.seq,
      at,
      source,
      agents: [...this.agents.values()],
      negotiations: [...this.negotiations.values()],
      removedNegotiations: [],
      loans: [...this.loans.values()],
      alerts: [...this.alerts],
      tokens: [...this.tokens.values()],
      ticker: [...this.ticker],
      metrics: this.metrics(at),
      risk: this.risk(),
    };
  }
}
