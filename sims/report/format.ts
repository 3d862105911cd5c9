/** Number formatting shared by the terminal table, CSV and HTML. */
import { compact } from "./svg-charts.ts";

export const usd = (x: number) => (Number.isFinite(x) ? `$${compact(x)}` : "-");
export const num = (x: number) => (Number.isFinite(x) ? compact(x) : "-");
export const fmtMetric = (metric: string, x: number) => (metric.endsWith("Usd") ? usd(x) : num(x));
