/**
 * SettlementPort on the LiquidityArbiter contract: the production way an agent settles, repays
 * and follows its loans.
 */
import type { Address } from "viem";
import {
  type ArbiterClients,
  callLoan,
  cancelAgreement,
  claimDefault,
  getCredit,
  getLoan,
  getLoanHealth,
  getRiskLevel,
  invalidateNonce,
  liquidate,
  liquidityArbiterAbi,
  repay,
  settle,
  topUp,
  withdrawCredit,
} from "../arbitration/index.ts";
import { nonceOf } from "../core/agreement-nonce.ts";
import type { SettlementPort } from "./settlement-port.ts";

export type CreateChainSettlementParameters = {
  /** The agent's own clients: it signs its own transactions. */
  clients: ArbiterClients;
  arbiter: Address;
};

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

export function createChainSettlement({ clients, arbiter }: CreateChainSettlementParameters): SettlementPort {
  const me = clients.account.address;
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
    loan: async (id) => {
      const { status, disputed, maturity } = await getLoan({ clients, arbiter, id });
      return { status, disputed, maturity };
    },
    riskLevel: async () => (await getRiskLevel({ clients, arbiter })).level,
    callLoan: async ({ agreement }) => {
      const { hash } = await callLoan({ clients, arbiter, agreement });
      return { txHash: hash };
    },
    claimDefault: async ({ agreement }) => {
      const { hash } = await claimDefault({ clients, arbiter, agreement });
      return { txHash: hash };
    },
    loanHealth: ({ agreement }) => getLoanHealth({ clients, arbiter, agreement }),
    liquidate: async ({ agreement, repayAmount }) => {
      const { hash, repaid, seized, outstanding, escrowed, healthBefore } = await liquidate({
        clients,
        arbiter,
        agreement,
        repayAmount,
      });
      return { txHash: hash, repaid, seized, outstanding, escrowed, healthBefore };
    },
    topUp: async ({ agreement, amount }) => {
      const { hash } = await topUp({ clients, arbiter, agreement, amount });
      return { txHash: hash };
    },
    withdraw: async ({ agreement }) => {
      // Our own nonce (cheap: our bitmap word is warm, and it also kills any alternative carrying it);
      // an agreement in which we have no nonce is cancelled by its id.
      const nonce = same(agreement.lender, me)
        ? nonceOf(agreement, "lender")
        : same(agreement.borrower, me)
          ? nonceOf(agreement, "borrower")
          : 0n;
      const { hash } =
        nonce !== 0n
          ? await invalidateNonce({ clients, arbiter, nonce })
          : await cancelAgreement({ clients, arbiter, agreement });
      return { txHash: hash };
    },
    collect: async ({ token }) => {
      const credit = await getCredit({ clients, arbiter, owner: me, token });
      if (credit === 0n) return { amount: 0n };
      const { hash, paid } = await withdrawCredit({ clients, arbiter, token });
      return { amount: paid, txHash: hash };
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
