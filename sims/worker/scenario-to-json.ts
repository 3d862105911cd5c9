/**
 * The inverse of the scenario schema's base-unit conversion: a validated Scenario back to the file
 * format (token amounts as decimal strings in whole tokens), so it can travel as JSON and be
 * validated again on arrival. parseScenario(scenarioToJson(s)) equals s (tested).
 */
import { formatUnits } from "viem";
import type { Scenario, ScenarioJson } from "../scenarios/scenario-schema.ts";

export function scenarioToJson(s: Scenario): ScenarioJson {
  const decimals = new Map(s.assets.map((a) => [a.symbol, a.decimals]));
  const units = (sym: string, x: bigint) => formatUnits(x, decimals.get(sym) ?? 0);
  const protocols = s.protocols.map(protocolToJson);
  const crossHoldings = s.crossHoldings.map((h) => ({ ...h, amount: units(h.asset, h.amount) }));
  return { ...s, protocols, crossHoldings } as ScenarioJson;

  function protocolToJson(p: Scenario["protocols"][number]) {
    switch (p.kind) {
      case "lending":
        return {
          ...p,
          reserves: p.reserves.map((r) => ({
            ...r,
            supplied: units(r.asset, r.supplied),
            borrowed: units(r.asset, r.borrowed),
          })),
        };
      case "amm":
        return {
          ...p,
          pools: p.pools.map((pool) => ({
            ...pool,
            reserves: pool.reserves.map((r) => ({ ...r, amount: units(r.asset, r.amount) })),
          })),
        };
      case "perp":
        return {
          ...p,
          traderCollateral: units(p.collateralAsset, p.traderCollateral),
          insuranceFund: units(p.collateralAsset, p.insuranceFund),
          markets: p.markets.map((m) => ({ ...m, openInterest: units(m.underlying, m.openInterest) })),
        };
      case "vault": {
        const { capPerDay, ...redemption } = p.redemption;
        return {
          ...p,
          liabilities: { ...p.liabilities, amount: units(p.liabilities.asset, p.liabilities.amount) },
          backing: p.backing.map((b) => ({ ...b, amount: units(b.asset, b.amount) })),
          redemption:
            capPerDay === undefined
              ? redemption
              : { ...redemption, capPerDay: units(p.liabilities.asset, capPerDay) },
        };
      }
    }
  }
}
