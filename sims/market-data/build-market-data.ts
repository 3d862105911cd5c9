/**
 * Builds every committed file of sims/market-data from the raw market data (../shared/data/market):
 *
 *   slices/<window>.csv          each named scenario's window, cleaned (build-window.ts)
 *   slices/manifest.json         for every slice and series: source files, upstream commits,
 *                                transformation, flag counts; hashes of inputs and outputs
 *   slices/reported-outcomes.json  reference numbers for backtests (reported-outcomes.ts)
 *   fitted/garch-t.json          long-sample GARCH(1,1)-t of ETH and BTC (fit-market-models.ts)
 *   fitted/samples.json          per crisis sample: drift, variance, peg AR(1), correlations
 *
 * Pure: it returns the files' contents (path relative to sims/market-data -> text) and writes
 * nothing, so a test can rebuild and compare with what is committed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BuiltWindow, buildWindow, createRawCache } from "./build-window.ts";
import { RAW, type RawId, type SeriesRecipe, WINDOWS } from "./catalogue.ts";
import { fitHealthFactors } from "./fit-health-factors.ts";
import { fitGarchFile, fitSamplesFile } from "./fit-market-models.ts";
import { fitPreEventHealth } from "./fit-pre-event-health.ts";
import { formatJson, round8 } from "./json-format.ts";
import { reportedOutcomes } from "./reported-outcomes.ts";
import { parseSliceCsv, type SliceTable, writeSliceCsv } from "./slice-format.ts";

export const FLAG_LEGEND = {
  "": "the value as observed: the last trade, print or bar close at or before the grid time",
  g: "gap: no candle or bar ended at this time; the previous one is carried",
  s: "stale: the last aggregator point is more than two hours old",
  h: "held: the causal spike filter replaced the point used here by the median of it and the points before it",
  c: "capped: a stETH/ETH ratio above 1 set to 1 (staking mints stETH 1:1, so a higher ratio is a timing artefact of dividing an aggregator print by an exchange close)",
  i: "interpolated: between two daily 00:00 prints, a log-linear bridge (uses the next day's print: not causal, not an observation)",
};

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

export type BuildMarketDataParameters = {
  /** The raw data folder, e.g. ../shared/data/market. */
  dataDir: string;
  onProgress?: ((message: string) => void) | undefined;
};

export function buildMarketData({ dataDir, onProgress }: BuildMarketDataParameters): Map<string, string> {
  const say = onProgress ?? (() => {});
  const raw = createRawCache(dataDir);
  const files = new Map<string, string>();
  const built: BuiltWindow[] = [];
  const tables = new Map<string, SliceTable>();
  for (const spec of WINDOWS) {
    say(`slice ${spec.id}`);
    const w = buildWindow(spec, raw);
    built.push(w);
    const csv = writeSliceCsv({
      times: w.grid,
      hours: Float64Array.from(w.grid, (t) => (t - w.grid[0]!) / 3600),
      series: w.columns,
    });
    files.set(`slices/${spec.id}.csv`, csv);
    // Fits read the slice as shipped (rounded), exactly what run time reads.
    tables.set(spec.id, parseSliceCsv(csv, spec.id));
  }
  say("reported outcomes");
  files.set("slices/reported-outcomes.json", formatJson(reportedOutcomes(built, raw, dataDir)));
  say("GARCH(1,1)-t on 2019-2022 hourly returns");
  const garch = fitGarchFile(raw);
  files.set("fitted/garch-t.json", formatJson(garch));
  say("crisis samples");
  files.set("fitted/samples.json", formatJson(fitSamplesFile((id) => tables.get(id)!, garch)));
  say("health factors on Aave v2 WETH liquidations of 2021");
  files.set("fitted/health-factors.json", formatJson(fitHealthFactors(dataDir)));
  say("health factors of Aave v2 WETH and WBTC before 19 May 2021");
  files.set("fitted/health-factors-pre-event.json", formatJson(fitPreEventHealth(dataDir)));
  files.set("slices/manifest.json", formatJson(manifest(built, files, dataDir)));
  return files;
}

