/**
 * Time splits of the market model, never random rows. Rolling origin: each fold trains on
 * everything labelled before its test window, with a gap longer than the 24 h label horizon
 * (so no training label looks into the test window). Labels exist from Aave v2's launch to
 * 2021-12-31; the first week is skipped (dust markets, and the 168 h feature windows).
 */

import { CASCADE_HORIZON_HOURS } from "../datasets/market/cascade-labels.ts";
import { HOUR_MS } from "../datasets/market/series.ts";
import { ModelInputError } from "../errors.ts";

export type Window = { fromMs: number; toMs: number };
export type TimeSplit = { name: string; train: Window; test: Window };

const utc = (s: string) => Date.parse(`${s}Z`);

export const LABELLED: Window = { fromMs: utc("2020-12-07T00:00:00"), toMs: utc("2021-12-30T23:00:00") };

/** Folds whose test windows, together, are the second half of 2021. */
export const VALIDATION_SPLITS: readonly TimeSplit[] = [
  {
    name: "2021-Q3",
    train: { fromMs: LABELLED.fromMs, toMs: utc("2021-06-30T23:00:00") },
    test: { fromMs: utc("2021-07-02T00:00:00"), toMs: utc("2021-09-30T23:00:00") },
  },
  {
    name: "2021-Q4",
    train: { fromMs: LABELLED.fromMs, toMs: utc("2021-09-29T23:00:00") },
    test: { fromMs: utc("2021-10-01T00:00:00"), toMs: LABELLED.toMs },
  },
];

/** The shipped model: everything labelled. */
export const FINAL_TRAINING: Window = LABELLED;

/** Throws if a split's training labels could see its test window. */
export function checkSplit(s: TimeSplit): void {
  const gapHours = (s.test.fromMs - s.train.toMs) / HOUR_MS;
  if (gapHours <= CASCADE_HORIZON_HOURS)
    throw new ModelInputError(
      `split ${s.name}: ${gapHours} h between the last training hour and the first test hour; the label looks ${CASCADE_HORIZON_HOURS} h ahead, so the gap must exceed that.`,
    );
  if (s.train.fromMs > s.train.toMs || s.test.fromMs > s.test.toMs)
    throw new ModelInputError(`split ${s.name}: empty window.`);
}

/** Trust rules from the data README: early-2021 stETH prices are a thin market, not a signal. */
export const UNTRUSTED_BEFORE: Partial<Record<"steth", number>> = { steth: utc("2021-07-01T00:00:00") };
