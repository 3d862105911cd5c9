/** The agreement as the contract's ABI wants it: every field present (an absent optional field,
 *  callRiskLevel or a margin term, signs as 0, see core/agreement.ts). */
import type { Agreement } from "../../core/agreement.ts";

export function toContractAgreement(a: Agreement) {
  return {
    sessionId: a.sessionId,
    lender: a.lender,
    borrower: a.borrower,
    principalToken: a.principalToken,
    principal: a.principal,
    collateralToken: a.collateralToken,
    collateral: a.collateral,
    rateBps: a.rateBps,
    tenor: a.tenor,
    nonce: a.nonce,
    deadline: a.deadline,
    callRiskLevel: a.callRiskLevel ?? 0,
    liquidationThresholdBps: a.liquidationThresholdBps ?? 0,
    liquidationBonusBps: a.liquidationBonusBps ?? 0,
    tighteningPerLevelBps: a.tighteningPerLevelBps ?? 0,
  };
}
