/**
 * The dashboard's risk panels (risk snapshots, contagion probabilities, alert proposals and
 * votes) are defined against this interface and nothing else. The risk loop's feed
 * (risk-loop-feed.ts, docs/PROTOCOL.md §10) implements it: `startDashboard({ riskFeeds:
 * [createRiskLoopFeed(...)] })` subscribes to the risk subjects and the panels fill in. Without a
 * feed the panels say they are waiting for the risk loop; alerts come from the chain either way
 * (AlertRaised, riskLevel()).
 */
import type { Address } from "viem";

/** One agent's published view of contagion risk. */
export type RiskSnapshotView = {
  type: "risk.snapshot";
  agent: Address;
  protocolId: string;
  /** Unix ms of the snapshot. */
  at: number;
  /** Probability of insolvency or halt within each horizon, with an interval when the model has one. */
  contagion: Array<{ horizonHours: number; probability: number; low?: number; high?: number }>;
};

/** An agent proposing a system alert. */
export type RiskProposalView = {
  type: "risk.proposal";
  proposalId: string;
  proposer: Address;
  level: number;
  at: number;
  expiresAt?: number;
};

/** An agent's vote on a proposal. */
export type RiskVoteView = {
  type: "risk.vote";
  proposalId: string;
  voter: Address;
  approve: boolean;
  at: number;
};

export type RiskInput = RiskSnapshotView | RiskProposalView | RiskVoteView;

export interface RiskFeed {
  /** NATS subjects (wildcards allowed) carrying the risk loop's messages. */
  readonly subjects: readonly string[];
  /** The views a message stands for; [] for a message that is not valid (log-free: the dashboard
   *  counts it as refused). Must validate before reading anything. */
  decode(subject: string, data: Uint8Array): RiskInput[];
}
