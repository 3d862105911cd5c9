/**
 * The fitted parameters shipped in sims/market-data/fitted/ (build time):
 *
 * - garch-t.json: GARCH(1,1)-t of ETH and BTC hourly log returns over four years of Bitfinex
 *   closes (catalogue GARCH_FIT), and the constant correlation and joint degrees of freedom of
 *   their standardised residuals. These give fitted paths their volatility dynamics and tails.
 * - samples.json: per sample (a crisis window, or a pool of them), what the seeded paths take from
 *   the crisis itself: each price series' mean and variance of hourly log returns, each peg's
 *   AR(1) coefficient, residual scale and cap, and the correlation of the standardised
 *   innovations of all series together.
 */
import { fitGarchT, garchVariances, MAX_PERSISTENCE } from "../paths/garch.ts";
import { fitJointDegreesOfFreedom } from "../paths/multivariate-t.ts";
import { fitPegAr1 } from "../paths/peg-ar1.ts";
import { correlation, excessKurtosis, mean, variance } from "../paths/sample-stats.ts";
import type { RawCache } from "./build-window.ts";
import { GARCH_FIT, RAW, SAMPLES, type SampleSpec, sampleSeries, seriesKind } from "./catalogue.ts";
import { MarketDataError } from "./errors.ts";
import type {
  GarchAssetFit,
  GarchFile,
  PegSeriesFit,
  PriceSeriesFit,
  SampleFit,
  SamplesFile,
} from "./fitted-files.ts";
import { round8 } from "./json-format.ts";
import { buildMarketSample, hourlyValues, innovationColumn, type MarketSample } from "./market-sample.ts";
import type { SliceTable } from "./slice-format.ts";

const HOUR = 3600;
const HOURS_PER_YEAR = 8760;
/** Weight of the identity in the shipped correlation matrices: keeps them positive definite when
 *  two bridged daily series move in lockstep. */
export const CORRELATION_SHRINKAGE = 0.02;
/** Below this excess kurtosis the innovations are taken as normal (nu = 4 + 6 / 0.06 = 104). */
const MIN_KURTOSIS = 0.06;

/** Hourly log returns between consecutive candles exactly an hour apart, within [from, to). */
function hourlyReturns(raw: RawCache, id: keyof typeof RAW): Map<number, number> {
  const c = raw.candles(id);
  const from = Date.parse(GARCH_FIT.from) / 1000;
  const to = Date.parse(GARCH_FIT.to) / 1000;
  const out = new Map<number, number>();
  for (let i = 1; i < c.time.length; i++) {
    if (c.time[i]! < from || c.time[i]! >= to || c.time[i]! - c.time[i - 1]! !== HOUR) continue;
    out.set(c.time[i]!, Math.log(c.close[i]! / c.close[i - 1]!));
  }
  return out;
}

export function fitGarchFile(raw: RawCache): GarchFile {
  const assets: Record<string, GarchAssetFit> = {};
  const returns = new Map<string, Map<number, number>>();
  const standardised = new Map<string, Map<number, number>>();
  for (const [asset, id] of Object.entries(GARCH_FIT.assets)) {
    const r = hourlyReturns(raw, id);
    returns.set(asset, r);
    const series = Float64Array.from(r.values());
    const fit = fitGarchT({ returns: series });
    const h = garchVariances({ returns: series, model: fit, h0: variance(series) });
    const times = [...r.keys()];
    standardised.set(asset, new Map(times.map((t, i) => [t, (series[i]! - fit.mu) / Math.sqrt(h[i]!)])));
    assets[asset] = {
      mu: round8(fit.mu),
      omega: round8(fit.omega),
      alpha: round8(fit.alpha),
      beta: round8(fit.beta),
      nu: round8(fit.nu),
      persistence: round8(fit.persistence),
      halfLifeHours: round8(Math.log(0.5) / Math.log(fit.persistence)),
      atPersistenceBound: fit.persistence > MAX_PERSISTENCE - 1e-9,
      logLikelihood: round8(fit.logLikelihood),
      observations: fit.observations,
      converged: fit.converged,
    };
  }
  // Constant conditional correlation and one nu for the joint draw, over hours both assets have.
  const names = Object.keys(GARCH_FIT.assets);
  const common = [...standardised.get(names[0]!)!.keys()].filter((t) =>
    names.every((a) => standardised.get(a)!.has(t)),
  );
  const columns = names.map((a) => Float64Array.from(common, (t) => standardised.get(a)!.get(t)!));
  const matrix = correlationMatrixOf(columns, 0);
  const joint = fitJointDegreesOfFreedom({ columns, correlation: Float64Array.from(matrix.flat()) });
  return {
    about:
      "GARCH(1,1) with Student-t innovations fitted by maximum likelihood to hourly log returns (mu fixed at the sample mean), and the constant correlation and joint degrees of freedom of the standardised residuals. Used by `fitted` price paths for their volatility dynamics and tails; their level comes from the crisis sample (samples.json). Regenerate with npm run data:slices.",
    window: { from: GARCH_FIT.from, to: GARCH_FIT.to },
    sources: Object.fromEntries(
      Object.entries(GARCH_FIT.assets).map(([a, id]) => [
        a,
        `${RAW[id].file} (${RAW[id].upstream}); ${GARCH_FIT.note}`,
      ]),
    ),
    assets,
    joint: {
      assets: names,
      correlation: matrix.map((row) => row.map(round8)),
      nu: round8(joint.nu),
      observations: common.length,
    },
  };
}

