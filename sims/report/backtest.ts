/**
 * The backtest slot: simulated versus reported outcomes for a named scenario (issue 11 item 5).
 * Whoever computes a backtest attaches rows to the study (`study.backtest`); the report renders
 * them as a table with the ratio sim/real and whether it lies within the stated tolerance.
 */
export type BacktestRow = {
  /** What is compared, e.g. "Aave v2 WETH liquidations, 19 May 2021". */
  quantity: string;
  unit: "USD" | "USD per token" | "count" | "share" | "h";
  /** The simulated figure over seeds (median or mean, say which in `estimate`) with its 95% interval. */
  simulated: { value: number; lo: number; hi: number; estimate: string } | null;
  /** The public figure: one value, or a range when sources disagree (Maker's Black Thursday bad debt). */
  reported: { value: number } | { lo: number; hi: number } | null;
  /** Where the reported figure comes from: a public source name or a shipped data file. */
  source: string;
  /** Why it cannot be checked, when it cannot (then simulated or reported is null). */
  uncheckable?: string | undefined;
  /** Accepted ratio band, default [0.5, 2] (within a factor of 2). */
  tolerance?: { lo: number; hi: number } | undefined;
};

export type BacktestTable = {
  scenario: string;
  rows: BacktestRow[];
  notes?: string | undefined;
  /** Each row's simulated value per seed (null where the row has none), for the chart. */
  perSeed?: (number[] | null)[] | undefined;
};

/** sim / real, against the middle of a reported range. */
export function backtestRatio(row: BacktestRow): number | null {
  if (!row.simulated || !row.reported) return null;
  const real = "value" in row.reported ? row.reported.value : (row.reported.lo + row.reported.hi) / 2;
  return real === 0 ? null : row.simulated.value / real;
}
