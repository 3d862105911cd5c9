/** Loan states as LiquidityArbiter numbers them (enum LoanStatus, index = on-chain value). "Cancelled":
 *  a party withdrew its signature (cancelAgreement) before anyone settled it; it never settles.
 *  "Liquidated": a liquidation repaid the last of a margined loan's debt. */
export const loanStatuses = [
  "None",
  "Active",
  "Repaid",
  "Defaulted",
  "Ruled",
  "Cancelled",
  "Liquidated",
] as const;
export type LoanStatus = (typeof loanStatuses)[number];

/** Sides of an agreement as LiquidityArbiter numbers them (enum Party). In a ruling, "None"
 *  dismisses the dispute: bonds go back to who posted them and the loan continues. */
export const parties = ["None", "Lender", "Borrower"] as const;
export type Party = (typeof parties)[number];

export function partyIndex(p: Party): number {
  return parties.indexOf(p);
}