function manifest(built: readonly BuiltWindow[], files: Map<string, string>, dataDir: string) {
  const used = new Set<RawId>([
    "aaveWethMarket",
    "aaveUsdcMarket",
    "aaveLiquidationEvents",
    "aaveDailyReserves",
    ...Object.values(RAWS_FOR_GARCH),
  ]);
  for (const w of built) {
    for (const s of Object.values(w.spec.series)) for (const id of rawIds(s.recipe)) used.add(id);
    for (const id of Object.values(w.spec.lowsFrom)) used.add(id);
    for (const ids of Object.values(w.spec.candleLows ?? {})) for (const id of ids) used.add(id);
  }
  const inputs = Object.fromEntries(
    [...used].sort().map((id) => {
      const bytes = readFileSync(join(dataDir, RAW[id].file));
      return [
        RAW[id].file,
        { sha256: sha256(bytes), bytes: bytes.length, upstream: RAW[id].upstream, origin: RAW[id].origin },
      ];
    }),
  );
  return {
    about:
      "Derived slices of the real market data in ../shared/data/market (README there: origins, units, known defects). Never the raw files. Built by `npm run data:slices -- --data ../shared/data/market` (sims/market-data/build-market-data.ts); a test rebuilds them from ../shared and compares byte for byte. Times are UTC; prices in USD (USDT-quoted exchange prices taken as USD).",
    dataReadme:
      "../shared/data/market/README.md (files assembled 2026-12-04 from the upstream commits listed)",
    flags: FLAG_LEGEND,
    inputs,
    windows: Object.fromEntries(
      built.map((w) => [
        w.spec.id,
        {
          file: `${w.spec.id}.csv`,
          start: w.spec.start,
          hours: w.spec.hours,
          stepMinutes: w.spec.stepMinutes,
          series: Object.fromEntries(
            Object.entries(w.spec.series).map(([name, s]) => {
              const column = w.columns.get(name)!;
              const values = [...column.values].filter((v) => !Number.isNaN(v));
              const flags: Record<string, number> = {};
              for (const f of column.flags) for (const c of f) flags[c] = (flags[c] ?? 0) + 1;
              return [
                name,
                {
                  kind: s.kind,
                  sources: rawIds(s.recipe).map((id) => `${RAW[id].file} (${RAW[id].upstream})`),
                  transformation: describe(s.recipe),
                  note: s.note,
                  flagged: flags,
                  first: round8(values[0]!),
                  min: round8(Math.min(...values)),
                  max: round8(Math.max(...values)),
                  last: round8(values[values.length - 1]!),
                },
              ];
            }),
          ),
        },
      ]),
    ),
    outputs: Object.fromEntries(
      [...files].sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => [path, sha256(text)]),
    ),
  };
}

const RAWS_FOR_GARCH: Record<string, RawId> = { ETH: "bitfinexEth", BTC: "bitfinexBtc" };

function rawIds(r: SeriesRecipe): RawId[] {
  return r.from === "aggregator-over-exchange" ? [r.numerator, r.denominator] : [r.raw];
}

function describe(r: SeriesRecipe): string {
  const spikes = (s: { window: number; threshold: number }) =>
    `causal Hampel spike filter on the raw points (median of the point and the ${s.window - 1} before it; a point more than ${(s.threshold * 100).toFixed(1)}% away is replaced by the median, flag h)`;
  switch (r.from) {
    case "exchange-hourly":
      return "close of the hourly candle ending at each hour (the candle opening an hour earlier); a missing candle carries the previous close (flag g)";
    case "aggregator":
      return `${spikes(r.spikes)}, then the last point at or before each grid time (flag s when older than 2 h)`;
    case "aggregator-over-exchange":
      return `ratio of each aggregator point to the exchange close at or before it; ${spikes(r.spikes)}; ratios above 1 capped at 1 (flag c); then the last point at or before each grid time (flag s when older than 2 h)`;
    case "ohlc-15m":
      return `${spikes(r.spikes)} on the 15-minute closes, then the close of the last bar ending at or before each grid time (flag g when that bar ended earlier than the grid time)`;
    case "daily":
      return `daily 00:00 UTC prints of column ${r.column}, log-linear between days (flag i)`;
  }
}
