/**
 * Every figure the report shows is named here once: its label, unit, definition, how it is
 * formatted and which way is better. The report renders whatever metrics a study carries, in this
 * order, and falls back to a definition guessed from the key's suffix for a metric not listed
 * (so a new engine metric appears at once, and gets its proper entry here in one line).
 *
 * Four families:
 *   - run metrics: one number per run, summarised over seeds (mean and 95th percentile with
 *     bootstrap intervals, sims/monte-carlo) - `RUN_METRICS`;
 *   - derived figures: tail figures (VaR, LaR) and censored time to recovery - `DERIVED_METRICS`;
 *   - per-protocol outcomes at the end of a run (RunResult.end fields) - `PROTOCOL_METRICS`;
 *   - per-step series (RunResult.series) - `SERIES`.
 */
import { count, hours, num, pct, usd, usdHours } from "./format.ts";

export type Unit =
  | "USD"
  | "USD x hours"
  | "USD per hour"
  | "protocols"
  | "loans"
  | "h"
  | "share"
  | "index"
  | "count";

export type MetricDefinition = {
  key: string;
  /** Short label, capitalised: "Insolvent debt". */
  label: string;
  /** Lower case, for sentences: "insolvent debt". */
  noun: string;
  unit: Unit;
  definition: string;
  format: (x: number) => string;
  /** Which way is better: conclusions call a move in that direction a gain, the other a cost.
   *  Undefined: activity (negotiated volume), reported but not judged. */
  better?: "lower" | "higher" | undefined;
  /** Censored per-run figure that must not be averaged (time to recovery): summarised by
   *  `DERIVED_METRICS` instead. */
  censored?: boolean | undefined;
  /** Money harm whose tail matters: the report shows its 95th percentile and worst seed. */
  tail?: boolean | undefined;
  /** Guessed from the key: no entry here yet. */
  guessed?: boolean | undefined;
};

const FORMAT: Record<Unit, (x: number) => string> = {
  USD: usd,
  "USD x hours": usdHours,
  "USD per hour": (x) => `${usd(x)}/h`,
  protocols: count,
  loans: count,
  h: hours,
  share: pct,
  index: num,
  count,
};

function define(d: Omit<MetricDefinition, "format"> & { format?: (x: number) => string }): MetricDefinition {
  return { ...d, format: d.format ?? FORMAT[d.unit] };
}

