/**
 * Agents in the loop. Once per step the engine hands a policy the protocols (as ProtocolAdapters,
 * exactly what a real agent sees), settlement ports (on the chain or the ledger), and the shared risk
 * picture. A policy may (a) negotiate loans between protocols and settle them, and (b) apply
 * de-risking actions through the adapters. Everything it does is recorded as events for the
 * report. Learned models, coordinated de-risking or real agents drop in behind this interface.
 */
import type { Address } from "viem";
import type { ArbiterDomain } from "../../core/agreement.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import type { EngineSettlementPort, PostedAlert } from "../settlement/settlement-backend.ts";
import type { StepObservation } from "./run-engine.ts";
import type { World } from "./world.ts";

export const MODES = ["off", "negotiation", "derisking", "both"] as const;
export type Mode = (typeof MODES)[number];

/** The mode a policy plays, from what it does. */
export function modeOf(p: { negotiation: boolean; derisking: boolean }): Mode {
  if (p.negotiation) return p.derisking ? "both" : "negotiation";
  return p.derisking ? "derisking" : "off";
}

export type RiskPicture = {
  /** Largest fall of any asset below its starting price, as a share (0.3 = 30%). */
  maxDrawdown: number;
  drawdownAsset: string;
  /** DebtRank of the losses so far (see balance-sheet.ts currentDebtRank). */
  debtRank: number;
  /** Protocols insolvent at the last clearing. */
  insolvent: readonly boolean[];
  /** Protocols whose withdrawals are halted now. */
  halted: readonly boolean[];
  /** Payouts owed and unpaid across the system, USD. */
  unmetUsd: number;
};

export type PolicyEvent =
  | {
      type: "loan";
      step: number;
      lender: string;
      borrower: string;
      asset: string;
      principal: bigint;
      principalUsd8: bigint;
      rateBps: number;
      rounds: number;
    }
  | { type: "repaid" | "defaulted"; step: number; lender: string; borrower: string; principalUsd8: bigint }
  | {
      /** A margined loan liquidated (part of its debt repaid by the liquidator for collateral plus
       *  the bonus); `closed` once nothing is owed. */
      type: "liquidated";
      step: number;
      lender: string;
      borrower: string;
      repaidUsd8: bigint;
      seizedUsd8: bigint;
      closed: boolean;
    }
  | { type: "topped-up"; step: number; lender: string; borrower: string; collateralUsd8: bigint }
  | { type: "no-deal"; step: number; borrower: string; reason: string }
  | {
      type: "alert";
      step: number;
      level: number;
      votes: number;
      of: number;
      reason: string;
      /** Hour at which the alert lapses unless a quorum votes again (the contract's expiresAt). */
      expiresHour: number;
    }
  | { type: "derisk"; step: number; protocol: string; action: string };

export type PolicyContext = {
  world: World;
  step: number;
  hours: number;
  /** Chain time of this step, unix seconds. */
  nowSec: bigint;
  adapters: readonly ProtocolAdapter[];
  /** Protocol i's settlement port (its own address as caller), on the run's settlement backend
   *  (the contract on anvil, or the in-process ledger: same behaviour, same errors). */
  settlement: (protocol: number) => EngineSettlementPort;
  addresses: readonly Address[];
  domain: ArbiterDomain;
  /** Posts the system risk alert to the settlement backend (the contract's raiseAlert; the ledger's
   *  riskLevel): margined loans' thresholds tighten while it holds. */
  postAlert(alert: PostedAlert): Promise<void>;
  risk: RiskPicture;
  record(event: PolicyEvent): void;
};

export interface EnginePolicy {
  readonly name: string;
  /** Once per step: after runs added their demand, before payouts and liquidations. */
  onStep(ctx: PolicyContext): void | Promise<void>;
  /** At the end of every step, what protocols could observe then (read-only; run-engine.ts). */
  onObserve?(o: StepObservation): void;
  close?(): Promise<void>;
}

/** Agents off. */
export const noPolicy: EnginePolicy = { name: "off", onStep: () => {} };
