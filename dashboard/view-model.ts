/**
 * What the dashboard's server sends its page (server-sent events): a full snapshot when the page
 * connects, then patches with only the rows that changed. Types only: shared by the server
 * (dashboard-state.ts) and the page (client/). Amounts are decimal strings of base units.
 */
import type { RiskProposalView, RiskSnapshotView, RiskVoteView } from "./risk-feed.ts";

export const VIEW_VERSION = 0;

export type AgentRow = {
  /** Lowercase address. */
  id: string;
  address: string;
  name: string;
  protocolId: string;
  kind: string;
  /** From its status; "seen" for a peer seen on the wire that publishes no status. */
  health: "running" | "degraded" | "stopped" | "seen";
  state: string;
  liquidity: Array<{ token: string; symbol: string; decimals: number; liquid: string; net: string }>;
  risk: Record<string, number>;
  opportunityRateBps: number | null;
  shortfallCostBps: number | null;
  sessions: { agreed: number; failed: number; unconfirmed: number };
  loans: { settled: number; repaid: number };
  /** Wire messages seen from it. */
  sent: number;
  lastSeen: number;
  lastError: string | null;
};

export type OfferView = {
  from: string;
  rateBps: number;
  principal: string;
  collateral: string;
  haircutBps: number;
  at: number;
};

export type NegotiationRow = {
  /** The session id. */
  id: string;
  borrower: string;
  principalToken: string;
  principal: string;
  maxRateBps: number;
  tenor: number;
  sealed: boolean;
  lenders: string[];
  offers: number;
  lastOffer: OfferView | null;
  bestRateBps: number | null;
  status: "open" | "accepted" | "agreed" | "rejected" | "settled";
  reason: string | null;
  loanId: string | null;
  startedAt: number;
  updatedAt: number;
};

export type LoanRow = {
  id: string;
  sessionId: string;
  lender: string;
  borrower: string;
  principalToken: string;
  principal: string;
  collateralToken: string;
  collateral: string;
  rateBps: number;
  tenor: number;
  maturity: string;
  amountDue: string;
  outstanding: string;
  status: "Active" | "Repaid" | "Defaulted" | "Called" | "Disputed" | "Ruled";
  txHash: string;
  updatedAt: number;
};

export type AlertRow = {
  id: string;
  level: number;
  evidenceHash: string;
  issuedAt: string;
  expiresAt: string;
  signers: string[];
  at: number;
};

export type TickerItem = {
  id: string;
  kind: string;
  from: string;
  to: string;
  sessionId: string;
  rateBps: number | null;
  verified: boolean | null;
  at: number;
};

export type TokenRow = { id: string; symbol: string; decimals: number };

export type Metrics = {
  /** Wire messages seen since start, and refused (malformed, bad signature). */
  messages: number;
  refused: number;
  /** Wire messages per second over the last few seconds. */
  perSecond: number;
  openNegotiations: number;
  activeLoans: number;
  riskLevel: number;
  riskLevelExpiresAt: string;
  agents: number;
};

export type RiskView = {
  snapshots: RiskSnapshotView[];
  proposals: Array<{ proposal: RiskProposalView; votes: RiskVoteView[] }>;
};

export type Patch = {
  v: typeof VIEW_VERSION;
  /** "snapshot" replaces everything the page holds; "patch" updates rows by id. */
  type: "snapshot" | "patch";
  seq: number;
  /** Server time (or the recording's time when replaying), unix ms. */
  at: number;
  source: "live" | "replay";
  agents: AgentRow[];
  negotiations: NegotiationRow[];
  removedNegotiations: string[];
  loans: LoanRow[];
  alerts: AlertRow[];
  /** Tokens learned since the last patch (all of them in a snapshot). */
  tokens: TokenRow[];
  ticker: TickerItem[];
  metrics: Metrics;
  /** Only when it changed (always in a snapshot). */
  risk: RiskView | null;
  /** Ids of every wire message this patch accounts for (only when the server runs with trace on,
   *  for latency measurements). */
  trace?: string[];
};
