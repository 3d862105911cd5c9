/**
 * Settlement that survives restarts: every signed agreement is recorded in the agent's
 * agreement store before it is submitted, and a compare-and-swap claim decides which process
 * submits it, so an agreement is never lost and never settled twice (the contract refuses a
 * second settlement anyway; the claim keeps us from even trying, and tells us what happened).
 */
import type { Agreement } from "../core/agreement.ts";
import { BaseError } from "../core/errors.ts";
import type { AgreementStore } from "../negotiation/durable/agreement-store.ts";
import type { SettlementPort } from "./settlement-port.ts";

export class SettlementClaimedElsewhereError extends BaseError {
  override name = "SettlementClaimedElsewhereError";
  override readonly code = "SettlementClaimedElsewhere";
  constructor(params: { id: string; reason: string }) {
    super(`Agreement ${params.id} is not ours to settle now: ${params.reason}.`, {
      metaMessages: [
        "Another process of this agent holds the claim; it settles, or its lease runs out and we retry.",
      ],
    });
  }
}

export type CreateDurableSettlementParameters = {
  port: SettlementPort;
  store: AgreementStore;
  /** Unique per process (agent address + a random id). */
  owner: string;
  agreementId: (a: Agreement) => `0x${string}`;
};

export function createDurableSettlement(p: CreateDurableSettlementParameters): SettlementPort {
  const { port, store } = p;
  return {
    ...port,
    settle: async (s) => {
      const id = p.agreementId(s.agreement);
      await store.put(id, { role: "borrower", ...s });
      const claim = await store.claimForSettlement(id, p.owner);
      if (!claim.claimed) {
        if (claim.reason === "settled" && claim.record?.txHash) return { id, txHash: claim.record.txHash };
        throw new SettlementClaimedElsewhereError({ id, reason: claim.reason });
      }
      // We may be taking over after a crash that happened after submission: the chain decides.
      if ((await port.status(id)) !== "None") {
        const tx = await port.settlementTx(id);
        if (tx) {
          await store.markSettled(id, tx);
          return { id, txHash: tx };
        }
      }
      let result: Awaited<ReturnType<SettlementPort["settle"]>>;
      try {
        result = await port.settle(s);
      } catch (err) {
        // Give the claim back so a retry (ours or a successor's) need not wait out the lease; a
        // retry of an agreement that did land is refused by the contract and found above.
        await store.release(id, p.owner);
        throw err;
      }
      await store.markSettled(id, result.txHash);
      return result;
    },
  };
}
