/**
 * The few statistics the benchmarks report. Medians and MADs rather than means: the machine is
 * shared and noisy, and one stall must not move the headline figure.
 */

export type Summary = {
  n: number;
  median: number;
  p50: number;
  p99: number;
  /** Median absolute deviation from the median (unscaled). */
  mad: number;
  min: number;
  max: number;
  mean: number;
};

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Quantile q in [0, 1] of ascending `s`, linear between closest ranks (type 7, as numpy). */
function quantileSorted(s: readonly number[], q: number): number {
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function quantile(xs: readonly number[], q: number): number {
  return quantileSorted(sorted(xs), q);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  const m = quantileSorted(s, 0.5);
  return {
    n: s.length,
    median: m,
    p50: m,
    p99: quantileSorted(s, 0.99),
    mad: median(s.map((x) => Math.abs(x - m))),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    mean: s.length === 0 ? Number.NaN : s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/** Rounds every number in a summary for the JSON file (3 significant decimals of the unit). */
export function rounded<T>(value: T, digits = 3): T {
  const f = 10 ** digits;
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      typeof v === "number" && Number.isFinite(v) ? Math.round(v * f) / f : v,
    ),
  ) as T;
}

export type OpMeasurement = Summary & {
  /** Operations per timed batch; the per-op figures are batch time / opsPerBatch. */
  opsPerBatch: number;
  unit: "us";
};

export type MeasureOpParameters = {
  /** Target duration of one timed batch, ms (ops per batch is calibrated to it). Default 4. */
  batchMs?: number;
  /** Timed batches. Default 60. */
  batches?: number;
  /** Untimed warm-up, ms. Default 100. */
  warmupMs?: number;
};

/**
 * Per-operation cost of a synchronous `op`, in microseconds. Runs a warm-up, calibrates a batch
 * size so one batch lasts ~batchMs, then times `batches` batches. Median and MAD are of batch
 * means; p99 is the p99 of batch means (the tail of single operations is not observable this way,
 * and for microsecond operations the timer would dominate it anyway).
 */
export function measureOp(op: (i: number) => unknown, params: MeasureOpParameters = {}): OpMeasurement {
  const batchMs = params.batchMs ?? 4;
  const batches = params.batches ?? 60;
  const warmupMs = params.warmupMs ?? 100;
  let sink: unknown;
  let i = 0;
  const warmEnd = performance.now() + warmupMs;
  let calls = 0;
  const calStart = performance.now();
  while (performance.now() < warmEnd) {
    sink = op(i++);
    calls++;
  }
  const perOpMs = (performance.now() - calStart) / Math.max(1, calls);
  const opsPerBatch = Math.max(1, Math.round(batchMs / Math.max(perOpMs, 1e-6)));
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let k = 0; k < opsPerBatch; k++) sink = op(i++);
    samples.push(((performance.now() - t0) * 1000) / opsPerBatch);
  }
  keep(sink);
  return { ...summarize(samples), opsPerBatch, unit: "us" };
}

/** Same as measureOp for an asynchronous op (awaited one at a time). */
export async function measureOpAsync(
  op: (i: number) => Promise<unknown>,
  params: MeasureOpParameters = {},
): Promise<OpMeasurement> {
  const batchMs = params.batchMs ?? 4;
  const batches = params.batches ?? 60;
  const warmupMs = params.warmupMs ?? 100;
  let sink: unknown;
  let i = 0;
  const calStart = performance.now();
  let calls = 0;
  while (performance.now() < calStart + warmupMs) {
    sink = await op(i++);
    calls++;
  }
  const perOpMs = (performance.now() - calStart) / Math.max(1, calls);
  const opsPerBatch = Math.max(1, Math.round(batchMs / Math.max(perOpMs, 1e-6)));
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let k = 0; k < opsPerBatch; k++) sink = await op(i++);
    samples.push(((performance.now() - t0) * 1000) / opsPerBatch);
  }
  keep(sink);
  return { ...summarize(samples), opsPerBatch, unit: "us" };
}

let kept: unknown;
/** Stops the optimiser from dropping a benchmarked result as dead code. */
function keep(v: unknown): void {
  kept = v;
  if (kept === Symbol.for("never")) process.stderr.write("");
}

/**
 * JSON as Biome formats it (2-space indent, objects expanded, arrays of primitives on one line
 * when they fit in 110 columns), so result files pass `npm run lint` untouched.
 */
export function formatJson(value: unknown, width = 110): string {
  const write = (v: unknown, indent: string, prefix: number): string => {
    if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every((x) => x === null || typeof x !== "object")) {
        const flat = `[${v.map((x) => JSON.stringify(x)).join(", ")}]`;
        if (prefix + flat.length + 1 <= width) return flat;
      }
      return `[\n${v.map((x) => `${inner}${write(x, inner, inner.length)}`).join(",\n")}\n${indent}]`;
    }
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([k, x]) => {
      const head = `${inner}${JSON.stringify(k)}: `;
      return `${head}${write(x, inner, head.length)}`;
    });
    return `{\n${lines.join(",\n")}\n${indent}}`;
  };
  return `${write(value, "", 0)}\n`;
}
