/** The default policy's margins: a lender asks for the margin its volatility rule derives (with a
 *  haircut that opens the loan below the threshold); a borrower agrees only to margins its policy
 *  allows. */
import { describe, expect, it } from "vitest";
import { marginOf, marginWithin, NO_MARGIN } from "../negotiation/strategies/margin-terms.ts";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import { SimulatedPerpExchange } from "../protocol-adapters/simulated/simulated-perp-exchange.ts";
import { createDefaultPolicy } from "./agent-policy.ts";
import { riskTerms, volatilityMargin } from "./risk-terms.ts";

const usdc = { address: "0x00000000000000000000000000000000000000C0" as const, symbol: "USDC", decimals: 6 };
const weth = { address: "0x00000000000000000000000000000000000000E0" as const, symbol: "WETH", decimals: 18 };
const decimals = (t: string) => (t.toLowerCase() === usdc.address.toLowerCase() ? 6 : 18);
const oracle = (t: string) => (t.toLowerCase() === weth.address.toLowerCase() ? 300_000_000_000n : undefined);

const lenderState = () =>
  new SimulatedPerpExchange({
    protocolId: "perp",
    settlementToken: usdc,
    insuranceToken: weth,
    cash: 10_000_000_000_000n,
    pendingWithdrawals: 0n,
    minFloat: 100_000_000_000n,
    insuranceFund: 500n * 10n ** 18n,
    adlCostBps: 2500,
    prices: { settlementUsd8: 100_000_000n, insuranceUsd8: 300_000_000_000n },
    now: () => 1_700_000_000_000,
  }).snapshot();

const rfq: RfqBody = {
  principalToken: usdc.address,
  principal: 100_000n * 10n ** 6n,
  maxRateBps: 5_000,
  tenor: 86_400,
  collateralToken: weth.address,
  collateral: 100n * 10n ** 18n,
};
const view = {
  side: "lender" as const,
  round: 0,
  maxRounds: 5,
  elapsed: 0,
  myLast: undefined,
  theirLast: undefined,
};

describe("default policy margins", () => {
  it("a lender asks for the volatility rule's margin, and widens the haircut to open below it", async () => {
    const state = await lenderState();
    for (const volatility of [0.8, 2]) {
      const policy = createDefaultPolicy({
        decimals,
        oracle,
        lenderMargin: volatilityMargin(() => volatility),
      });
      const offer = policy.lenderStrategy(state, rfq, 0n)!.propose(view);
      const terms = riskTerms(weth.address, { volatility });
      expect(marginOf(offer)).toEqual(terms);
      // Loan-to-value at opening = 1 - haircut, at least 5 points below the threshold.
      expect(10_000 - offer.haircutBps).toBeLessThanOrEqual(terms.liquidationThresholdBps - 500);
      // collateral value * (1 - haircut) covers the principal
      expect(offer.collateral * 3_000n * BigInt(10_000 - offer.haircutBps)).toBeGreaterThanOrEqual(
        100_000n * 10n ** 18n * 10_000n,
      );
    }
    // 200 % volatility: threshold 72.94 %, so the haircut rises from 20 % to 32.06 % (5 points of room).
    const wild = createDefaultPolicy({ decimals, oracle, lenderMargin: volatilityMargin(() => 2) });
    expect(wild.lenderStrategy(state, rfq, 0n)!.propose(view).haircutBps).toBe(3_206);
  });

  it("without a margin rule a lender lends unmargined (the default)", async () => {
    const offer = createDefaultPolicy({ decimals, oracle })
      .lenderStrategy(await lenderState(), rfq, 0n)!
      .propose(view);
    expect(marginOf(offer)).toEqual(NO_MARGIN);
  });

  it("a borrower agrees to a margin only if its policy allows it", async () => {
    const state = await lenderState();
    const offer = {
      ...createDefaultPolicy({ decimals, oracle, lenderMargin: volatilityMargin(() => 0.8) })
        .lenderStrategy(state, rfq, 0n)!
        .propose(view),
      rateBps: 1,
    };
    const borrowerView = { ...view, side: "borrower" as const, round: 4 };
    expect(
      createDefaultPolicy({ decimals, oracle }).borrowerStrategy(state, rfq).accept(borrowerView, offer),
    ).toBe(false);
    const willing = createDefaultPolicy({
      decimals,
      oracle,
      acceptedMargin: marginWithin({ minThresholdBps: 8_000 }),
    });
    expect(willing.borrowerStrategy(state, rfq).accept(borrowerView, offer)).toBe(true);
  });
});
