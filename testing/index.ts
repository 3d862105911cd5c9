/**
 * The package's `testing` entry: what a test of an agent or an integration needs and production
 * code must not reach for. A local chain (anvil from the @foundry-rs npm package, its public dev
 * accounts), test ERC-20 tokens anyone may mint, and a throwaway keystore for config tests. The
 * helpers live beside the code they test; this file only gathers them.
 */

export {
  ANVIL_CHAIN_ID,
  ANVIL_MNEMONIC,
  AnvilStartError,
  anvilAccounts,
  forgetDevNonces,
  freePort,
  resolveAnvilBinary,
  type StartAnvilParameters,
  type StartAnvilReturnType,
  startAnvil,
} from "../arbitration/anvil.ts";
export {
  type DeployTestTokenParameters,
  type DeployTestTokenReturnType,
  deployTestToken,
  type SetTestTokenBlockedParameters,
  setTestTokenBlocked,
} from "../arbitration/deploy-test-token.ts";
export {
  type MintTestTokenParameters,
  type MintTestTokenReturnType,
  mintTestToken,
} from "../arbitration/mint-test-token.ts";
export {
  type DeployTestPriceFeedParameters,
  deployTestPriceFeed,
  type SetTestPriceParameters,
  setTestPrice,
} from "../arbitration/test-price-feed.ts";
export {
  blocklistTestTokenAbi,
  blocklistTestTokenBytecode,
} from "../contracts/generated/BlocklistTestToken.ts";
export { testTokenAbi, testTokenBytecode } from "../contracts/generated/TestToken.ts";
export { deploySimpleLendingPool } from "../protocol-adapters/evm/deploy-simple-lending-pool.ts";
export { deployTestVault } from "../protocol-adapters/evm/deploy-test-vault.ts";
