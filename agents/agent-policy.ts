/**
 * An agent's policy: when to borrow, what to ask, whether to lend, how hard to bargain, when to
 * repay. The default derives everything from the protocol's own numbers (what idle cash earns
 * at home, what a shortfall costs); the learned valuation model plugs in here later.
 */
import type { Address } from "viem";
import { amountDue } from "../core/agreement.ts";
import { type MarginAcceptance, onlyUnmargined, withMargin } from "../negotiation/strategies/margin-terms.ts";
import type { Strategy, Terms } from "../negotiation/strategies/strategy.ts";
import { createTimeDependentStrategy } from "../negotiation/strategies/time-dependent.ts";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";
import { priceOf, requiredCollateral } from "./collateral.ts";
import { haircutForTerms, type RiskTerms } from "./risk-terms.ts";

export type TokenDecimals = (token: Address) => number | undefined;

export type OpenLoan = {
  principal: bigint;
  rateBps: number;
  tenor: number;
  principalToken: Address;
};

/** A loan a protocol lent that has ended, as its lender saw it. A repaid or fully liquidated loan
 *  cost the lender nothing; a claimed default cost what was due less the collateral it took, which
 *  the policy values at its own prices. */
export type ResolvedLoan = {
  /** The lending protocol (its ProtocolState.protocolId). */
  lenderProtocolId: string;
  principalToken: Address;
  collateralToken: Address;
  /** Loan duration, seconds. */
  tenor: number;
  principal: bigint;
  /** What the borrower owed at the end, and the collateral backing it (base units). */
  due: bigint;
  collateral: bigint;
  /** The lender claimed the collateral: the borrower did not pay. */
  defaulted: boolean;
  /** The principal's value when lent, USD 8 decimals, when the caller knows it (a simulation's
   *  books); otherwise the policy values the principal now. */
  principalUsd8AtOpen?: bigint;
};

export interface AgentPolicy {
  /** The RFQ to broadcast when the protocol is short, or undefined when it is not. */
  borrowRequest(state: ProtocolState): RfqBody | undefined;
  borrowerStrategy(state: ProtocolState, rfq: RfqBody): Strategy;
  /** A lending strategy for this RFQ, or undefined to stay out. `reserved` is principal
   *  already promised in open sessions. Asked for open RFQs only. */
  lenderStrategy(state: ProtocolState, rfq: RfqBody, reserved: bigint): Strategy | undefined;
  /** The one bid to commit to on a sealed-bid RFQ (docs/PROTOCOL.md §7.2: no counter-offers, the
   *  best revealed bid wins), or undefined to stay out. Without this method the agent stays out of
   *  every sealed auction (it never answers one with an open offer). */
  sealedBid?(state: ProtocolState, rfq: RfqBody, reserved: bigint): Terms | undefined;
  canRepay(state: ProtocolState, loan: OpenLoan): boolean;
  /** How much a borrower likes `terms` (higher is better): ranks lenders' offers in an RFQ. */
  scoreOffer(terms: Terms): number;
  /** One of the protocol's loans as lender has ended. A policy that learns from outcomes (the
   *  model-driven lender's tracked loss interval) listens; the rule policy has no use for it. */
  loanResolved?(loan: ResolvedLoan): void;
}

export type DefaultPolicyParameters = {
  /** Haircut a lender applies to collateral, bps. */
  haircutBps: number;
  /** Premium over the home rate a lender wants for counterparty risk, bps. */
  lenderPremiumBps: number;
  /** Tenor a borrower asks for, seconds. */
  tenor: number;
  /** Concession exponents (1 linear, < 1 Boulware, > 1 conceder). */
  lenderExponent: number;
  borrowerExponent: number;
  /** Where a borrower opens, as a share of its ceiling. */
  borrowerOpeningShare: number;
  /** Where a lender opens between its floor and the borrower's cap. */
  lenderOpeningShare: number;
  /** Where a lender's sealed bid lies between its floor and the borrower's cap: it cannot counter,
   *  so it shades towards its floor (0.5 is the equilibrium of a first-price auction between two
   *  bidders with uniform costs). */
  lenderSealedBidShare: number;
  /** The early-call level a lender asks for (the Agreement's callRiskLevel): 0 never callable,
   *  k > 0 callable while the on-chain system risk level is at least k. */
  callRiskLevel: number;
  /** The call levels a borrower agrees to. [0]: only loans that can never be called early. */
  acceptedCallRiskLevels: readonly number[];
  decimals: TokenDecimals;
  /** The margin a lender asks for on loans against `collateralToken` (liquidation threshold, bonus,
   *  tightening per risk level), or undefined for an unmargined loan. `volatilityMargin`
   *  (risk-terms.ts) derives it from the collateral's volatility; the valuation model's interval
   *  plugs in the same way. Default: none. Margined loans need the arbiter's margin oracle. */
  lenderMargin: (collateralToken: Address) => RiskTerms | undefined;
  /** The margins a borrower agrees to. Default: none (`marginWithin` in negotiation/strategies/
   *  margin-terms.ts sets limits). */
  acceptedMargin: MarginAcceptance;
  /** Prices of tokens the protocol itself does not report (e.g. collateral it is offered),
   *  USD 8 decimals. A shared price feed in deployment, the scenario's prices in a simulation. */
  oracle: (token: Address) => bigint | undefined;
};

