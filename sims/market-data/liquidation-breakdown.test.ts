import { describe, expect, it } from "vitest";
import { oracleLows, oracleRatios, seizedByReserve } from "./liquidation-breakdown.ts";

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

describe("oracleLows", () => {
  it("takes ETH/USD from stablecoin debt prices and BTC/USD from WBTC collateral in the same event", () => {
    const events = [
      ev({ reservePriceETHPrincipal: "400000000000000.0" }), // ETH $2,500
      ev({
        collateralReserve: "WBTC",
        reservePriceETHPrincipal: "491706782172441.0", // ETH $2,033.73
        reservePriceETHCollateral: "1.53e19", // 15.3 ETH per WBTC
        timestamp_utc: "2021-05-19 13:13:50+00:00",
      }),
      ev({ principalReserve: "LINK", reservePriceETHPrincipal: "1000000000000000.0" }), // not a USD stablecoin: $1,000 ignored
      ev({ reservePriceETHPrincipal: "600000000000000.0", timestamp_utc: "2021-05-20 01:00:00+00:00" }),
    ];
    const lows = oracleLows(events, "2021-05-19");
    expect(lows.eth?.usd).toBeCloseTo(2033.73, 2);
    expect(lows.eth?.time).toBe("2021-05-19 13:13:50+00:00");
    expect(lows.btc?.usd).toBeCloseTo(15.3 * 2033.73, 0);
  });
});
