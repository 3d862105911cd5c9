/**
 * score-market on periods the model never saw: 2023-2024 exchange files, funding from three
 * venues and clocks, the 15-minute USDC file, and a synthetic Aave file in the layout of the
 * until-2021 files moved to 2023 (the .from-2022-01 files have that layout). Every hour the
 * inputs cover gets a row; missing optional roles still score; bad manifests name the role.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestError } from "../errors.ts";
import { dataFile, haveMarketData } from "../testing/market-data.ts";
import { REPO_ROOT, SHIPPED_WEIGHTS, WEIGHTS_DIR } from "./paths.ts";
import { scoreMarket } from "./score-market.ts";

const dir = mkdtempSync(join(tmpdir(), "score-market-"));
const weights = join(WEIGHTS_DIR, SHIPPED_WEIGHTS);
const DAYS_2021_TO_2023 = 730;

/** The until-2021 WETH market file with every time moved two years later (a stand-in for .from-2022-01). */
function syntheticAave2023(): string {
  const src = readFileSync(
    dataFile("aave_v2_WETH_market_1h_messari-subgraph_2020-11_2023-06.until-2021-12.csv"),
    "utf8",
  ).split(/\r?\n/);
  const shift = DAYS_2021_TO_2023 * 86_400_000;
  const out = [src[0]!];
  for (const line of src.slice(1)) {
    if (!line.trim()) continue;
    const c = line.split(",");
    const hour = Date.parse(`${c[0]!.replace(" ", "T")}Z`);
    if (hour < Date.UTC(2021, 0, 1) || hour >= Date.UTC(2021, 6, 1)) continue;
    c[0] = new Date(hour + shift).toISOString().slice(0, 19).replace("T", " ");
    c[1] = String(Number(c[1]) + shift / 1000);
    out.push(c.join(","));
  }
  const f = join(dir, "aave_v2_WETH_market_1h_synthetic.from-2022-01.csv");
  writeFileSync(f, `${out.join("\r\n")}\r\n`);
  return f;
}

function readScores(f: string) {
  const lines = readFileSync(f, "utf8").trim().split("\n");
  return {
    header: lines[0],
    rows: lines.slice(1).map((l) => {
      const [hour, p, lo, hi] = l.split(",");
      return { hour: hour!, p: Number(p), lo: Number(lo), hi: Number(hi) };
    }),
  };
}

describe.skipIf(!haveMarketData)("score-market", () => {
  it("scores every hour of 2023-2024 from unseen files, through gaps in optional roles", () => {
    const manifest = join(dir, "m.json");
    writeFileSync(
      manifest,
      JSON.stringify({
        ethPrice: dataFile("price_ETHUSDT_1h_binance-usdm-perp_2023-01_2024-12.csv"),
        btcPrice: dataFile("price_BTCUSDT_1h_binance-usdm-perp_2023-01_2024-12.csv"),
        ethFunding: dataFile("funding_ETHUSDT-perp_8h_bybit_2021-2023.csv"),
        btcFunding: dataFile("funding_BTCUSDT-perp_1h_dydx_2022-2023.csv"),
        usdcPrice: dataFile("price_USDC_usd_15m_stablesafe_2023-03-09_2023-03-18.csv"),
        aaveWeth: syntheticAave2023(),
      }),
    );
    const out = join(dir, "scores.csv");
    const r = scoreMarket({ manifest, weights, out });
    const s = readScores(out);
    expect(s.header).toBe("hour_utc,p,p_low,p_high");
    // Perp candles 2023-01-01 00:00 .. 2024-12-31 23:00: closes known 01:00 .. 2025-01-01 00:00.
    expect(s.rows.length).toBe(17544);
    expect(s.rows[0]!.hour).toBe("2023-01-01 01:00:00");
    expect(s.rows.at(-1)!.hour).toBe("2025-01-01 00:00:00");
    for (const x of s.rows) {
      expect(x.lo).toBeGreaterThanOrEqual(0);
      expect(x.hi).toBeLessThanOrEqual(1);
      expect(x.lo).toBeLessThanOrEqual(x.p);
      expect(x.p).toBeLessThanOrEqual(x.hi);
    }
    // Funding ends with 2023, Aave with June 2023, USDC covers nine days: the rest scores through masks.
    expect(r.presentShare.aaveWeth).toBeGreaterThan(0.2);
    expect(r.presentShare.aaveWeth).toBeLessThan(0.3);
    expect(r.presentShare.usdc).toBeLessThan(0.02);
    expect(r.presentShare.aaveUsdc).toBe(0);
  });

  it("scores with ethPrice alone, and the optional roles change the scores", () => {
    const only = join(dir, "eth-only.json");
    writeFileSync(
      only,
      JSON.stringify({ ethPrice: dataFile("price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv") }),
    );
    const withFunding = join(dir, "eth-funding.json");
    writeFileSync(
      withFunding,
      JSON.stringify({
        ethPrice: dataFile("price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv"),
        ethFunding: dataFile("funding_ETHUSDT-perp_8h_binance_2020-2023.csv"),
      }),
    );
    const a = scoreMarket({ manifest: only, weights, out: join(dir, "a.csv") });
    scoreMarket({ manifest: withFunding, weights, out: join(dir, "b.csv") });
    expect(a.rows).toBeGreaterThan(35_000);
    const sa = readScores(join(dir, "a.csv")).rows;
    const sb = readScores(join(dir, "b.csv")).rows;
    const i = sa.findIndex((x) => x.hour === "2022-06-13 12:00:00");
    expect(sb[i]!.hour).toBe("2022-06-13 12:00:00");
    expect(sb[i]!.p).not.toBe(sa[i]!.p);
  });

  it("a manifest naming a missing file fails with the role and the file, before writing anything", () => {
    const m = join(dir, "missing.json");
    writeFileSync(
      m,
      JSON.stringify({
        ethPrice: dataFile("price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv"),
        daiPrice: "gone.csv",
      }),
    );
    const out = join(dir, "never.csv");
    expect(() => scoreMarket({ manifest: m, weights, out })).toThrow(ManifestError);
    expect(() => scoreMarket({ manifest: m, weights, out })).toThrow(
      /role "daiPrice": names .*gone\.csv, which does not exist/,
    );
  });

  it("the CLI exits 1 with the typed error's message", () => {
    const m = join(dir, "typo.json");
    writeFileSync(m, JSON.stringify({ ethPrice: "e.csv", ethPrise: "x.csv" }));
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "models/cli.ts", "score-market", "--manifest", m, "--out", join(dir, "x.csv")],
      {
        cwd: REPO_ROOT,
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/role "ethPrise": is not a role/);
  });
});
