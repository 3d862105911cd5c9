/**
 * Number formatting shared by the terminal table, CSV labels, the HTML report and the written
 * conclusions. One place, so "$18.95M" reads the same everywhere. Chart axes format in Vega's
 * expression language with the same rules (./charts/chart-theme.ts `usdLabelExpr`).
 */

/** 1234567 -> "1.23M"; 0.0001 -> "0". */
export function compact(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e12) return `${(x / 1e12).toFixed(2)}T`;
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  if (a < 0.005) return "0";
  if (a >= 1) return x.toFixed(a >= 100 ? 0 : 2);
  return x.toPrecision(3);
}

const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/** "$18.95M", "-$3.2k", "-" for a missing value. */
export const usd = (x: number | null | undefined) =>
  finite(x) ? (x < 0 ? `-$${compact(-x)}` : `$${compact(x)}`) : "-";
/** Signed money for differences: "+$1.20M", "-$3.20M", "$0". */
export const signedUsd = (x: number) =>
  !Number.isFinite(x) ? "-" : Math.abs(x) < 0.005 ? "$0" : `${x > 0 ? "+" : "-"}$${compact(Math.abs(x))}`;
export const num = (x: number | null | undefined) => (finite(x) ? compact(x) : "-");
/** A share 0..1 as a percentage: 0.4567 -> "46%"; under 10% one decimal. */
export const pct = (x: number | null | undefined) => {
  if (!finite(x)) return "-";
  const p = x * 100;
  return `${Math.abs(p) < 10 && p !== 0 ? p.toFixed(1) : p.toFixed(0)}%`;
};
export const hours = (x: number | null | undefined) => (finite(x) ? `${x.toFixed(x >= 100 ? 0 : 1)} h` : "-");
/** Money x hours: "$1.20M·h". */
export const usdHours = (x: number | null | undefined) => (finite(x) ? `${usd(x)}·h` : "-");
/** Counts averaged over seeds keep two decimals; whole counts none. */
export const count = (x: number | null | undefined) =>
  finite(x) ? (Number.isInteger(x) ? x.toLocaleString("en-US") : x.toFixed(2)) : "-";
