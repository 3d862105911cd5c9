/**
 * A short written conclusion per mode, generated from the numbers: what a mode changed compared
 * with agents off, seed for seed (paired differences with 95% bootstrap intervals), what it cost,
 * what did not move, the tail (VaR 95%), recovery with censoring, and what happened to the loans
 * it negotiated. A change counts as a gain or a cost only when its interval excludes zero; the
 * text says so when nothing moved, when a mode ran identically, when every run was censored, and
 * when there is one seed (no interval) or one mode (nothing to compare).
 */
import { pct, signedUsd } from "./format.ts";
import { type PairedDifference, pairedDifference } from "./intervals.ts";
import { DERIVED_METRICS, type MetricDefinition, runMetric } from "./metric-definitions.ts";
import type { GroupView, StudyView } from "./study-view.ts";

export type Verdict = "alone" | "baseline" | "better" | "worse" | "trade-off" | "no-change" | "identical";

export type Conclusion = {
  mode: string;
  sweep: number | undefined;
  verdict: Verdict;
  /** Plain text (the HTML section escapes it). */
  sentences: string[];
};

type Change = { metric: MetricDefinition; diff: PairedDifference };

const NEGOTIATING = new Set(["negotiation", "both"]);

function signed(metric: MetricDefinition, x: number): string {
  if (metric.unit === "USD") return signedUsd(x);
  if (x === 0) return metric.format(0);
  return `${x > 0 ? "+" : "-"}${metric.format(Math.abs(x))}`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "insolvent debt from $18.95M to $5.86M (-$13.09M per run, 95% CI -$16.2M to -$10.0M)" */
function changePhrase({ metric, diff }: Change, withInterval: boolean): string {
  const ci = withInterval ? `, 95% CI ${signed(metric, diff.lo)} to ${signed(metric, diff.hi)}` : "";
  // A relative change only from a baseline that is not (nearly) zero: +1e9% says nothing.
  const ratio = Math.abs(diff.value) / diff.baseline;
  const relative =
    metric.unit !== "share" && metric.format(diff.baseline) !== metric.format(0) && ratio < 10
      ? `, ${diff.value > 0 ? "+" : "-"}${pct(ratio)}`
      : "";
  return `${metric.noun} from ${metric.format(diff.baseline)} to ${metric.format(diff.other)} (${signed(metric, diff.value)} per run${relative}${ci})`;
}

function isGain({ metric, diff }: Change, withInterval: boolean): boolean {
  const lo = withInterval ? diff.lo : diff.value;
  const hi = withInterval ? diff.hi : diff.value;
  return metric.better === "lower" ? hi < 0 : metric.better === "higher" ? lo > 0 : false;
}

function isCost({ metric, diff }: Change, withInterval: boolean): boolean {
  const lo = withInterval ? diff.lo : diff.value;
  const hi = withInterval ? diff.hi : diff.value;
  return metric.better === "lower" ? lo > 0 : metric.better === "higher" ? hi < 0 : false;
}

function recoverySentence(view: StudyView, g: GroupView, base: GroupView | undefined): string {
  const h = view.horizonHours === undefined ? "the horizon" : `the ${view.horizonHours}-hour horizon`;
  const r = g.recovery;
  const median = (x: GroupView["recovery"]) =>
    x.medianHours === null ? "" : `, median ${DERIVED_METRICS.recoveryMedianHours.format(x.medianHours)}`;
  if (!base) {
    if (r.recovered === 0)
      return `No run recovered within ${h}: time to recovery is censored in all ${r.runs} runs, so it has no mean or median.`;
    const censored = r.runs - r.recovered;
    return `${r.recovered} of ${r.runs} runs recovered within ${h}${median(r)}${censored > 0 ? `; the other ${censored} are censored` : ""}.`;
  }
  const b = base.recovery;
  if (r.recovered === 0 && b.recovered === 0)
    return `No run recovered within ${h} in either mode (all ${r.runs + b.runs} censored), so time to recovery cannot be compared.`;
  return `${r.recovered} of ${r.runs} runs recovered within ${h}${median(r)} (${base.mode}: ${b.recovered} of ${b.runs}${median(b)}).`;
}

function loanSentence(g: GroupView): string | undefined {
  const negotiated = g.values.get("negotiatedUsd");
  const anyNegotiated = negotiated !== undefined && [...negotiated.values()].some((x) => x > 0);
  if (!NEGOTIATING.has(g.mode) && !anyNegotiated) return undefined;
  const loans = g.detail?.loans;
  if (loans && loans.perSeed.length > 0) {
    const n = loans.perSeed.length;
    const perSeed = loans.perSeed;
    const mean = (f: (s: (typeof perSeed)[number]) => number) => perSeed.reduce((a, s) => a + f(s), 0) / n;
    const total = mean((s) => s.loans);
    if (total === 0) return `No loan was negotiated in any of the ${n} seeds.`;
    // Means of small counts keep two decimals, so the parts visibly add up to the whole.
    const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 2 : 1));
    const principal =
      negotiated && negotiated.size > 0
        ? ` (${runMetric("negotiatedUsd").format([...negotiated.values()].reduce((a, b) => a + b, 0) / negotiated.size)} of principal)`
        : "";
    const liquidated = mean((s) => s.liquidated);
    const margins =
      mean((s) => s.margined) === 0
        ? ""
        : ` Of them ${fmt(mean((s) => s.margined))} carried a margin: ${fmt(mean((s) => s.toppedUp))} topped up by their borrower and ${fmt(mean((s) => s.everLiquidated))} liquidated (in part or in full).`;
    return `Agents settled ${fmt(total)} loans per run on average${principal}: ${fmt(mean((s) => s.repaid))} repaid, ${liquidated > 0 ? `${fmt(liquidated)} liquidated in full, ` : ""}${fmt(mean((s) => s.defaulted))} defaulted and ${fmt(mean((s) => s.outstanding))} (${runMetric("negotiatedUsd").format(mean((s) => s.outstandingUsd))}) still outstanding at the horizon.${margins}`;
  }
  if (!anyNegotiated) return "No loan was negotiated in any seed.";
  const mean = [...negotiated!.values()].reduce((a, b) => a + b, 0) / negotiated!.size;
  return `Agents negotiated ${runMetric("negotiatedUsd").format(mean)} of loans per run on average.`;
}

