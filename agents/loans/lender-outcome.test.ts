/**
 * A standalone agent tells its policy how each of its loans as lender ended: the model-driven
 * lender's loss interval widens after a claimed default that lost more than it quoted, and an
 * agreement that never became an outcome of its pricing (cancelled, ruled, expired) is not told.
 */
import { describe, expect, it } from "vitest";
import type { Agreement } from "../../core/agreement.ts";
import { createLogger } from "../../core/log.ts";
import { VALUATION_WEIGHTS } from "../../models/valuation/paths.ts";
import { readValuationFile } from "../../models/valuation/valuation-model.ts";
import type { KinkedRateModel } from "../../protocol-adapters/simulated/interest-rate-model.ts";
import { SimulatedLendingMarket } from "../../protocol-adapters/simulated/simulated-lending-market.ts";
import { decimals, lenderState, USDC, WETH, weekRfq } from "../model-driven-fixtures.ts";
import { createModelDrivenPolicy } from "../model-driven-policy.ts";
import { tellLoanEnded } from "./lender-outcome.ts";

const rateModel: KinkedRateModel = {
  baseBps: 0,
  slope1Bps: 400,
  slope2Bps: 6000,
  kinkBps: 8000,
  reserveFactorBps: 1000,
};
const rfq = weekRfq;
/** The agreement of that RFQ, with 100 ETH ($200,000) left in escrow: a default loses about 0.9. */
const agreement: Agreement = {
  sessionId: `0x${"11".repeat(32)}`,
  lender: "0x00000000000000000000000000000000000000a1",
  borrower: "0x00000000000000000000000000000000000000b2",
  principalToken: USDC,
  principal: rfq.principal,
  collateralToken: WETH,
  collateral: 100n * 10n ** 18n,
  rateBps: 1000,
  tenor: rfq.tenor,
  nonce: 1n,
  deadline: 1_800_000_000n,
};

function setup() {
  const shipped = readValuationFile(VALUATION_WEIGHTS);
  const model = {
    ...shipped,
    conformal: { ...shipped.conformal, lossTracking: { eta: 0.2, method: "test" } },
  };
  const uppers: number[] = [];
  const policy = createModelDrivenPolicy({
    decimals,
    model,
    onEstimate: (_r, e) => uppers.push(e.loss.high),
  });
  const adapter = new SimulatedLendingMarket({
    protocolId: "lender",
    asset: { address: USDC, symbol: "USDC", decimals: 6 },
    deposits: 50_000_000n * 10n ** 6n,
    borrows: 0n,
    bufferBps: 1000,
    rateModel,
    priceUsd8: 100_000_000n,
    now: () => 1_700_000_000_000,
  });
  const quote = () => {
    policy.lenderStrategy(lenderState(0, 2000), rfq, 0n);
    return uppers[uppers.length - 1]!;
  };
  const log = createLogger({ level: "silent" });
  return { policy, adapter, quote, log };
}

describe("a lender agent tells its policy how its loans ended", () => {
  it("a claimed default that lost more than quoted widens the next quote", async () => {
    const { policy, adapter, quote, log } = setup();
    const first = quote();
    expect(first).toBeLessThan(0.9);
    await tellLoanEnded({ policy, adapter, agreement, status: "Defaulted", log });
    expect(quote()).toBeGreaterThan(first);
  });

  it("a repayment narrows it a little; cancelled, ruled and expired agreements are not told", async () => {
    const { policy, adapter, quote, log } = setup();
    const first = quote();
    for (const status of ["Cancelled", "Ruled", "expired"] as const)
      await tellLoanEnded({ policy, adapter, agreement, status, log });
    expect(quote()).toBe(first);
    await tellLoanEnded({ policy, adapter, agreement, status: "Repaid", log });
    expect(quote()).toBeLessThan(first);
  });
});
