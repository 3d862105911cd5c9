/**
 * The contagion model's price features from what an agent observed of its oracle prices: per
 * token, the log price at each observation over the last day, and its first price (the anchor
 * drawdowns are measured from; the simulator's dataset measures them from the scenario's start,
 * which is where an agent in the simulator starts observing). Returns and volatility are over
 * time, not observation counts, so an agent assessing hourly reads exactly the dataset's 1 h and
 * 24 h figures. Causal: only observations up to now are kept or read.
 */
import type { Address } from "viem";

const HOURS_PER_YEAR = 24 * 365;
const DAY_SEC = 24 * 3600;

type Series = { anchor: number; at: number[]; logPrice: number[] };

export type PriceFeatures = {
  /** Over the exposed tokens (worst of them) and over every token observed. */
  exposed: { drawdown: number; return1h: number; return24h: number; vol24h: number };
  market: { drawdown: number; return1h: number; return24h: number; vol24h: number };
};

export type PriceHistory = {
  /** Records the prices of one observation (unix seconds, USD floats); ignored unless newer. */
  observe(atSec: number, prices: readonly { token: Address; usd: number }[]): void;
  features(exposed: readonly Address[]): PriceFeatures;
};

const key = (t: Address) => t.toLowerCase();

export function createPriceHistory(): PriceHistory {
  const series = new Map<string, Series>();
  let now = Number.NEGATIVE_INFINITY;

  const tokenFeatures = (s: Series) => {
    const n = s.at.length;
    const last = s.logPrice[n - 1]!;
    const r1 = n > 1 ? last - s.logPrice[n - 2]! : 0;
    // The latest observation at least a day old, else the first one kept.
    let lag = 0;
    for (let k = n - 1; k >= 0; k--)
      if (s.at[k]! <= now - DAY_SEC) {
        lag = k;
        break;
      }
    const r24 = last - s.logPrice[lag]!;
    // Returns ending within the last day.
    let sum = 0;
    let sum2 = 0;
    let m = 0;
    let span = 0;
    for (let k = n - 1; k >= 1 && s.at[k]! > now - DAY_SEC; k--) {
      const r = s.logPrice[k]! - s.logPrice[k - 1]!;
      sum += r;
      sum2 += r * r;
      span += s.at[k]! - s.at[k - 1]!;
      m++;
    }
    const hoursPerStep = m > 0 ? span / m / 3600 : 1;
    const vol =
      m > 1
        ? Math.sqrt(Math.max(0, (sum2 - (sum * sum) / m) / (m - 1)) * (HOURS_PER_YEAR / hoursPerStep))
        : 0;
    const drawdown = Math.max(0, 1 - Math.exp(last) / s.anchor);
    return { drawdown, r1, r24, vol };
  };

  return {
    observe(atSec, prices) {
      if (atSec <= now) return;
      now = atSec;
      for (const { token, usd } of prices) {
        if (!(usd > 0)) continue;
        let s = series.get(key(token));
        if (!s) {
          s = { anchor: usd, at: [], logPrice: [] };
          series.set(key(token), s);
        }
        s.at.push(atSec);
        s.logPrice.push(Math.log(usd));
        // Keep the newest observation at least a day old (the 24 h return's base) and what follows.
        let drop = 0;
        while (drop + 1 < s.at.length && s.at[drop + 1]! <= atSec - DAY_SEC) drop++;
        if (drop > 0) {
          s.at.splice(0, drop);
          s.logPrice.splice(0, drop);
        }
      }
    },
    features(exposed) {
      const out: PriceFeatures = {
        exposed: { drawdown: 0, return1h: 0, return24h: 0, vol24h: 0 },
        market: { drawdown: 0, return1h: 0, return24h: 0, vol24h: 0 },
      };
      const mine = new Set(exposed.map(key));
      for (const [token, s] of series) {
        const f = tokenFeatures(s);
        const fold = (o: PriceFeatures["market"]) => {
          o.drawdown = Math.max(o.drawdown, f.drawdown);
          o.return1h = Math.min(o.return1h, f.r1);
          o.return24h = Math.min(o.return24h, f.r24);
          o.vol24h = Math.max(o.vol24h, f.vol);
        };
        fold(out.market);
        if (mine.has(token)) fold(out.exposed);
      }
      return out;
    },
  };
}
