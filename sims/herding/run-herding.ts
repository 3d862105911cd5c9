/**
 * The herding study (issue 13): when many protocols run similar models they may de-risk in unison
 * and amplify the shock. Each variant runs the same scenario and seeds as agents off (same price
 * paths, same borrowers), with de-risking only, and is measured against off seed by seed:
 *
 *   unison         every protocol acts on its own vote, all with the same thresholds (one shared model)
 *   unison-capped  the same, dampened: a stance rises at most one level per `capHours`
 *   unison-paced   the same, dampened: each level's tightening arrives in parts over `capHours`
 *   diverse        each acts on its own vote, thresholds spread +/-30% per protocol (diverse models)
 *   quorum         one alert for all at a quorum of half the protocols, as on the contract
 *   model-shared   each acts on its own vote from the learned contagion model (models/contagion,
 *                  24 h), every protocol the same shipped ensemble (one shared model)
 *   model-diverse  the same, each protocol one member of that ensemble (the same recipe and data,
 *                  trained from different seeds: diverse models)
 *
 * Per run: synchrony (the largest share of the protocols that tightened at all doing so in the
 * same step), liquidations, insolvent debt and depositors' losses, and the price impact the agents
 * caused (the largest relative gap, over steps and assets, between off's market price and the
 * variant's: the engine's prices fall further when liquidations and fire sales grow).
 */

import { loadContagionDetector, loadContagionMemberDetectors } from "../../models/contagion/load-detector.ts";
import type { ContagionDetector } from "../../models/contagion/model.ts";
import type { BuiltinPolicyParameters } from "../engine/builtin-policy.ts";
import { createBuiltinPolicy } from "../engine/builtin-policy.ts";
import { type RunResult, runEngine } from "../engine/run-engine.ts";
import { usdFloat } from "../engine/world.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";

export const HERDING_VARIANTS = [
  "off",
  "unison",
  "unison-capped",
  "unison-paced",
  "diverse",
  "quorum",
  "model-shared",
  "model-diverse",
] as const;
export type HerdingVariant = (typeof HERDING_VARIANTS)[number];

export type HerdingRun = {
  variant: HerdingVariant;
  seed: number;
  synchrony: number;
  protocolsTightened: number;
  liquidationsUsd: number;
  insolventDebtUsd: number;
  depositorLossUsd: number;
  /** Largest relative fall of a market price below off's at the same step (0 for off). */
  priceImpact: number;
};

export type HerdingSummary = {
  variant: HerdingVariant;
  runs: number;
  /** Mean synchrony over the runs where at least one protocol tightened (`runsDerisked`). */
  synchrony: number;
  runsDerisked: number;
  extraLiquidationsUsd: number;
  extraInsolventDebtUsd: number;
  extraDepositorLossUsd: number;
  priceImpact: number;
};

export type HerdingStudy = {
  scenario: string;
  seeds: number[];
  capHours: number;
  runs: HerdingRun[];
  summary: HerdingSummary[];
};

/** The learned detectors the model variants vote with, loaded once per process. */
let models: { shared: ContagionDetector; members: ContagionDetector[] } | undefined;
const learned = () => {
  models ??= {
    shared: loadContagionDetector({ horizon: 24 }),
    members: loadContagionMemberDetectors({ horizon: 24 }),
  };
  return models;
};

function policyFor(variant: HerdingVariant, capHours: number): BuiltinPolicyParameters | undefined {
  const base = { negotiation: false, derisking: true } as const;
  const model = { ...base, coordination: "unilateral", detector: "contagion-model" } as const;
  switch (variant) {
    case "off":
      return undefined;
    case "unison":
      return { ...base, coordination: "unilateral" };
    case "unison-capped":
      return { ...base, coordination: "unilateral", minHoursBetweenRaises: capHours };
    case "unison-paced":
      return { ...base, coordination: "unilateral", paceHours: capHours };
    case "diverse":
      return { ...base, coordination: "unilateral", thresholdSpread: 0.6, thresholdSpreadSeed: 7 };
    case "quorum":
      return { ...base, coordination: "quorum" };
    case "model-shared":
      return { ...model, contagionModel: learned().shared };
    case "model-diverse":
      return { ...model, contagionModel: learned().members };
  }
}

