/**
 * A lender's watch over one margined loan it lent (liquidationThresholdBps > 0): read the loan's
 * health from the contract, decide with margin-watch.ts, and liquidate when the loan is
 * liquidatable. The liquidation repays as much as the contract allows (no amount: the close factor
 * while health >= 0.95, all of it below, or what closes an underwater loan), so the agent never
 * guesses the contract's rule. A loan in the warning band comes back as an ask: the loan machine
 * decides whether to send the borrower a margin call (margin-call.ts).
 */
import type { Hex } from "viem";
import type { Agreement } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import { lenderDecision, type MarginDecision, type MarginWatchParameters } from "../margin-watch.ts";
import type { Liquidation, SettlementPort } from "../settlement-port.ts";

export type WatchLentMarginParameters = {
  settlement: SettlementPort;
  agreement: Agreement;
  id: Hex;
  log: Logger;
  params?: MarginWatchParameters;
};

/** What one read led to: a liquidation, or a loan in the warning band (health and the ask). */
export type LentMarginRead =
  | { liquidation: Liquidation }
  | { ask: { health: bigint; decision: Extract<MarginDecision, { action: "ask-top-up" }> } };

export const isMargined = (a: Agreement): boolean => (a.liquidationThresholdBps ?? 0) > 0;

/** Read or liquidation failures (a stale price, a borrower's top-up racing us: HealthyLoan) are
 *  logged and leave the loan as it is (undefined). */
export async function watchLentMargin(p: WatchLentMarginParameters): Promise<LentMarginRead | undefined> {
  const { settlement, agreement, id, log } = p;
  if (!isMargined(agreement) || !settlement.loanHealth || !settlement.liquidate) return undefined;
  let decision: MarginDecision;
  let health: bigint;
  try {
    const read = await settlement.loanHealth({ agreement });
    health = read.health;
    decision = lenderDecision(read, p.params);
  } catch (err) {
    log.warn("reading a loan's health failed", { id, error: String(err) });
    return undefined;
  }
  if (decision.action === "ask-top-up") {
    log.info("loan close to its liquidation threshold", { id, topUpWanted: decision.amount });
    return { ask: { health, decision } };
  }
  if (decision.action !== "liquidate") return undefined;
  try {
    const result = await settlement.liquidate({ agreement });
    log.info("loan liquidated", { id, repaid: result.repaid, seized: result.seized });
    return { liquidation: result };
  } catch (err) {
    log.warn("liquidating a loan failed", { id, error: String(err) });
    return undefined;
  }
}
