import { describe, expect, it } from "vitest";
import { oracleRatios, seizedByReserve } from "./liquidation-breakdown.ts";

const pool = "0xmain";
const ev = (over: Record<string, string>) => ({
  timestamp_utc: "2021-05-19 13:14:07+00:00",
  pool,
  collateralAmount: "0",
  collateralReserve: "USDC",
  principalReserve: "USDT",
  reservePriceUSDCollateral: "",
  reservePriceETHPrincipal: "",
  reservePriceETHCollateral: "",
  ...over,
});
const decimals = new Map([
  [`USDC|${pool}`, 6],
  [`WBTC|${pool}`, 8],
  [`WETH|${pool}`, 18],
]);

describe("seizedByReserve", () => {
  it("values each reserve with its own decimals, WETH at the hour's ETH price, and skips other days", () => {
    const events = [
      ev({ collateralReserve: "WBTC", collateralAmount: "200000000", reservePriceUSDCollateral: "40000" }),
      ev({ collateralReserve: "USDC", collateralAmount: "5000000", reservePriceUSDCollateral: "1" }),
      ev({ collateralReserve: "WETH", collateralAmount: "2000000000000000000" }),
      ev({
        collateralReserve: "WETH",
        collateralAmount: "1000000000000000000",
        timestamp_utc: "2021-05-20 01:00:00+00:00",
      }),
      ev({ collateralReserve: "AmmWETH", collateralAmount: "1" }),
    ];
    const rows = seizedByReserve(events, decimals, "2021-05-19", (h) => (h === "13" ? 2500 : undefined));
    expect(rows.map((r) => [r.reserve, r.usd, r.events, r.unvalued])).toEqual([
      ["WBTC", 80_000, 1, 0],
      ["WETH", 5_000, 1, 0],
      ["USDC", 5, 1, 0],
      ["AmmWETH", 0, 1, 1],
    ]);
  });
});

describe("oracleRatios", () => {
  it("gives the oracle's debt price over collateral price for the day's events with that collateral", () => {
    const events = [
      ev({ reservePriceETHPrincipal: "468641173067511.0", reservePriceETHCollateral: "429640000000000.0" }),
      ev({ collateralReserve: "WBTC", reservePriceETHPrincipal: "1", reservePriceETHCollateral: "1" }),
      ev({ reservePriceETHPrincipal: "" }),
    ];
    const r = oracleRatios(events, "2021-05-19", "USDC");
    expect(r).toHaveLength(1);
    expect(r[0]?.debt).toBe("USDT");
    expect(r[0]?.ratio).toBeCloseTo(1.0908, 4);
  });
});
