/**
 * The health-factor distribution of lending books, fitted on real liquidations (issue 11 item 5).
 *
 * Observed: for each UTC day of 2021, the share of Aave v2's supplied WETH liquidated that day
 * (Messari subgraph hourlyLiquidateUSD over supplied_USD at the day's first snapshot; forward-filled
 * hours skipped, as the data README says) against ETH's fall from the day's open to its lowest
 * hourly low (Bitfinex). The window 17-25 May 2021 is left out: it is the backtest's own.
 *
 * Model: health factors, weighted by collateral, are 1 + medianExcess x exp(sigma Z); a fall d
 * makes every position with HF < 1 / (1 - d) liquidatable, and a liquidation takes about
 * SEIZED_SHARE of a position's collateral (Aave v2: 50% close factor x (1 + 5% bonus) x an 82.5%
 * threshold over a health factor near 1). So share(d) = SEIZED_SHARE x P(HF < 1 / (1 - d)).
 * Fitted by a grid search on squared log errors, log(share + FLOOR): the floor keeps the many
 * days with no liquidation from dominating. Days with falls under MIN_FALL carry no information
 * about the distribution and are left out.
 */
import { type Candles, readCandles, readRows } from "./read-raw.ts";

export const SEIZED_SHARE = 0.45;

/** Aave v2's close factor: one liquidation repays at most half the debt. */
export const CLOSE_FACTOR = 0.5;

/**
 * The share of a position's collateral one liquidation takes when its health factor is just
 * below 1: the debt is about the collateral x threshold, half of it is repaid and the collateral
 * is seized with the bonus on top.
 */
export function seizedShareOf(collateral: {
  liquidationThreshold: number;
  liquidationBonus: number;
}): number {
  return CLOSE_FACTOR * collateral.liquidationThreshold * (1 + collateral.liquidationBonus);
}
const FLOOR = 1e-3;
const MIN_FALL = 0.05;
const FROM = "2021-01-01";
const TO = "2021-12-31";
const HELD_OUT = { from: "2021-05-17", to: "2021-05-25" };

export type HealthFactorFit = {
  about: string;
  window: { from: string; to: string; heldOut: { from: string; to: string } };
  sources: Record<string, string>;
  model: string;
  distribution: "lognormal-excess";
  medianExcess: number;
  sigma: number;
  days: number;
  /** The fitted share against the observed one on the held-out days (not used by the fit). */
  heldOutDays: { day: string; fall: number; observedShare: number; fittedShare: number }[];
};

export type FallDay = { day: string; fall: number; share: number };

const normalCdf = (x: number) => {
  // Abramowitz-Stegun 7.1.26 on erf; error below 1.5e-7.
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
};

/** The modelled share of supplied collateral liquidated by a fall `fall` from the start. */
export function liquidatedShare(
  fall: number,
  medianExcess: number,
  sigma: number,
  seizedShare = SEIZED_SHARE,
): number {
  const edge = 1 / (1 - fall) - 1;
  if (edge <= 0) return 0;
  if (sigma === 0) return edge >= medianExcess ? seizedShare : 0;
  return seizedShare * normalCdf((Math.log(edge) - Math.log(medianExcess)) / sigma);
}

/** Each UTC day's open and its lowest hourly low. */
export type DayRanges = { open: Map<string, number>; low: Map<string, number> };

/** Day open and lowest hourly low, per UTC day, from one venue's hourly candles. */
export function dayRanges(c: Candles): DayRanges {
  const open = new Map<string, number>();
  const low = new Map<string, number>();
  c.time.forEach((t, i) => {
    const day = new Date(t * 1000).toISOString().slice(0, 10);
    if (!open.has(day)) open.set(day, c.open[i]!);
    low.set(day, Math.min(low.get(day) ?? Number.POSITIVE_INFINITY, c.low[i]!));
  });
  return { open, low };
}

