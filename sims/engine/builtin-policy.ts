/**
 * The fast built-in policy: what the real agents would decide, computed in-process.
 *
 * Negotiation: every step each protocol's state goes through agents/agent-policy.ts
 * createDefaultPolicy exactly as an agent's would: a protocol that needs a loan (loan-need.ts: it
 * owes withdrawals it cannot pay from cash or its deposits at peers, so without a loan depositors
 * go unpaid or it fire-sells) broadcasts an RFQ sized for the shortfall and a coverage window, at
 * least `minLoanUsd`; each peer with surplus decides whether to bid, and each bidder bargains with
 * the borrower by alternating offers between the policy's own time-dependent strategies
 * (negotiation/strategies), lender first, up to `maxRounds` offers each, as the agent's RFQ
 * auction runs them. The borrower takes the cheapest agreement; both sign it (EIP-712) and the
 * borrower settles it. Loans have a tenor that fits a crisis (a day by default): at the start of
 * each step borrowers repay when the policy says they can and lenders claim the collateral of
 * loans unpaid after maturity plus grace; a borrower holds one loan at a time. Halted protocols
 * neither borrow nor lend. The real agents (agents-policy/) make the same decisions: a
 * differential test holds the two equal, step by step.
 *
 * Margins (`margins`, default on): lenders ask for a liquidation threshold, bonus and tightening per
 * risk level, as the agents' default policy derives them from the collateral's volatility seen so
 * far (collateral-volatility.ts, agents/risk-terms.ts), or with "model-driven" lending from the
 * valuation model's interval (agents/model-margin.ts); borrowers accept margins within
 * negotiation/strategies/margin-terms.ts marginWithin. Each step borrowers top up and lenders
 * liquidate unhealthy loans (margin-servicing.ts), and the system alert in force is posted to the
 * settlement backend, where it tightens margined thresholds (post-alert.ts).
 *
 * De-risking: each protocol votes when an asset it is exposed to has fallen past a level's
 * threshold; when a quorum votes, the alert level rises and every protocol applies its
 * pre-committed action for that level (engine-adapter.ts createDerisking). Alerts expire, as the
 * contract's do, and as the real agents run them (agents/risk/risk-loop-machine.ts): a quorum still
 * voting for the level in force renews it within a step of its expiry, for another
 * `alertTtlHours`; one that lapses releases every level's actions (de-risking unwinds), and a
 * quorum that still votes raises a new alert from nothing (derisk-coordination.ts stepAlert).
 */
import { type Hex, keccak256, toHex } from "viem";
import type { AgentPolicy, DefaultPolicyParameters } from "../../agents/agent-policy.ts";
import type { ModelDrivenPolicyParameters } from "../../agents/model-driven-policy.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import type { Signer } from "../../core/signer.ts";
import type { ContagionDetector as ContagionModel } from "../../models/contagion/model.ts";
import type { ValuationModel } from "../../models/valuation/valuation-model.ts";
import { marginOf, withMargin } from "../../negotiation/strategies/margin-terms.ts";
import type { SessionView, Strategy, Terms } from "../../negotiation/strategies/strategy.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import { GRACE_PERIOD } from "../ledger/ledger.ts";
import { loanRequest } from "./agents-policy/loan-request.ts";
import type { DeriskDetector } from "./alert-votes.ts";
import { exposedAssets } from "./build-distress.ts";
import { type CollateralVolatilityParameters, createCollateralVolatility } from "./collateral-volatility.ts";
import { type Coordination, createDeriskCoordinator } from "./derisk-coordination.ts";
import { type EnginePolicy, modeOf, type PolicyContext } from "./engine-policy.ts";
import { createLoanResolutionFeed } from "./loan-resolutions.ts";
import { serviceMargins } from "./margin-servicing.ts";
import { createPolicyVoter, deriskDefaults } from "./policy-voter.ts";
import { createAlertPoster } from "./post-alert.ts";
import { protocolSigner, usd8Of, valueUsd8, type World } from "./world.ts";
import { worldAgentPolicy } from "./world-agent-policy.ts";

/** How lenders price loans: the rule policy (a fixed premium and haircut) or the learned
 *  valuation model (agents/model-driven-policy.ts). */
export const LENDING_POLICIES = ["rule", "model-driven"] as const;
export type LendingPolicy = (typeof LENDING_POLICIES)[number];

