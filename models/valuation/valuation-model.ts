/**
 * The liquidity valuation model at run time: for a proposed loan, the borrower's shortfall
 * probability and the lender's expected loss (share of principal), each with a split-conformal
 * 90% interval, and the terms a lender derives from them (reservation-terms.ts). Two deep
 * ensembles (one per target, sigmoid outputs) run on the fast path (Float32Array forward passes);
 * the features are built by loan-features.ts. A file that does not fit is a WeightsFileError
 * naming the file and tensor.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { sigmoid } from "../baselines/logistic-regression.ts";
import { NonFiniteScoreError, WeightsFileError } from "../errors.ts";
import { createFastMlp, type FastMlp } from "../fast/mlp-forward.ts";
import { ensembleFromJson, ensembleToJson, type MlpEnsemble } from "../mlp/ensemble-file.ts";
import { buildLoanFeatures, LOAN_FEATURES, type LoanObservation } from "./loan-features.ts";

export const VALUATION_FORMAT = "liquidity-negotiation/valuation/v1";

/** Normalised conformal: the interval is point +- q * spread, spread = sqrt(p(1-p)) + ensemble
 *  spread + SPREAD_FLOOR (a Bernoulli-like scale for a share in [0, 1], widened by what the
 *  members disagree on). */
export const SPREAD_FLOOR = 0.01;

export type ValuationModel = {
  shortfall: MlpEnsemble;
  loss: MlpEnsemble;
  /** Conformal quantiles of the normalised residuals, at level 1 - alpha. */
  conformal: {
    alpha: number;
    shortfall: number;
    loss: number;
    method: string;
    /** "upper": the loss interval is [0, point + q * spread] with a signed-score quantile q (may
     *  be negative); absent or "two-sided": point +- q * spread. */
    lossInterval?: "two-sided" | "upper" | undefined;
    /** "market-risk": the loss spread adds marketRisk(features); absent: it does not. */
    lossSpread?: "market-risk" | undefined;
    /** Each quantile's tracking step for a lender that follows its own loans' outcomes
     *  (models/valuation/interval-tracking.ts); absent: that quantile stays fixed. */
    lossTracking?: { eta: number; method: string } | undefined;
    shortfallTracking?: { eta: number; method: string } | undefined;
  };
  training: Record<string, unknown>;
};

export type ValuationEstimate = {
  shortfall: { p: number; low: number; high: number };
  /** Expected loss as a share of principal. */
  loss: { expected: number; low: number; high: number };
};

const FileSchema = z.object({
  format: z.literal(VALUATION_FORMAT),
  shortfall: z.unknown(),
  loss: z.unknown(),
  conformal: z.object({
    alpha: z.number().gt(0).lt(1),
    shortfall: z.number().nonnegative(),
    loss: z.number().finite(),
    method: z.string(),
    lossInterval: z.enum(["two-sided", "upper"]).optional(),
    lossSpread: z.enum(["market-risk"]).optional(),
    lossTracking: z.object({ eta: z.number().nonnegative().finite(), method: z.string() }).optional(),
    shortfallTracking: z.object({ eta: z.number().nonnegative().finite(), method: z.string() }).optional(),
  }),
  training: z.record(z.string(), z.unknown()),
});

export function writeValuationFile(file: string, m: ValuationModel): void {
  const json = {
    format: VALUATION_FORMAT,
    shortfall: ensembleToJson(m.shortfall),
    loss: ensembleToJson(m.loss),
    conformal: m.conformal,
    training: m.training,
  };
  writeFileSync(file, `${JSON.stringify(json)}\n`);
}

export function valuationFromJson(file: string, json: unknown): ValuationModel {
  const r = FileSchema.safeParse(json);
  if (!r.success)
    throw new WeightsFileError({
      file,
      problem: `is not a valuation weights file: ${z.prettifyError(r.error)}`,
    });
  const head = (name: "shortfall" | "loss") => {
    const e = ensembleFromJson(`${file} (${name} head)`, r.data[name]);
    if (e.features.length !== LOAN_FEATURES.length || e.features.some((f, j) => f !== LOAN_FEATURES[j]))
      throw new WeightsFileError({
        file,
        tensor: `${name}.features`,
        problem: `lists features ${e.features.join(",")}; this code builds ${LOAN_FEATURES.join(",")}`,
      });
    return e;
  };
  return {
    shortfall: head("shortfall"),
    loss: head("loss"),
    conformal: r.data.conformal,
    training: r.data.training,
  };
}