/** Largest share of the protocols that ever tightened doing so in one step. */
export function synchrony(run: Pick<RunResult, "events">): { synchrony: number; protocols: number } {
  const byStep = new Map<number, Set<string>>();
  const all = new Set<string>();
  for (const e of run.events) {
    if (e.type !== "derisk" || !e.action.startsWith("tighten")) continue;
    all.add(e.protocol);
    const s = byStep.get(e.step) ?? new Set<string>();
    s.add(e.protocol);
    byStep.set(e.step, s);
  }
  let most = 0;
  for (const s of byStep.values()) most = Math.max(most, s.size);
  return { synchrony: all.size === 0 ? 0 : most / all.size, protocols: all.size };
}

function priceImpact(off: RunResult, run: RunResult): number {
  let worst = 0;
  off.series.prices.forEach((base, a) => {
    const mine = run.series.prices[a]!;
    for (let k = 0; k < base.length; k++) {
      const b = base[k]!;
      if (b > 0) worst = Math.max(worst, (b - mine[k]!) / b);
    }
  });
  return worst;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

export async function runHerdingStudy(p: {
  scenario: Scenario;
  seeds: readonly number[];
  capHours?: number;
  onRun?: (done: number, total: number, variant: HerdingVariant, seed: number) => void;
}): Promise<HerdingStudy> {
  const capHours = p.capHours ?? 12;
  const runs: HerdingRun[] = [];
  const total = p.seeds.length * HERDING_VARIANTS.length;
  let done = 0;
  for (const seed of p.seeds) {
    let off: RunResult | undefined;
    for (const variant of HERDING_VARIANTS) {
      const params = policyFor(variant, capHours);
      const result = await runEngine({
        scenario: p.scenario,
        seed,
        ...(params ? { policy: createBuiltinPolicy(params) } : {}),
      });
      if (variant === "off") off = result;
      const s = synchrony(result);
      runs.push({
        variant,
        seed,
        synchrony: s.synchrony,
        protocolsTightened: s.protocols,
        liquidationsUsd: usdFloat(result.totals.liquidationUsd8),
        insolventDebtUsd: usdFloat(result.totals.insolventDebtUsd8),
        depositorLossUsd: usdFloat(result.totals.depositorLossUsd8),
        priceImpact: off ? priceImpact(off, result) : 0,
      });
      p.onRun?.(++done, total, variant, seed);
    }
  }
  const offBySeed = new Map(runs.filter((r) => r.variant === "off").map((r) => [r.seed, r]));
  const summary = HERDING_VARIANTS.map((variant): HerdingSummary => {
    const mine = runs.filter((r) => r.variant === variant);
    const extra = (f: (r: HerdingRun) => number) => mean(mine.map((r) => f(r) - f(offBySeed.get(r.seed)!)));
    return {
      variant,
      runs: mine.length,
      // Over the runs where anyone de-risked: a run with no tightening has no synchrony to speak of.
      synchrony: mean(mine.filter((r) => r.protocolsTightened > 0).map((r) => r.synchrony)),
      runsDerisked: mine.filter((r) => r.protocolsTightened > 0).length,
      extraLiquidationsUsd: extra((r) => r.liquidationsUsd),
      extraInsolventDebtUsd: extra((r) => r.insolventDebtUsd),
      extraDepositorLossUsd: extra((r) => r.depositorLossUsd),
      priceImpact: mean(mine.map((r) => r.priceImpact)),
    };
  });
  return { scenario: p.scenario.name, seeds: [...p.seeds], capHours, runs, summary };
}
