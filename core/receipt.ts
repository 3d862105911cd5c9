/**
 * Waiting for a transaction's receipt by asking for it directly, every polling interval, until
 * it exists. viem's waitForTransactionReceipt watches block numbers instead, and on anvil (which
 * mines each transaction at once) that watch missed the block now and then and waited forever: a
 * few times per thousand transactions, seen as a test hook timing out in CI.
 */
import { type Hex, type PublicClient, type TransactionReceipt, TransactionReceiptNotFoundError } from "viem";

/** How long a transaction may take to be mined before the wait gives up (the viem error). */
export const RECEIPT_TIMEOUT_MS = 120_000;

export async function waitForReceipt(
  client: Pick<PublicClient, "getTransactionReceipt" | "pollingInterval">,
  hash: Hex,
  timeoutMs = RECEIPT_TIMEOUT_MS,
): Promise<TransactionReceipt> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.getTransactionReceipt({ hash });
    } catch (err) {
      if (!(err instanceof TransactionReceiptNotFoundError) || Date.now() > until) throw err;
    }
    await new Promise((r) => setTimeout(r, client.pollingInterval));
  }
}
