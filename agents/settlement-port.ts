/**
 * How an agent settles and services agreements. The production implementation talks to the
 * LiquidityArbiter contract (arbitration/); large simulation sweeps use a fast in-process
 * ledger kept equal to the contract by a differential test.
 */
import type { Hex } from "viem";
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
  /** Takes back our signature on an agreement nobody has settled yet: cancels its nonce for us on
   *  the contract, so it can never settle. One that settled first stays settled (check status). */
  withdraw(p: { agreement: Agreement }): Promise<{ txHash: Hex }>;
}
