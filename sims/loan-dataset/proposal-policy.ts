/**
 * An engine policy that makes loans for the dataset: every `everyHours` each protocol that can
 * pledge collateral is offered a loan by a random peer with spare cash, with terms drawn at
 * random (principal share of the lender's surplus, collateral coverage, tenor, the borrower's
 * rate cap), settled on the run's settlement backend exactly as agents settle. From maturity on,
 * the borrower repays when the agents' rule says it can (agents/agent-policy.ts canRepay); a
 * loan unpaid at maturity plus grace is claimed by the lender. Loans are real: their cash and
 * collateral move on the engine's books, so they change the crisis as a lender's loans would.
 * Deterministic: the draws come from the run's seed.
 */
import { type Hex, keccak256, toHex } from "viem";
import { type AgentPolicy, createDefaultPolicy } from "../../agents/agent-policy.ts";
import { type Agreement, amountDue, signAgreement } from "../../core/agreement.ts";
import type { Signer } from "../../core/signer.ts";
import {
  type LoanObservation,
  PRICE_WINDOW_HOURS,
  priceWindowStats,
} from "../../models/valuation/loan-features.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import type { EnginePolicy, PolicyContext } from "../engine/engine-policy.ts";
import { minBig, protocolSigner, type World } from "../engine/world.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import { GRACE_PERIOD } from "../ledger/ledger.ts";
import { createRng, deriveSeed, type Rng } from "../paths/prng.ts";
import type { LoanOutcome } from "./loan-row.ts";
import { type StudyRequest, studyRequest } from "./study-requests.ts";

export type ProposalDraws = {
  everyHours: number;
  /** Principal as a share of the lender's surplus in the token. */
  principalShare: [number, number];
  /** Collateral value over principal value. */
  coverage: [number, number];
  tenorHours: readonly number[];
  maxRateBps: [number, number];
  /** Whose proposals: the study's own RFQs (study-requests.ts), random terms as drawn here, or
   *  both. The study's RFQs are what the model is asked about in `sim:study`. */
  source: "study" | "random" | "both";
};

export const defaultProposalDraws: ProposalDraws = {
  everyHours: 2,
  principalShare: [0.05, 0.6],
  coverage: [0.6, 1.8],
  // The study's RFQs ask for 24 h, or 336 h when a vault would fire-sell, at caps up to the
  // borrowers' shortfall cost (6,400 bps in the demo): random terms cover that region too.
  tenorHours: [6, 12, 24, 48, 168, 336],
  maxRateBps: [200, 8000],
  source: "both",
};

export type ProposedLoan = {
  step: number;
  lender: number;
  borrower: number;
  borrowerCashCover: number;
  /** Who proposed it: the study's own RFQ (study-requests.ts) or random terms. */
  source: "study" | "random";
  observation: LoanObservation;
  /** Set once the loan resolved (repaid, or claimed after grace), or marked at the run's end;
   *  undefined while open. */
  outcome?: LoanOutcome;
  /** The outcome is the run's end marked to market, not a repayment or a claim. */
  markedAtEnd?: boolean;
  /** The step the lender learned the outcome (repaid, claimed, or the run's last step). */
  resolvedStep?: number;
};

type Drawn = StudyRequest & { l: number; lenderNet: bigint; source: "study" | "random" };

type Open = {
  loan: ProposedLoan;
  id: Hex;
  agreement: Agreement;
  /** Chain time at settlement: maturity is this plus the tenor. */
  openedSec: bigint;
  collateralAsset: number;
  principalUsdAtStart: number;
  dueUsd: (world: World) => number;
};