/** Per-run metrics, in the order the report lists them (harm first, then activity). */
export const RUN_METRICS: readonly MetricDefinition[] = [
  define({
    key: "insolventDebtUsd",
    label: "Insolvent debt",
    noun: "insolvent debt",
    unit: "USD",
    better: "lower",
    tail: true,
    definition:
      "What insolvent protocols could not pay: their creditors' claims written down to the Eisenberg-Noe recovery rate during the run, plus what they still cannot pay at the end (unpaid network obligations and external creditors' loss). Its 95th percentile over seeds is the VaR 95%.",
  }),
  define({
    key: "badDebtUsd",
    label: "Bad debt",
    noun: "bad debt",
    unit: "USD",
    better: "lower",
    tail: true,
    definition:
      "Debt that will never be repaid, summed over the run: liquidations that left debt without collateral, perp losses beyond the insurance fund and auto-deleveraging, and lenders' losses on defaulted negotiated loans.",
  }),
  define({
    key: "depositorLossUsd",
    label: "Losses to depositors",
    noun: "losses to depositors",
    unit: "USD",
    better: "lower",
    tail: true,
    definition:
      "What depositors, traders and vault holders of insolvent protocols lose at the end: the protocols' external liabilities their assets no longer cover.",
  }),
  define({
    key: "unpaidWithdrawalUsdHours",
    label: "Unpaid withdrawals",
    noun: "unpaid withdrawal-hours",
    unit: "USD x hours",
    better: "lower",
    tail: true,
    definition:
      "Withdrawals owed and not paid (frozen by halts or redemption caps, or for lack of cash), summed over steps times the step's length: $1M left unpaid for 10 hours counts $10M·h. The harm of freezing depositors.",
  }),
  define({
    key: "peakUnmetUsd",
    label: "Peak unpaid withdrawals",
    noun: "peak unpaid withdrawals",
    unit: "USD",
    better: "lower",
    tail: true,
    definition: "The largest total of withdrawals owed and unpaid at any one step of the run.",
  }),
  define({
    key: "insolvencies",
    label: "Insolvent protocols",
    noun: "insolvent protocols",
    unit: "protocols",
    better: "lower",
    definition:
      "Protocols that defaulted on network obligations at some clearing of the run or whose obligations exceed their assets after network clearing at the end (those already insolvent at hour 0 are counted separately in runs.csv).",
  }),
  define({
    key: "writeDownUsd",
    label: "Claims written down",
    noun: "claims written down",
    unit: "USD",
    better: "lower",
    tail: true,
    definition:
      "Claims of protocols on defaulted peers marked down to the clearing recovery rate during the run: contagion losses passed along the exposure network.",
  }),
  define({
    key: "halts",
    label: "Protocols halted",
    noun: "halted protocols",
    unit: "protocols",
    better: "lower",
    definition:
      "Protocols that halted withdrawals within the run, by a scenario's scripted halt or by their own distress rule.",
  }),
  define({
    key: "liquidationUsd",
    label: "Liquidations",
    noun: "liquidations",
    unit: "USD",
    better: "lower",
    tail: true,
    definition:
      "Debt repaid or written off in liquidations plus liquidated perp notional, summed over the run. Its 95th percentile over seeds is the LaR 95%.",
  }),
  define({
    key: "loanDefaults",
    label: "Negotiated loans defaulted",
    noun: "defaulted negotiated loans",
    unit: "loans",
    better: "lower",
    definition: "Negotiated loans whose lender claimed default on the arbitration contract within the run.",
  }),
  define({
    key: "loansLiquidated",
    label: "Negotiated loans liquidated",
    noun: "liquidated negotiated loans",
    unit: "loans",
    definition:
      "Margined negotiated loans liquidated at least once within the run (in part or in full): the loan's health (collateral value times its liquidation threshold, tightened by the posted alert level, over the debt) fell below 1 and its lender repaid debt on the arbitration contract for collateral plus the negotiated bonus. Reported, not judged: a liquidation protects the lender and costs the borrower the bonus.",
  }),
  define({
    key: "loansToppedUp",
    label: "Negotiated loans topped up",
    noun: "topped-up negotiated loans",
    unit: "loans",
    definition:
      "Margined negotiated loans whose borrower added collateral at least once within the run, because the loan's health fell below its top-up line (1.10) while it held the collateral token to post.",
  }),
  define({
    key: "negotiatedUsd",
    label: "Negotiated loans",
    noun: "negotiated loan principal",
    unit: "USD",
    definition:
      "Principal of the inter-protocol loans the agents negotiated and settled on the arbitration contract during the run, valued at settlement.",
  }),
  define({
    key: "recoveryHours",
    label: "Time to recovery",
    noun: "time to recovery",
    unit: "h",
    censored: true,
    definition:
      "Hours from the first stress (a liquidation, or an unpaid withdrawal over $1) to the first step with neither and every price back within 1% of its path. A run that never gets there is censored: it is counted in the share recovered, never averaged in at the horizon.",
  }),
];

/** Figures the report derives from the summaries or records. */
export const DERIVED_METRICS = {
  varUsd: define({
    key: "varUsd",
    label: "VaR 95% (insolvent debt)",
    noun: "VaR 95% of insolvent debt",
    unit: "USD",
    better: "lower",
    definition:
      "Value at risk: the 95th percentile of insolvent debt across seeds (1 seed in 20 does worse), with a 95% bootstrap interval.",
  }),
  larUsd: define({
    key: "larUsd",
    label: "LaR 95% (liquidations)",
    noun: "LaR 95% of liquidations",
    unit: "USD",
    better: "lower",
    definition:
      "Liquidations at risk: the 95th percentile of liquidations across seeds, with a 95% bootstrap interval.",
  }),
  recoveredShare: define({
    key: "recoveredShare",
    label: "Recovered within horizon",
    noun: "share of runs that recovered",
    unit: "share",
    better: "higher",
    definition:
      "Share of runs that recovered (see time to recovery) before the scenario's horizon, with a 95% Wilson interval. Runs that did not are censored, not failures to be averaged.",
  }),
  recoveryMedianHours: define({
    key: "recoveryMedianHours",
    label: "Time to recovery, median of recovered runs",
    noun: "median time to recovery",
    unit: "h",
    better: "lower",
    definition:
      "Median hours to recovery among the runs that recovered within the horizon; read it with the share recovered (a mode that recovers fewer runs can show a shorter median).",
  }),
  worstSeed: define({
    key: "worstSeed",
    label: "Worst seed",
    noun: "worst seed",
    unit: "USD",
    definition: "The largest value over all seeds of the study (the maximum, not an estimate).",
  }),
} as const;