function tailSentence(g: GroupView, base: GroupView | undefined, withInterval: boolean): string {
  const v = DERIVED_METRICS.varUsd;
  const est = (x: GroupView) =>
    `${v.format(x.summary.varUsd.value)}${withInterval ? ` [${v.format(x.summary.varUsd.lo)}, ${v.format(x.summary.varUsd.hi)}]` : ""}`;
  if (!base) return `VaR 95% of insolvent debt: ${est(g)} (1 seed in 20 does worse).`;
  return `VaR 95% of insolvent debt: ${est(g)}, against ${est(base)} with ${base.mode}.`;
}

function describeAlone(view: StudyView, g: GroupView, alone: boolean): Conclusion {
  const n = g.records.length;
  const withInterval = n > 1;
  const sentences: string[] = [];
  const levels: string[] = [];
  const zero: string[] = [];
  for (const key of view.metricKeys) {
    const metric = runMetric(key);
    if (!metric.better) continue;
    const s = g.summary.metrics[key as keyof typeof g.summary.metrics];
    if (!s) continue;
    // Zero as the report prints it (dust below a cent is zero too).
    if (metric.format(s.max) === metric.format(0) && metric.format(s.min) === metric.format(0)) {
      zero.push(metric.noun);
      continue;
    }
    levels.push(
      `${metric.noun} ${metric.format(s.mean.value)}${withInterval ? ` [${metric.format(s.mean.lo)}, ${metric.format(s.mean.hi)}]` : ""}`,
    );
  }
  const who = g.mode === "off" ? "Without agents" : `With ${g.mode}`;
  const over = withInterval
    ? `over ${n} seeds (mean [95% CI] per run)`
    : "in the single seed run (no interval possible)";
  sentences.push(
    levels.length > 0
      ? `${who}, ${over}: ${list(levels.slice(0, 4))}.`
      : `${who}, nothing went wrong in any of the ${n} seeds: every harm measure is zero.`,
  );
  if (levels.length > 4) sentences.push(`Also: ${list(levels.slice(4))}.`);
  if (zero.length > 0 && levels.length > 0) sentences.push(`Zero in every seed: ${list(zero)}.`);
  sentences.push(tailSentence(g, undefined, withInterval));
  sentences.push(recoverySentence(view, g, undefined));
  const loans = loanSentence(g);
  if (loans) sentences.push(loans);
  if (alone)
    sentences.push("This study ran one mode only: run others (for example --mode off,both) to compare.");
  return { mode: g.mode, sweep: g.sweep, verdict: alone ? "alone" : "baseline", sentences };
}