export type BuiltinPolicyParameters = {
  negotiation: boolean;
  /** Default "rule". "model-driven" needs `valuationModel`. */
  lending?: LendingPolicy | undefined;
  valuationModel?: ValuationModel | undefined;
  /** With "model-driven": each lending decision's estimate and terms (reports, diagnostics). */
  onValuation?: ModelDrivenPolicyParameters["onEstimate"] | undefined;
  derisking: boolean;
  /** Margined loans (a negotiated liquidation threshold and bonus, liquidations and top-ups each
   *  step). Default true; false: unmargined loans, as before margins existed. */
  margins?: boolean | undefined;
  /** How the default policy's lenders see a collateral's volatility (collateral-volatility.ts). */
  marginVolatility?: CollateralVolatilityParameters | undefined;
  /** The fall a margin must survive is over this many hours: from a loan turning unhealthy to its
   *  liquidation (agents/risk-terms.ts horizonSeconds). Default: one step, since lenders here
   *  check their loans every step. */
  marginHorizonHours?: number | undefined;
  /** Overrides of the agents' default policy (haircut, premium, tenor, concession...). */
  agentPolicy?: Partial<Omit<DefaultPolicyParameters, "decimals" | "oracle">> | undefined;
  /** Offers each side may make (the session default). */
  maxRounds?: number | undefined;
  /** What makes a protocol vote for an alert (alert-votes.ts). Default "drawdown";
   *  "contagion-model" needs `contagionModel`. */
  detector?: DeriskDetector | undefined;
  contagionModel?: ContagionModel | readonly ContagionModel[] | undefined;
  /** Who acts on votes: one system alert at a quorum (default) or each protocol on its own vote. */
  coordination?: Coordination | undefined;
  /** Drawdown voters: each protocol's thresholds spread by this share around the shared ones
   *  (diverse models; default 0), drawn with `thresholdSpreadSeed`. */
  thresholdSpread?: number | undefined;
  thresholdSpreadSeed?: number | undefined;
  /** Dampening: a stance rises by at most one level per this many hours (default 0: no cap). */
  minHoursBetweenRaises?: number | undefined;
  /** Dampening: a level's tightening arrives in equal parts over this many hours (default 0). */
  paceHours?: number | undefined;
  /** Drawdown thresholds of alert levels 1, 2, ... */
  alertDrawdowns?: readonly number[] | undefined;
  /** Share of protocols that must vote for an alert. */
  quorumShare?: number | undefined;
  /** De-risking strength per level and kind, bps (see engine-adapter.ts createDerisking). */
  tightenBps?: { lending: number; perp: number; vault: number } | undefined;
  /** How long an alert stays in force without a renewed quorum, hours (the contract allows up to
   *  7 days). Default 12. */
  alertTtlHours?: number | undefined;
  /** Smallest loan worth arranging, USD. Default 1,000,000. */
  minLoanUsd?: number | undefined;
  /** Hours of the withdrawals a borrower is seeing that its loan should also cover. Default 12. */
  coverageHours?: number | undefined;
  /** Tenor a borrower asks for when its shortfall is a liquidity gap (a run it pays from cash as
   *  deposits come back), hours. Default 24: a crisis facility that matures within the scenarios'
   *  horizons. */
  tenorHours?: number | undefined;
  /** Tenor a vault asks for when the alternative is a fire sale of illiquid backing: long enough to
   *  unwind that backing in an orderly way, hours. Default 336 (two weeks). */
  illiquidTenorHours?: number | undefined;
};

export { type AlertState, type AlertStep, stepAlert } from "./derisk-coordination.ts";

export type BargainResult = { terms: Terms; rounds: number } | undefined;

/** Alternating offers between two strategies, lender first, as an agent's RFQ auction runs them
 *  with one lender (negotiation/protocols/rfq-auction.ts). `score` ranks terms for the borrower
 *  (its policy's scoreOffer). */
