/** Waits for a transaction and insists it succeeded. Shared by the write actions. */
import type { Hex, TransactionReceipt } from "viem";
import type { ArbiterClients } from "../clients.ts";
import { ArbiterTransactionRevertedError } from "../errors.ts";

export async function confirm(
  clients: Pick<ArbiterClients, "public">,
  hash: Hex,
  functionName: string,
): Promise<TransactionReceipt> {
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new ArbiterTransactionRevertedError({ hash, functionName });
  return receipt;
}
