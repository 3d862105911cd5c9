/**
 * Inter-protocol loans an adapter has been told about. The arbiter moved the tokens; the contracts
 * of the protocol do not know, so the adapter keeps the principal by agreement id (a repeated
 * action changes nothing) and counts it in its liquidity position.
 */
import type { Hex } from "viem";
import type { AdapterAction } from "../../protocol-adapter.ts";

type LoanAction = Extract<AdapterAction, { type: `loan.${string}` }>;

export class LoanBook {
  private readonly lent = new Map<Hex, bigint>();
  private readonly borrowed = new Map<Hex, bigint>();

  /** Principal lent to other protocols and not yet repaid. */
  get lentOut(): bigint {
    return sum(this.lent);
  }

  /** Principal borrowed from other protocols and not yet repaid. */
  get borrowedIn(): bigint {
    return sum(this.borrowed);
  }

  record(action: LoanAction): void {
    switch (action.type) {
      case "loan.lent":
        if (!this.lent.has(action.agreementId)) this.lent.set(action.agreementId, action.principal);
        return;
      case "loan.borrowed":
        if (!this.borrowed.has(action.agreementId)) this.borrowed.set(action.agreementId, action.principal);
        return;
      case "loan.repaid":
        (action.role === "lender" ? this.lent : this.borrowed).delete(action.agreementId);
        return;
      // Margins: the tokens are on chain (balances read them); the books only close liquidated loans.
      case "loan.liquidate":
        if (action.outstanding === 0n) this.lent.delete(action.agreementId);
        return;
      case "loan.liquidated":
        this.borrowed.delete(action.agreementId);
        return;
      case "loan.topUp":
        return;
    }
  }
}

function sum(loans: Map<Hex, bigint>): bigint {
  let total = 0n;
  for (const principal of loans.values()) total += principal;
  return total;
}
