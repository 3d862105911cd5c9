/**
 * The model-driven lender's loss interval follows its own loans' outcomes: a loss above the
 * interval it quoted widens its next quote (and its haircut), a loan that ends without loss
 * narrows it a little; each lending protocol tracks apart; outcomes of loans it never quoted,
 * or with tracking off, change nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { VALUATION_WEIGHTS } from "../models/valuation/paths.ts";
import { readValuationFile, type ValuationModel } from "../models/valuation/valuation-model.ts";
import type { ResolvedLoan } from "./agent-policy.ts";
import { decimals, lenderState, USDC, WETH, weekRfq } from "./model-driven-fixtures.ts";
import { createModelDrivenPolicy } from "./model-driven-policy.ts";

const rfq = weekRfq;
/** A loan of `rfq`'s shape that ended costing its lender `loss` of the $2M principal: repaid when
 *  0, else defaulted with the ETH ($2,000) left worth (1 - loss) of what was due. */
const ended = (loss: number, over: Partial<ResolvedLoan> = {}): ResolvedLoan => ({
  lenderProtocolId: "lender",
  principalToken: USDC,
  collateralToken: WETH,
  tenor: rfq.tenor,
  principal: rfq.principal,
  due: rfq.principal,
  collateral: loss === 0 ? rfq.collateral : BigInt(Math.round(1000 * (1 - loss) * 1e6)) * 10n ** 12n,
  defaulted: loss > 0,
  ...over,
});

function lender(model: ValuationModel, trackIntervals?: boolean) {
  const seen: { upper: number; haircutBps: number; shortfall: { low: number; high: number } }[] = [];
  const policy = createModelDrivenPolicy({
    decimals,
    model,
    ...(trackIntervals === undefined ? {} : { trackIntervals }),
    onEstimate: (_r, e, t) =>
      seen.push({
        upper: e.loss.high,
        haircutBps: t.haircutBps,
        shortfall: { low: e.shortfall.low, high: e.shortfall.high },
      }),
  });
  const quote = (protocolId = "lender") => {
    policy.lenderStrategy({ ...lenderState(0, 2000), protocolId }, rfq, 0n);
    return seen[seen.length - 1]!;
  };
  return { policy, quote };
}

describe("model-driven lender: loss interval tracked by its own outcomes", () => {
  let model: ValuationModel;
  beforeAll(() => {
    const shipped = readValuationFile(VALUATION_WEIGHTS);
    model = {
      ...shipped,
      conformal: {
        ...shipped.conformal,
        lossTracking: { eta: 0.2, method: "test" },
        shortfallTracking: { eta: 0.5, method: "test" },
      },
    };
  });

  it("widens after a loss above its quote and narrows after a loan that ends without loss", () => {
    const { policy, quote } = lender(model);
    const first = quote();
    policy.loanResolved!(ended(Math.min(1, first.upper + 0.1)));
    const wider = quote();
    expect(wider.upper).toBeGreaterThan(first.upper);
    expect(wider.haircutBps).toBeGreaterThan(first.haircutBps);
    // A miss moves the quantile by eta (1 - alpha) = 0.18, a cover by eta alpha = 0.02.
    const spread = (wider.upper - first.upper) / 0.18;
    policy.loanResolved!(ended(0));
    expect(quote().upper).toBeCloseTo(wider.upper - 0.02 * spread, 6);
  });

  it("tracks the shortfall interval too: a repaid loan it covered narrows it, a default outside it widens it", () => {
    const { policy, quote } = lender(model);
    const width = (q: ReturnType<typeof quote>) => q.shortfall.high - q.shortfall.low;
    const first = quote();
    expect(first.shortfall.low).toBe(0); // the static interval covers a repayment (0)
    // Repayments it covered narrow it, until 0 falls outside (low > 0) ...
    let q = first;
    let outcomes = 0;
    for (; outcomes < 200 && q.shortfall.low === 0; outcomes++) {
      policy.loanResolved!(ended(0));
      q = quote();
    }
    expect(outcomes).toBeLessThan(200);
    expect(width(q)).toBeLessThan(width(first));
    // ... and a repayment outside it is a miss: it widens again.
    policy.loanResolved!(ended(0));
    expect(width(quote())).toBeGreaterThan(width(q));
  });

  it("tracks each lending protocol apart, and ignores outcomes it never quoted", () => {
    const { policy, quote } = lender(model);
    const first = quote();
    quote("other");
    policy.loanResolved!(ended(1, { lenderProtocolId: "other" }));
    expect(quote().upper).toBe(first.upper);
    // A default it cannot value (a token without price or decimals) is not judged.
    policy.loanResolved!(ended(1, { collateralToken: "0x00000000000000000000000000000000000000aa" }));
    expect(quote().upper).toBe(first.upper);
    // Another tenor was never quoted: nothing to judge it against.
    policy.loanResolved!(ended(1, { tenor: 3600 }));
    expect(quote().upper).toBe(first.upper);
    // One outcome per quote: told twice, a loan counts once.
    policy.loanResolved!(ended(1));
    policy.loanResolved!(ended(1));
    const once = lender(model);
    once.quote();
    once.policy.loanResolved!(ended(1));
    expect(quote().upper).toBe(once.quote().upper);
  });

  it("keeps the file's quantile with tracking off or without a tracking step", () => {
    for (const [m, track] of [
      [model, false],
      [
        {
          ...model,
          conformal: { ...model.conformal, lossTracking: undefined, shortfallTracking: undefined },
        },
        undefined,
      ],
    ] as const) {
      const { policy, quote } = lender(m, track);
      const first = quote();
      policy.loanResolved!(ended(1));
      expect(quote().upper).toBe(first.upper);
    }
  });
});
