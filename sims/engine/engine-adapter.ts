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
import type { EngineBooks } from "./engine-books.ts";
import { spendable } from "./liquidity.ts";
import { BPS, unitsForUsd8, valueUsd8, vaultParUsd8, type World } from "./world.ts";

/** What a shortfall costs each kind of protocol, bps a year: a lending market at 100%
 *  utilization pays its top borrow rate; a perp deleverages traders; a vault sells at a loss. */
export function shortfallCostBps(world: World, kind: string): number {
  if (kind === "lending") return borrowRateBps(world.options.rateModel, 10_000);
  if (kind === "perp") return 2500;
  if (kind === "vault") return 5000;
  return 0;
}

type Liquidity = ProtocolState["liquidity"][number];

/** `books`: the engine's book source (engine-books.ts); with it the adapter reports its book for
 *  the contagion model, as of the last step the source observed. */
export function createEngineAdapter(world: World, p: number, books?: EngineBooks): ProtocolAdapter {
  const info = world.protocols[p]!;
  const derisking = createDerisking(world, p);
  const entry = (a: number, liquid: bigint, net: bigint): Liquidity => ({
    token: world.assets[a]!.address,
    symbol: world.assets[a]!.symbol.slice(0, 16),
    decimals: world.assets[a]!.decimals,
    liquid,
    net,
  });

  const lending = () => {
    const L = world.lending;
    const slot = world.lendingSlotOf[p]!;
    const liquidity: Liquidity[] = [];
    const pledgeable: ProtocolState["pledgeable"] = [];
    let opportunity = 0;
    let maxU = 0;
    for (let r = 0; r < L.reserveAsset.length; r++) {
      if (L.reserveSlot[r] !== slot || L.minted[r]) continue;
      const a = L.reserveAsset[r]!;
      const liquid = spendable(world, p, a);
      // The buffer covers depositors who may withdraw, not collateral that backs open loans.
      const buffer = ((L.supplied[r]! - L.posted[r]!) * BigInt(L.bufferBps[slot]!)) / BPS;
      let net = liquid - buffer - world.owed[p * world.assetCount + a]!;
      if (L.creditPaused[slot] && net > 0n) net = 0n;
      liquidity.push(entry(a, liquid, net));
      if (net > 0n && world.owed[p * world.assetCount + a]! === 0n)
        pledgeable.push({ token: world.assets[a]!.address, amount: net });
      const u = utilizationBps(L.borrowed[r]!, L.supplied[r]!);
      maxU = Math.max(maxU, u);
      opportunity = Math.max(opportunity, supplyRateBps(world.options.rateModel, Math.min(10_000, u)));
    }
    // Short entries first: an agent borrows for the first shortfall it finds.
    liquidity.sort((x, y) => (x.net < 0n ? -1 : 0) - (y.net < 0n ? -1 : 0));
    return {
      liquidity,
      pledgeable,
      opportunity,
      risk: { utilizationBps: maxU, ltScaleBps: Math.round(L.thresholdScale[slot]! * 10_000) },
    };
  };

  const perp = () => {
    const s = world.perpSlotOf[p]!;
    const a = world.perp.collateralAsset[s]!;
    const liquid = spendable(world, p, a);
    const float = (world.perp.idle[s]! > 0n ? world.perp.idle[s]! : 0n) / 50n;
    const liquidity = [entry(a, liquid, liquid - float - world.owed[p * world.assetCount + a]!)];
    const pledgeable: ProtocolState["pledgeable"] = [];
    for (let b = 0; b < world.assetCount; b++) {
      if (b !== a && world.balance[p * world.assetCount + b]! > 0n)
        pledgeable.push({
          token: world.assets[b]!.address,
          amount: world.balance[p * world.assetCount + b]!,
        });
    }
    return {
      liquidity,
      pledgeable,
      opportunity: 0,
      risk: { insuranceUsd: Number(valueUsd8(world, a, world.perp.insurance[s]!) / 10n ** 8n) },
    };
  };

  const vault = () => {
    const v = world.vaults[world.vaultOf[p]!]!;
    let payout = v.parAsset;
    if (payout < 0)
      for (let a = 0; a < world.assetCount && payout < 0; a++)
        if (world.balance[p * world.assetCount + a]! > 0n) payout = a;
    if (payout < 0) payout = v.liabilityAsset;
    // Cash is needed only for what the vault will pay this step (its redemption cap, if any).
    let owed = world.owed[p * world.assetCount + v.liabilityAsset]!;
    if (v.capPerStep !== undefined && owed > v.capPerStep) owed = v.capPerStep;
    if (v.mode === "paused" || v.gated) owed = 0n;
    const owedValue =
      (((owed * vaultParUsd8(world, v)) / world.assets[v.liabilityAsset]!.scale) * (BPS - BigInt(v.feeBps))) /
      BPS;
    const liquid = world.balance[p * world.assetCount + payout]!;
    const liquidity = [entry(payout, liquid, liquid - unitsForUsd8(world, payout, owedValue))];
    const pledgeable: ProtocolState["pledgeable"] = [];
    for (const h of v.held)
      if (h.liquidity === "illiquid" && h.amount > 0n)
        pledgeable.push({ token: world.assets[h.asset]!.address, amount: h.amount });
    return {
      liquidity,
      pledgeable,
      opportunity: 0,
      risk: {
        liabilitiesUsd: Number(
          (v.liabilities * vaultParUsd8(world, v)) / world.assets[v.liabilityAsset]!.scale / 10n ** 8n,
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
        timestamp: Number(world.startTime) + Math.round(world.step * world.stepHours * 3600),
        liquidity: v.liquidity,
        pledgeable: v.pledgeable,
        prices: world.assets.map((a, i) => ({ token: a.address, usd8: world.price[i]! })),
        opportunityRateBps: v.opportunity,
        shortfallCostBps: shortfallCostBps(world, info.kind),
        risk: v.risk,
      };
    },
    ...(books ? { book: async () => books.book(p) } : {}),
    async apply(action: AdapterAction): Promise<void> {
      switch (action.type) {
        case "derisk.tighten":
          derisking.tighten(action.bps);
          return;
        case "derisk.release":
          derisking.release(action.bps);
          return;
        case "derisk.pauseCredit": {
          const s = world.lendingSlotOf[p]!;
          if (s >= 0) world.lending.creditPaused[s] = action.paused ? 1 : 0;
          return;
        }
        default:
          // Loans: the ledger already moved principal and collateral in the engine's books.
          return;
      }
    },
  };
}

/**
 * De-risking by kind, reversibly: lenders lower liquidation thresholds (liquidate earlier, with
 * more collateral left), perps raise maintenance margins, vaults cap redemptions at `bps` of
 * liabilities a day. Each protocol keeps the tightenings in force; releasing one (its alert
 * expired) recomputes the parameters from the configured ones, so tighten then release restores
 * them exactly.
 */
export function createDerisking(world: World, p: number) {
  const kind = world.protocols[p]!.kind;
  const applied: number[] = [];
  const baseMargins = world.perp.markets.map((m) => m.maintenanceMarginBps);
  const vault = world.vaultOf[p]! >= 0 ? world.vaults[world.vaultOf[p]!]! : undefined;
  const capsBefore: (bigint | undefined)[] = [];
  const recompute = () => {
    if (kind === "lending") {
      const slot = world.lendingSlotOf[p]!;
      world.lending.thresholdScale[slot] = applied.reduce((x, bps) => x * (1 - bps / 10_000), 1);
    } else if (kind === "perp") {
      world.perp.markets.forEach((m, j) => {
        if (m.protocol !== p) return;
        m.maintenanceMarginBps = Math.round(
          applied.reduce((x, bps) => x * (1 + bps / 10_000), baseMargins[j]!),
        );
      });
    }
  };
  return {
    tighten(bps: number): void {
      applied.push(bps);
      if (vault) {
        capsBefore.push(vault.capPerStep);
        const cap =
          (vault.liabilities * BigInt(bps) * BigInt(Math.round(world.stepHours * 1000))) / (BPS * 24_000n);
        vault.capPerStep = vault.capPerStep === undefined || cap < vault.capPerStep ? cap : vault.capPerStep;
      }
      recompute();
    },
    release(bps: number): void {
      const at = applied.lastIndexOf(bps);
      if (at < 0) return;
      applied.splice(at, 1);
      if (vault) vault.capPerStep = capsBefore.pop() ?? vault.baseCapPerStep;
      recompute();
    },
    /** Tightenings in force. */
    active: () => applied.length,
  };
}

export function protocolAddresses(world: World): Address[] {
  return world.protocols.map((x) => x.address);
}
