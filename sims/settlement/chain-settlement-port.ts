/**
 * A protocol's settlement port on the LiquidityArbiter contract, inside an engine run. Each call:
 *   1. brings the chain's clock to the engine's time (the step's unix seconds);
 *   2. sets each payer's token balance on chain to what the engine says it can spend;
 *   3. sends the real transaction through arbitration/ (simulated first: a revert throws
 *      LedgerRevertError with the contract's error name and sends nothing);
 *   4. books the ERC-20 transfers of the receipt on the engine's books (../engine/engine-bank.ts,
 *      the ledger's bank: cash first, then a vault's illiquid backing) and emits the receipt's
 *      Settled / Repaid / DefaultClaimed events, as the ledger does.
 * A payment the token refused (none do in the engine's tokens) is a transfer into the arbiter, booked
 * to its escrow account; collect() withdraws it, a transfer out of escrow, exactly as the ledger does.
 */
import type { Address, Hex, TransactionReceipt } from "viem";
import { cancelAgreement } from "../../arbitration/cancel-agreement.ts";
import { claimDefault } from "../../arbitration/claim-default.ts";
import type { ArbiterClients } from "../../arbitration/clients.ts";
import { getCredit } from "../../arbitration/get-credit.ts";
import { getLoan } from "../../arbitration/get-loan.ts";
import { getLoanHealth } from "../../arbitration/get-loan-health.ts";
import { invalidateNonce } from "../../arbitration/invalidate-nonce.ts";
import { liquidate } from "../../arbitration/liquidate.ts";
import { repay } from "../../arbitration/repay.ts";
import { settle } from "../../arbitration/settle.ts";
import { topUp } from "../../arbitration/top-up.ts";
import { withdrawCredit } from "../../arbitration/withdraw-credit.ts";
import type { Agreement } from "../../core/agreement.ts";
import { nonceOf } from "../../core/agreement-nonce.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import type { LedgerEvent } from "../ledger/ledger.ts";
import type { LedgerBank } from "../ledger/memory-bank.ts";
import { SettlementDivergedError } from "./errors.ts";
import { ledgerRevertFromArbiter } from "./ledger-revert-from-arbiter.ts";
import { arbiterEvents, tokenMoves } from "./receipt-effects.ts";
import type { EngineSettlementPort, SettlementStats } from "./settlement-backend.ts";

/** What the ports of one run share (see chain-backend.ts openRun). */
export type ChainRunContext = {
  arbiter: Address;
  /** Sets `owner`'s on-chain balance of `token` (see set-token-balance.ts). */
  setBalance(token: Address, owner: Address, balance: bigint): Promise<void>;
  /** Clients of the protocol with this address (undefined: not a protocol of the run). */
  clientsOf(address: Address): ArbiterClients | undefined;
  /** The engine's books: what each protocol can spend, and the escrow (at the arbiter's address). */
  bank: LedgerBank;
  /** The run's token addresses, lower case. */
  tokens: ReadonlySet<string>;
  /** Moves the chain's clock to the engine's current time and posts the engine's prices of
   *  `priced` (the tokens the call values: a margined loan's principal and collateral) to the margin
   *  oracle's feeds; only those, since a feed write is a transaction and most calls value nothing. */
  tick(priced?: readonly Address[]): Promise<void>;
  stats: SettlementStats;
  emit(e: LedgerEvent): void;
};

type Call = "settle" | "repay" | "claimDefault" | "liquidate" | "topUp" | "collect";

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();
/** The tokens the contract prices for an agreement's margin checks. */
const valued = (a: Agreement): Address[] => [a.principalToken, a.collateralToken];

