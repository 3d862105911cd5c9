/**
 * What the report needs beyond the study's summaries, gathered run by run while the study runs
 * (every seed, not only the kept one): per-step series as bands over seeds, market prices against
 * the scenario's price paths and the real window, per-protocol outcomes per seed, the exposure
 * network averaged over seeds, and negotiated loans (lifecycles from ./record-loans.ts).
 *
 * Memory stays small: series are bucketed to at most `MAX_POINTS` points per run, and only bands
 * (not runs) reach the study. A long horizon is bucketed: flows are charted as running totals,
 * levels keep the bucket's last value.
 */
import type { Mode } from "../engine/engine-policy.ts";
import type { RunResult } from "../engine/run-engine.ts";
import { scenarioPricePaths } from "../scenarios/scenario-price-paths.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { sortedQuantile } from "./intervals.ts";
import { seriesDefinition } from "./metric-definitions.ts";
import type { LoanRecord } from "./record-loans.ts";

/** Bands are the 5th to 95th percentile over seeds, around the median. */
export const BAND = { lo: 0.05, hi: 0.95 } as const;
export const MAX_POINTS = 240;

export type Band = { median: number[]; lo: number[]; hi: number[] };

export type LoanSeedSummary = {
  seed: number;
  loans: number;
  repaid: number;
  /** Closed by liquidations (a margined loan whose debt liquidations repaid in full). */
  liquidated: number;
  defaulted: number;
  outstanding: number;
  /** Margined loans (a negotiated liquidation threshold). */
  margined: number;
  /** Loans liquidated at least once, in part or in full. */
  everLiquidated: number;
  /** Loans whose borrower added collateral at least once. */
  toppedUp: number;
  /** Principal (USD at settlement) of the loans still outstanding at the horizon. */
  outstandingUsd: number;
};

export type GroupDetail = {
  sweep: number | undefined;
  mode: Mode;
  /** Seeds in this group, in run order. */
  seeds: number[];
  /** Per series key (RunResult.series minus hours and prices). */
  series: Record<string, Band>;
  /** Market price after the simulated sales, per asset symbol. */
  marketPrices: Record<string, Band>;
  /** Per protocol (RunResult.protocols order), per outcome field, one value per seed. */
  protocols: Record<string, number[]>[];
  /** Mean over seeds of exposure[i * n + j], USD: what i stands to lose on j. */
  network: { start: number[]; end: number[] };
  /** Undefined when the runs settled where loans could not be watched (JetStream workers). */
  loans?: { perSeed: LoanSeedSummary[]; kept: LoanRecord[] } | undefined;
};

export type AssetPrices = {
  symbol: string;
  /** The scenario's price path (the outside market before the simulated sales), over seeds;
   *  absent when the collector had no scenario (a study from remote workers). */
  path?: Band | undefined;
  /** The real window replayed (market assets of scenarios with real data only). */
  real?: number[] | undefined;
};

export type ReportDetail = {
  keptSeed: number;
  stepHours: number;
  /** Hours covered by one point of the bucketed series. */
  bucketHours: number;
  /** Hour at the end of each bucket. */
  hours: number[];
  horizonHours: number;
  protocols: { id: string; label: string; kind: string }[];
  assets: string[];
  prices: AssetPrices[];
  /** The real window's name, when the scenario has one. */
  realWindow?: string | undefined;
  groups: GroupDetail[];
};

export type ReportRun = {
  mode: Mode;
  sweep?: number | undefined;
  seed: number;
  result: RunResult;
  loans?: LoanRecord[] | undefined;
};

type Accumulator = {
  sweep: number | undefined;
  mode: Mode;
  seeds: number[];
  series: Map<string, Float64Array[]>;
  prices: Float64Array[][];
  protocols: Record<string, number[]>[];
  networkStart: Float64Array | undefined;
  networkEnd: Float64Array | undefined;
  loans: { perSeed: LoanSeedSummary[]; kept: LoanRecord[] } | undefined;
  loansMissing: boolean;
};

export type ReportDetailCollector = {
  add(run: ReportRun): void;
  finish(): ReportDetail | undefined;
};

/** Bucket a per-step series to at most MAX_POINTS points: a level keeps each bucket's last
 *  value; a flow (an amount per step) becomes its running total first. */
export function bucketSeries(
  values: ArrayLike<number>,
  bucket: number,
  kind: "flow" | "level",
): Float64Array {
  const points = Math.ceil(values.length / bucket);
  const out = new Float64Array(points);
  let total = 0;
  let k = 0;
  for (let p = 0; p < points; p++) {
    const to = Math.min(values.length, (p + 1) * bucket);
    if (kind === "level") out[p] = values[to - 1]!;
    else {
      for (; k < to; k++) total += values[k]!;
      out[p] = total;
    }
  }
  return out;
}

/** Median and 5-95% band at each point over runs. */
export function bandOf(runs: readonly ArrayLike<number>[]): Band {
  const points = runs[0]?.length ?? 0;
  const band: Band = { median: [], lo: [], hi: [] };
  const column = new Float64Array(runs.length);
  for (let p = 0; p < points; p++) {
    for (let r = 0; r < runs.length; r++) column[r] = runs[r]![p]!;
    column.sort();
    band.median.push(sortedQuantile(column, 0.5));
    band.lo.push(sortedQuantile(column, BAND.lo));
    band.hi.push(sortedQuantile(column, BAND.hi));
  }
  return band;
}

/** RunResult.end[i] as numbers: money (…Usd8) in USD, flags and "…Hour" (null = never) as 0/1. */
export function protocolOutcome(end: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(end)) {
    if (typeof value === "bigint") out[key] = Number(value) / 1e8;
    else if (typeof value === "boolean") out[key] = value ? 1 : 0;
    else if (key.endsWith("Hour") && (value === null || typeof value === "number"))
      out[key] = value === null ? 0 : 1;
    else if (typeof value === "number") out[key] = value;
  }
  return out;
}

