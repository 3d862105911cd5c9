/**
 * The scenario families the dataset is generated from: parametric families (each a FamilySpec,
 * validated when the catalogue loads) and the named historic scenarios of sims/scenarios/library,
 * each a family whose seeds bootstrap its real crisis window. Whole families are held out when
 * models are evaluated, so they differ in what drives the crisis, not only in their numbers.
 */

import { BaseError } from "../../../core/errors.ts";
import { listScenarios } from "../load-scenario.ts";
import type { Scenario } from "../scenario-schema.ts";
import { type FamilySpec, type FamilySpecInput, parseFamilySpec } from "./family-spec.ts";
import { sampleFamily, sampleHistoric } from "./sample-family.ts";

const BASE: FamilySpecInput = {
  v: 1,
  name: "base",
  title: "Base",
  assumption:
    "Illustrative ranges chosen to span calm to severe crises (ETH's realised volatility 2019-2024 was 40-150% a year; its worst falls 30-60% within days).",
  horizonHours: 96,
  protocols: { min: 6, max: 20 },
  kindWeights: { lending: 4, amm: 2, perp: 2, vault: 2 },
  topology: "random",
  meanDegree: [1, 3],
  exposureShare: [0.02, 0.15],
  volatilityAnnual: [0.5, 1.2],
  correlation: [0.5, 0.9],
  shock: { size: [0.1, 0.5], speedHours: [1, 24], atShare: [0.2, 0.5] },
  utilisation: [0.4, 0.85],
  healthFactorMean: [1.2, 1.8],
  healthFactorStd: [0.1, 0.4],
  perpInitialMargin: [0.05, 0.2],
  vaultLiquidShare: [0.1, 0.6],
  vaultEthShare: [0.2, 0.8],
  depthScale: [0.5, 2],
};

const variant = (name: string, title: string, change: Partial<FamilySpecInput>): FamilySpecInput => ({
  ...BASE,
  name,
  title,
  ...change,
});

/** Parametric families, as written (validated by parametricFamilies()). */
export const PARAMETRIC_FAMILY_SPECS: readonly FamilySpecInput[] = [
  variant("flash-crash-random", "Flash crash over a random network", {
    shock: { size: [0.3, 0.6], speedHours: [1, 3], atShare: [0.2, 0.5] },
  }),
  variant("slow-bleed-random", "Slow slide over a random network", {
    shock: { size: [0.3, 0.6], speedHours: [24, 72], atShare: [0.1, 0.3] },
    horizonHours: 144,
  }),
  variant("core-periphery-crash", "Crash through money centres (core-periphery)", {
    topology: "core-periphery",
    exposureShare: [0.05, 0.25],
  }),
  variant("ring-contagion", "Claims in a ring", { topology: "ring", exposureShare: [0.1, 0.3] }),
  variant("chain-contagion", "Claims in a chain", { topology: "chain", exposureShare: [0.1, 0.3] }),
  variant("high-leverage", "Thin health factors and high utilisation", {
    utilisation: [0.75, 0.95],
    healthFactorMean: [1.05, 1.3],
    healthFactorStd: [0.02, 0.15],
    perpInitialMargin: [0.02, 0.06],
  }),
  variant("low-leverage-large-shock", "Conservative books, severe crash", {
    utilisation: [0.2, 0.5],
    healthFactorMean: [1.8, 3],
    shock: { size: [0.5, 0.8], speedHours: [1, 12], atShare: [0.2, 0.5] },
  }),
  variant("decorrelated-assets", "Weakly correlated assets", {
    correlation: [-0.3, 0.3],
    volatilityAnnual: [0.8, 1.6],
  }),
  variant("thin-markets", "Shallow outside markets (fire sales bite)", { depthScale: [0.05, 0.3] }),
  variant("vault-heavy", "Vaults with illiquid backing", {
    kindWeights: { lending: 1, amm: 1, perp: 1, vault: 6 },
    vaultLiquidShare: [0.02, 0.2],
    vaultEthShare: [0.5, 1],
  }),
  variant("perp-heavy", "Leveraged perp venues", {
    kindWeights: { lending: 1, amm: 1, perp: 6, vault: 1 },
    perpInitialMargin: [0.02, 0.08],
  }),
  variant("small-calm", "Small networks, mild moves (mostly negatives)", {
    protocols: { min: 3, max: 6 },
    shock: { size: [0, 0.15], speedHours: [1, 48], atShare: [0.1, 0.8] },
    volatilityAnnual: [0.2, 0.6],
  }),
  variant("large-dense", "Up to 50 protocols, dense claims", {
    protocols: { min: 30, max: 50 },
    meanDegree: [3, 6],
  }),
];

export type Family =
  | { kind: "parametric"; name: string; title: string; spec: FamilySpec }
  | { kind: "historic"; name: string; title: string };

let cached: Family[] | undefined;

/** Every family: the parametric ones (validated), then one per named library scenario. */
export function listFamilies(): Family[] {
  if (cached) return cached;
  const parametric: Family[] = PARAMETRIC_FAMILY_SPECS.map((input) => {
    const spec = parseFamilySpec(input, `catalogue family ${input.name}`);
    return { kind: "parametric", name: spec.name, title: spec.title, spec };
  });
  const historic: Family[] = listScenarios().map((name) => ({
    kind: "historic",
    name: `historic-${name}`,
    title: `Named scenario ${name} (bootstrapped window)`,
  }));
  cached = [...parametric, ...historic];
  return cached;
}

/** No family of that name. */
export class UnknownFamilyError extends BaseError {
  override name = "UnknownFamilyError";
  override readonly code = "UnknownFamily";
  constructor({ name, available }: { name: string; available: string[] }) {
    super(`no scenario family named "${name}"`, { metaMessages: [`Available: ${available.join(", ")}.`] });
  }
}

export function findFamily(name: string): Family {
  const all = listFamilies();
  const f = all.find((x) => x.name === name);
  if (!f) throw new UnknownFamilyError({ name, available: all.map((x) => x.name) });
  return f;
}

/** The engine scenario of `family` for `seed` (deterministic). */
export function sampleScenario(family: Family, seed: number): Scenario {
  return family.kind === "parametric"
    ? sampleFamily(family.spec, seed)
    : sampleHistoric(family.name.slice("historic-".length), seed);
}