export function fallDays(
  dataDir: string,
  from = FROM,
  to = TO,
  ranges: DayRanges = dayRanges(readCandles(dataDir, "bitfinexEth")),
): FallDay[] {
  const liquidated = new Map<string, number>();
  const supplied = new Map<string, number>();
  for (const row of readRows(dataDir, "aaveWethMarket")) {
    const day = (row.hour_utc ?? "").slice(0, 10);
    if (day < from || day > to) continue;
    if (!supplied.has(day)) supplied.set(day, Number(row.supplied_USD));
    if (row.ffill_row_derived === "False")
      liquidated.set(day, (liquidated.get(day) ?? 0) + Number(row.liquidations));
  }
  const { open, low } = ranges;
  const out: FallDay[] = [];
  for (const [day, s] of supplied) {
    const o = open.get(day);
    const l = low.get(day);
    if (o === undefined || l === undefined || !(s > 0)) continue;
    out.push({ day, fall: 1 - l / o, share: (liquidated.get(day) ?? 0) / s });
  }
  return out.sort((a, b) => a.day.localeCompare(b.day));
}

/** Least squares on log(share + FLOOR) over days with a fall of at least MIN_FALL, on a grid;
 *  parameters rounded to two decimals. */
export function fitLognormalExcess(
  days: readonly FallDay[],
  seizedShare = SEIZED_SHARE,
): {
  medianExcess: number;
  sigma: number;
  days: number;
} {
  const fit = days.filter((d) => d.fall >= MIN_FALL);
  let best = { error: Number.POSITIVE_INFINITY, medianExcess: 1, sigma: 1 };
  for (let m = -3; m <= 3.0001; m += 0.05)
    for (let sigma = 0.1; sigma <= 4.0001; sigma += 0.05) {
      const medianExcess = Math.exp(m);
      let error = 0;
      for (const d of fit) {
        const e =
          Math.log(liquidatedShare(d.fall, medianExcess, sigma, seizedShare) + FLOOR) -
          Math.log(d.share + FLOOR);
        error += e * e;
      }
      if (error < best.error) best = { error, medianExcess, sigma };
    }
  return {
    medianExcess: Number(best.medianExcess.toFixed(2)),
    sigma: Number(best.sigma.toFixed(2)),
    days: fit.length,
  };
}

export const FIT_MODEL = `share liquidated on a day = ${SEIZED_SHARE} x P(HF < 1 / (1 - fall)); least squares on log(share + ${FLOOR}) over days with a fall of at least ${MIN_FALL * 100}%`;

export function fitHealthFactors(dataDir: string): HealthFactorFit {
  const all = fallDays(dataDir);
  const heldOut = (d: FallDay) => d.day >= HELD_OUT.from && d.day <= HELD_OUT.to;
  const { medianExcess, sigma, days } = fitLognormalExcess(all.filter((d) => !heldOut(d)));
  return {
    about:
      "Collateral-weighted health factors of a lending book, HF = 1 + medianExcess x exp(sigma Z), fitted on Aave v2 WETH liquidations of 2021 without the backtest window (sims/market-data/fit-health-factors.ts). Scenarios that use it copy medianExcess and sigma into initialHealthFactor.",
    window: { from: FROM, to: TO, heldOut: HELD_OUT },
    sources: {
      liquidations:
        "aave_v2_WETH_market_1h_messari-subgraph (hourlyLiquidateUSD, supplied_USD; non-forward-filled hours)",
      prices: "price_ETHUSD_1h_bitfinex (day open and lowest hourly low)",
    },
    model: FIT_MODEL,
    distribution: "lognormal-excess",
    medianExcess,
    sigma,
    days,
    heldOutDays: all
      .filter((d) => heldOut(d) && d.fall >= MIN_FALL)
      .map((d) => ({
        day: d.day,
        fall: d.fall,
        observedShare: d.share,
        fittedShare: liquidatedShare(d.fall, medianExcess, sigma),
      })),
  };
}
