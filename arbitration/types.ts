/** Loan states as LiquidityArbiter numbers them (enum LoanStatus, index = on-chain value). */
export const loanStatuses = ["None", "Active", "Repaid", "Defaulted"] as const;
export type LoanStatus = (typeof loanStatuses)[number];
