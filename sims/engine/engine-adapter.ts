/**
 * A ProtocolAdapter over one protocol of the engine: `snapshot()` reports its liquidity, what it
 * can pledge and its rates as a ProtocolState (what an agent sees of a real protocol), `apply()`
 * carries out de-risking. Loan actions are recorded only: settlement through the engine's ledger
 * already moved the money (see engine-bank.ts).
 */
import type { Address } from "viem";
import type { AdapterAction, ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import {
  borrowRateBps,
  supplyRateBps,
  utilizationBps,
} from "../../protocol-adapters/simulated/interest-rate-model.ts";
import { spendable } from "./liquidity.ts";
import { BPS, unitsForUsd8, valueUsd8, vaultParUsd8, type World } from "./world.ts";

/** What a shortfall costs each kind of protocol, bps a year: a lending market at 100%
 *  utilization pays its top borrow rate; a perp deleverages traders; a vault sells at a loss. */
export function shortfallCostBps(w: World, kind: string): number {
  if (kind === "lending") return borrowRateBps(w.options.rateModel, 10_000);
  if (kind === "perp") return 2500;
  if (kind === "vault") return 5000;
  return 0;
}

type Liquidity = ProtocolState["liquidity"][number];

export function createEngineAdapter(w: World, p: number): ProtocolAdapter {
  const info = w.protocols[p]!;
  const entry = (a: number, liquid: bigint, net: bigint): Liquidity => ({
    token: w.assets[a]!.address,
    symbol: w.assets[a]!.symbol.slice(0, 16),
    decimals: w.assets[a]!.decimals,
    liquid,
    net,
  });

  const lending = () => {
    const L = w.lending;
    const slot = w.lendingSlotOf[p]!;
    const liquidity: Liquidity[] = [];
    const pledgeable: ProtocolState["pledgeable"] = [];
    let opportunity = 0;
    let maxU = 0;
    for (let r = 0; r < L.resAsset.length; r++) {
      if (L.resSlot[r] !== slot || L.minted[r]) continue;
      const a = L.resAsset[r]!;
      const liquid = spendable(w, p, a);
      // The buffer covers depositors who may withdraw, not collateral that backs open loans.
      const buffer = ((L.supplied[r]! - L.posted[r]!) * BigInt(L.bufferBps[slot]!)) / BPS;
      let net = liquid - buffer - w.owed[p * w.nA + a]!;
      if (L.creditPaused[slot] && net > 0n) net = 0n;
      liquidity.push(entry(a, liquid, net));
      if (net > 0n && w.owed[p * w.nA + a]! === 0n)
        pledgeable.push({ token: w.assets[a]!.address, amount: net });
      const u = utilizationBps(L.borrowed[r]!, L.supplied[r]!);
      maxU = Math.max(maxU, u);
      opportunity = Math.max(opportunity, supplyRateBps(w.options.rateModel, Math.min(10_000, u)));
    }
    // Short entries first: an agent borrows for the first shortfall it finds.
    liquidity.sort((x, y) => (x.net < 0n ? -1 : 0) - (y.net < 0n ? -1 : 0));
    return {
      liquidity,
      pledgeable,
      opportunity,
      risk: { utilizationBps: maxU, ltScaleBps: Math.round(L.ltScale[slot]! * 10_000) },
    };
  };

  const perp = () => {
    const s = w.perpSlotOf[p]!;
    const a = w.perp.collAsset[s]!;
    const liquid = spendable(w, p, a);
    const float = (w.perp.idle[s]! > 0n ? w.perp.idle[s]! : 0n) / 50n;
    const liquidity = [entry(a, liquid, liquid - float - w.owed[p * w.nA + a]!)];
    const pledgeable: ProtocolState["pledgeable"] = [];
    for (let b = 0; b < w.nA; b++) {
      if (b !== a && w.bal[p * w.nA + b]! > 0n)
        pledgeable.push({ token: w.assets[b]!.address, amount: w.bal[p * w.nA + b]! });
    }
    return {
      liquidity,
      pledgeable,
      opportunity: 0,
      risk: { insuranceUsd: Number(valueUsd8(w, a, w.perp.insurance[s]!) / 10n ** 8n) },
    };
  };

  const vault = () => {
    const v = w.vaults[w.vaultOf[p]!]!;
    let payout = v.parAsset;
    if (payout < 0) for (let a = 0; a < w.nA && payout < 0; a++) if (w.bal[p * w.nA + a]! > 0n) payout = a;
    if (payout < 0) payout = v.liabAsset;
    // Cash is needed only for what the vault will pay this step (its redemption cap, if any).
    let owed = w.owed[p * w.nA + v.liabAsset]!;
    if (v.capPerStep !== undefined && owed > v.capPerStep) owed = v.capPerStep;
    if (v.mode === "paused" || v.gated) owed = 0n;
    const owedValue =
      (((owed * vaultParUsd8(w, v)) / w.assets[v.liabAsset]!.scale) * (BPS - BigInt(v.feeBps))) / BPS;
    const liquid = w.bal[p * w.nA + payout]!;
    const liquidity = [entry(payout, liquid, liquid - unitsForUsd8(w, payout, owedValue))];
    const pledgeable: ProtocolState["pledgeable"] = [];
    for (const h of v.held)
      if (h.liquidity === "illiquid" && h.amount > 0n)
        pledgeable.push({ token: w.assets[h.asset]!.address, amount: h.amount });
    return {
      liquidity,
      pledgeable,
      opportunity: 0,
      risk: {
        liabilitiesUsd: Number(
          (v.liabilities * vaultParUsd8(w, v)) / w.assets[v.liabAsset]!.scale / 10n ** 8n,
        ),
      },
    };
  };

  const view = () => {
    switch (info.kind) {
      case "lending":
        return lending();
      case "perp":
        return perp();
      case "vault":
        return vault();
      case "amm":
        return { liquidity: [], pledgeable: [], opportunity: 0, risk: {} };
    }
  };

  return {
    protocolId: info.id,
    kind: info.kind,
    async snapshot(): Promise<ProtocolState> {
      const v = view();
      return {
        v: PROTOCOL_STATE_VERSION,
        protocolId: info.id,
        kind: info.kind,
        timestamp: Number(w.startTime) + Math.round(w.step * w.stepHours * 3600),
        liquidity: v.liquidity,
        pledgeable: v.pledgeable,
        prices: w.assets.map((a, i) => ({ token: a.address, usd8: w.price[i]! })),
        opportunityRateBps: v.opportunity,
        shortfallCostBps: shortfallCostBps(w, info.kind),
        risk: v.risk,
      };
    },
    async apply(action: AdapterAction): Promise<void> {
      switch (action.type) {
        case "derisk.tighten":
          tighten(w, p, action.bps);
          return;
        case "derisk.pauseCredit": {
          const s = w.lendingSlotOf[p]!;
          if (s >= 0) w.lending.creditPaused[s] = action.paused ? 1 : 0;
          return;
        }
        default:
          // Loans: the ledger already moved principal and collateral in the engine's books.
          return;
      }
    },
  };
}

/** De-risking by kind: lenders lower liquidation thresholds (liquidate earlier, with more
 *  collateral left), perps raise maintenance margins, vaults cap redemptions at `bps` of
 *  liabilities a day. */
export function tighten(w: World, p: number, bps: number): void {
  const kind = w.protocols[p]!.kind;
  if (kind === "lending") {
    const s = w.lendingSlotOf[p]!;
    w.lending.ltScale[s] = w.lending.ltScale[s]! * (1 - bps / 10_000);
  } else if (kind === "perp") {
    for (const m of w.perp.markets) if (m.protocol === p) m.mmBps = Math.round(m.mmBps * (1 + bps / 10_000));
  } else if (kind === "vault") {
    const v = w.vaults[w.vaultOf[p]!]!;
    const cap = (v.liabilities * BigInt(bps) * BigInt(Math.round(w.stepHours * 1000))) / (BPS * 24_000n);
    v.capPerStep = v.capPerStep === undefined || cap < v.capPerStep ? cap : v.capPerStep;
  }
}

export function protocolAddresses(w: World): Address[] {
  return w.protocols.map((x) => x.address);
}
