/** Sends an adapter's transaction, waits for it, and turns any failure into EvmAdapterWriteError. */
import { type Address, ContractFunctionRevertedError, type Hex, BaseError as ViemBaseError } from "viem";
import { EvmAdapterWriteError } from "../errors.ts";
import type { EvmAdapterClients } from "../evm-adapter-clients.ts";

export async function writeAndConfirm(
  clients: EvmAdapterClients,
  target: { contract: Address; functionName: string },
  send: () => Promise<Hex>,
): Promise<void> {
  let cause: unknown;
  try {
    const hash = await send();
    const receipt = await clients.public.waitForTransactionReceipt({ hash });
    if (receipt.status === "success") return;
    cause = new Error(`transaction ${hash} reverted`);
  } catch (error) {
    cause = error;
  }
  const reverted =
    cause instanceof ViemBaseError ? cause.walk((e) => e instanceof ContractFunctionRevertedError) : null;
  const errorName = reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
  throw new EvmAdapterWriteError({ ...target, errorName, cause });
}