/** Per-protocol outcomes at the end of a run (fields of RunResult.end), as the report reads them. */
export const PROTOCOL_METRICS: readonly MetricDefinition[] = [
  define({
    key: "insolvent",
    label: "Insolvent at the end",
    noun: "insolvency",
    unit: "share",
    better: "lower",
    definition:
      "Share of seeds in which the protocol defaulted during the run or ended insolvent after network clearing (95% Wilson interval).",
  }),
  define({
    key: "defaulted",
    label: "Defaulted on network obligations",
    noun: "default",
    unit: "share",
    better: "lower",
    definition:
      "Share of seeds in which the protocol failed to meet its network obligations at some clearing.",
  }),
  define({
    key: "haltedHour",
    label: "Halted withdrawals",
    noun: "halt",
    unit: "share",
    better: "lower",
    definition: "Share of seeds in which the protocol halted withdrawals (scripted or by its distress rule).",
  }),
  define({
    key: "equityUsd8",
    label: "Equity at the end",
    noun: "equity",
    unit: "USD",
    better: "higher",
    definition:
      "Assets minus liabilities after network clearing at the end of the run, at market prices (negative when insolvent). Mean over seeds with a 95% bootstrap interval.",
  }),
  define({
    key: "deficitUsd8",
    label: "Unpaid obligations",
    noun: "unpaid obligations",
    unit: "USD",
    better: "lower",
    definition:
      "What the protocol could not pay its creditors (network obligations it defaulted on plus its external creditors' loss). Mean over seeds.",
  }),
  define({
    key: "writeDownLossUsd8",
    label: "Losses on claims written down",
    noun: "write-down losses",
    unit: "USD",
    better: "lower",
    definition:
      "What the protocol lost when its claims on defaulted peers were marked down. Mean over seeds.",
  }),
];

export type SeriesDefinition = MetricDefinition & {
  /** flow: an amount per step, charted cumulatively (a median of bursty per-hour amounts over
   *  seeds is mostly zero); level: a state at the end of each step (the bucket's last value). */
  kind: "flow" | "level";
};

const series = (d: Omit<SeriesDefinition, "format">): SeriesDefinition => ({ ...d, format: FORMAT[d.unit] });

/** Per-step series (RunResult.series, except hours and prices). */
export const SERIES: readonly SeriesDefinition[] = [
  series({
    key: "liquidationUsd",
    kind: "flow",
    label: "Liquidations, cumulative",
    noun: "liquidations",
    unit: "USD",
    better: "lower",
    definition:
      "Debt repaid or written off in liquidations plus liquidated perp notional, summed up to each hour (the engine reports it per step).",
  }),
  series({
    key: "badDebtUsd",
    kind: "level",
    label: "Bad debt, cumulative",
    noun: "bad debt",
    unit: "USD",
    better: "lower",
    definition: "Bad debt (see the run metric) accumulated up to each hour.",
  }),
  series({
    key: "unmetUsd",
    kind: "level",
    label: "Unpaid withdrawals owed",
    noun: "unpaid withdrawals",
    unit: "USD",
    better: "lower",
    definition: "Withdrawals owed and not yet paid across all protocols at the end of each hour.",
  }),
  series({
    key: "writeDownUsd",
    kind: "level",
    label: "Claims written down, cumulative",
    noun: "claims written down",
    unit: "USD",
    better: "lower",
    definition: "Claims on defaulted peers marked down so far.",
  }),
  series({
    key: "halted",
    kind: "level",
    label: "Protocols halted",
    noun: "halted protocols",
    unit: "protocols",
    better: "lower",
    definition: "Protocols whose withdrawals are halted at each hour.",
  }),
  series({
    key: "negotiatedUsd",
    kind: "level",
    label: "Negotiated loans, cumulative",
    noun: "negotiated loans",
    unit: "USD",
    definition: "Principal of negotiated loans settled so far.",
  }),
  series({
    key: "debtRank",
    kind: "level",
    label: "DebtRank of current losses",
    noun: "DebtRank",
    unit: "share",
    better: "lower",
    definition:
      "DebtRank (Battiston et al. 2012) of the losses so far: the share of the system's economic value that current losses could impair through the exposure network, from 0 (none) to 1 (all).",
  }),
];

