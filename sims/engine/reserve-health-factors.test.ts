/**
 * A collateral reserve with its own initialHealthFactor: positions it backs draw their health
 * factors from it, the others from the protocol's (the may-2021 Aave WBTC book, fitted on WBTC's
 * own liquidations, sits nearer liquidation than WETH's).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario, SCENARIO_LIBRARY_DIR } from "../scenarios/load-scenario.ts";
import { buildWorld, type World } from "./world.ts";

// biome-ignore lint/suspicious/noExplicitAny: the test edits the scenario JSON
const may2021 = (): Record<string, any> =>
  JSON.parse(readFileSync(join(SCENARIO_LIBRARY_DIR, "may-2021-deleveraging.json"), "utf8"));

/** Start health factor of every position of protocol `id`, by collateral symbol. */
function healthByCollateral(world: World, id: string): Map<string, number[]> {
  const p = world.scenario.protocols.findIndex((x) => x.id === id);
  const slot = world.lendingSlotOf[p]!;
  const l = world.lending;
  const out = new Map<string, number[]>();
  for (let i = 0; i < l.positionSlot.length; i++) {
    if (l.positionSlot[i] !== slot || !l.positionActive[i]) continue;
    const c = l.positionCollateralAsset[i]!;
    const d = l.positionDebtAsset[i]!;
    const hf =
      (l.collateralFloat[i]! * world.priceFloat[c]! * l.positionThreshold[i]!) /
      (l.scaledDebtFloat[i]! * world.priceFloat[d]!);
    const sym = world.assets[c]!.symbol;
    out.set(sym, [...(out.get(sym) ?? []), hf]);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("per-reserve health-factor books", () => {
  it("draws WBTC-backed positions from WBTC's distribution and the rest from their own", () => {
    const json = may2021();
    const aave = json.protocols.find((x: { id: string }) => x.id === "aave-v2");
    const wbtc = aave.reserves.find((r: { asset: string }) => r.asset === "WBTC");
    wbtc.initialHealthFactor = { ...wbtc.initialHealthFactor, medianExcess: 0.3, sigma: 0.05 };
    const world = buildWorld({ scenario: parseScenario(json), options: { positionsPerLending: 2000 } });
    const hf = healthByCollateral(world, "aave-v2");
    const w = hf.get("WBTC")!;
    expect(w.length).toBeGreaterThan(100);
    // Small rounding from integer token amounts only.
    for (const x of w) expect(Math.abs(x - 1.3)).toBeLessThan(0.1);
    expect(median(hf.get("ETH")!)).toBeGreaterThan(3);
    expect(median(hf.get("USDC")!)).toBeGreaterThan(3);
  });
});
