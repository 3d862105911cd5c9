/**
 * The model-driven policy: the rule policy (agent-policy.ts) for everything a borrower does, but
 * a lender prices each RFQ with the learned valuation model (models/valuation): the borrower's
 * shortfall probability and the lender's expected loss with their conformal intervals become a
 * reservation rate and a haircut that widen as the model grows less sure. A lender stays out when
 * its floor is above the borrower's cap or the collateral offered is short of its haircut.
 *
 * Prices for the model's volatility features come from what the agent itself observes: every
 * state it is shown leaves its oracle prices (and the shared feed's, for collateral it does not
 * hold) in a short memory, one entry per observation time.
 *
 * The intervals are tracked: a lender starts from the file's split-conformal quantiles and moves
 * them with each of its loans that ends (`loanResolved`), widening an interval its outcome fell
 * outside and narrowing it slowly otherwise (models/valuation/interval-tracking.ts), so a crisis
 * unlike the calibration families widens its terms as its loans go bad. Quantiles per lending
 * protocol, so a policy shared by several agents (a simulation) tracks each apart.
 */
import type { Address } from "viem";
import { createQuantileTracker, type QuantileTracker } from "../models/uncertainty/quantile-tracking.ts";
import {
  LOAN_FEATURES,
  type LoanObservation,
  PRICE_WINDOW_HOURS,
  priceWindowStats,
} from "../models/valuation/loan-features.ts";
import { reservationTerms } from "../models/valuation/reservation-terms.ts";
import {
  createValuationScorer,
  type ValuationEstimate,
  type ValuationModel,
} from "../models/valuation/valuation-model.ts";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";
import {
  type AgentPolicy,
  createDefaultPolicy,
  type DefaultPolicyParameters,
  defaultPolicyParameters,
  type ResolvedLoan,
} from "./agent-policy.ts";
import { priceOf } from "./collateral.ts";
import { type ModelMarginParameters, modelMargin } from "./model-margin.ts";
import type { RiskTerms } from "./risk-terms.ts";

export type ModelDrivenPolicyParameters = Partial<DefaultPolicyParameters> &
  Pick<DefaultPolicyParameters, "decimals"> & {
    model: ValuationModel;
    /** Haircut when the model rules out any loss; the model's upper loss adds to it. */
    baseHaircutBps?: number;
    /** Ask for a margin derived from the model's interval (model-margin.ts): true or its
     *  parameters. Default off, like the rule policy's `lenderMargin`: margined loans need the
     *  arbiter's margin oracle and borrowers that accept margins. */
    modelMargin?: boolean | ModelMarginParameters;
    /** Track the interval quantiles with the lender's own outcomes (default: for each head whose
     *  file has a tracking step, models/valuation/interval-tracking.ts). false keeps the file's. */
    trackIntervals?: boolean;
    /** Called with each decision's estimate (reports, tests). */
    onEstimate?: (
      rfq: RfqBody,
      estimate: ValuationEstimate,
      terms: { reservationRateBps: number; haircutBps: number; margin?: RiskTerms },
      observation: LoanObservation,
    ) => void;
  };

type PriceMemory = { times: number[]; prices: number[] };

/** Quotes remembered for judging outcomes; the oldest go first. */
const MAX_QUOTES = 4096;

