/**
 * The one table every estimator in models/ reads: rows of float features, row-major, with
 * column names (so an error can name the column) and an optional time per row.
 */
import { ModelInputError, NonFiniteFeatureError } from "./errors.ts";

export type FeatureMatrix = {
  rows: number;
  cols: number;
  /** Row-major, rows x cols. */
  values: Float32Array;
  names: readonly string[];
};

export function createFeatureMatrix(params: {
  rows: number;
  names: readonly string[];
  values?: Float32Array;
}): FeatureMatrix {
  const cols = params.names.length;
  const values = params.values ?? new Float32Array(params.rows * cols);
  if (values.length !== params.rows * cols)
    throw new ModelInputError(`feature matrix: ${values.length} values for ${params.rows} x ${cols}.`);
  return { rows: params.rows, cols, values, names: params.names };
}

export function row(m: FeatureMatrix, i: number): Float32Array {
  return m.values.subarray(i * m.cols, (i + 1) * m.cols);
}

export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let k = 0; k < indices.length; k++) out.set(row(m, indices[k]!), k * m.cols);
  return { rows: indices.length, cols: m.cols, values: out, names: m.names };
}

export function toArrays(m: FeatureMatrix): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(row(m, i)));
}

/** Throws NonFiniteFeatureError naming the first NaN or infinite cell. */
export function assertFinite(m: FeatureMatrix, rowLabel: (i: number) => string = (i) => `row ${i}`): void {
  const v = m.values;
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k]!)) {
      const i = Math.floor(k / m.cols);
      throw new NonFiniteFeatureError({ feature: m.names[k % m.cols]!, hourUtc: rowLabel(i), value: v[k]! });
    }
  }
}

/**
 * Per-column mean and standard deviation (population), from training rows only. Missing cells
 * (NaN: an absent feature group) are skipped. Columns in `passThrough` (0/1 masks) keep their
 * values (mean 0, std 1), so a 0 still means "absent" after standardisation.
 */
export type Standardizer = { names: readonly string[]; mean: Float32Array; std: Float32Array };

export function fitStandardizer(
  m: FeatureMatrix,
  passThrough: (name: string) => boolean = () => false,
): Standardizer {
  const sum = new Float64Array(m.cols);
  const sq = new Float64Array(m.cols);
  const cnt = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const x = m.values[i * m.cols + j]!;
      if (Number.isNaN(x)) continue;
      sum[j]! += x;
      sq[j]! += x * x;
      cnt[j]!++;
    }
  const std = new Float32Array(m.cols);
  const mu = new Float32Array(m.cols);
  for (let j = 0; j < m.cols; j++) {
    if (passThrough(m.names[j]!) || cnt[j] === 0) {
      mu[j] = 0;
      std[j] = 1;
      continue;
    }
    mu[j] = sum[j]! / cnt[j]!;
    const variance = Math.max(0, sq[j]! / cnt[j]! - mu[j]! ** 2);
    // A constant column is left unscaled.
    std[j] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { names: m.names, mean: mu, std };
}

export function standardize(m: FeatureMatrix, s: Standardizer): FeatureMatrix {
  if (s.names.length !== m.cols || s.names.some((n, j) => n !== m.names[j]))
    throw new ModelInputError(
      `standardizer columns (${s.names.join(",")}) differ from the matrix's (${m.names.join(",")}).`,
    );
  const out = new Float32Array(m.values.length);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) {
      const k = i * m.cols + j;
      out[k] = (m.values[k]! - s.mean[j]!) / s.std[j]!;
    }
  return { ...m, values: out };
}
