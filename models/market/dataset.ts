/**
 * The labelled market dataset: features for every hour of a window, the cascade label, and the
 * events; plus the model input (standardised, absent groups at 0) from a fitted standardiser.
 */
import { join } from "node:path";
import { cascadeLabels } from "../datasets/market/cascade-labels.ts";
import {
  type MarketFiles,
  type MarketInputs,
  readMarketInputs,
  TRAINING_FILES,
} from "../datasets/market/roles.ts";
import { NonFiniteFeatureError } from "../errors.ts";
import {
  type FeatureMatrix,
  fitStandardizer,
  type Standardizer,
  selectRows,
  standardize,
} from "../feature-matrix.ts";
import {
  buildMarketFeatures,
  GROUP_COLUMNS,
  type MarketFeatures,
  OPTIONAL_GROUPS,
  type OptionalGroup,
} from "../features/market/market-features.ts";
import { UNTRUSTED_BEFORE, type Window } from "./splits.ts";

export type MarketDataset = MarketFeatures & {
  labels: Uint8Array;
  eventsMs: number[];
  liquidationsUsd: Float64Array;
};

export function trainingFiles(dataDir: string): MarketFiles {
  return Object.fromEntries(
    Object.entries(TRAINING_FILES).map(([k, v]) => [k, join(dataDir, v)]),
  ) as MarketFiles;
}

/** Marks a group absent (NaN features, mask 0) at the given rows. */
export function dropGroup(f: MarketFeatures, group: OptionalGroup, rows: (i: number) => boolean): void {
  const cols = GROUP_COLUMNS[group];
  for (let i = 0; i < f.x.rows; i++) {
    if (!rows(i)) continue;
    for (const j of cols.features) f.x.values[i * f.x.cols + j] = Number.NaN;
    f.x.values[i * f.x.cols + cols.mask!] = 0;
    f.present[group][i] = 0;
  }
}

export function buildMarketDataset({
  inputs,
  window,
}: {
  inputs: MarketInputs;
  window: Window;
}): MarketDataset {
  const f = buildMarketFeatures({ inputs, fromMs: window.fromMs, toMs: window.toMs });
  for (const [g, before] of Object.entries(UNTRUSTED_BEFORE) as [OptionalGroup, number][])
    dropGroup(f, g, (i) => f.hoursMs[i]! < before);
  const markets = [inputs.aaveWeth, inputs.aaveUsdc].filter((m) => m !== undefined);
  const l = cascadeLabels({ markets, fromMs: window.fromMs, toMs: window.toMs });
  return { ...f, labels: l.labels, eventsMs: l.eventsMs, liquidationsUsd: l.liquidationsUsd };
}

export function loadTrainingDataset(dataDir: string, window: Window): MarketDataset {
  return buildMarketDataset({ inputs: readMarketInputs(trainingFiles(dataDir)), window });
}

export function rowsIn(d: { hoursMs: Float64Array }, w: Window): number[] {
  const out: number[] = [];
  for (let i = 0; i < d.hoursMs.length; i++)
    if (d.hoursMs[i]! >= w.fromMs && d.hoursMs[i]! <= w.toMs) out.push(i);
  return out;
}

export const isMask = (name: string) => name.startsWith("has_");

export function fitMarketStandardizer(x: FeatureMatrix): Standardizer {
  return fitStandardizer(x, isMask);
}

/**
 * Model input: standardised, absent groups' cells set to 0 (the training mean); any other
 * non-finite cell is an error naming the feature and hour.
 */
export function modelInput(x: FeatureMatrix, s: Standardizer, hoursMs: ArrayLike<number>): FeatureMatrix {
  const z = standardize(x, s);
  const v = z.values;
  const groups = OPTIONAL_GROUPS.map((g) => GROUP_COLUMNS[g]);
  for (let i = 0; i < z.rows; i++) {
    const base = i * z.cols;
    for (const g of groups) {
      if (v[base + g.mask!] === 0) for (const j of g.features) v[base + j] = 0;
    }
    for (let j = 0; j < z.cols; j++)
      if (!Number.isFinite(v[base + j]!))
        throw new NonFiniteFeatureError({
          feature: z.names[j]!,
          hourUtc: new Date(hoursMs[i]!).toISOString(),
          value: x.values[base + j]!,
        });
  }
  return z;
}

export function subset<T extends MarketDataset>(
  d: T,
  rows: number[],
): { x: FeatureMatrix; y: Uint8Array; hoursMs: Float64Array } {
  return {
    x: selectRows(d.x, rows),
    y: Uint8Array.from(rows, (i) => d.labels[i]!),
    hoursMs: Float64Array.from(rows, (i) => d.hoursMs[i]!),
  };
}
