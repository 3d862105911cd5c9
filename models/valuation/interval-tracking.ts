/**
 * The valuation intervals online: a lender starts from each split-conformal quantile and tracks it
 * with its own loans' outcomes (models/uncertainty/quantile-tracking.ts), because a new crisis is
 * not exchangeable with the four calibration families (static loss coverage on the held-out Terra
 * family is 0.70, static shortfall coverage everywhere near 0.99). Each head's step size is chosen
 * on the training families only, nested: each training family is a stream that starts from the
 * quantile of the other three, and the smallest step whose streams cover within the target band on
 * average over families is kept (chooseTrackingRate). The held-out families are then run the same
 * way (evaluateValuation), prequentially: a loan's interval uses only outcomes the lender knew when
 * the loan was proposed.
 */
import type { LoanRow } from "../../sims/loan-dataset/loan-row.ts";
import { ModelInputError } from "../errors.ts";
import { prequentialCoverage, type StreamItem } from "../uncertainty/quantile-tracking.ts";

/** Step sizes tried, in units of the normalised score (the shipped loss quantile is 0.71). */
export const TRACKING_RATES = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2] as const;

/** A family's loans as one lender's stream: the family's seeds one after another (a lender that
 *  meets this kind of crisis again and again), each seed's loans at their proposal and resolution
 *  steps. Runs of one seed (the two proposal sources) share its clock. */
const RUN_SPAN = 1e6;
export function streamTimes(r: Pick<LoanRow, "seed" | "step" | "resolvedStep">): StreamItem {
  if (!(r.step < RUN_SPAN && r.resolvedStep < RUN_SPAN && r.resolvedStep >= r.step))
    throw new ModelInputError(
      `interval tracking: loan at step ${r.step} resolved at step ${r.resolvedStep} (seed ${r.seed}).`,
    );
  return { issuedAt: r.seed * RUN_SPAN + r.step, resolvedAt: r.seed * RUN_SPAN + r.resolvedStep };
}

/** One loan of a stream: its times, whether its outcome lies in the interval a quantile gives it,
 *  and that interval's width (for the loss head's [0, upper], the upper end). */
export type TrackedLoan = StreamItem & { covers: (q: number) => boolean; width: (q: number) => number };

/** A loan of a stream from its row, its realised outcome and the interval a quantile gives it. */
export function trackedLoan(
  row: Pick<LoanRow, "seed" | "step" | "resolvedStep">,
  outcome: number,
  intervalOf: (q: number) => { low: number; high: number },
): TrackedLoan {
  return {
    ...streamTimes(row),
    covers: (q) => {
      const { low, high } = intervalOf(q);
      return outcome >= low && outcome <= high;
    },
    width: (q) => {
      const { low, high } = intervalOf(q);
      return high - low;
    },
  };
}

export type TrackingStream = { family: string; initial: number; loans: TrackedLoan[] };

export type TrackingRun = {
  family: string;
  loans: number;
  coverage: number;
  /** Mean width of the intervals issued. */
  meanWidth: number;
};

export function runTracking(stream: TrackingStream, eta: number, alpha: number): TrackingRun {
  const r = prequentialCoverage(stream.loans, { initial: stream.initial, alpha, eta }, (l, q) => l.covers(q));
  let width = 0;
  stream.loans.forEach((l, i) => {
    width += l.width(r.quantiles[i]!);
  });
  return {
    family: stream.family,
    loans: stream.loans.length,
    coverage: r.coverage,
    meanWidth: width / Math.max(1, stream.loans.length),
  };
}

export type TrackingChoice = {
  eta: number;
  /** Per step size: each training family's nested coverage, their mean and mean absolute gap
   *  to 1 - alpha. */
  nested: { eta: number; mean: number; gap: number; families: TrackingRun[] }[];
};

/** How far from 1 - alpha nested coverage may sit, on average over families, for a step to
 *  count as on target: the band for 90% intervals is 88-92%. */
export const TRACKING_TOLERANCE = 0.02;

/**
 * The smallest step whose nested streams cover within TRACKING_TOLERANCE of 1 - alpha on average
 * over families (mean absolute gap): the steadiest intervals that are on target. A larger step
 * always tracks faster, and swings the interval more after each outcome. If no step is on
 * target, the one closest to it.
 */
export function chooseTrackingRate(
  streams: readonly TrackingStream[],
  alpha: number,
  rates: readonly number[] = TRACKING_RATES,
): TrackingChoice {
  if (streams.length === 0)
    throw new ModelInputError("interval tracking: no training family to choose a step on.");
  const nested = [...rates]
    .sort((a, b) => a - b)
    .map((eta) => {
      const families = streams.map((s) => runTracking(s, eta, alpha));
      const mean = families.reduce((a, f) => a + f.coverage, 0) / families.length;
      const gap = families.reduce((a, f) => a + Math.abs(f.coverage - (1 - alpha)), 0) / families.length;
      return { eta, mean, gap, families };
    });
  const onTarget = nested.find((n) => n.gap <= TRACKING_TOLERANCE);
  const closest = nested.reduce((best, n) => (n.gap < best.gap - 1e-12 ? n : best));
  return { eta: (onTarget ?? closest).eta, nested };
}