function correlationMatrixOf(columns: readonly Float64Array[], shrinkage: number): number[][] {
  return columns.map((a, i) =>
    columns.map((b, j) => {
      if (i === j) return 1;
      const rho = variance(a) > 0 && variance(b) > 0 ? correlation(a, b) : 0;
      return (1 - shrinkage) * rho;
    }),
  );
}

export function fitSamplesFile(slices: (window: string) => SliceTable, garch: GarchFile): SamplesFile {
  const samples: Record<string, SampleFit> = {};
  for (const spec of SAMPLES) samples[spec.id] = fitSample(spec, slices, garch);
  return {
    about:
      "What seeded price paths take from each crisis sample: per price series the mean and variance of hourly log returns (fitted paths target them; the bootstrap resamples the returns themselves), per peg or ratio series its AR(1) coefficient on log level, residual scale and cap, and the correlations of the innovations. Computed from the slices in ../slices; regenerate with npm run data:slices.",
    samples,
  };
}

export function fitSample(
  spec: SampleSpec,
  slices: (window: string) => SliceTable,
  garch: GarchFile,
): SampleFit {
  const order = sampleSeries(spec.id);
  const kinds = order.map((s) => seriesKind(spec.id, s)!);
  const windows = spec.windows.map((id) => ({ id, table: slices(id) }));
  // phi per peg column, fitted on log levels within each window.
  const phi = order.map((s, c) => {
    if (kinds[c] === "price") return Number.NaN;
    const segments = windows.map((w) => hourlyValues(w.table, s, w.id).map(Math.log));
    return round8(fitPegAr1({ segments }).phi);
  });
  const sample = buildMarketSample({ windows, series: order, kinds, phi });
  const series: Record<string, PriceSeriesFit | PegSeriesFit> = {};
  const standardised: Float64Array[] = [];
  order.forEach((s, c) => {
    const x = innovationColumn(sample, c);
    if (kinds[c] === "price") {
      const g = garch.assets[s];
      if (!g) throw new MarketDataError({ problem: `price series ${s} has no GARCH fit in garch-t.json` });
      const v = variance(x);
      const m = mean(x);
      series[s] = {
        kind: "price",
        mu: round8(m),
        variance: round8(v),
        volAnnual: round8(Math.sqrt(v * HOURS_PER_YEAR)),
        excessKurtosis: round8(excessKurtosis(x)),
        garch: s,
        nu: Number.NaN, // set below, once every column is standardised
      };
      standardised.push(standardisePrice(sample, x, g, m, v));
    } else {
      const residualStd = Math.sqrt(x.reduce((a, e) => a + e * e, 0) / x.length);
      const highest = Math.max(...sample.levels.map((l) => Math.max(...l[c]!)));
      series[s] = {
        kind: kinds[c] as "peg" | "ratio",
        phi: phi[c]!,
        residualStd: round8(residualStd),
        cap: round8(kinds[c] === "ratio" ? 1 : Math.max(1, highest)),
        excessKurtosis: round8(excessKurtosis(x)),
        nu: Number.NaN, // set below
      };
      standardised.push(x.map((e) => (residualStd > 0 ? e / residualStd : 0)));
    }
  });
  const raw = order.map((_, c) => innovationColumn(sample, c));
  const correlation = correlationMatrixOf(standardised, CORRELATION_SHRINKAGE);
  // The tails of the crisis itself, by the method of moments: a standardised t has excess kurtosis
  // 6 / (nu - 4), so nu = 4 + 6 / kurtosis. (Maximum likelihood on a window of 48-576 hours puts
  // nu near 3, where the fourth moment is infinite and simulated paths grow far fatter tails than
  // the window itself shows.) Price series share one nu and one mixing draw (they crash together);
  // each peg has its own (a depeg's jumps are far heavier-tailed than ETH's moves).
  const tailNu = (kurtosis: number) => 4 + 6 / Math.max(kurtosis, MIN_KURTOSIS);
  const prices = order.flatMap((_, c) => (kinds[c] === "price" ? [c] : []));
  const priceKurtosis = prices.reduce((sum, c) => sum + excessKurtosis(standardised[c]!), 0) / prices.length;
  order.forEach((s, c) => {
    const f = series[s]!;
    f.nu = round8(tailNu(f.kind === "price" ? priceKurtosis : excessKurtosis(standardised[c]!)));
  });
  return {
    windows: [...spec.windows],
    note: spec.note,
    hours: sample.rows,
    meanBlockHours: spec.meanBlockHours,
    order,
    series,
    correlation: correlation.map((r) => r.map(round8)),
    innovationCorrelation: correlationMatrixOf(raw, 0).map((r) => r.map(round8)),
  };
}

/** (r_t - mu) / sqrt(h_t) with the long-sample alpha and beta, variance-targeted to the sample,
 *  restarted at each window. */
function standardisePrice(
  sample: MarketSample,
  returns: Float64Array,
  g: GarchAssetFit,
  mu: number,
  target: number,
): Float64Array {
  const out = new Float64Array(returns.length);
  const omega = (1 - g.alpha - g.beta) * target;
  for (const seg of sample.segments) {
    const r = returns.subarray(seg.start, seg.start + seg.length);
    const h = garchVariances({ returns: r, model: { mu, omega, alpha: g.alpha, beta: g.beta }, h0: target });
    for (let t = 0; t < r.length; t++) out[seg.start + t] = (r[t]! - mu) / Math.sqrt(h[t]!);
  }
  return out;
}
