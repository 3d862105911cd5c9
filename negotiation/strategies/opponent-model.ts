/**
 * Opponent models: estimates of the counterparty's issue weights from the offers it has made.
 * Which way each issue pulls the other side is public for a loan (lenders like high rates), so
 * the models learn weights only. Both are pure folds over the offer history.
 *
 * - frequency: an issue the opponent keeps still between offers matters to it (the HardHeaded /
 *   "frequency" model of ANAC); each unchanged issue gains weight, early evidence counting more.
 * - bayesian-lite: a posterior over a grid of weight vectors, assuming the opponent opens near its
 *   ideal and concedes where it costs it least (after Hindriks & Tykhonov, much simplified).
 */
import { ISSUES, type Issue, type IssueSpace, type IssueVector, issueValues } from "./issue-space.ts";
import type { Side, Terms } from "./strategy.ts";
import { defaultPrefersHigh, linearUtility, normaliseWeights } from "./utility.ts";

export type OpponentEstimate = {
  weights: IssueVector;
  prefersHigh: Record<Issue, boolean>;
  /** Estimated utility to the opponent. */
  utilityOf(values: IssueVector): number;
};

export type OpponentModelInput = {
  space: IssueSpace;
  /** The opponent's side. */
  side: Side;
  /** Its offers, oldest first. */
  offers: readonly Terms[];
};

export interface OpponentModel {
  readonly name: string;
  estimate(input: OpponentModelInput): OpponentEstimate;
}

export function opponentEstimate(
  weights: IssueVector,
  prefersHigh: Record<Issue, boolean>,
): OpponentEstimate {
  return { weights, prefersHigh, utilityOf: (v) => linearUtility(v, weights, prefersHigh) };
}

/** What a strategy assumes without a model: equal weights. */
export function uniformOpponent(side: Side): OpponentEstimate {
  return opponentEstimate(normaliseWeights({}), defaultPrefersHigh(side));
}

export type FrequencyModelParameters = {
  /** Weight added to an unchanged issue per pair of consecutive offers (before renormalising). */
  learningRate?: number;
  /** Issue values are compared in this many bins. */
  bins?: number;
};

export function createFrequencyModel(p: FrequencyModelParameters = {}): OpponentModel {
  const learningRate = p.learningRate ?? 0.2;
  const bins = p.bins ?? 10;
  const bin = (v: number) => Math.min(bins - 1, Math.floor(v * bins));
  return {
    name: "frequency",
    estimate({ space, side, offers }) {
      let w = normaliseWeights({});
      let prev: IssueVector | undefined;
      offers.forEach((offer, k) => {
        const v = issueValues(space, offer);
        if (prev) {
          // Later offers say less: the opponent may simply have run out of other issues to move.
          const rate = learningRate / (1 + 0.5 * (k - 1));
          const next = { ...w };
          for (const i of ISSUES) if (bin(v[i]) === bin(prev[i])) next[i] += rate;
          w = normaliseWeights(next);
        }
        prev = v;
      });
      return opponentEstimate(w, defaultPrefersHigh(side));
    },
  };
}

export type BayesianModelParameters = {
  /** Grid resolution of the weight hypotheses: weights are multiples of 1/steps. Default 4. */
  steps?: number;
  /** How sharply the opening offer is taken as near-ideal. */
  openingSharpness?: number;
  /** How sharply a step is taken as a cheap concession. */
  stepSharpness?: number;
};

function simplexGrid(steps: number): IssueVector[] {
  const out: IssueVector[] = [];
  const rec = (i: number, left: number, acc: number[]) => {
    if (i === ISSUES.length - 1) {
      const w = [...acc, left].map((x) => x / steps);
      out.push(Object.fromEntries(ISSUES.map((issue, k) => [issue, w[k]!])) as IssueVector);
      return;
    }
    for (let x = 0; x <= left; x++) rec(i + 1, left - x, [...acc, x]);
  };
  rec(0, steps, []);
  return out;
}

export function createBayesianModel(p: BayesianModelParameters = {}): OpponentModel {
  const hypotheses = simplexGrid(p.steps ?? 4);
  const opening = p.openingSharpness ?? 5;
  const step = p.stepSharpness ?? 10;
  return {
    name: "bayesian",
    estimate({ space, side, offers }) {
      const dir = defaultPrefersHigh(side);
      if (offers.length === 0) return uniformOpponent(side);
      const values = offers.map((o) => issueValues(space, o));
      // Log-posterior per hypothesis (uniform prior).
      const logPost = hypotheses.map((h) => {
        const u = values.map((v) => linearUtility(v, h, dir));
        let lp = opening * u[0]!;
        for (let k = 1; k < u.length; k++) lp -= step * Math.abs(u[k - 1]! - u[k]!);
        return lp;
      });
      const max = Math.max(...logPost);
      const post = logPost.map((lp) => Math.exp(lp - max));
      const total = post.reduce((a, b) => a + b, 0);
      const mean = {} as IssueVector;
      for (const i of ISSUES) mean[i] = hypotheses.reduce((s, h, k) => s + (h[i] * post[k]!) / total, 0);
      return opponentEstimate(normaliseWeights(mean), dir);
    },
  };
}