export function createChainSettlementPort(ctx: ChainRunContext, caller: Address): EngineSettlementPort {
  const clients = ctx.clientsOf(caller);
  if (!clients) throw new SettlementDivergedError(`no clients for caller ${caller}`);
  const settledBy = new Map<Hex, Hex>();

  /** Step 2: each payer's balance of a token it is about to pay, set to the engine's figure. */
  const fund = async (payers: readonly (readonly [token: Address, owner: Address])[]) => {
    for (const [token, owner] of payers) {
      if (!ctx.clientsOf(owner))
        throw new SettlementDivergedError(`${owner} pays in a run but is not one of its protocols`);
      await ctx.setBalance(token, owner, ctx.bank.balanceOf(token, owner));
      ctx.stats.balanceSets++;
    }
  };

  /** Steps 3 and 4. */
  const send = async <T extends { receipt: TransactionReceipt }>(
    call: Call,
    agreement: Agreement | undefined,
    write: () => Promise<T>,
  ): Promise<T> => {
    let result: T;
    try {
      result = await write();
    } catch (error) {
      const mapped = ledgerRevertFromArbiter(error);
      if (mapped instanceof LedgerRevertError) ctx.stats.refused++;
      throw mapped;
    }
    if (call !== "collect") ctx.stats[call]++;
    ctx.stats.arbiterTransactions++;
    ctx.stats.arbiterGas += result.receipt.gasUsed;
    for (const m of tokenMoves(result.receipt, ctx.tokens)) {
      try {
        ctx.bank.transfer(m.token, m.from, m.to, m.amount);
      } catch (cause) {
        throw new SettlementDivergedError(
          `the chain moved ${m.amount} of ${m.token} from ${m.from} to ${m.to}, which the engine's books cannot`,
          cause,
        );
      }
    }
    if (agreement) for (const e of arbiterEvents(result.receipt, ctx.arbiter, agreement)) ctx.emit(e);
    return result;
  };

  return {
    async settle({ agreement: a, lenderSignature, borrowerSignature }) {
      await ctx.tick(valued(a));
      await fund([
        [a.principalToken, a.lender],
        ...(a.collateral > 0n ? [[a.collateralToken, a.borrower] as const] : []),
      ]);
      const { id, hash } = await send("settle", a, () =>
        settle({ clients, arbiter: ctx.arbiter, agreement: a, lenderSignature, borrowerSignature }),
      );
      settledBy.set(id, hash);
      return { id, txHash: hash };
    },
    async repay({ agreement: a }) {
      await ctx.tick();
      await fund([[a.principalToken, caller]]);
      const { hash } = await send("repay", a, () => repay({ clients, arbiter: ctx.arbiter, agreement: a }));
      return { txHash: hash };
    },
    async claimDefault({ agreement: a }) {
      await ctx.tick();
      const { hash } = await send("claimDefault", a, () =>
        claimDefault({ clients, arbiter: ctx.arbiter, agreement: a }),
      );
      return { txHash: hash };
    },
    status: async (id) => (await getLoan({ clients, arbiter: ctx.arbiter, id })).status,
    // What a lender's loan machine reads to claim a default (agents/loans/lender-loan-machine.ts).
    loan: async (id) => {
      const { status, disputed, maturity } = await getLoan({ clients, arbiter: ctx.arbiter, id });
      return { status, disputed, maturity };
    },
    async withdraw({ agreement: a }) {
      await ctx.tick();
      const role = same(a.lender, caller) ? "lender" : same(a.borrower, caller) ? "borrower" : undefined;
      const nonce = role ? nonceOf(a, role) : 0n;
      const { hash } =
        nonce !== 0n
          ? await invalidateNonce({ clients, arbiter: ctx.arbiter, nonce })
          : await cancelAgreement({ clients, arbiter: ctx.arbiter, agreement: a });
      return { txHash: hash };
    },
    async collect({ token }) {
      if ((await getCredit({ clients, arbiter: ctx.arbiter, owner: caller, token })) === 0n)
        return { amount: 0n };
      await ctx.tick();
      const { hash, paid } = await send("collect", undefined, () =>
        withdrawCredit({ clients, arbiter: ctx.arbiter, token }),
      );
      return { amount: paid, txHash: hash };
    },
    settlementTx: async (id) => settledBy.get(id),
    async loanHealth({ agreement }) {
      await ctx.tick(valued(agreement));
      try {
        return await getLoanHealth({ clients, arbiter: ctx.arbiter, agreement });
      } catch (error) {
        throw ledgerRevertFromArbiter(error);
      }
    },
    async liquidate({ agreement: a, repayAmount }) {
      await ctx.tick(valued(a));
      // The liquidator pays the debt it repays (the whole balance the engine says it has).
      await fund([[a.principalToken, caller]]);
      const r = await send("liquidate", a, () =>
        liquidate({ clients, arbiter: ctx.arbiter, agreement: a, repayAmount }),
      );
      return {
        txHash: r.hash,
        repaid: r.repaid,
        seized: r.seized,
        outstanding: r.outstanding,
        escrowed: r.escrowed,
        healthBefore: r.healthBefore,
      };
    },
    async topUp({ agreement: a, amount }) {
      await ctx.tick(valued(a));
      await fund([[a.collateralToken, caller]]);
      const { hash } = await send("topUp", a, () =>
        topUp({ clients, arbiter: ctx.arbiter, agreement: a, amount }),
      );
      return { txHash: hash };
    },
  };
}
