/**
 * arbitration/: the viem client of contracts/LiquidityArbiter.sol. Every action takes one
 * parameters object with `clients` (createArbiterClients) and returns plain data; reverts throw
 * the typed errors of ./errors.ts. Actions after settle take the agreement itself: the contract
 * stores only its digest. The agreement nonce's layout (each party's 128-bit half) is in
 * core/agreement-nonce.ts, re-exported here.
 *
 * Test helpers (the anvil launcher, its dev accounts, test tokens) are not part of this face: they
 * live in the package's `testing` entry (testing/index.ts).
 */

export { liquidityArbiterAbi, liquidityArbiterBytecode } from "../contracts/generated/LiquidityArbiter.ts";
export {
  createNonceAllocator,
  type NonceAllocator,
  type NonceRole,
  nonceAllocatorFor,
  nonceOf,
  packNonce,
  unpackNonce,
} from "../core/agreement-nonce.ts";
export { type ApproveParameters, type ApproveReturnType, approve } from "./approve.ts";
export { type CallLoanParameters, type CallLoanReturnType, callLoan } from "./call-loan.ts";
export {
  type CancelAgreementParameters,
  type CancelAgreementReturnType,
  cancelAgreement,
} from "./cancel-agreement.ts";
export { type ClaimDefaultParameters, type ClaimDefaultReturnType, claimDefault } from "./claim-default.ts";
export {
  type ArbiterClients,
  type ArbiterReadClients,
  type CreateArbiterClientsParameters,
  type CreateArbiterClientsReturnType,
  type CreateArbiterReadClientsParameters,
  createArbiterClients,
  createArbiterReadClients,
} from "./clients.ts";
export {
  type CounterDisputeParameters,
  type CounterDisputeReturnType,
  counterDispute,
} from "./counter-dispute.ts";
export {
  type DeployArbiterParameters,
  type DeployArbiterReturnType,
  deployArbiter,
} from "./deploy-arbiter.ts";
export { type DisputeParameters, type DisputeReturnType, dispute } from "./dispute.ts";
export {
  ArbiterDisputeParamsError,
  ArbiterMinBondError,
  bondOf,
  checkDisputeParams,
  DEFAULT_ALERT_QUORUM,
  DEFAULT_ARBITRATION_WINDOW,
  DEFAULT_BOND_BPS,
  DEFAULT_LIVENESS,
  type DisputeParams,
  MAX_BOND_BPS,
  MAX_WINDOW,
  MIN_BOND_BPS,
  MIN_WINDOW,
  packMinBond,
} from "./dispute-params.ts";
export * from "./errors.ts";
export {
  type ArbiterEventName,
  type GetArbiterEventsParameters,
  type GetArbiterEventsReturnType,
  type GetSettledAgreementParameters,
  type GetSettledAgreementReturnType,
  getArbiterEvents,
  getSettledAgreement,
} from "./events.ts";
export {
  type ArbiterConfig,
  type GetArbiterConfigParameters,
  type GetArbiterConfigReturnType,
  getArbiterConfig,
} from "./get-arbiter-config.ts";
export { type GetCreditParameters, type GetCreditReturnType, getCredit } from "./get-credit.ts";
export {
  type Dispute,
  type GetDisputeParameters,
  type GetDisputeReturnType,
  getDispute,
} from "./get-dispute.ts";
export {
  type DisputeTerms,
  type GetDisputeTermsParameters,
  type GetDisputeTermsReturnType,
  getDisputeTerms,
} from "./get-dispute-terms.ts";
export {
  type GetLoanParameters,
  type GetLoanReturnType,
  getLoan,
  type Loan,
  type LoanWithTerms,
} from "./get-loan.ts";
export {
  type GetLoanHealthParameters,
  getLoanHealth,
  HEALTH_ONE,
  type LoanHealth,
} from "./get-loan-health.ts";
export { type GetRiskLevelParameters, type GetRiskLevelReturnType, getRiskLevel } from "./get-risk-level.ts";
export {
  type GetTokenConfigParameters,
  type GetTokenConfigReturnType,
  getTokenConfig,
  type TokenConfig,
} from "./get-token-config.ts";
export {
  type AllowTokenParameters,
  allowToken,
  type DeregisterAgentParameters,
  type DisallowTokenParameters,
  deregisterAgent,
  disallowToken,
  type GovernanceReturnType,
  type RegisterAgentParameters,
  registerAgent,
  type SetAlertQuorumParameters,
  type SetArbitersParameters,
  type SetDisputeParamsParameters,
  setAlertQuorum,
  setArbiters,
  setDisputeParams,
  toProtocolId,
} from "./governance.ts";
export {
  type InvalidateNonceParameters,
  type InvalidateNonceReturnType,
  invalidateNonce,
} from "./invalidate-nonce.ts";
export { type IsNonceUsedParameters, type IsNonceUsedReturnType, isNonceUsed } from "./is-nonce-used.ts";
export { type LiquidateParameters, type LiquidateReturnType, liquidate } from "./liquidate.ts";
export * from "./margin-errors.ts";
export {
  type DeployMarginOracleParameters,
  deployMarginOracle,
  type SetMarginOracleParameters,
  type SetPriceFeedParameters,
  setMarginOracle,
  setPriceFeed,
} from "./margin-oracle.ts";
export { type RaiseAlertParameters, type RaiseAlertReturnType, raiseAlert } from "./raise-alert.ts";
export { type RepayParameters, type RepayReturnType, repay } from "./repay.ts";
export { type ResolveParameters, type ResolveReturnType, resolve } from "./resolve.ts";
export { type RuleParameters, type RuleReturnType, rule } from "./rule.ts";
export { type SettleParameters, type SettleReturnType, settle } from "./settle.ts";
export {
  type SubmitEvidenceParameters,
  type SubmitEvidenceReturnType,
  submitEvidence,
} from "./submit-evidence.ts";
export { type TopUpParameters, type TopUpReturnType, topUp } from "./top-up.ts";
export {
  hashRiskAlert,
  hashRuling,
  type RiskAlert,
  type Ruling,
  riskAlertTypes,
  rulingTypes,
  type SignerSignature,
  signRiskAlert,
  signRuling,
  sortSignatures,
} from "./typed-data.ts";
export { type LoanStatus, loanStatuses, type Party, parties, partyIndex } from "./types.ts";
export {
  type WithdrawCreditParameters,
  type WithdrawCreditReturnType,
  withdrawCredit,
} from "./withdraw-credit.ts";
