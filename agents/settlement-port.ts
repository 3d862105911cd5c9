/**
 * How an agent settles and services agreements. The production implementation talks to the
 * LiquidityArbiter contract (arbitration/); large simulation sweeps use a fast in-process
 * ledger kept equal to the contract by a differential test.
 */
import type { Address, Hex } from "viem";
import type { LoanStatus } from "../arbitration/types.ts";
import type { Agreement } from "../core/agreement.ts";

export type { LoanStatus };

export interface SettlementPort {
  settle(p: {
    agreement: Agreement;
    lenderSignature: Hex;
    borrowerSignature: Hex;
  }): Promise<{ id: Hex; txHash: Hex }>;
  repay(p: { id: Hex; agreement: Agreement }): Promise<{ txHash: Hex }>;
  status(id: Hex): Promise<LoanStatus>;
  /** The transaction that settled `id`, if it is settled (found from the chain's records). */
  settlementTx(id: Hex): Promise<Hex | undefined>;
  /** Takes back our signature on an agreement nobody has settled yet: cancels our nonce in it (or,
   *  if we have none there, the agreement itself) on the contract, so it can never settle. One that
   *  settled first stays settled (check status). */
  withdraw(p: { agreement: Agreement }): Promise<{ txHash: Hex }>;
  /** Withdraws what the contract credited us in `token`: payments the token refused to deliver to
   *  us directly (a blocklisted address, a failing hook). Nothing to do (amount 0, no transaction)
   *  when there is no credit, which is the usual case. */
  collect(p: { token: Address }): Promise<{ amount: bigint; txHash?: Hex }>;
  /** Optional: the loan's due date and dispute flag, for a lender that claims defaults. */
  loan?(id: Hex): Promise<{ status: LoanStatus; disputed: boolean; maturity: bigint }>;
  /** Optional: claims the escrowed collateral of a loan past maturity plus grace (lender only). */
  claimDefault?(p: { agreement: Agreement }): Promise<{ txHash: Hex }>;
  /** Optional: the system risk level in force on the contract (the agents' quorum posted it). */
  riskLevel?(): Promise<number>;
  /** Optional: makes a callable loan due now (lender only; its callRiskLevel <= the risk level). */
  callLoan?(p: { agreement: Agreement }): Promise<{ txHash: Hex }>;
  /** Optional: a margined loan's health as the contract judges it now (agents/margin-watch.ts decides
   *  on it). Takes the agreement, not its id: the arbiter stores no terms. A stale or insane price
   *  throws the typed price error (arbitration/margin-errors.ts). */
  loanHealth?(p: { agreement: Agreement }): Promise<MarginHealth>;
  /** Optional: liquidates (part of) an unhealthy margined loan; the caller pays the debt repaid
   *  (approved to the arbiter) and receives collateral plus the bonus. No `repayAmount` = as much as
   *  the contract allows (the close factor, or what closes it). Typed margin errors pass through. */
  liquidate?(p: { agreement: Agreement; repayAmount?: bigint }): Promise<Liquidation>;
  /** Optional: adds `amount` collateral (the caller's, approved to the arbiter) to a margined loan. */
  topUp?(p: { agreement: Agreement; amount: bigint }): Promise<{ txHash: Hex }>;
}

export type MarginHealth = {
  /** WAD: below 1e18 the loan is liquidatable; 2^256 - 1 once nothing is owed. */
  health: bigint;
  liquidatable: boolean;
  /** The threshold in force now (tightened while a risk alert holds), bps. */
  thresholdBps: number;
  owed: bigint;
  escrowed: bigint;
};

export type Liquidation = {
  txHash: Hex;
  repaid: bigint;
  seized: bigint;
  /** Still owed and still in escrow afterwards. */
  outstanding: bigint;
  escrowed: bigint;
  healthBefore: bigint;
};
