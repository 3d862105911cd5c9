/**
 * A lender's watch over one margined loan it lent (liquidationThresholdBps > 0): read the loan's
 * health from the contract, decide with margin-watch.ts, and liquidate when the loan is
 * liquidatable. The liquidation repays as much as the contract allows (no amount: the close factor
 * while health >= 0.95, all of it below, or what closes an underwater loan), so the agent never
 * guesses the contract's rule. A loan close to its threshold is only logged: asking the borrower to
 * top up has no wire message yet, and the borrower's own agent tops up (borrower-margin.ts).
 */
import type { Hex } from "viem";
import type { Agreement } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import { lenderDecision, type MarginWatchParameters } from "../margin-watch.ts";
import type { Liquidation, SettlementPort } from "../settlement-port.ts";

export type WatchLentMarginParameters = {
  settlement: SettlementPort;
  agreement: Agreement;
  id: Hex;
  log: Logger;
  params?: MarginWatchParameters;
};

export const isMargined = (a: Agreement): boolean => (a.liquidationThresholdBps ?? 0) > 0;

/** The liquidation this read led to, if any. Read or liquidation failures (a stale price, a
 *  borrower's top-up racing us: HealthyLoan) are logged and leave the loan as it is. */
export async function watchLentMargin(p: WatchLentMarginParameters): Promise<Liquidation | undefined> {
  const { settlement, agreement, id, log } = p;
  if (!isMargined(agreement) || !settlement.loanHealth || !settlement.liquidate) return undefined;
  let decision: ReturnType<typeof lenderDecision>;
  try {
    decision = lenderDecision(await settlement.loanHealth({ agreement }), p.params);
  } catch (err) {
    log.warn("reading a loan's health failed", { id, error: String(err) });
    return undefined;
  }
  if (decision.action === "ask-top-up") {
    log.info("loan close to its liquidation threshold", { id, topUpWanted: decision.amount });
    return undefined;
  }
  if (decision.action !== "liquidate") return undefined;
  try {
    const result = await settlement.liquidate({ agreement });
    log.info("loan liquidated", { id, repaid: result.repaid, seized: result.seized });
    return result;
  } catch (err) {
    log.warn("liquidating a loan failed", { id, error: String(err) });
    return undefined;
  }
}
