/**
 * A transparent rule detector: each stress indicator (thin liquid cover, high volatility, deep
 * drawdown, stressed neighbours) scores 0..1 between a calm and a crisis level; the probability is
 * a logistic of their weighted sum. The band is the spread between the indicators: when they
 * disagree (one screams, the others are calm) the detector is unsure, and the band says so.
 * Horizons scale the 24 h probability by a constant hazard.
 */
import type { ContagionDetector, ContagionView } from "./contagion-detector.ts";
import type { RiskFeatureValues } from "./risk-features.ts";

export type RuleDetectorParameters = {
  /** Calm and crisis level of each indicator, bps (cover: lower is worse). */
  cover: { calm: number; crisis: number };
  volatility: { calm: number; crisis: number };
  drawdown: { calm: number; crisis: number };
  neighbours: { calm: number; crisis: number };
  weights: { cover: number; volatility: number; drawdown: number; neighbours: number };
  /** Logistic intercept and slope over the weighted score (0..1). */
  intercept: number;
  slope: number;
  horizonsHours: readonly number[];
};

export const DEFAULT_RULE_DETECTOR: RuleDetectorParameters = {
  cover: { calm: 15_000, crisis: 10_000 },
  volatility: { calm: 6_000, crisis: 20_000 },
  drawdown: { calm: 500, crisis: 3_000 },
  neighbours: { calm: 500, crisis: 5_000 },
  weights: { cover: 0.35, volatility: 0.2, drawdown: 0.25, neighbours: 0.2 },
  intercept: -5,
  slope: 9,
  horizonsHours: [6, 24, 72],
};

const ramp = (x: number, calm: number, crisis: number) => {
  const t = (x - calm) / (crisis - calm);
  return Math.min(1, Math.max(0, t));
};
const logistic = (z: number) => 1 / (1 + Math.exp(-z));

export function createRuleDetector(params: Partial<RuleDetectorParameters> = {}): ContagionDetector {
  const p = { ...DEFAULT_RULE_DETECTOR, ...params };
  const w = p.weights;
  const wSum = w.cover + w.volatility + w.drawdown + w.neighbours;
  return {
    id: "rule-v1",
    estimate(f: RiskFeatureValues): ContagionView[] {
      const s = [
        ramp(f.coverBps, p.cover.calm, p.cover.crisis),
        ramp(f.volatilityBps, p.volatility.calm, p.volatility.crisis),
        ramp(f.drawdownBps, p.drawdown.calm, p.drawdown.crisis),
        ramp(f.neighbourStressBps, p.neighbours.calm, p.neighbours.crisis),
      ];
      const ws = [w.cover, w.volatility, w.drawdown, w.neighbours];
      let score = 0;
      for (let i = 0; i < 4; i++) score += ws[i]! * s[i]!;
      score /= wSum;
      let spread = 0;
      for (let i = 0; i < 4; i++) spread += ws[i]! * (s[i]! - score) ** 2;
      const sd = Math.sqrt(spread / wSum);
      const p24 = logistic(p.intercept + p.slope * score);
      const lo24 = logistic(p.intercept + p.slope * (score - sd));
      const hi24 = logistic(p.intercept + p.slope * (score + sd));
      // Constant hazard: P(T <= h) = 1 - (1 - p24)^(h / 24).
      const at = (q: number, h: number) => 1 - (1 - q) ** (h / 24);
      return p.horizonsHours.map((h) => ({
        horizonHours: h,
        probability: at(p24, h),
        low: at(lo24, h),
        high: at(hi24, h),
      }));
    },
  };
}