export function createReportDetailCollector({
  scenario,
  keepSeed,
}: {
  /** The scenario exactly as the runs used it (price-path mode applied); without it, prices
   *  show the market only. */
  scenario?: Scenario | undefined;
  /** The seed whose loans are drawn one by one (the study's first). */
  keepSeed: number;
}): ReportDetailCollector {
  const groups = new Map<string, Accumulator>();
  const pathsBySeed = new Map<number, Map<string, Float64Array>>();
  let first: RunResult | undefined;
  let bucket = 1;

  const pathsOf = (seed: number) => {
    if (!scenario) return;
    let paths = pathsBySeed.get(seed);
    if (!paths) {
      const all = scenarioPricePaths({ scenario, seed }).prices;
      paths = new Map([...all].map(([sym, p]) => [sym, bucketSeries(p, bucket, "level")]));
      pathsBySeed.set(seed, paths);
    }
    return paths;
  };

  return {
    add({ mode, sweep, seed, result, loans }) {
      if (!first) {
        first = result;
        bucket = Math.max(1, Math.ceil(result.series.hours.length / MAX_POINTS));
      }
      const key = `${sweep ?? ""}|${mode}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          sweep,
          mode,
          seeds: [],
          series: new Map(),
          prices: result.assets.map(() => []),
          protocols: result.protocols.map(() => ({})),
          networkStart: undefined,
          networkEnd: undefined,
          loans: undefined,
          loansMissing: false,
        };
        groups.set(key, g);
      }
      g.seeds.push(seed);
      for (const [name, values] of Object.entries(result.series)) {
        if (name === "hours" || name === "prices" || !(values instanceof Float64Array)) continue;
        const list = g.series.get(name) ?? [];
        list.push(bucketSeries(values, bucket, seriesDefinition(name).kind));
        g.series.set(name, list);
      }
      result.series.prices.forEach((p, a) => {
        g.prices[a]!.push(bucketSeries(p, bucket, "level"));
      });
      pathsOf(seed);
      result.end.forEach((end, i) => {
        const outcome = protocolOutcome(end as unknown as Record<string, unknown>);
        const target = g.protocols[i]!;
        for (const [k, v] of Object.entries(outcome)) {
          target[k] ??= [];
          target[k].push(v);
        }
      });
      const addInto = (sum: Float64Array | undefined, x: ArrayLike<number>) => {
        const s = sum ?? new Float64Array(x.length);
        for (let i = 0; i < x.length; i++) s[i]! += x[i]!;
        return s;
      };
      g.networkStart = addInto(g.networkStart, result.network.start);
      g.networkEnd = addInto(g.networkEnd, result.network.end);
      if (loans === undefined) g.loansMissing = true;
      else {
        g.loans ??= { perSeed: [], kept: [] };
        const open = loans.filter((l) => l.outcome === "outstanding");
        g.loans.perSeed.push({
          seed,
          loans: loans.length,
          repaid: loans.filter((l) => l.outcome === "repaid").length,
          liquidated: loans.filter((l) => l.outcome === "liquidated").length,
          defaulted: loans.filter((l) => l.outcome === "defaulted").length,
          outstanding: open.length,
          margined: loans.filter((l) => l.margined).length,
          everLiquidated: loans.filter((l) => l.liquidations > 0).length,
          toppedUp: loans.filter((l) => l.toppedUp).length,
          outstandingUsd: open.reduce((s, l) => s + l.principalUsd, 0),
        });
        if (seed === keepSeed) g.loans.kept = loans;
      }
    },

    finish() {
      if (!first) return undefined;
      const run = first;
      const stepHours = run.stepHours;
      const hoursBucketed = bucketSeries(run.series.hours, bucket, "level");
      const seeds = [...pathsBySeed.keys()];
      const market = new Set(
        (scenario?.assets ?? []).filter((a) => a.path.model === "market").map((a) => a.symbol),
      );
      const real =
        scenario && market.size > 0 && scenario.market
          ? scenarioPricePaths({ scenario, paths: "replay" }).prices
          : new Map<string, Float64Array>();
      const prices: AssetPrices[] = run.assets.map((symbol) => {
        const path =
          seeds.length > 0 ? bandOf(seeds.map((s) => pathsBySeed.get(s)!.get(symbol)!)) : undefined;
        const replay = real.get(symbol);
        return {
          symbol,
          path,
          real: market.has(symbol) && replay ? Array.from(bucketSeries(replay, bucket, "level")) : undefined,
        };
      });
      return {
        keptSeed: keepSeed,
        stepHours,
        bucketHours: bucket * stepHours,
        hours: Array.from(hoursBucketed),
        horizonHours: run.steps * stepHours,
        protocols: run.protocols,
        assets: run.assets,
        prices,
        realWindow: market.size > 0 ? scenario?.market?.window : undefined,
        groups: [...groups.values()].map((g) => {
          const n = g.seeds.length;
          const mean = (s: Float64Array | undefined) => (s ? Array.from(s, (x) => x / n) : []);
          return {
            sweep: g.sweep,
            mode: g.mode,
            seeds: g.seeds,
            series: Object.fromEntries([...g.series].map(([k, runs]) => [k, bandOf(runs)])),
            marketPrices: Object.fromEntries(run.assets.map((sym, a) => [sym, bandOf(g.prices[a]!)])),
            protocols: g.protocols,
            network: { start: mean(g.networkStart), end: mean(g.networkEnd) },
            loans: g.loansMissing ? undefined : g.loans,
          };
        }),
      };
    },
  };
}