function compare(view: StudyView, g: GroupView, base: GroupView): Conclusion {
  const changes: Change[] = [];
  for (const key of view.metricKeys) {
    const metric = runMetric(key);
    if (!metric.better) continue;
    const a = base.values.get(key);
    const b = g.values.get(key);
    if (!a || !b) continue;
    changes.push({ metric, diff: pairedDifference(a, b) });
  }
  const n = Math.max(0, ...changes.map((c) => c.diff.n));
  const withInterval = n > 1;
  const gains = changes.filter((c) => isGain(c, withInterval));
  const costs = changes.filter((c) => isCost(c, withInterval));
  const identical = changes.filter((c) => c.diff.identical);
  const unchanged = changes.filter((c) => !c.diff.identical && !gains.includes(c) && !costs.includes(c));
  const sentences: string[] = [];
  const against = `${base.mode}`;
  const over = withInterval ? `over ${n} paired seeds` : "in the single seed run (no interval possible)";
  const verb = (c: Change) => (c.diff.value < 0 === (c.metric.better === "lower") ? "cut" : "raised");
  const phrase = (c: Change) => `${verb(c)} ${changePhrase(c, withInterval)}`;
  let verdict: Verdict;
  if (changes.length > 0 && identical.length === changes.length) {
    verdict = "identical";
    sentences.push(
      `${capital(g.mode)} ran exactly as ${against} in every seed: every headline figure is the same.`,
    );
  } else if (gains.length > 0 && costs.length === 0) {
    verdict = "better";
    sentences.push(`Compared with ${against} ${over}, ${g.mode} ${list(gains.slice(0, 2).map(phrase))}.`);
  } else if (gains.length > 0) {
    verdict = "trade-off";
    sentences.push(
      `A trade-off: compared with ${against} ${over}, ${g.mode} ${list(gains.slice(0, 2).map(phrase))}, at the cost of ${list(costs.map((c) => `${c.metric.better === "lower" ? "higher" : "lower"} ${changePhrase(c, withInterval)}`))}.`,
    );
  } else if (costs.length > 0) {
    verdict = "worse";
    sentences.push(
      `Compared with ${against} ${over}, ${g.mode} made things worse: it ${list(costs.map(phrase))}.`,
    );
  } else {
    verdict = "no-change";
    sentences.push(
      `Compared with ${against} ${over}, ${g.mode} changed no harm measure detectably: every 95% interval of the paired difference includes zero.`,
    );
  }
  if (gains.length > 2) sentences.push(`It also ${list(gains.slice(2).map(phrase))}.`);
  if (verdict !== "no-change" && verdict !== "identical" && unchanged.length > 0)
    sentences.push(
      `No detectable change in ${list(unchanged.map((c) => c.metric.noun))} (intervals include zero).`,
    );
  if (verdict !== "identical" && identical.length > 0)
    sentences.push(`Identical to ${against} in every seed: ${list(identical.map((c) => c.metric.noun))}.`);
  sentences.push(tailSentence(g, base, withInterval));
  sentences.push(recoverySentence(view, g, base));
  const loans = loanSentence(g);
  if (loans) sentences.push(loans);
  return { mode: g.mode, sweep: g.sweep, verdict, sentences };
}