export function bargain(
  lender: Strategy,
  borrower: Strategy,
  maxRounds: number,
  score: (terms: Terms) => number = (t) => -t.rateBps,
): BargainResult {
  const sides = [
    { side: "lender" as const, s: lender, round: 0, myLast: undefined as Terms | undefined },
    { side: "borrower" as const, s: borrower, round: 0, myLast: undefined as Terms | undefined },
  ];
  let onTable: Terms | undefined;
  for (let turn = 0; ; turn++) {
    const me = sides[turn % 2]!;
    const them = sides[(turn + 1) % 2]!;
    const view: SessionView = {
      side: me.side,
      round: me.round,
      maxRounds,
      elapsed: 0,
      myLast: me.myLast,
      theirLast: them.myLast,
    };
    // While its admission window is open (in the simulator, for the whole negotiation: the clock
    // stands still) the borrower's RFQ auction (negotiation/protocols/rfq-auction.ts shouldAccept)
    // accepts a lender's offer only on its last chance or when its own counter would be no
    // better for it than that offer.
    const mayAccept =
      me.side === "lender" ||
      me.round >= maxRounds ||
      (onTable !== undefined && score(me.s.propose(view)) <= score(onTable));
    if (onTable && mayAccept && me.s.accept(view, onTable))
      return { terms: onTable, rounds: sides[0]!.round + sides[1]!.round };
    if (me.round >= maxRounds) return undefined;
    onTable = me.s.propose(view);
    me.myLast = onTable;
    me.round++;
  }
}

