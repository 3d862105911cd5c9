/**
 * What an arbiter transaction did, read from its receipt: the ERC-20 transfers it made (which the
 * engine then books) and the arbiter's own events, as the ledger's LedgerEvent. The receipt is
 * the only source: nothing is inferred from what we asked for.
 */
import { type Address, erc20Abi, type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../../contracts/generated/LiquidityArbiter.ts";
import type { Agreement } from "../../core/agreement.ts";
import type { LedgerEvent } from "../ledger/ledger.ts";

export type TokenMove = { token: Address; from: Address; to: Address; amount: bigint };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Transfer events of `tokens` in the receipt, in the order they were emitted. */
export function tokenMoves(receipt: TransactionReceipt, tokens: ReadonlySet<string>): TokenMove[] {
  return parseEventLogs({ abi: erc20Abi, eventName: "Transfer", logs: receipt.logs })
    .filter((log) => tokens.has(log.address.toLowerCase()))
    .map((log) => ({ token: log.address, from: log.args.from, to: log.args.to, amount: log.args.value }));
}

/** The arbiter's Settled / Repaid / DefaultClaimed / Liquidated / ToppedUp events in the receipt, with `agreement` (the
 *  terms the call was made with; the contract keys loans by their digest, `id`). */
export function arbiterEvents(
  receipt: TransactionReceipt,
  arbiter: Address,
  agreement: Agreement,
): LedgerEvent[] {
  const logs = parseEventLogs({
    abi: liquidityArbiterAbi,
    eventName: ["Settled", "Repaid", "DefaultClaimed", "Liquidated", "ToppedUp"],
    logs: receipt.logs,
  }).filter((log) => same(log.address, arbiter));
  return logs.map((log): LedgerEvent => {
    const id: Hex = log.args.id;
    if (log.eventName === "Settled")
      return { type: "Settled", id, agreement, maturity: log.args.maturity, amountDue: log.args.amountDue };
    if (log.eventName === "Repaid")
      return {
        type: "Repaid",
        id,
        agreement,
        payer: log.args.payer,
        amount: log.args.amount,
        collateralReleased: log.args.collateralReleased,
        outstanding: log.args.outstanding,
      };
    if (log.eventName === "Liquidated")
      return {
        type: "Liquidated",
        id,
        agreement,
        liquidator: log.args.liquidator,
        repaid: log.args.repaid,
        seized: log.args.seized,
        outstanding: log.args.outstanding,
        escrowLeft: log.args.escrowed,
        healthBefore: log.args.healthBefore,
      };
    if (log.eventName === "ToppedUp")
      return {
        type: "ToppedUp",
        id,
        agreement,
        payer: log.args.payer,
        amount: log.args.amount,
        escrow: log.args.escrowed,
      };
    return { type: "DefaultClaimed", id, agreement, collateral: log.args.collateral };
  });
}