/** Every metric the same in every seed. */
function sameRuns(view: StudyView, a: GroupView, b: GroupView): boolean {
  return view.metricKeys.every((key) => {
    const x = a.values.get(key);
    const y = b.values.get(key);
    if (!x || !y || x.size !== y.size) return false;
    for (const [seed, v] of x) if (y.get(seed) !== v) return false;
    return true;
  });
}

/** One conclusion per (swept value, mode), in the study's order. */
export function concludeStudy(view: StudyView): Conclusion[] {
  const out: Conclusion[] = [];
  for (const sweep of view.sweepValues) {
    const groups = view.groups.filter((g) => g.sweep === sweep);
    const base = groups.find((g) => g.mode === view.baseline) ?? groups[0];
    for (const [i, g] of groups.entries()) {
      if (groups.length === 1 || g === base) {
        out.push(describeAlone(view, g, groups.length === 1));
        continue;
      }
      const c = compare(view, g, base!);
      // Two modes that ran the same (de-risking froze what negotiation would have lent): say so.
      const twin = groups.slice(0, i).find((h) => h !== base && sameRuns(view, g, h));
      if (twin) c.sentences.splice(1, 0, `Every figure equals ${twin.mode}'s in every seed.`);
      out.push(c);
    }
  }
  return out;
}

export type SweepConclusion = { mode: string; sentences: string[] };

/**
 * Across a sweep, per mode: how the headline harm (the first registered metric with a direction,
 * insolvent debt by default) and its VaR 95% moved over the swept values, and at how many values
 * the mode beat or lost to the baseline by a paired 95% interval.
 */
export function concludeSweep(view: StudyView): SweepConclusion[] {
  const sweep = view.study.sweep;
  if (!sweep) return [];
  const option = String(sweep.option);
  const key = view.metricKeys.find((k) => runMetric(k).better === "lower");
  if (!key) return [];
  const metric = runMetric(key);
  const v = DERIVED_METRICS.varUsd;
  return view.modes.map((mode) => {
    const groups = view.sweepValues.flatMap((s) => view.group(s, mode) ?? []);
    const means = groups.map((g) => ({
      at: g.sweep!,
      mean: g.summary.metrics[key as keyof typeof g.summary.metrics]?.mean.value ?? Number.NaN,
    }));
    const low = means.reduce((a, b) => (b.mean < a.mean ? b : a));
    const high = means.reduce((a, b) => (b.mean > a.mean ? b : a));
    const first = groups[0]!;
    const last = groups[groups.length - 1]!;
    const sentences = [
      `${capital(metric.noun)} (mean per run) went from ${metric.format(means[0]!.mean)} at ${option} = ${first.sweep} to ${metric.format(means[means.length - 1]!.mean)} at ${last.sweep}; lowest ${metric.format(low.mean)} at ${low.at}, highest ${metric.format(high.mean)} at ${high.at}. VaR 95% went from ${v.format(first.summary.varUsd.value)} to ${v.format(last.summary.varUsd.value)}.`,
    ];
    if (view.baseline && mode !== view.baseline) {
      let better = 0;
      let worse = 0;
      for (const g of groups) {
        const base = view.group(g.sweep, view.baseline);
        const a = base?.values.get(key);
        const b = g.values.get(key);
        if (!a || !b) continue;
        const d = pairedDifference(a, b);
        const withInterval = d.n > 1;
        if ((withInterval ? d.hi : d.value) < 0) better++;
        else if ((withInterval ? d.lo : d.value) > 0) worse++;
      }
      const none = groups.length - better - worse;
      sentences.push(
        `Against ${view.baseline} (paired 95% intervals): lower ${metric.noun} at ${better} of ${groups.length} values, higher at ${worse}${none > 0 ? `, no detectable difference at ${none}` : ""}.`,
      );
    }
    return { mode, sentences };
  });
}