export function createBuiltinPolicy(p: BuiltinPolicyParameters): EnginePolicy {
  const maxRounds = p.maxRounds ?? 4;
  const { quorumShare, tightenBps: bps, alertTtlHours } = deriskDefaults(p);
  const minLoanUsd8 = usd8Of(p.minLoanUsd ?? 1_000_000);
  const coverageHours = p.coverageHours ?? 12;
  const tenorSeconds = Math.round((p.tenorHours ?? 24) * 3600);
  const illiquidTenorSeconds = Math.round((p.illiquidTenorHours ?? 336) * 3600);
  let agentPolicy: AgentPolicy | undefined;
  let signers: Signer[] = [];
  let exposure: number[][] = [];
  let nonce = 0n;
  const agreements = new Map<Hex, Agreement>();
  const noDeal = new Set<number>();
  const margins = p.margins ?? true;
  const volatility = createCollateralVolatility(p.marginVolatility);
  const postAlert = createAlertPoster();
  const resolutions = createLoanResolutionFeed();

  const init = (world: World) => {
    agentPolicy = worldAgentPolicy(world, {
      ...p,
      tenorSeconds,
      margin: margins ? { volatility, horizonHours: p.marginHorizonHours } : undefined,
    });
    signers = world.protocols.map((_, i) => protocolSigner(i));
    exposure = world.protocols.map((_, i) => exposedAssets(world, i));
  };

  const negotiate = async (ctx: PolicyContext) => {
    const { world, adapters } = ctx;
    const policy = agentPolicy!;
    // The loans open as the step starts: their borrowers look at them (agents/borrow/servicing-
    // states.ts) before their lenders' liquidations and default claims of this step land.
    const openAtStart = world.loans.filter((l) => l.status === "active" && agreements.has(l.id));
    // Margined loans first, as the agents' margin watchers act on their poll: borrowers top up,
    // lenders liquidate what is still unhealthy.
    if (margins) await serviceMargins(ctx, agreements);
    const states: ProtocolState[] = await Promise.all(adapters.map((a) => a.snapshot()));
    // What each lender has promised, as an agent counts it (agents/agent-machine.ts considerRfq):
    // the principal of every RFQ it bids on in this step. A settled loan's principal has left its
    // cash, which its state shows: it is not reserved as well.
    const reserved = new Array<bigint>(world.protocolCount).fill(0n);
    const coverageSteps = Math.round(coverageHours / world.stepHours);
    // Service loans first, as the agents do on their poll, from what they saw at its start:
    // repay what the policy says can be repaid; claim what is overdue.
    for (const loan of world.loans) {
      if (loan.status !== "active") continue;
      const agreement = agreements.get(loan.id);
      if (!agreement) continue;
      const open = {
        principal: agreement.principal,
        rateBps: agreement.rateBps,
        tenor: agreement.tenor,
        principalToken: agreement.principalToken,
      };
      if (policy.canRepay(states[loan.borrower]!, open)) {
        try {
          await ctx.settlement(loan.borrower).repay({ id: loan.id, agreement });
          // A borrower looks at its protocol again after repaying, and may borrow again at once.
          states[loan.borrower] = await adapters[loan.borrower]!.snapshot();
        } catch (error) {
          if (!(error instanceof LedgerRevertError)) throw error;
        }
      } else if (ctx.nowSec > BigInt(loan.maturitySec) + GRACE_PERIOD) {
        await ctx.settlement(loan.lender).claimDefault({ agreement });
      }
    }
    // An agent services one loan at a time (agents/agent-machine.ts): it borrows again once that
    // loan is over. It repays on its own look and may borrow at once; a default claimed or a
    // liquidation in full made in this step it sees at its next look, the next step's.
    const servicing = new Set(openAtStart.filter((l) => l.status !== "repaid").map((l) => l.borrower));
    for (let b = 0; b < world.protocolCount; b++) {
      if (ctx.risk.halted[b] || servicing.has(b)) continue;
      const rfq = loanRequest(world, b, states[b]!, policy, {
        minLoanUsd8,
        coverageSteps,
        tenorSeconds,
        illiquidTenorSeconds,
      });
      if (!rfq) continue;
      let best: { lender: number; terms: Terms; rounds: number } | undefined;
      for (let l = 0; l < world.protocolCount; l++) {
        if (l === b || ctx.risk.halted[l]) continue;
        const strategy = policy.lenderStrategy(states[l]!, rfq, reserved[l]!);
        if (!strategy) continue;
        reserved[l] = reserved[l]! + rfq.principal;
        const borrower = policy.borrowerStrategy(states[b]!, rfq);
        const deal = bargain(strategy, borrower, maxRounds, (t) => policy.scoreOffer(t));
        if (deal && (!best || deal.terms.rateBps < best.terms.rateBps)) best = { lender: l, ...deal };
      }
      if (!best) {
        if (!noDeal.has(b))
          ctx.record({
            type: "no-deal",
            step: ctx.step,
            borrower: world.protocols[b]!.id,
            reason: "no lender bid",
          });
        noDeal.add(b);
        continue;
      }
      const agreement: Agreement = {
        sessionId: keccak256(toHex(`${world.seed}:${ctx.step}:${b}:${best.lender}`)),
        lender: ctx.addresses[best.lender]!,
        borrower: ctx.addresses[b]!,
        principalToken: rfq.principalToken,
        principal: best.terms.principal,
        collateralToken: best.terms.collateralToken,
        collateral: best.terms.collateral,
        rateBps: best.terms.rateBps,
        tenor: best.terms.tenor,
        nonce: ++nonce,
        deadline: ctx.nowSec + 3600n,
        ...withMargin({}, marginOf(best.terms)),
      };
      try {
        const { id } = await ctx.settlement(b).settle({
          agreement,
          lenderSignature: signAgreement(ctx.domain, agreement, signers[best.lender]!),
          borrowerSignature: signAgreement(ctx.domain, agreement, signers[b]!),
        });
        agreements.set(id, agreement);
        noDeal.delete(b);
        const asset = world.assets.findIndex((a) => a.address === agreement.principalToken);
        ctx.record({
          type: "loan",
          step: ctx.step,
          lender: world.protocols[best.lender]!.id,
          borrower: world.protocols[b]!.id,
          asset: world.assets[asset]!.symbol,
          principal: agreement.principal,
          principalUsd8: valueUsd8(world, asset, agreement.principal),
          rateBps: agreement.rateBps,
          rounds: best.rounds,
        });
      } catch (error) {
        if (!(error instanceof LedgerRevertError)) throw error;
        ctx.record({
          type: "no-deal",
          step: ctx.step,
          borrower: world.protocols[b]!.id,
          reason: error.reason,
        });
      }
    }
  };

  const voter = createPolicyVoter(p, () => exposure);
  const deriskCoordinator = createDeriskCoordinator({
    voter,
    coordination: p.coordination ?? "quorum",
    quorumShare,
    alertTtlHours,
    tightenBps: bps,
    minHoursBetweenRaises: p.minHoursBetweenRaises,
    paceHours: p.paceHours,
  });

  return {
    name: modeOf(p),
    onObserve: (o) => {
      if (p.derisking) deriskCoordinator.observe(o);
    },
    async onStep(ctx) {
      if (!agentPolicy) init(ctx.world);
      volatility.observe(ctx.world);
      // How lenders' loans ended, before anyone negotiates (as the real agents are told).
      resolutions(ctx.world, agentPolicy!);
      if (p.derisking) {
        await deriskCoordinator.onStep(ctx);
        await postAlert(ctx, deriskCoordinator.alert());
      }
      if (p.negotiation) await negotiate(ctx);
    },
  };
}
