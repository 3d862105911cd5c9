/**
 * What the dashboard learns, in one typed stream: wire messages seen on NATS (decoded, signature
 * checked when the arbiter is known), agents' status (operator/agent-status.ts), the arbiter's
 * events and risk level read from the chain, and the risk loop's snapshots, proposals and votes
 * (risk-feed.ts). The live server produces these inputs; a recording is these inputs as JSON lines
 * with the time each arrived, which `--replay` feeds back at the same pace.
 */
import type { Address, Hex } from "viem";
import type { AgentStatus } from "../operator/agent-status.ts";
import type { RiskInput } from "./risk-feed.ts";

export const DASHBOARD_INPUT_VERSION = 0;

/** A negotiation message as the dashboard keeps it: the envelope's routing and the body's figures.
 *  Amounts stay decimal strings (the page formats them with the token's decimals). */
export type WireInput = {
  type: "wire";
  /** `${from}:${sessionId}:${seq}`, lowercase: unique per message. */
  id: string;
  kind: string;
  sessionId: Hex;
  seq: number;
  from: Address;
  to: Address;
  /** True when the signature was checked and holds; undefined when not checked (no arbiter given). */
  verified?: boolean;
  rfq?: {
    principalToken: Address;
    principal: string;
    maxRateBps: number;
    tenor: number;
    collateralToken: string;
    collateral: string;
    sealed: boolean;
  };
  terms?: { principal: string; rateBps: number; tenor: number; collateral: string; haircutBps: number };
  agreementId?: Hex;
  reason?: string;
};

export type StatusInput = { type: "status"; status: AgentStatus };

export type LoanEventInput = {
  type: "loan";
  event: "Settled" | "Repaid" | "DefaultClaimed" | "LoanCalled" | "Disputed" | "Ruled";
  id: Hex;
  txHash: Hex;
  blockNumber: string;
  /** Settled only: the agreement's figures. */
  agreement?: {
    sessionId: Hex;
    lender: Address;
    borrower: Address;
    principalToken: Address;
    principal: string;
    collateralToken: Address;
    collateral: string;
    rateBps: number;
    tenor: number;
  };
  maturity?: string;
  amountDue?: string;
  /** Repaid: what is still owed after it. */
  outstanding?: string;
};

export type AlertInput = {
  type: "alert";
  level: number;
  evidenceHash: Hex;
  issuedAt: string;
  expiresAt: string;
  signers: Address[];
  txHash: Hex;
};

export type RiskLevelInput = { type: "riskLevel"; level: number; expiresAt: string };

/** An ERC-20's symbol and decimals, read from the chain, so amounts can be shown in units. */
export type TokenInput = { type: "token"; address: Address; symbol: string; decimals: number };

export type DashboardInput =
  | WireInput
  | StatusInput
  | LoanEventInput
  | AlertInput
  | RiskLevelInput
  | TokenInput
  | RiskInput;

/** One line of a recording: an input and when it arrived (unix ms). */
export type RecordedInput = { v: typeof DASHBOARD_INPUT_VERSION; at: number; input: DashboardInput };
