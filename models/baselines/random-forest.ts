/**
 * Tree-ensemble baseline: ml-random-forest's regression forest on 0/1 labels (a leaf's mean is
 * the share of events in it, so the forest average is a probability).
 *
 * ml-cart tries a split at every label change of every column, O(n^2) per node, so trees must
 * see a subsample of the rows to keep fits to seconds. The library's own `maxSamples` keeps the
 * FIRST rows (in time order here, that would drop the later months), so we subsample ourselves:
 * the forest is `groups` forests of `trees / groups` trees, each grown on its own seeded random
 * subsample of `maxSamples` of the rows (bootstrapped again per tree), averaged.
 *
 * ml-cart (2.1.1) scores a regression split by the squared error left after it and splits only when
 * that error is above `gainThreshold` (0 by default): a split into two pure children leaves error
 * 0 and is refused, so a node its best column separates perfectly becomes a leaf at its mean (a
 * tree cannot finish separating a band of events). A threshold of -1 lets such splits through; the
 * library still stops at maxDepth, minNumSamples and nodes with no label change. (One case stays:
 * the root compares its error with a parent error of 0, so a problem one threshold separates
 * entirely is not split at all; real data never are.)
 */
import { RandomForestRegression } from "ml-random-forest";
import { ModelInputError } from "../errors.ts";
import { type FeatureMatrix, toArrays } from "../feature-matrix.ts";
import { createRng, deriveSeed, permutation } from "../random.ts";
import type { FitParameters, ProbabilisticClassifier } from "./estimator.ts";

/** ml-cart's regression "gain" is an error (>= 0): below every error, so perfect splits happen. */
const ALLOW_PURE_SPLITS = -1;

export type FitRandomForestParameters = FitParameters & {
  trees?: number;
  maxDepth?: number;
  minLeafSamples?: number;
  /** Share of rows per tree (bootstrap). */
  maxSamples?: number;
  /** Share of columns per tree. */
  maxFeatures?: number;
  /** Independent row subsamples (each a forest of trees / groups trees). */
  groups?: number;
};

export function fitRandomForest({
  x,
  y,
  seed = 1,
  trees = 100,
  maxDepth = 6,
  minLeafSamples = 20,
  maxSamples = 0.3,
  maxFeatures = 0.5,
  groups = 10,
}: FitRandomForestParameters): ProbabilisticClassifier & { trees: number } {
  if (y.length !== x.rows) throw new ModelInputError(`random forest: ${x.rows} rows but ${y.length} labels.`);
  const all = toArrays(x);
  const rng = createRng(seed);
  const size = Math.max(2, Math.floor(x.rows * maxSamples));
  const perGroup = Math.max(1, Math.round(trees / groups));
  const forests: RandomForestRegression[] = [];
  for (let g = 0; g < groups; g++) {
    const pick = permutation(x.rows, rng).subarray(0, size);
    const forest = new RandomForestRegression({
      nEstimators: perGroup,
      maxFeatures,
      replacement: false,
      useSampleBagging: true,
      seed: deriveSeed(seed, g),
      noOOB: true,
      treeOptions: { maxDepth, minNumSamples: minLeafSamples, gainThreshold: ALLOW_PURE_SPLITS },
    } as never);
    forest.train(
      Array.from(pick, (i) => all[i]!),
      Array.from(pick, (i) => y[i]!),
    );
    forests.push(forest);
  }
  return {
    name: "random forest",
    trees: perGroup * groups,
    predict: (m: FeatureMatrix) => {
      if (m.cols !== x.cols)
        throw new ModelInputError(`random forest fitted on ${x.cols} columns, given ${m.cols}.`);
      const rows = toArrays(m);
      const out = new Float64Array(m.rows);
      for (const f of forests) {
        const p = f.predict(rows);
        for (let i = 0; i < m.rows; i++) out[i]! += p[i]! / forests.length;
      }
      return out.map((v) => Math.min(1, Math.max(0, v)));
    },
  };
}