export const defaultPolicyParameters = {
  haircutBps: 2000,
  lenderPremiumBps: 200,
  tenor: 7 * 24 * 3600,
  lenderExponent: 1,
  borrowerExponent: 1,
  borrowerOpeningShare: 0.3,
  lenderOpeningShare: 0.8,
  lenderSealedBidShare: 0.5,
  callRiskLevel: 0,
  acceptedCallRiskLevels: [0],
  lenderMargin: () => undefined,
  acceptedMargin: onlyUnmargined,
  oracle: () => undefined,
} satisfies Omit<DefaultPolicyParameters, "decimals">;

export function createDefaultPolicy(
  params: Partial<DefaultPolicyParameters> & Pick<DefaultPolicyParameters, "decimals">,
): AgentPolicy {
  const p: DefaultPolicyParameters = { ...defaultPolicyParameters, ...params };

  const collateralFor = (
    state: ProtocolState,
    token: Address,
    principal: bigint,
    pledge: Address,
    haircutBps = p.haircutBps,
  ) => {
    const principalUsd8 = priceOf(state, token) ?? p.oracle(token);
    const collateralUsd8 = priceOf(state, pledge) ?? p.oracle(pledge);
    const pd = p.decimals(token);
    const cd = p.decimals(pledge);
    if (!principalUsd8 || !collateralUsd8 || pd === undefined || cd === undefined) return undefined;
    return requiredCollateral({
      principal,
      principalDecimals: pd,
      principalUsd8,
      collateralDecimals: cd,
      collateralUsd8,
      haircutBps,
    });
  };

  /** What a lender would lend on this RFQ: its rate floor and the collateral it needs, or undefined
   *  when it will not lend (not enough cash, the borrower's cap below its floor, too little
   *  collateral). */
  const lendingTerms = (state: ProtocolState, rfq: RfqBody, reserved: bigint) => {
    const pos = state.liquidity.find((l) => l.token.toLowerCase() === rfq.principalToken.toLowerCase());
    if (!pos || pos.net - reserved < rfq.principal) return undefined;
    const floor = state.opportunityRateBps + p.lenderPremiumBps;
    if (floor > rfq.maxRateBps) return undefined;
    // A margined loan must open below its threshold: the haircut leaves room for it.
    const margin = p.lenderMargin(rfq.collateralToken);
    const haircutBps = margin ? Math.max(p.haircutBps, haircutForTerms(margin)) : p.haircutBps;
    const need = collateralFor(state, rfq.principalToken, rfq.principal, rfq.collateralToken, haircutBps);
    if (need === undefined || need > rfq.collateral) return undefined;
    const plain: Omit<Terms, "rateBps"> = {
      principal: rfq.principal,
      tenor: rfq.tenor,
      collateralToken: rfq.collateralToken,
      collateral: need,
      haircutBps,
      ...(p.callRiskLevel === 0 ? {} : { callRiskLevel: p.callRiskLevel }),
    };
    const template = margin ? withMargin(plain, margin) : plain;
    return { floor, template };
  };

  return {
    borrowRequest(state) {
      const short = state.liquidity.find((l) => l.net < 0n);
      if (!short || state.shortfallCostBps === 0) return undefined;
      const principal = -short.net;
      for (const pledge of state.pledgeable) {
        const need = collateralFor(state, short.token, principal, pledge.token);
        if (need !== undefined && need <= pledge.amount && need > 0n) {
          return {
            principalToken: short.token,
            principal,
            maxRateBps: state.shortfallCostBps,
            tenor: p.tenor,
            collateralToken: pledge.token,
            // Offer the collateral a standard haircut asks for; a stricter lender says so.
            collateral: need,
          };
        }
      }
      return undefined;
    },

    borrowerStrategy(_state, rfq) {
      return createTimeDependentStrategy({
        side: "borrower",
        openingRateBps: Math.round(rfq.maxRateBps * p.borrowerOpeningShare),
        reservationRateBps: rfq.maxRateBps,
        exponent: p.borrowerExponent,
        template: {
          principal: rfq.principal,
          tenor: rfq.tenor,
          collateralToken: rfq.collateralToken,
          collateral: rfq.collateral,
          haircutBps: p.haircutBps,
        },
        callRiskLevels: p.acceptedCallRiskLevels,
        margin: p.acceptedMargin,
      });
    },

    lenderStrategy(state, rfq, reserved) {
      const lending = lendingTerms(state, rfq, reserved);
      if (!lending) return undefined;
      const { floor, template } = lending;
      return createTimeDependentStrategy({
        side: "lender",
        openingRateBps: Math.round(floor + (rfq.maxRateBps - floor) * p.lenderOpeningShare),
        reservationRateBps: floor,
        exponent: p.lenderExponent,
        template,
      });
    },

    sealedBid(state, rfq, reserved) {
      const lending = lendingTerms(state, rfq, reserved);
      if (!lending) return undefined;
      const { floor, template } = lending;
      return { ...template, rateBps: Math.round(floor + (rfq.maxRateBps - floor) * p.lenderSealedBidShare) };
    },

    // The rate is the only issue this policy bargains over; the rest is fixed by the RFQ.
    scoreOffer: (terms) => -terms.rateBps,

    canRepay(state, loan) {
      const pos = state.liquidity.find((l) => l.token.toLowerCase() === loan.principalToken.toLowerCase());
      return pos !== undefined && pos.net >= amountDue(loan);
    },
  };
}
