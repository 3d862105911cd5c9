/**
 * The margin a loan's terms carry (the Agreement's liquidationThresholdBps, liquidationBonusBps and
 * tighteningPerLevelBps; absent = 0 = unmargined), and which margins a side agrees to. Like the call
 * level, a margin is a policy term, not a traded one: a side's acceptance says yes or no, and a side
 * that proposes one (a lender asking for a margin) accepts only its own.
 */
import type { Terms } from "../wire/schemas.ts";

export type Margin = {
  liquidationThresholdBps: number;
  liquidationBonusBps: number;
  tighteningPerLevelBps: number;
};

export const NO_MARGIN: Margin = {
  liquidationThresholdBps: 0,
  liquidationBonusBps: 0,
  tighteningPerLevelBps: 0,
};

/** Margin fields as terms carry them (each may be absent). */
type MarginFields = { [K in keyof Margin]?: number | undefined };

/** Which margins a side agrees to (NO_MARGIN: an unmargined loan). */
export type MarginAcceptance = (margin: Margin) => boolean;

export function marginOf(terms: MarginFields): Margin {
  return {
    liquidationThresholdBps: terms.liquidationThresholdBps ?? 0,
    liquidationBonusBps: terms.liquidationBonusBps ?? 0,
    tighteningPerLevelBps: terms.tighteningPerLevelBps ?? 0,
  };
}

export const isMargined = (terms: MarginFields): boolean => (terms.liquidationThresholdBps ?? 0) !== 0;

export function sameMargin(a: MarginFields, b: MarginFields): boolean {
  const x = marginOf(a);
  const y = marginOf(b);
  return (
    x.liquidationThresholdBps === y.liquidationThresholdBps &&
    x.liquidationBonusBps === y.liquidationBonusBps &&
    x.tighteningPerLevelBps === y.tighteningPerLevelBps
  );
}

/** `terms` carrying `margin` (its zero fields omitted, as the wire form does). */
export function withMargin<T extends Partial<Terms>>(terms: T, margin: Margin): T {
  const { liquidationThresholdBps: _t, liquidationBonusBps: _b, tighteningPerLevelBps: _k, ...rest } = terms;
  return {
    ...rest,
    ...(margin.liquidationThresholdBps === 0
      ? {}
      : { liquidationThresholdBps: margin.liquidationThresholdBps }),
    ...(margin.liquidationBonusBps === 0 ? {} : { liquidationBonusBps: margin.liquidationBonusBps }),
    ...(margin.tighteningPerLevelBps === 0 ? {} : { tighteningPerLevelBps: margin.tighteningPerLevelBps }),
  } as T;
}

/** Agrees to no margin at all (the default of every side that was not given a margin policy). */
export const onlyUnmargined: MarginAcceptance = (m) =>
  m.liquidationThresholdBps === 0 && m.liquidationBonusBps === 0 && m.tighteningPerLevelBps === 0;

export type MarginLimits = {
  /** Lowest threshold agreed to (a lower one liquidates earlier), bps. Default 7,000. */
  minThresholdBps?: number;
  /** Largest bonus agreed to (paid out of this side's collateral), bps. Default 1,000. */
  maxBonusBps?: number;
  /** Largest tightening per risk level agreed to, bps. Default 1,000. */
  maxTighteningBps?: number;
};

/** A borrower's acceptance: no margin, or one within these limits. */
export function marginWithin(limits: MarginLimits = {}): MarginAcceptance {
  const minThreshold = limits.minThresholdBps ?? 7_000;
  const maxBonus = limits.maxBonusBps ?? 1_000;
  const maxTightening = limits.maxTighteningBps ?? 1_000;
  return (m) =>
    onlyUnmargined(m) ||
    (m.liquidationThresholdBps >= minThreshold &&
      m.liquidationBonusBps <= maxBonus &&
      m.tighteningPerLevelBps <= maxTightening);
}