/** Engine options a sweep may vary, with their units (axis titles); others fall back to the key. */
export const ENGINE_OPTION_UNITS: Readonly<Record<string, string>> = {
  positionsPerLending: "borrowers per lending market",
  tradersPerSide: "traders per side",
  lendingTreasuryShare: "share of deposits",
  lendingBufferShare: "share of deposits",
  arbitrageRecoveryPerHour: "share of the dislocation per hour",
  venueShareOfSales: "share of sales",
  fallbackDepthUsd: "USD per side",
  perpHedgeShare: "share of a liquidated long",
  fireSaleDiscount: "share of value",
  fundingBpsPerHour: "bps of notional per hour",
  liquidationRounds: "rounds per step",
  perpMarginShare: "share of trader collateral",
  depthScale: "multiple of the scenario's depths",
  maxOutsideDislocation: "share of the price",
};

function unitFromKey(key: string): Unit {
  if (/UsdHours$|Usd8Hours$/.test(key)) return "USD x hours";
  if (/Usd8?$/.test(key)) return "USD";
  if (/Hours?$/.test(key)) return "h";
  if (/Share$/.test(key)) return "share";
  return "count";
}

/** "writeDownUsd" -> "Write down usd"-like labels are ugly; split camel case and drop the unit. */
function labelFromKey(key: string): string {
  const words = key
    .replace(/Usd8?(Hours)?$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function guess(key: string): MetricDefinition {
  const unit = unitFromKey(key);
  const label = labelFromKey(key);
  return define({
    key,
    label,
    noun: label.toLowerCase(),
    unit,
    guessed: true,
    definition: `Reported by the engine as "${key}"; no definition is registered yet (sims/report/metric-definitions.ts).`,
  });
}

const byKey = <T extends MetricDefinition>(list: readonly T[]) => new Map(list.map((d) => [d.key, d]));
const RUN_BY_KEY = byKey(RUN_METRICS);
const PROTOCOL_BY_KEY = byKey(PROTOCOL_METRICS);
const SERIES_BY_KEY = byKey(SERIES);

export function runMetric(key: string): MetricDefinition {
  return RUN_BY_KEY.get(key) ?? guess(key);
}

export function protocolMetric(key: string): MetricDefinition {
  return PROTOCOL_BY_KEY.get(key) ?? guess(key);
}

export function seriesDefinition(key: string): SeriesDefinition {
  return SERIES_BY_KEY.get(key) ?? { ...guess(key), kind: "level" };
}

/** Keys in registry order, then unknown keys in the order given. */
export function orderedKeys(keys: Iterable<string>, registry: readonly MetricDefinition[]): string[] {
  const given = [...keys];
  const known = registry.map((d) => d.key).filter((k) => given.includes(k));
  return [...known, ...given.filter((k) => !known.includes(k))];
}

/** "Insolvent debt (USD)" */
export const axisTitle = (d: MetricDefinition) => `${d.label} (${d.unit})`;

/** What a chart's value axis is titled: the unit, spelled out (the chart's title names the metric). */
export function unitTitle(d: MetricDefinition): string {
  switch (d.unit) {
    case "share":
      return "Share (0-100%)";
    case "h":
      return "Hours (h)";
    case "protocols":
      return "Protocols (count)";
    case "loans":
      return "Loans (count)";
    case "count":
      return "Count";
    case "index":
      return "Index";
    default:
      return d.unit;
  }
}
