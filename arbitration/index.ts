/**
 * arbitration/: the viem client of contracts/LiquidityArbiter.sol. Every action takes one
 * parameters object with `clients` (createArbiterClients) and returns plain data; reverts throw
 * the typed errors of ./errors.ts.
 */
export { liquidityArbiterAbi, liquidityArbiterBytecode } from "../contracts/generated/LiquidityArbiter.ts";
export { testTokenAbi, testTokenBytecode } from "../contracts/generated/TestToken.ts";
export {
  ANVIL_CHAIN_ID,
  ANVIL_MNEMONIC,
  AnvilStartError,
  anvilAccounts,
  freePort,
  resolveAnvilBinary,
  type StartAnvilParameters,
  type StartAnvilReturnType,
  startAnvil,
} from "./anvil.ts";
export { type ApproveParameters, type ApproveReturnType, approve } from "./approve.ts";
export { type ClaimDefaultParameters, type ClaimDefaultReturnType, claimDefault } from "./claim-default.ts";
export {
  type ArbiterClients,
  type ArbiterReadClients,
  type CreateArbiterClientsParameters,
  type CreateArbiterClientsReturnType,
  createArbiterClients,
} from "./clients.ts";
export {
  type DeployArbiterParameters,
  type DeployArbiterReturnType,
  deployArbiter,
} from "./deploy-arbiter.ts";
export {
  type DeployTestTokenParameters,
  type DeployTestTokenReturnType,
  deployTestToken,
} from "./deploy-test-token.ts";
export * from "./errors.ts";
export { type GetLoanParameters, type GetLoanReturnType, getLoan, type Loan } from "./get-loan.ts";
export {
  type InvalidateNonceParameters,
  type InvalidateNonceReturnType,
  invalidateNonce,
} from "./invalidate-nonce.ts";
export { type IsNonceUsedParameters, type IsNonceUsedReturnType, isNonceUsed } from "./is-nonce-used.ts";
export {
  type MintTestTokenParameters,
  type MintTestTokenReturnType,
  mintTestToken,
} from "./mint-test-token.ts";
export { type RepayParameters, type RepayReturnType, repay } from "./repay.ts";
export { type SettleParameters, type SettleReturnType, settle } from "./settle.ts";
export { type LoanStatus, loanStatuses } from "./types.ts";
