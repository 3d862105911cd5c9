/**
 * Conformal quantile tracking under distribution shift: the online form of split conformal for a
 * deployed model whose new regime is not exchangeable with its calibration families (a crisis of a
 * kind the training never saw). Start from the split-conformal quantile; after each outcome,
 * q <- q + eta (miss - alpha): a miss widens the interval by eta (1 - alpha), a cover narrows it
 * by eta alpha. Over T outcomes the miss rate is within (B + eta) / (eta T) of alpha whatever the
 * sequence, B the largest |q| reached (Angelopoulos, Candes and Tibshirani 2023, "Conformal PID
 * control", quantile tracking; the quantile form of Gibbs and Candes 2021's adaptive conformal
 * inference). A lender learns an outcome only when its loan resolves, so feedback is delayed:
 * an interval uses the quantile of its issue time, and its miss counts when it resolves.
 */
import { ModelInputError } from "../errors.ts";

export type QuantileTrackerParameters = {
  /** The split-conformal quantile to start from. */
  initial: number;
  /** Target miss rate (0.1 for 90% intervals). */
  alpha: number;
  /** Step size, in units of the score. 0 keeps the split-conformal quantile. */
  eta: number;
};

export type QuantileTracker = {
  readonly quantile: number;
  /** Outcomes seen and how many fell outside their interval. */
  readonly outcomes: number;
  readonly misses: number;
  /** One resolved interval: `miss` when its outcome fell outside it. */
  update(miss: boolean): void;
};

export function createQuantileTracker(p: QuantileTrackerParameters): QuantileTracker {
  if (!(p.alpha > 0 && p.alpha < 1))
    throw new ModelInputError(`quantile tracking: alpha ${p.alpha} is not in (0, 1).`);
  if (!(p.eta >= 0 && Number.isFinite(p.eta)))
    throw new ModelInputError(`quantile tracking: eta ${p.eta} is not a finite number >= 0.`);
  if (!Number.isFinite(p.initial))
    throw new ModelInputError(`quantile tracking: initial quantile ${p.initial} is not finite.`);
  let q = p.initial;
  let outcomes = 0;
  let misses = 0;
  return {
    get quantile() {
      return q;
    },
    get outcomes() {
      return outcomes;
    },
    get misses() {
      return misses;
    },
    update(miss) {
      outcomes++;
      if (miss) misses++;
      q += p.eta * ((miss ? 1 : 0) - p.alpha);
    },
  };
}

/** One interval in a stream: issued at `issuedAt`, its outcome known at `resolvedAt` (>= issuedAt). */
export type StreamItem = { issuedAt: number; resolvedAt: number };

export type PrequentialResult = {
  /** Share of the stream's outcomes inside the interval issued for them. */
  coverage: number;
  /** The quantile each item's interval was issued with, in stream order. */
  quantiles: Float64Array;
  /** The quantile after the last outcome. */
  final: number;
};

/**
 * Runs a tracker over a stream with delayed feedback, as a deployed lender would live it: items
 * are issued and resolved in time order (at equal times, outcomes first: a loan resolved at t is
 * known to a decision at t); each interval uses the quantile when it is issued, and each outcome
 * updates it when it resolves. `covers(i, q)` says whether item i's outcome lies in the interval
 * that quantile q gives it. Every interval is judged only on outcomes resolved before it was
 * issued (prequential), so no item's own outcome shapes its interval.
 */
export function prequentialCoverage<T extends StreamItem>(
  items: readonly T[],
  tracker: QuantileTrackerParameters,
  covers: (item: T, q: number) => boolean,
): PrequentialResult {
  const events: { t: number; resolve: boolean; i: number }[] = [];
  items.forEach((it, i) => {
    if (!(it.resolvedAt >= it.issuedAt))
      throw new ModelInputError(
        `quantile tracking: item ${i} resolves (${it.resolvedAt}) before it is issued (${it.issuedAt}).`,
      );
    events.push({ t: it.issuedAt, resolve: false, i }, { t: it.resolvedAt, resolve: true, i });
  });
  // Outcomes before issues at the same time; an item's own issue before its own resolution.
  events.sort(
    (a, b) =>
      a.t - b.t ||
      (a.i === b.i ? Number(a.resolve) - Number(b.resolve) : Number(b.resolve) - Number(a.resolve)),
  );
  const t = createQuantileTracker(tracker);
  const quantiles = new Float64Array(items.length);
  let covered = 0;
  for (const e of events) {
    const item = items[e.i]!;
    if (!e.resolve) {
      quantiles[e.i] = t.quantile;
      continue;
    }
    const inside = covers(item, quantiles[e.i]!);
    if (inside) covered++;
    t.update(!inside);
  }
  return { coverage: items.length ? covered / items.length : Number.NaN, quantiles, final: t.quantile };
}
