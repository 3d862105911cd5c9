/**
 * The model-driven lender against the rule lender, with the shipped valuation model: the same
 * RFQ is priced higher when the collateral has just crashed (the agent's own price memory), the
 * haircut in its offers is the model's, it stays out when its floor passes the borrower's cap,
 * and the borrower side is the rule policy's.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { VALUATION_WEIGHTS } from "../models/valuation/paths.ts";
import { readValuationFile, type ValuationModel } from "../models/valuation/valuation-model.ts";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import { createDefaultPolicy } from "./agent-policy.ts";
import { decimals, lenderState, USDC, WETH } from "./model-driven-fixtures.ts";
import { createModelDrivenPolicy } from "./model-driven-policy.ts";

const rfq: RfqBody = {
  principalToken: USDC,
  principal: 2_000_000n * 10n ** 6n,
  maxRateBps: 5000,
  tenor: 24 * 3600,
  collateralToken: WETH,
  // 1,500 ETH at $2,000: 1.5x the principal.
  collateral: 1500n * 10n ** 18n,
};

type Seen = { reservationRateBps: number; haircutBps: number; lossHigh: number };

function priced(model: ValuationModel, path: number[], r: RfqBody = rfq) {
  const seen: Seen[] = [];
  const policy = createModelDrivenPolicy({
    decimals,
    model,
    onEstimate: (_rfq, e, t) => seen.push({ ...t, lossHigh: e.loss.high }),
  });
  let strategy: ReturnType<typeof policy.lenderStrategy>;
  path.forEach((eth, hour) => {
    strategy = policy.lenderStrategy(lenderState(hour, eth), r, 0n);
  });
  return { strategy, last: seen[seen.length - 1]! };
}

describe("model-driven lending policy", () => {
  let model: ValuationModel;
  beforeAll(() => {
    model = readValuationFile(VALUATION_WEIGHTS);
  });

  it("asks more after the collateral crashed than in calm markets, for the same RFQ", () => {
    const calm = priced(
      model,
      Array.from({ length: 25 }, (_, h) => 2000 * (1 + 0.001 * Math.sin(h))),
    );
    const crash = priced(
      model,
      Array.from({ length: 25 }, (_, h) => 2000 * Math.exp(-0.02 * h)),
    );
    expect(crash.last.lossHigh).toBeGreaterThan(calm.last.lossHigh);
    // More collateral, and a higher floor (the capital charge on the upper loss; reservation-terms.ts).
    expect(crash.last.haircutBps).toBeGreaterThan(calm.last.haircutBps);
    expect(crash.last.reservationRateBps).toBeGreaterThan(calm.last.reservationRateBps);
  });

  it("offers the model's haircut when it lends, and stays out above the borrower's cap", () => {
    const path = Array.from({ length: 25 }, () => 2000);
    const { strategy, last } = priced(model, path, { ...rfq, maxRateBps: 1_000_000 });
    expect(strategy).toBeDefined();
    const first = strategy!.propose({
      side: "lender",
      round: 0,
      maxRounds: 4,
      elapsed: 0,
      myLast: undefined,
      theirLast: undefined,
    });
    expect(first.haircutBps).toBe(last.haircutBps);
    expect(first.rateBps).toBeGreaterThanOrEqual(last.reservationRateBps);
    const tight = priced(model, path, { ...rfq, maxRateBps: last.reservationRateBps - 1 });
    expect(tight.strategy).toBeUndefined();
  });

  it("a lender short of the principal stays out without asking the model (out of its data)", () => {
    let asked = 0;
    const policy = createModelDrivenPolicy({ decimals, model, onEstimate: () => asked++ });
    const state = lenderState(0, 2000);
    // 40M free: a 50M RFQ cannot be funded, as the rule lender also finds.
    expect(policy.lenderStrategy(state, { ...rfq, principal: 50_000_000n * 10n ** 6n }, 0n)).toBeUndefined();
    expect(policy.lenderStrategy(state, rfq, 39_000_000n * 10n ** 6n)).toBeUndefined();
    expect(asked).toBe(0);
    expect(policy.lenderStrategy(state, { ...rfq, maxRateBps: 1_000_000 }, 0n)).toBeDefined();
    expect(asked).toBe(1);
  });

  it("borrows exactly as the rule policy does", () => {
    const rule = createDefaultPolicy({ decimals });
    const driven = createModelDrivenPolicy({ decimals, model });
    const state = lenderState(0, 2000);
    expect(driven.borrowRequest(state)).toEqual(rule.borrowRequest(state));
    expect(driven.scoreOffer({ ...rfq, rateBps: 700, haircutBps: 2000 })).toBe(
      rule.scoreOffer({ ...rfq, rateBps: 700, haircutBps: 2000 }),
    );
  });
});
