import { type Address, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { writeArbiter } from "./internal/write.ts";

const MAX_UINT256 = 2n ** 256n - 1n;

export type LiquidateParameters = {
  /** Clients of the liquidator (anyone: often the lender's agent). It pays the repaid debt, approved to
   *  the arbiter in the principal token beforehand, and receives the collateral. */
  clients: ArbiterClients;
  arbiter: Address;
  /** The margined agreement exactly as settled. */
  agreement: Agreement;
  /** Debt to repay; omitted = as much as this liquidation may (the close factor, or what closes). */
  repayAmount?: bigint | undefined;
};
export type LiquidateReturnType = {
  hash: Hex;
  receipt: TransactionReceipt;
  /** Debt repaid to the lender. */
  repaid: bigint;
  /** Collateral received, bonus included. */
  seized: bigint;
  /** Still owed, and still in escrow, afterwards. */
  outstanding: bigint;
  escrowed: bigint;
  /** Health before the liquidation (WAD). */
  healthBefore: bigint;
};

/**
 * Liquidates (part of) an unhealthy margined loan: repays debt to the lender and takes that value
 * plus the loan's bonus in collateral. Typed refusals: ArbiterHealthyLoanError,
 * ArbiterRepayAboveCloseFactorError, ArbiterLiquidationMustCloseError, the price errors
 * (ArbiterStalePriceError, ArbiterPriceOutOfBoundsError, ...) and ArbiterNotMarginedError.
 */
export async function liquidate(params: LiquidateParameters): Promise<LiquidateReturnType> {
  const { clients, arbiter, agreement } = params;
  const { hash, receipt } = await writeArbiter(clients, arbiter, "liquidate", [
    toContractAgreement(agreement),
    params.repayAmount ?? MAX_UINT256,
  ]);
  const [event] = parseEventLogs({ abi: liquidityArbiterAbi, eventName: "Liquidated", logs: receipt.logs });
  if (!event) throw new Error(`liquidate ${hash}: no Liquidated event in the receipt`);
  const { repaid, seized, outstanding, escrowed, healthBefore } = event.args;
  return { hash, receipt, repaid, seized, outstanding, escrowed, healthBefore };
}
