/**
 * The fast built-in policy: what the real agents would decide, computed in-process.
 *
 * Negotiation: every step each protocol's state goes through agents/agent-policy.ts
 * createDefaultPolicy exactly as an agent's would: a protocol that is short broadcasts an RFQ,
 * each peer with surplus decides whether to bid, and each bidder bargains with the borrower
 * by alternating offers between the policy's own time-dependent strategies
 * (negotiation/strategies), lender first, up to `maxRounds` offers each, as the session machine
 * does. The borrower takes the cheapest agreement; both sign it (EIP-712) and the borrower
 * settles it on the ledger. Borrowers repay when the policy says they can; lenders claim the
 * collateral of loans unpaid after maturity plus grace.
 *
 * De-risking: each protocol votes when an asset it is exposed to has fallen past a level's
 * threshold; when a quorum votes, the alert level rises and every protocol applies its
 * pre-committed action for that level once (engine-adapter.ts tighten).
 */
import { type Hex, keccak256, toHex } from "viem";
import {
  type AgentPolicy,
  createDefaultPolicy,
  type DefaultPolicyParameters,
} from "../../agents/agent-policy.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { createSigner, type Signer } from "../../core/signer.ts";
import type { SessionView, Strategy, Terms } from "../../negotiation/strategies/strategy.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import { GRACE_PERIOD } from "../ledger/ledger.ts";
import type { EnginePolicy, PolicyContext } from "./engine-policy.ts";
import { protocolKey, valueUsd8, type World } from "./world.ts";

export type BuiltinPolicyParameters = {
  negotiation: boolean;
  derisking: boolean;
  /** Overrides of the agents' default policy (haircut, premium, tenor, concession...). */
  agentPolicy?: Partial<Omit<DefaultPolicyParameters, "decimals" | "oracle">> | undefined;
  /** Offers each side may make (the session default). */
  maxRounds?: number | undefined;
  /** Drawdown thresholds of alert levels 1, 2, ... */
  alertDrawdowns?: readonly number[] | undefined;
  /** Share of protocols that must vote for an alert. */
  quorumShare?: number | undefined;
  /** De-risking strength per level and kind, bps (see engine-adapter.ts tighten). */
  tightenBps?: { lending: number; perp: number; vault: number } | undefined;
};

export type BargainResult = { terms: Terms; rounds: number } | undefined;

/** Alternating offers between two strategies, lender first, as negotiation/protocols does it. */
export function bargain(lender: Strategy, borrower: Strategy, maxRounds: number): BargainResult {
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
    if (onTable && me.s.accept(view, onTable))
      return { terms: onTable, rounds: sides[0]!.round + sides[1]!.round };
    if (me.round >= maxRounds) return undefined;
    onTable = me.s.propose(view);
    me.myLast = onTable;
    me.round++;
  }
}

