/**
 * Lead time of a warning: fix the alarm threshold at a false-positive rate (alarm = score above
 * the threshold on at most that share of quiet hours), then for each event count the hours from
 * the first alarm inside a look-back window before the event to the event. An event with no
 * alarm in its window is missed.
 */
import { ModelInputError } from "../errors.ts";
import { checkScoredLabels } from "./check-inputs.ts";

/** The smallest threshold whose alarms (score > threshold) cover at most `fpr` of negatives. */
export function thresholdAtFpr({
  scores,
  labels,
  fpr,
}: {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
  fpr: number;
}): number {
  const { negatives } = checkScoredLabels("threshold at FPR", scores, labels, { needBothClasses: true });
  if (!(fpr >= 0 && fpr < 1)) throw new ModelInputError(`false-positive rate ${fpr} is not in [0, 1).`);
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] === 0) neg.push(scores[i]!);
  neg.sort((a, b) => b - a);
  const allowed = Math.floor(fpr * negatives);
  // Alarms are strictly above the threshold, so at most `allowed` negatives (fewer with ties).
  return neg[allowed]!;
}

export type LeadTimeParameters = {
  /** Hour index of each score (ascending, e.g. hours since epoch). */
  hours: ArrayLike<number>;
  scores: ArrayLike<number>;
  threshold: number;
  /** Hour index of each event. */
  events: readonly number[];
  /** Alarms earlier than this many hours before an event do not count for it. */
  maxLeadHours: number;
};

export type LeadTimeEvent = { eventHour: number; leadHours: number | null };

export function leadTimes({
  hours,
  scores,
  threshold,
  events,
  maxLeadHours,
}: LeadTimeParameters): LeadTimeEvent[] {
  if (hours.length !== scores.length)
    throw new ModelInputError("lead time: hours and scores differ in length.");
  const out: LeadTimeEvent[] = [];
  for (const e of events) {
    let first: number | null = null;
    for (let i = 0; i < hours.length; i++) {
      const h = hours[i]!;
      if (h < e - maxLeadHours) continue;
      if (h >= e) break;
      if (scores[i]! > threshold) {
        first = h;
        break;
      }
    }
    out.push({ eventHour: e, leadHours: first === null ? null : e - first });
  }
  return out;
}

export type LeadTimeSummary = {
  events: number;
  detected: number;
  medianLeadHours: number | null;
  meanLeadHours: number | null;
};

export function summarizeLeadTimes(rows: readonly LeadTimeEvent[]): LeadTimeSummary {
  const leads = rows.flatMap((r) => (r.leadHours === null ? [] : [r.leadHours])).sort((a, b) => a - b);
  const m = leads.length;
  const median = m === 0 ? null : m % 2 ? leads[(m - 1) / 2]! : (leads[m / 2 - 1]! + leads[m / 2]!) / 2;
  return {
    events: rows.length,
    detected: m,
    medianLeadHours: median,
    meanLeadHours: m === 0 ? null : leads.reduce((a, b) => a + b, 0) / m,
  };
}
