/**
 * After a loan of ours closes, withdraw anything the arbiter credited us instead of paying us
 * directly (a token that refused the payment: a blocklisted address, a failing hook). Usually there
 * is nothing, and collecting costs one read per token. A failure is logged and left for the next
 * loan: the credit stays ours on the contract.
 */
import type { Address } from "viem";
import type { Logger } from "../core/log.ts";
import type { SettlementPort } from "./settlement-port.ts";

const ZERO = "0x0000000000000000000000000000000000000000";

export async function collectCredits(p: {
  settlement: Pick<SettlementPort, "collect">;
  tokens: readonly Address[];
  log: Logger;
}): Promise<bigint[]> {
  const seen = new Set<string>();
  const amounts: bigint[] = [];
  for (const token of p.tokens) {
    const key = token.toLowerCase();
    if (key === ZERO || seen.has(key)) continue;
    seen.add(key);
    try {
      const { amount, txHash } = await p.settlement.collect({ token });
      if (amount > 0n) p.log.info("collected a credit from the arbiter", { token, amount, txHash });
      amounts.push(amount);
    } catch (err) {
      p.log.warn("collecting a credit from the arbiter failed; it stays ours on the contract", {
        token,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return amounts;
}