export function createBuiltinPolicy(p: BuiltinPolicyParameters): EnginePolicy {
  const maxRounds = p.maxRounds ?? 4;
  const levels = p.alertDrawdowns ?? [0.15, 0.3];
  const quorumShare = p.quorumShare ?? 0.5;
  const bps = p.tightenBps ?? { lending: 300, perp: 3000, vault: 200 };
  let agentPolicy: AgentPolicy | undefined;
  let signers: Signer[] = [];
  let exposure: number[][] = [];
  let alertLevel = 0;
  let nonce = 0n;
  const agreements = new Map<Hex, Agreement>();
  const noDeal = new Set<number>();

  const init = (w: World) => {
    const byAddress = new Map(w.assets.map((a, i) => [a.address.toLowerCase(), i]));
    agentPolicy = createDefaultPolicy({
      ...p.agentPolicy,
      decimals: (t) => {
        const i = byAddress.get(t.toLowerCase());
        return i === undefined ? undefined : w.assets[i]!.decimals;
      },
      oracle: (t) => {
        const i = byAddress.get(t.toLowerCase());
        return i === undefined ? undefined : w.price[i];
      },
    });
    signers = w.protocols.map((_, i) => createSigner(protocolKey(i)));
    exposure = w.protocols.map((_, i) => exposedAssets(w, i));
  };

  const negotiate = async (ctx: PolicyContext) => {
    const { world: w, adapters } = ctx;
    const policy = agentPolicy!;
    const states: ProtocolState[] = await Promise.all(adapters.map((a) => a.snapshot()));
    const reserved = new Array<bigint>(w.nP).fill(0n);
    for (let b = 0; b < w.nP; b++) {
      const rfq = policy.borrowRequest(states[b]!);
      if (!rfq) continue;
      let best: { lender: number; terms: Terms; rounds: number } | undefined;
      for (let l = 0; l < w.nP; l++) {
        if (l === b) continue;
        const strategy = policy.lenderStrategy(states[l]!, rfq, reserved[l]!);
        if (!strategy) continue;
        const deal = bargain(strategy, policy.borrowerStrategy(states[b]!, rfq), maxRounds);
        if (deal && (!best || deal.terms.rateBps < best.terms.rateBps)) best = { lender: l, ...deal };
      }
      if (!best) {
        if (!noDeal.has(b))
          ctx.record({
            type: "no-deal",
            step: ctx.step,
            borrower: w.protocols[b]!.id,
            reason: "no lender bid",
          });
        noDeal.add(b);
        continue;
      }
      const agreement: Agreement = {
        sessionId: keccak256(toHex(`${w.seed}:${ctx.step}:${b}:${best.lender}`)),
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
      };
      try {
        const { id } = await ctx.settlement(b).settle({
          agreement,
          lenderSignature: signAgreement(ctx.domain, agreement, signers[best.lender]!),
          borrowerSignature: signAgreement(ctx.domain, agreement, signers[b]!),
        });
        agreements.set(id, agreement);
        reserved[best.lender] = reserved[best.lender]! + agreement.principal;
        noDeal.delete(b);
        const asset = w.assets.findIndex((a) => a.address === agreement.principalToken);
        ctx.record({
          type: "loan",
          step: ctx.step,
          lender: w.protocols[best.lender]!.id,
          borrower: w.protocols[b]!.id,
          asset: w.assets[asset]!.symbol,
          principal: agreement.principal,
          principalUsd8: valueUsd8(w, asset, agreement.principal),
          rateBps: agreement.rateBps,
          rounds: best.rounds,
        });
      } catch (error) {
        if (!(error instanceof LedgerRevertError)) throw error;
        ctx.record({ type: "no-deal", step: ctx.step, borrower: w.protocols[b]!.id, reason: error.reason });
      }
    }

    // Service loans: repay what the policy says can be repaid; claim what is overdue.
    for (const loan of w.loans) {
      if (loan.status !== "active") continue;
      const agreement = agreements.get(loan.id);
      if (!agreement) continue;
      const state = await adapters[loan.borrower]!.snapshot();
      const open = {
        principal: agreement.principal,
        rateBps: agreement.rateBps,
        tenor: agreement.tenor,
        principalToken: agreement.principalToken,
      };
      if (policy.canRepay(state, open)) {
        try {
          await ctx.settlement(loan.borrower).repay({ id: loan.id, agreement });
        } catch (error) {
          if (!(error instanceof LedgerRevertError)) throw error;
        }
      } else if (ctx.nowSec > BigInt(loan.maturitySec) + GRACE_PERIOD) {
        await ctx.settlement(loan.lender).claimDefault({ agreement });
      }
    }
  };

  const derisk = async (ctx: PolicyContext) => {
    const w = ctx.world;
    const drawdown = w.assets.map((_, a) => 1 - w.priceF[a]! / w.pathF[a]![0]!);
    let level = 0;
    let votes = 0;
    for (let L = 1; L <= levels.length; L++) {
      const v = exposure.filter((assets) => assets.some((a) => drawdown[a]! >= levels[L - 1]!)).length;
      if (v >= Math.ceil(quorumShare * w.nP)) {
        level = L;
        votes = v;
      }
    }
    while (alertLevel < level) {
      alertLevel++;
      ctx.record({
        type: "alert",
        step: ctx.step,
        level: alertLevel,
        votes,
        of: w.nP,
        reason: `${ctx.risk.drawdownAsset} down ${(ctx.risk.maxDrawdown * 100).toFixed(1)}%`,
      });
      for (let i = 0; i < w.nP; i++) {
        const kind = w.protocols[i]!.kind;
        if (kind === "amm") continue;
        const b = bps[kind];
        await ctx.adapters[i]!.apply({ type: "derisk.tighten", bps: b });
        ctx.record({
          type: "derisk",
          step: ctx.step,
          protocol: w.protocols[i]!.id,
          action: `tighten ${b} bps`,
        });
      }
    }
  };

  return {
    name:
      p.negotiation && p.derisking
        ? "both"
        : p.negotiation
          ? "negotiation"
          : p.derisking
            ? "derisking"
            : "off",
    async onStep(ctx) {
      if (!agentPolicy) init(ctx.world);
      if (p.derisking) await derisk(ctx);
      if (p.negotiation) await negotiate(ctx);
    },
  };
}

/** Assets a protocol's health depends on: what it lends against, trades, holds or owes. */
function exposedAssets(w: World, p: number): number[] {
  const set = new Set<number>();
  const L = w.lending;
  const s = w.lendingSlotOf[p]!;
  if (s >= 0) for (let r = 0; r < L.resAsset.length; r++) if (L.resSlot[r] === s) set.add(L.resAsset[r]!);
  for (const m of w.perp.markets) if (m.protocol === p) set.add(m.asset);
  const v = w.vaultOf[p]!;
  if (v >= 0) {
    const vault = w.vaults[v]!;
    set.add(vault.liabAsset);
    for (const h of vault.held) set.add(h.asset);
  }
  for (const venue of w.venues) {
    if (venue.protocol !== p) continue;
    set.add(venue.x);
    if (venue.y >= 0) set.add(venue.y);
  }
  for (let a = 0; a < w.nA; a++) if (w.bal[p * w.nA + a]! > 0n) set.add(a);
  return [...set];
}
