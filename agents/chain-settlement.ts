/**
 * SettlementPort on the LiquidityArbiter contract: the production way an agent settles, repays
 * and follows its loans.
 */
import type { Address } from "viem";
import {
  type ArbiterClients,
  getLoan,
  invalidateNonce,
  liquidityArbiterAbi,
  repay,
  settle,
} from "../arbitration/index.ts";
import type { SettlementPort } from "./settlement-port.ts";

export type CreateChainSettlementParameters = {
  /** The agent's own clients: it signs its own transactions. */
  clients: ArbiterClients;
  arbiter: Address;
};

export function createChainSettlement({ clients, arbiter }: CreateChainSettlementParameters): SettlementPort {
  return {
    settle: async ({ agreement, lenderSignature, borrowerSignature }) => {
      const { id, hash } = await settle({ clients, arbiter, agreement, lenderSignature, borrowerSignature });
      return { id, txHash: hash };
    },
    repay: async ({ agreement }) => {
      // The arbiter finds the loan by the agreement's digest (it stores no terms).
      const { hash } = await repay({ clients, arbiter, agreement });
      return { txHash: hash };
    },
    status: async (id) => (await getLoan({ clients, arbiter, id })).status,
    withdraw: async ({ agreement }) => {
      const { hash } = await invalidateNonce({ clients, arbiter, nonce: agreement.nonce });
      return { txHash: hash };
    },
    settlementTx: async (id) => {
      const logs = await clients.public.getContractEvents({
        address: arbiter,
        abi: liquidityArbiterAbi,
        eventName: "Settled",
        args: { id },
        fromBlock: 0n,
      });
      return logs[0]?.transactionHash ?? undefined;
    },
  };
}