export function readValuationFile(file: string): ValuationModel {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new WeightsFileError({ file, problem: "cannot be read (missing?)", cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new WeightsFileError({ file, problem: "is not JSON", cause });
  }
  return valuationFromJson(file, json);
}

/** Spread used by the normalised conformal score of a point estimate in [0, 1], plus (loss head,
 *  "market-risk" files) the collateral's price risk over the loan's life. */
export function conformalSpread(point: number, memberSd: number, marketRisk = 0): number {
  return Math.sqrt(Math.max(0, point * (1 - point))) + memberSd + marketRisk + SPREAD_FLOOR;
}

/**
 * The collateral's price risk over the tenor: its daily volatility times the square root of the
 * tenor in days (capped at 1), from raw features. A lender's loss comes from the collateral
 * falling before it can be claimed, so the loss interval scales with it: a held-out crisis whose
 * collateral keeps falling (Terra) was covered 0.67 of the time without it (a model trained on
 * depegs that recovered rates a crashing collateral as safe; the members agree, sd 0.015).
 */
export function marketRisk(raw: ArrayLike<number>): number {
  const tenorDays = raw[LOAN_FEATURES.indexOf("tenor_days")]!;
  const vol = raw[LOAN_FEATURES.indexOf("collateral_vol_24h")]!;
  return Math.min(1, Math.max(0, vol) * Math.sqrt(Math.max(0, tenorDays)));
}

/** The two-sided interval point +- q spread, within [0, 1]. */
export function twoSidedInterval(
  mean: number,
  memberSd: number,
  risk: number,
  q: number,
): { low: number; high: number } {
  const w = q * conformalSpread(mean, memberSd, risk);
  return { low: Math.max(0, mean - w), high: Math.min(1, mean + w) };
}

/** The upper end of the one-sided loss interval [0, upper] for quantile `q` of the signed score. */
export function lossUpper(mean: number, memberSd: number, risk: number, q: number): number {
  return Math.min(1, Math.max(0, mean + q * conformalSpread(mean, memberSd, risk)));
}

export type HeadScorer = {
  /** Mean member output (a share in [0, 1]) and the members' standard deviation, of standardised
   *  features `z`. */
  score(z: Float32Array): { mean: number; sd: number };
};

export function createHeadScorer(e: MlpEnsemble): HeadScorer {
  const nets: FastMlp[] = e.members.map((m) => createFastMlp(m.weights));
  return {
    score(z) {
      let s = 0;
      let sq = 0;
      for (const n of nets) {
        const v = sigmoid(n.preActivation(z));
        s += v;
        sq += v * v;
      }
      const k = nets.length;
      const mean = s / k;
      const sd = k > 1 ? Math.sqrt(Math.max(0, (sq - k * mean * mean) / (k - 1))) : 0;
      return { mean, sd };
    },
  };
}

/** Quantiles that replace the file's, per head (absent: the file's). */
export type IntervalQuantiles = { loss?: number | undefined; shortfall?: number | undefined };

export type ValuationScorer = {
  /** Estimates for one proposed loan: features, both heads, intervals. Allocation-free apart
   *  from the returned object. */
  estimate(o: LoanObservation, quantiles?: IntervalQuantiles): ValuationEstimate;
  /** The same from already-built raw features (length LOAN_FEATURES.length). `quantiles`
   *  replace the file's (a lender tracking its own loans' outcomes:
   *  models/uncertainty/quantile-tracking.ts). */
  estimateFeatures(raw: ArrayLike<number>, quantiles?: IntervalQuantiles): ValuationEstimate;
};

export function createValuationScorer(m: ValuationModel): ValuationScorer {
  const heads = { shortfall: createHeadScorer(m.shortfall), loss: createHeadScorer(m.loss) };
  const { mean, std } = m.shortfall.standardizer;
  const lossStd = m.loss.standardizer;
  const raw = new Float32Array(LOAN_FEATURES.length);
  const zS = new Float32Array(LOAN_FEATURES.length);
  const zL = new Float32Array(LOAN_FEATURES.length);
  const estimateFeatures = (x: ArrayLike<number>, quantiles?: IntervalQuantiles): ValuationEstimate => {
    const lossQuantile = quantiles?.loss ?? m.conformal.loss;
    for (let j = 0; j < zS.length; j++) {
      zS[j] = (x[j]! - mean[j]!) / std[j]!;
      zL[j] = (x[j]! - lossStd.mean[j]!) / lossStd.std[j]!;
    }
    const s = heads.shortfall.score(zS);
    const l = heads.loss.score(zL);
    if (!Number.isFinite(s.mean) || !Number.isFinite(l.mean))
      throw new NonFiniteScoreError({
        what: "valuation score",
        index: 0,
        value: Number.isFinite(s.mean) ? l.mean : s.mean,
      });
    const si = twoSidedInterval(s.mean, s.sd, 0, quantiles?.shortfall ?? m.conformal.shortfall);
    const risk = m.conformal.lossSpread === "market-risk" ? marketRisk(x) : 0;
    const li =
      m.conformal.lossInterval === "upper"
        ? { low: 0, high: lossUpper(l.mean, l.sd, risk, lossQuantile) }
        : twoSidedInterval(l.mean, l.sd, risk, lossQuantile);
    return { shortfall: { p: s.mean, ...si }, loss: { expected: l.mean, ...li } };
  };
  return {
    estimateFeatures,
    estimate: (o, quantiles) => estimateFeatures(buildLoanFeatures(o, raw), quantiles),
  };
}
