/**
 * The seam between an agent and the protocol it speaks for. An integrator implements this once
 * per protocol: `snapshot()` reads the protocol, `apply()` carries out what the agent decided.
 * See docs/ADAPTERS.md.
 */
import type { Address, Hex } from "viem";
import type { BookObservation } from "./book-observation.ts";
import type { DeriskStance } from "./derisk-stance.ts";
import type { ProtocolKind, ProtocolState } from "./protocol-state.ts";

export type AdapterAction =
  /** We borrowed: principal arrived, collateral left for escrow. */
  | {
      type: "loan.borrowed";
      agreementId: Hex;
      token: Address;
      principal: bigint;
      collateralToken: Address;
      collateral: bigint;
      amountDue: bigint;
    }
  /** We lent: principal left. */
  | { type: "loan.lent"; agreementId: Hex; token: Address; principal: bigint; amountDue: bigint }
  /** Our loan was repaid (lender) or we repaid it (borrower). */
  | {
      type: "loan.repaid";
      agreementId: Hex;
      role: "lender" | "borrower";
      token: Address;
      amountDue: bigint;
      collateralToken: Address;
      collateral: bigint;
    }
  /** We topped up a margined loan we borrowed: `amount` more collateral left for its escrow (it
   *  comes back at repayment, with the rest of the escrow). */
  | { type: "loan.topUp"; agreementId: Hex; collateralToken: Address; amount: bigint }
  /** We liquidated (part of) a margined loan we lent: its debt fell by `repaid` (paid by us to us,
   *  as its lender: cash unchanged, the receivable smaller) and `seized` collateral arrived.
   *  `outstanding` is still owed; 0 means the loan is closed (Liquidated). */
  | {
      type: "loan.liquidate";
      agreementId: Hex;
      token: Address;
      repaid: bigint;
      collateralToken: Address;
      seized: bigint;
      outstanding: bigint;
    }
  /** A margined loan we borrowed was liquidated in full (Liquidated on chain): the debt is gone,
   *  the collateral in escrow was seized except `returned`, which came back to us. Also sent, with
   *  `returned` 0, for a loan we borrowed whose default its lender claimed (Defaulted on chain). */
  | { type: "loan.liquidated"; agreementId: Hex; token: Address; collateralToken: Address; returned: bigint }
  /** De-risking: raise margin / lower LTV by `bps`. */
  | { type: "derisk.tighten"; bps: number }
  /** De-risking unwinds (its alert expired): undo one earlier `derisk.tighten` of `bps`. */
  | { type: "derisk.release"; bps: number }
  /** De-risking: stop extending new credit until lifted. */
  | { type: "derisk.pauseCredit"; paused: boolean };

export interface ProtocolAdapter {
  readonly protocolId: string;
  readonly kind: ProtocolKind;
  snapshot(): Promise<ProtocolState>;
  apply(action: AdapterAction): Promise<void>;
  /** Optional: moves the protocol to the pre-committed stance for a system risk level
   *  (derisk-stance.ts); `{ level: 0 }` unwinds it. Idempotent. An adapter without it takes part
   *  in the risk loop (snapshots, votes) but changes nothing on an alert. */
  derisk?(stance: DeriskStance): Promise<void>;
  /** Optional: its own book for the contagion model (book-observation.ts), read at the same time
   *  as the latest `snapshot()`. Without it the agent runs the rule detector only. */
  book?(): Promise<BookObservation>;
}
