/** Every metric against cases computed by hand (the comments show the arithmetic). */
import { describe, expect, it } from "vitest";
import { ModelInputError } from "../errors.ts";
import { brierScore, expectedCalibrationError, reliabilityBins } from "./calibration.ts";
import { intervalCoverage } from "./coverage.ts";
import { leadTimes, summarizeLeadTimes, thresholdAtFpr } from "./lead-time.ts";
import { averagePrecision, baseRate, precisionRecallCurve } from "./precision-recall.ts";
import { auroc, rocCurve } from "./roc.ts";

const S = [0.1, 0.4, 0.35, 0.8];
const Y = [0, 0, 1, 1];

describe("ROC", () => {
  it("AUROC = share of (positive, negative) pairs ranked right: 3 of 4", () => {
    // 0.35 > 0.1 yes, 0.35 > 0.4 no, 0.8 > both yes.
    expect(auroc(S, Y)).toBeCloseTo(0.75, 12);
  });
  it("counts a tie as half a pair and draws it as one diagonal step", () => {
    expect(auroc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(rocCurve([0.5, 0.5], [1, 0])).toEqual([
      { threshold: Number.POSITIVE_INFINITY, fpr: 0, tpr: 0 },
      { threshold: 0.5, fpr: 1, tpr: 1 },
    ]);
  });
  it("is 1 for a perfect ranking and 0 for a reversed one", () => {
    expect(auroc([0.9, 0.8, 0.2], [1, 1, 0])).toBe(1);
    expect(auroc([0.1, 0.2, 0.9], [1, 1, 0])).toBe(0);
  });
  it("refuses one-class labels, NaN scores and length mismatches", () => {
    expect(() => auroc([0.1, 0.2], [0, 0])).toThrow(ModelInputError);
    expect(() => auroc([Number.NaN, 0.2], [1, 0])).toThrow(/score 0 is NaN/);
    expect(() => auroc([0.1], [1, 0])).toThrow(/1 scores but 2 labels/);
  });
});

describe("precision-recall", () => {
  it("average precision: 0.5 x 1 + 0.5 x 2/3 = 0.8333", () => {
    // Descending: 0.8(+) R=.5 P=1; 0.4(-) R=.5 P=.5; 0.35(+) R=1 P=2/3; 0.1(-) R=1 P=.5.
    expect(averagePrecision(S, Y)).toBeCloseTo(0.5 + 0.5 * (2 / 3), 12);
    expect(precisionRecallCurve(S, Y).map((p) => [p.recall, p.precision])).toEqual([
      [0.5, 1],
      [0.5, 0.5],
      [1, 2 / 3],
      [1, 0.5],
    ]);
  });
  it("a constant score has AP = base rate", () => {
    const y = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    expect(averagePrecision(new Array(10).fill(0.3), y)).toBeCloseTo(0.2, 12);
    expect(baseRate(y)).toBeCloseTo(0.2, 12);
  });
});

describe("calibration", () => {
  it("Brier: ((0.1)^2 + (0.1)^2 + (0.8)^2) / 3 = 0.22", () => {
    expect(brierScore([0.1, 0.9, 0.8], [0, 1, 0])).toBeCloseTo(0.22, 12);
  });
  it("ECE over 10 equal bins: 2/4 x .45 + 1/4 x .15 + 1/4 x .05 = 0.275", () => {
    const p = [0.05, 0.05, 0.15, 0.95];
    const y = [0, 1, 0, 1];
    expect(expectedCalibrationError({ probabilities: p, labels: y })).toBeCloseTo(0.275, 12);
    const bins = reliabilityBins({ probabilities: p, labels: y });
    expect(bins.map((b) => [b.count, b.meanPredicted, b.observedRate])).toEqual([
      [2, 0.05, 0.5],
      [1, 0.15, 0],
      [1, 0.95, 1],
    ]);
  });
  it("a probability of exactly 1 lands in the last bin; quantile bins hold equal counts", () => {
    expect(reliabilityBins({ probabilities: [1, 0], labels: [1, 0], bins: 10 }).map((b) => b.upper)).toEqual([
      0.1, 1,
    ]);
    const p = Array.from({ length: 100 }, (_, i) => i / 100);
    const y = p.map((x) => (x > 0.5 ? 1 : 0));
    const q = reliabilityBins({ probabilities: p, labels: y, bins: 4, strategy: "quantile" });
    expect(q.map((b) => b.count)).toEqual([25, 25, 25, 25]);
  });
  it("a perfectly calibrated predictor in each bin has ECE 0", () => {
    const p = [0.25, 0.25, 0.25, 0.25];
    expect(expectedCalibrationError({ probabilities: p, labels: [1, 0, 0, 0] })).toBeCloseTo(0, 12);
  });
  it("refuses probabilities outside [0, 1]", () => {
    expect(() => brierScore([1.5], [1])).toThrow(/not a probability/);
  });
});

describe("interval coverage", () => {
  it("counts inclusive bounds: 2 of 3 inside, mean width 4/3", () => {
    const r = intervalCoverage({ lower: [0, 0, 1], upper: [1, 2, 2], target: [0.5, 3, 1] });
    expect(r.coverage).toBeCloseTo(2 / 3, 12);
    expect(r.meanWidth).toBeCloseTo(4 / 3, 12);
  });
  it("refuses an inverted interval", () => {
    expect(() => intervalCoverage({ lower: [2], upper: [1], target: [1] })).toThrow(/\[2, 1\]/);
  });
});

describe("lead time at a fixed false-positive rate", () => {
  it("threshold: 10 quiet hours scored 0.1..1.0 at FPR 20% -> alarms above 0.8 (two of them)", () => {
    const scores = [...Array.from({ length: 10 }, (_, i) => (i + 1) / 10), 0.95];
    const labels = [...new Array(10).fill(0), 1];
    const t = thresholdAtFpr({ scores, labels, fpr: 0.2 });
    expect(t).toBeCloseTo(0.8, 12);
    expect(scores.filter((s, i) => labels[i] === 0 && s > t).length).toBe(2);
  });
  it("first alarm inside the window before each event; none -> missed", () => {
    const hours = Array.from({ length: 10 }, (_, i) => i);
    const scores = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    const rows = leadTimes({ hours, scores, threshold: 0.5, events: [5, 9, 2], maxLeadHours: 4 });
    // Event 5: window [1, 5) has the alarm at 2 -> 3 h. Event 9: [5, 9) none. Event 2: [-2, 2) none.
    expect(rows).toEqual([
      { eventHour: 5, leadHours: 3 },
      { eventHour: 9, leadHours: null },
      { eventHour: 2, leadHours: null },
    ]);
    expect(summarizeLeadTimes(rows)).toEqual({
      events: 3,
      detected: 1,
      medianLeadHours: 3,
      meanLeadHours: 3,
    });
  });
});
