import type { Address, Hex, TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { Agreement } from "../core/agreement.ts";
import type { ArbiterClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { confirm } from "./internal/confirm.ts";

export type SettleParameters = {
  /** Clients of the lender or the borrower: only a party may settle. */
  clients: ArbiterClients;
  arbiter: Address;
  agreement: Agreement;
  lenderSignature: Hex;
  borrowerSignature: Hex;
};
export type SettleReturnType = {
  hash: Hex;
  /** The loan id: the agreement's EIP-712 digest (core/agreement.ts hashAgreement). */
  id: Hex;
  receipt: TransactionReceipt;
};

/**
 * Settles a signed agreement: principal lender -> borrower, collateral borrower -> escrow. The lender
 * must have approved the principal and the borrower the collateral. Simulates first, so a revert
 * throws its typed error (ArbiterExpiredError, ArbiterInvalidSignatureError, ...) without spending gas.
 */
export async function settle(params: SettleParameters): Promise<SettleReturnType> {
  const { clients, arbiter, agreement, lenderSignature, borrowerSignature } = params;
  try {
    const { result: id, request } = await clients.public.simulateContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "settle",
      args: [agreement, lenderSignature, borrowerSignature],
      account: clients.account,
    });
    const hash = await clients.wallet.writeContract(request);
    return { hash, id, receipt: await confirm(clients, hash, "settle") };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