export function createProposalPolicy(draws: ProposalDraws = defaultProposalDraws): EnginePolicy & {
  loans: ProposedLoan[];
} {
  const loans: ProposedLoan[] = [];
  let open: Open[] = [];
  let rng: Rng | undefined;
  let signers: Signer[] = [];
  let rule: AgentPolicy | undefined;
  let nonce = 0n;

  const pricesOf = (world: World, asset: number): number[] => {
    const span = Math.max(1, Math.round(PRICE_WINDOW_HOURS / world.stepHours));
    const out: number[] = [];
    for (let s = Math.max(0, world.step - span); s <= world.step; s++)
      out.push(Number(world.history[s * world.assetCount + asset]!) / 1e8);
    return out;
  };
  const usd = (world: World, asset: number, amount: bigint) =>
    (Number(amount) / world.scaleFloat[asset]!) * (Number(world.price[asset]!) / 1e8);
  const uniform = (r: Rng, [lo, hi]: [number, number]) => lo + (hi - lo) * r.nextFloat();

  const propose = async (ctx: PolicyContext, states: ProtocolState[]) => {
    const world = ctx.world;
    const r = rng!;
    const assetOf = (token: string) =>
      world.assets.findIndex((a) => a.address.toLowerCase() === token.toLowerCase());
    for (let b = 0; b < world.protocolCount; b++) {
      if (ctx.risk.halted[b]) continue;
      const pledges = states[b]!.pledgeable.filter((x) => x.amount > 0n);
      const lenders = [];
      for (let l = 0; l < world.protocolCount; l++)
        if (l !== b && !ctx.risk.halted[l] && states[l]!.liquidity.some((x) => x.net > 0n)) lenders.push(l);
      if (pledges.length === 0 || lenders.length === 0) continue;
      const drawn: Drawn[] = [];
      if (draws.source !== "random") {
        const q = studyRequest(world, b, states[b]!, rule!);
        const token = q ? world.assets[q.asset]!.address.toLowerCase() : "";
        const able = q
          ? lenders.filter((l) =>
              states[l]!.liquidity.some((x) => x.net > 0n && x.token.toLowerCase() === token),
            )
          : [];
        if (q && able.length > 0) {
          const l = able[r.nextUint32() % able.length]!;
          const net = states[l]!.liquidity.find((x) => x.net > 0n && x.token.toLowerCase() === token)!.net;
          // A lender lends at most its surplus; the collateral shrinks with the principal.
          const principal = minBig(q.principal, net);
          const collateral = (q.collateral * principal) / q.principal;
          drawn.push({ ...q, l, principal, collateral, lenderNet: net, source: "study" });
        }
      }
      if (draws.source !== "study") {
        const l = lenders[r.nextUint32() % lenders.length]!;
        const surplus = states[l]!.liquidity.filter((x) => x.net > 0n);
        const lend = surplus[r.nextUint32() % surplus.length]!;
        const pledge = pledges[r.nextUint32() % pledges.length]!;
        const a = assetOf(lend.token);
        const c = assetOf(pledge.token);
        if (a < 0 || c < 0) continue;
        const share = uniform(r, draws.principalShare);
        const principal = (lend.net * BigInt(Math.round(share * 1e6))) / 1_000_000n;
        const coverage = uniform(r, draws.coverage);
        const collPrice = Number(world.price[c]!) / 1e8;
        const wanted = BigInt(
          Math.floor(((usd(world, a, principal) * coverage) / collPrice) * world.scaleFloat[c]!),
        );
        drawn.push({
          l,
          asset: a,
          principal,
          collateralAsset: c,
          collateral: wanted < pledge.amount ? wanted : pledge.amount,
          tenorHours: draws.tenorHours[r.nextUint32() % draws.tenorHours.length]!,
          maxRateBps: Math.round(uniform(r, draws.maxRateBps)),
          lenderNet: lend.net,
          source: "random",
        });
      }
      for (const d of drawn) await settleOne(ctx, states, b, d);
    }
  };

  const settleOne = async (ctx: PolicyContext, states: ProtocolState[], b: number, d: Drawn) => {
    const world = ctx.world;
    const { l, asset: a, collateralAsset: c, principal, collateral, tenorHours, maxRateBps } = d;
    {
      const principalUsd = usd(world, a, principal);
      if (principal <= 0n || principalUsd < 1000) return;
      if (collateral <= 0n) return;
      const lend = { token: world.assets[a]!.address, net: d.lenderNet };
      const collStats = priceWindowStats(pricesOf(world, c), world.stepHours);
      const principalStats = priceWindowStats(pricesOf(world, a), world.stepHours);
      const borrowerCash = states[b]!.liquidity.find((x) => x.token === lend.token);
      const owed = world.owed[b * world.assetCount + a]!;
      const observation: LoanObservation = {
        principalUsd,
        collateralUsd: usd(world, c, collateral),
        tenorHours,
        maxRateBps,
        lenderFreeUsd: usd(world, a, lend.net),
        lenderHomeRateBps: states[l]!.opportunityRateBps,
        collateralVol24h: collStats.vol24h,
        collateralReturn24h: collStats.return24h,
        principalVol24h: principalStats.vol24h,
        sameAsset: a === c,
      };
      const agreement: Agreement = {
        sessionId: keccak256(toHex(`dataset:${world.seed}:${ctx.step}:${b}:${l}`)),
        lender: ctx.addresses[l]!,
        borrower: ctx.addresses[b]!,
        principalToken: world.assets[a]!.address,
        principal,
        collateralToken: world.assets[c]!.address,
        collateral,
        // The lender's rate: halfway between its home rate and the cap (the rate does not enter
        // the features; it only sets the amount due).
        rateBps: Math.round((states[l]!.opportunityRateBps + maxRateBps) / 2),
        tenor: tenorHours * 3600,
        nonce: ++nonce,
        deadline: ctx.nowSec + 3600n,
      };
      try {
        const { id } = await ctx.settlement(b).settle({
          agreement,
          lenderSignature: signAgreement(ctx.domain, agreement, signers[l]!),
          borrowerSignature: signAgreement(ctx.domain, agreement, signers[b]!),
        });
        const loan: ProposedLoan = {
          step: ctx.step,
          lender: l,
          borrower: b,
          borrowerCashCover: Number(borrowerCash?.liquid ?? 0n) / Math.max(1, Number(owed + principal)),
          source: d.source,
          observation,
        };
        loans.push(loan);
        const due = amountDue(agreement);
        open.push({
          loan,
          id,
          agreement,
          openedSec: ctx.nowSec,
          collateralAsset: c,
          principalUsdAtStart: principalUsd,
          dueUsd: (w) => usd(w, a, due),
        });
      } catch (error) {
        if (!(error instanceof LedgerRevertError)) throw error;
      }
    }
  };

  /**
   * A loan the run ends on (a 336 h loan outlasts every crisis window; a loan in its grace
   * period): labelled with what happened up to the horizon instead of dropped, which left the
   * study's long fire-sale loans out of the data. Shortfall: the borrower cannot repay the amount
   * due now; loss: that amount less the collateral marked to market now.
   */
  const markAtEnd = async (
    ctx: PolicyContext,
    o: Open,
    loanTerms: Parameters<AgentPolicy["canRepay"]>[1],
  ) => {
    const state = await ctx.adapters[o.loan.borrower]!.snapshot();
    const shortfall = !rule!.canRepay(state, loanTerms);
    const recovered = usd(ctx.world, o.collateralAsset, o.agreement.collateral);
    const lossShare = shortfall
      ? Math.min(1, Math.max(0, (o.dueUsd(ctx.world) - recovered) / o.principalUsdAtStart))
      : 0;
    o.loan.outcome = { shortfall, lossShare };
    o.loan.markedAtEnd = true;
    o.loan.resolvedStep = ctx.step;
  };

  const service = async (ctx: PolicyContext) => {
    const world = ctx.world;
    const still: Open[] = [];
    const last = ctx.step >= world.steps;
    for (const o of open) {
      const maturitySec = o.openedSec + BigInt(o.agreement.tenor);
      const matured = ctx.nowSec >= maturitySec;
      const loanTerms = {
        principal: o.agreement.principal,
        rateBps: o.agreement.rateBps,
        tenor: o.agreement.tenor,
        principalToken: o.agreement.principalToken,
      };
      if (!matured && last) {
        await markAtEnd(ctx, o, loanTerms);
        continue;
      }
      if (!matured) {
        still.push(o);
        continue;
      }
      const state = await ctx.adapters[o.loan.borrower]!.snapshot();
      if (rule!.canRepay(state, loanTerms)) {
        try {
          await ctx.settlement(o.loan.borrower).repay({ id: o.id, agreement: o.agreement });
          o.loan.outcome = { shortfall: false, lossShare: 0 };
          o.loan.resolvedStep = ctx.step;
          continue;
        } catch (error) {
          if (!(error instanceof LedgerRevertError)) throw error;
        }
      }
      if (ctx.nowSec > maturitySec + GRACE_PERIOD) {
        const dueUsd = o.dueUsd(world);
        const recovered = usd(world, o.collateralAsset, o.agreement.collateral);
        await ctx.settlement(o.loan.lender).claimDefault({ agreement: o.agreement });
        const lossShare = Math.min(1, Math.max(0, (dueUsd - recovered) / o.principalUsdAtStart));
        o.loan.outcome = { shortfall: true, lossShare };
        o.loan.resolvedStep = ctx.step;
        continue;
      }
      if (last) {
        await markAtEnd(ctx, o, loanTerms);
        continue;
      }
      still.push(o);
    }
    open = still;
  };

  return {
    name: "loan-dataset",
    loans,
    async onStep(ctx) {
      const world = ctx.world;
      if (!rng) {
        rng = createRng(deriveSeed(world.seed, 12_003));
        signers = world.protocols.map((_, i) => protocolSigner(i));
        rule = createDefaultPolicy({
          decimals: (t) => world.assets.find((a) => a.address.toLowerCase() === t.toLowerCase())?.decimals,
          oracle: (t) => {
            const i = world.assets.findIndex((a) => a.address.toLowerCase() === t.toLowerCase());
            return i < 0 ? undefined : world.price[i];
          },
        });
      }
      await service(ctx);
      const every = Math.max(1, Math.round(draws.everyHours / world.stepHours));
      if (ctx.step % every !== 0) return;
      const states = await Promise.all(ctx.adapters.map((x) => x.snapshot()));
      await propose(ctx, states);
    },
  };
}