export function createModelDrivenPolicy(p: ModelDrivenPolicyParameters): AgentPolicy {
  const base = { ...defaultPolicyParameters, ...p };
  const rule = createDefaultPolicy(p);
  const scorer = createValuationScorer(p.model);
  const memory = new Map<string, PriceMemory>();
  const keep = PRICE_WINDOW_HOURS + 1;
  const steps =
    p.trackIntervals === false
      ? {}
      : {
          loss: p.model.conformal.lossTracking?.eta,
          shortfall: p.model.conformal.shortfallTracking?.eta,
        };
  const tracking = steps.loss !== undefined || steps.shortfall !== undefined;
  type Trackers = { loss?: QuantileTracker | undefined; shortfall?: QuantileTracker | undefined };
  const trackers = new Map<string, Trackers>();
  const trackerOf = (head: "loss" | "shortfall", eta: number | undefined) =>
    eta === undefined
      ? undefined
      : createQuantileTracker({ initial: p.model.conformal[head], alpha: p.model.conformal.alpha, eta });
  const trackersOf = (protocolId: string): Trackers => {
    let t = trackers.get(protocolId);
    if (!t) {
      t = { loss: trackerOf("loss", steps.loss), shortfall: trackerOf("shortfall", steps.shortfall) };
      trackers.set(protocolId, t);
    }
    return t;
  };
  // The intervals last quoted per lender and loan shape: an outcome is judged against the
  // intervals its lender quoted. Bounded: quotes that never became loans age out.
  type Quote = { lossHigh: number; shortfallLow: number; shortfallHigh: number };
  const quoted = new Map<string, Quote>();
  const quoteKey = (protocolId: string, principalToken: string, collateralToken: string, tenor: number) =>
    `${protocolId}|${principalToken.toLowerCase()}|${collateralToken.toLowerCase()}|${tenor}`;
  const rememberQuote = (key: string, quote: Quote) => {
    quoted.delete(key);
    quoted.set(key, quote);
    if (quoted.size > MAX_QUOTES) quoted.delete(quoted.keys().next().value!);
  };

  const remember = (token: string, time: number, usd8: bigint | undefined) => {
    if (!usd8) return;
    const key = token.toLowerCase();
    const m = memory.get(key) ?? { times: [], prices: [] };
    memory.set(key, m);
    const price = Number(usd8) / 1e8;
    if (m.times.length > 0 && m.times[m.times.length - 1] === time) {
      m.prices[m.prices.length - 1] = price;
      return;
    }
    m.times.push(time);
    m.prices.push(price);
    if (m.times.length > keep) {
      m.times.shift();
      m.prices.shift();
    }
  };
  const observe = (state: ProtocolState, tokens: readonly Address[]) => {
    for (const x of state.prices) remember(x.token, state.timestamp, x.usd8);
    for (const t of tokens) if (!priceOf(state, t)) remember(t, state.timestamp, base.oracle(t));
  };
  const stats = (token: string) => {
    const m = memory.get(token.toLowerCase());
    if (!m || m.prices.length < 2) return { vol24h: 0, return24h: 0 };
    const stepHours = Math.max(
      1 / 60,
      (m.times[m.times.length - 1]! - m.times[0]!) / 3600 / (m.times.length - 1),
    );
    return priceWindowStats(m.prices, stepHours);
  };
  /** USD value of `amount` of `token` at `priceUsd`, or undefined without a price or decimals. */
  const value = (token: Address, amount: bigint, priceUsd: number | undefined): number | undefined => {
    const decimals = base.decimals(token);
    if (!priceUsd || decimals === undefined) return undefined;
    return (Number(amount) / 10 ** decimals) * priceUsd;
  };
  const usd8ToUsd = (usd8: bigint | undefined) => (usd8 === undefined ? undefined : Number(usd8) / 1e8);
  const usd = (state: ProtocolState, token: Address, amount: bigint): number | undefined =>
    value(token, amount, usd8ToUsd(priceOf(state, token) ?? base.oracle(token)));

  /** USD value of `amount` of `token` at the shared feed's price, else the last one remembered. */
  const valueNow = (token: Address, amount: bigint): number | undefined => {
    const m = memory.get(token.toLowerCase());
    return value(token, amount, usd8ToUsd(base.oracle(token)) ?? m?.prices[m.prices.length - 1]);
  };
  /** What an ended loan cost its lender as a share of the principal's value when lent: nothing
   *  unless it defaulted; then what was due less the collateral taken, at today's prices. */
  const lossShareOf = (loan: ResolvedLoan): number | undefined => {
    if (!loan.defaulted) return 0;
    const due = valueNow(loan.principalToken, loan.due);
    const recovered = valueNow(loan.collateralToken, loan.collateral);
    const principal =
      loan.principalUsd8AtOpen !== undefined
        ? Number(loan.principalUsd8AtOpen) / 1e8
        : valueNow(loan.principalToken, loan.principal);
    if (due === undefined || recovered === undefined || !(principal !== undefined && principal > 0))
      return undefined;
    return Math.min(1, Math.max(0, (due - recovered) / principal));
  };

  /** The rule policy re-parameterised with this RFQ's model terms, or undefined to stay out. */
  const priced = (state: ProtocolState, rfq: RfqBody, reserved: bigint): AgentPolicy | undefined => {
    observe(state, [rfq.principalToken, rfq.collateralToken]);
    const pos = state.liquidity.find((l) => l.token.toLowerCase() === rfq.principalToken.toLowerCase());
    // A lender that cannot fund the whole principal stays out, as the rule lender does; asking the
    // model first put most of the study's decisions far outside its training data (principal up
    // to 10x the free cash, where every training loan is at most 1x: diagnose-study.ts).
    if (!pos || pos.net - reserved < rfq.principal) return undefined;
    const principalUsd = usd(state, rfq.principalToken, rfq.principal);
    const collateralUsd = usd(state, rfq.collateralToken, rfq.collateral);
    const freeUsd = pos
      ? usd(state, rfq.principalToken, pos.net - reserved > 0n ? pos.net - reserved : 0n)
      : 0;
    if (principalUsd === undefined || collateralUsd === undefined || freeUsd === undefined) return undefined;
    const coll = stats(rfq.collateralToken);
    const observation: LoanObservation = {
      principalUsd,
      collateralUsd,
      tenorHours: rfq.tenor / 3600,
      maxRateBps: rfq.maxRateBps,
      lenderFreeUsd: freeUsd,
      lenderHomeRateBps: state.opportunityRateBps,
      collateralVol24h: coll.vol24h,
      collateralReturn24h: coll.return24h,
      principalVol24h: stats(rfq.principalToken).vol24h,
      sameAsset: rfq.principalToken.toLowerCase() === rfq.collateralToken.toLowerCase(),
    };
    const t = tracking ? trackersOf(state.protocolId) : undefined;
    const estimate = scorer.estimate(observation, {
      loss: t?.loss?.quantile,
      shortfall: t?.shortfall?.quantile,
    });
    if (t)
      rememberQuote(quoteKey(state.protocolId, rfq.principalToken, rfq.collateralToken, rfq.tenor), {
        lossHigh: estimate.loss.high,
        shortfallLow: estimate.shortfall.low,
        shortfallHigh: estimate.shortfall.high,
      });
    const terms = reservationTerms({
      estimate,
      homeRateBps: state.opportunityRateBps,
      premiumBps: base.lenderPremiumBps,
      tenorSeconds: rfq.tenor,
      baseHaircutBps: p.baseHaircutBps ?? 1000,
    });
    const margin = p.modelMargin
      ? modelMargin(rfq.collateralToken, estimate, coll.vol24h, p.modelMargin === true ? {} : p.modelMargin)
      : undefined;
    p.onEstimate?.(rfq, estimate, margin ? { ...terms, margin } : terms, observation);
    if (terms.reservationRateBps > rfq.maxRateBps) return undefined;
    return createDefaultPolicy({
      ...p,
      ...(margin
        ? {
            lenderMargin: (t: Address) =>
              t.toLowerCase() === rfq.collateralToken.toLowerCase() ? margin : undefined,
          }
        : {}),
      haircutBps: terms.haircutBps,
      lenderPremiumBps: terms.reservationRateBps - state.opportunityRateBps,
    });
  };

  return {
    ...rule,
    loanResolved: (loan) => {
      const key = quoteKey(loan.lenderProtocolId, loan.principalToken, loan.collateralToken, loan.tenor);
      const quote = quoted.get(key);
      if (quote === undefined || !tracking) return;
      const loss = lossShareOf(loan);
      // A default it cannot value (no price for a token) is not judged.
      if (loss === undefined) return;
      quoted.delete(key);
      const t = trackersOf(loan.lenderProtocolId);
      t.loss?.update(loss > quote.lossHigh);
      const shortfall = loan.defaulted ? 1 : 0;
      t.shortfall?.update(shortfall < quote.shortfallLow || shortfall > quote.shortfallHigh);
    },
    lenderStrategy: (state, rfq, reserved) =>
      priced(state, rfq, reserved)?.lenderStrategy(state, rfq, reserved),
    sealedBid: (state, rfq, reserved) => priced(state, rfq, reserved)?.sealedBid?.(state, rfq, reserved),
  };
}

/** The features this policy builds, in order (for reports). */
export const MODEL_DRIVEN_FEATURES = LOAN_FEATURES;
