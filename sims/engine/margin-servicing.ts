/**
 * Margined negotiated loans serviced each step, as the agents service them (agents/loans/
 * borrower-margin.ts and lender-margin.ts, deciding with agents/margin-watch.ts), reading each
 * loan's health from the contract (or the ledger): first the lender liquidates a loan that is
 * liquidatable now, repaying as much as the contract allows (the price went through the borrower's
 * top-up line between two steps); then the borrower, below its top-up line, adds the collateral it
 * holds, so a loan that declines step by step is topped up before it becomes liquidatable. Both
 * decide on the same look (the agents poll together): a top-up decided before a partial liquidation
 * lands after it, on the loan the liquidation left, as on the chain. A borrower whose loan was liquidated in full collects the escrow left (the contract credits it).
 * Every token move goes through the settlement port, so the engine's books follow; the run's loan
 * book and events follow the contract's Liquidated and ToppedUp events (run-engine.ts). A refusal
 * (a price the oracle rejects, a racing top-up) leaves the loan as it is, as it does for the agents.
 */
import type { Hex } from "viem";
import {
  borrowerDecision,
  defaultMarginWatchParameters,
  lenderDecision,
  type MarginWatchParameters,
} from "../../agents/margin-watch.ts";
import type { Agreement } from "../../core/agreement.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import type { PolicyContext } from "./engine-policy.ts";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Runs `call`; a contract refusal (LedgerRevertError) gives undefined, anything else throws. */
async function refusable<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LedgerRevertError) return undefined;
    throw error;
  }
}

export async function serviceMargins(
  ctx: PolicyContext,
  agreements: ReadonlyMap<Hex, Agreement>,
  params: MarginWatchParameters = defaultMarginWatchParameters,
): Promise<void> {
  for (const loan of ctx.world.loans) {
    if (loan.status !== "active" || !loan.margined) continue;
    const agreement = agreements.get(loan.id);
    if (!agreement) continue;
    const borrower = ctx.settlement(loan.borrower);
    const lender = ctx.settlement(loan.lender);

    // The lender liquidates what is liquidatable now: the price went through the borrower's top-up
    // line since the last step, faster than the borrower could answer (a keeper wins that race).
    const health = await refusable(() => lender.loanHealth({ agreement }));
    if (!health) continue;
    if (lenderDecision(health, params).action === "liquidate") {
      const liquidation = await refusable(() => lender.liquidate({ agreement }));
      if (liquidation?.outstanding === 0n) {
        await refusable(() => borrower.collect({ token: agreement.collateralToken }));
        continue;
      }
    }

    // The borrower tops up before its loan becomes liquidatable, when it holds the collateral,
    // deciding on the health it read with the lender (the keeper's liquidation got in first).
    const state = await ctx.adapters[loan.borrower]!.snapshot();
    const available = state.pledgeable
      .filter((x) => same(x.token, agreement.collateralToken))
      .reduce((s, x) => s + x.amount, 0n);
    const decision = borrowerDecision(health, available, params);
    if (decision.action === "top-up")
      await refusable(() => borrower.topUp({ agreement, amount: decision.amount }));
  }
}
