/**
 * ISSUE 13 HOOK: the dashboard's risk panels (risk snapshots, contagion probabilities, alert
 * proposals and votes) are defined against this interface and nothing else.
 *
 * The risk loop's messages do not exist yet (docs/PROTOCOL.md: "Risk subjects come in a later
 * version"), and the dashboard does not guess their format. When issue 13 defines them, it adds a
 * RiskFeed: the subjects to subscribe to and a decoder that validates each message with the risk
 * loop's own zod schemas and maps it to the views below. `startDashboard({ riskFeeds: [feed] })`
 * then subscribes, and the page's panels fill in; nothing else in the dashboard changes. Until then
 * the panels say they are waiting for the risk loop, and alerts come from the chain (AlertRaised,
 * riskLevel()).
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
