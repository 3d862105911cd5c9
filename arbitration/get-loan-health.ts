import { type Address, ContractFunctionRevertedError, BaseError as ViemBaseError, zeroAddress } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { marginOracleAbi } from "../contracts/generated/MarginOracle.ts";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterReadClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { ArbiterMarginUnavailableError } from "./margin-errors.ts";

export const HEALTH_ONE = 10n ** 18n;

export type GetLoanHealthParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  /** The margined agreement exactly as settled. */
  agreement: Agreement;
};
export type LoanHealth = {
  /** Collateral value * threshold / debt value, WAD: below HEALTH_ONE the loan is liquidatable;
   *  2^256 - 1 once nothing is owed. */
  health: bigint;
  liquidatable: boolean;
  /** The threshold in force now (the agreement's, tightened while a risk alert holds), bps. */
  thresholdBps: number;
  owed: bigint;
  escrowed: bigint;
};

/**
 * The health of a margined loan as the contract would judge it now: its owed debt and escrow, its
 * threshold in force, and the margin oracle's prices. A stale or insane price throws the typed
 * price error (ArbiterStalePriceError, ...): the contract would refuse to liquidate on it too.
 */
export async function getLoanHealth(params: GetLoanHealthParameters): Promise<LoanHealth> {
  const { clients, arbiter, agreement } = params;
  const a = toContractAgreement(agreement);
  const read = { address: arbiter, abi: liquidityArbiterAbi } as const;
  // One read after another: concurrent calls on one socket to a local anvil answered 5-10x slower
  // (a study reads every margined loan's health each step; bench in the session note).
  const [owed, escrowed] = await clients.public.readContract({
    ...read,
    functionName: "outstanding",
    args: [a],
  });
  const threshold = await clients.public.readContract({
    ...read,
    functionName: "liquidationThreshold",
    args: [a],
  });
  const oracle = await clients.public.readContract({ ...read, functionName: "marginOracle" });
  if (oracle === zeroAddress) throw new ArbiterMarginUnavailableError();
  let health: bigint;
  try {
    health = await clients.public.readContract({
      address: oracle,
      abi: marginOracleAbi,
      functionName: "health",
      args: [agreement.principalToken, owed, agreement.collateralToken, escrowed, threshold],
    });
  } catch (error) {
    const isRevert =
      error instanceof ViemBaseError &&
      error.walk((e) => e instanceof ContractFunctionRevertedError) !== null;
    throw isRevert ? parseArbiterError(error) : error;
  }
  return { health, liquidatable: health < HEALTH_ONE, thresholdBps: Number(threshold), owed, escrowed };
}
