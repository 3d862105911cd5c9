/**
 * A borrower's watch over its margined loan (liquidationThresholdBps > 0), run on the agent's poll
 * while it services the loan: read the loan's health from the contract and, below the top-up line
 * (margin-watch.ts borrowerDecision), add collateral it holds (the adapter's pledgeable amount of
 * the collateral token) before the loan becomes liquidatable. Holding none, it logs that it cannot:
 * the lender's agent may then liquidate. A margin call from the lender (margin-call.ts) makes it top
 * up to its target from anywhere below it. The adapter hears of each top-up (`loan.topUp`) and of
 * a loan liquidated in full (`loan.liquidated`).
 */
import type { Hex } from "viem";
import type { Agreement } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import { collectCredits } from "../collect-credits.ts";
import { borrowerDecision, type MarginWatchParameters } from "../margin-watch.ts";
import type { SettlementPort } from "../settlement-port.ts";
import { isMargined } from "./lender-margin.ts";

export type WatchBorrowedMarginParameters = {
  settlement: SettlementPort;
  agreement: Agreement;
  id: Hex;
  /** The borrower's protocol as just observed: what it may pledge. */
  state: ProtocolState;
  /** Where the collateral comes from: told of each top-up. */
  adapter: ProtocolAdapter;
  log: Logger;
  params?: MarginWatchParameters;
  /** The lender sent a margin call since our last look. */
  called?: boolean;
};

export type TopUpDone = {
  txHash: Hex;
  amount: bigint;
  partial: boolean;
  healthBefore: bigint;
  /** Made in answer to the lender's margin call. */
  called: boolean;
};

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The top-up this poll made, if any. Failures (a stale price, a refused transfer) are logged. */
export async function watchBorrowedMargin(p: WatchBorrowedMarginParameters): Promise<TopUpDone | undefined> {
  const { settlement, agreement, id, log } = p;
  if (!isMargined(agreement) || !settlement.loanHealth || !settlement.topUp) return undefined;
  const available = p.state.pledgeable
    .filter((x) => same(x.token, agreement.collateralToken))
    .reduce((sum, x) => sum + x.amount, 0n);
  try {
    const health = await settlement.loanHealth({ agreement });
    const called = p.called === true;
    const decision = borrowerDecision(health, available, p.params, called);
    if (decision.action === "cannot-top-up") {
      log.warn("loan below its top-up line and no collateral to add", {
        id,
        needed: decision.needed,
        called,
      });
      return undefined;
    }
    if (decision.action !== "top-up") return undefined;
    const { txHash } = await settlement.topUp({ agreement, amount: decision.amount });
    log.info("loan topped up", { id, amount: decision.amount, partial: decision.partial, called });
    // The chain has moved: an adapter that refuses is logged, the top-up still counts.
    await p.adapter
      .apply({
        type: "loan.topUp",
        agreementId: id,
        collateralToken: agreement.collateralToken,
        amount: decision.amount,
      })
      .catch((err: unknown) => log.warn("recording a top-up failed", { id, error: String(err) }));
    return {
      txHash,
      amount: decision.amount,
      partial: decision.partial,
      healthBefore: health.health,
      called,
    };
  } catch (err) {
    log.warn("topping up a loan failed", { id, error: String(err) });
    return undefined;
  }
}

/** What the borrower's look at its loan found (servicingLook). */
export type ServicingLook = { state: ProtocolState; topUp?: TopUpDone; liquidated?: true; defaulted?: true };

export type ServicingLookInput = {
  adapter: ProtocolAdapter;
  settlement: SettlementPort;
  log: Logger;
  agreement: Agreement;
  id?: Hex | undefined;
  called?: boolean;
};

/** The borrower's poll while servicing (agent-machine.ts): observe the protocol; notice a loan whose
 *  default its lender claimed (the escrow is the lender's, nothing is owed: the loan is over and we
 *  may borrow again); for a margined loan, notice one liquidated in full (nothing left to repay; the
 *  escrow left is credited to us, and collected) or top it up when it needs it. */
export async function servicingLook(input: ServicingLookInput): Promise<ServicingLook> {
  const { adapter, settlement, log, agreement, id } = input;
  const state = await adapter.snapshot();
  if (!id) return { state };
  const status = await settlement.status(id);
  if (status === "Defaulted") {
    // The adapter hears of it as of a loan liquidated in full with nothing returned: the debt is
    // gone and so is the whole escrow.
    await adapter.apply({
      type: "loan.liquidated",
      agreementId: id,
      token: agreement.principalToken,
      collateralToken: agreement.collateralToken,
      returned: 0n,
    });
    return { state: await adapter.snapshot(), defaulted: true };
  }
  if (!isMargined(agreement)) return { state };
  if (status === "Liquidated") {
    const [returned = 0n] = await collectCredits({ settlement, tokens: [agreement.collateralToken], log });
    await adapter.apply({
      type: "loan.liquidated",
      agreementId: id,
      token: agreement.principalToken,
      collateralToken: agreement.collateralToken,
      returned,
    });
    return { state: await adapter.snapshot(), liquidated: true };
  }
  const topUp = await watchBorrowedMargin({
    settlement,
    agreement,
    id,
    state,
    adapter,
    log,
    ...(input.called ? { called: true } : {}),
  });
  return topUp ? { state: await adapter.snapshot(), topUp } : { state };
}
