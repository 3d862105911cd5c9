/**
 * One dataset run: sample the family's scenario for the seed, run the engine (agents off, the
 * in-process ledger) with the observer attached, then label every row from the future.
 */
import type { EngineOptions } from "../engine/engine-options.ts";
import { runEngine } from "../engine/run-engine.ts";
import { type Family, sampleScenario } from "../scenarios/families/catalogue.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import { type Labels, labelFuture } from "./label-future.ts";
import { createProtocolObserver, type Observations } from "./observe-protocols.ts";

export type RunRows = {
  family: string;
  seed: number;
  scenario: string;
  protocolIds: string[];
  kinds: string[];
  stepHours: number;
  rows: number;
  observations: Observations;
  labels: Labels;
};

export type GenerateRunParameters = {
  family: Family;
  seed: number;
  /** Engine options (fewer borrowers per market make generation faster). */
  engine?: Partial<EngineOptions> | undefined;
  /** Replaces the sampled scenario (tests truncate a run this way). */
  scenario?: Scenario | undefined;
};

export async function generateRun(p: GenerateRunParameters): Promise<RunRows> {
  const scenario = p.scenario ?? sampleScenario(p.family, p.seed);
  const steps = Math.round(scenario.time.horizonHours / scenario.time.stepHours);
  const observer = createProtocolObserver(steps);
  const result = await runEngine({ scenario, seed: p.seed, options: p.engine, onObserve: observer.observe });
  const observations = observer.finish();
  return {
    family: p.family.name,
    seed: p.seed,
    scenario: scenario.name,
    protocolIds: result.protocols.map((x) => x.id),
    kinds: result.protocols.map((x) => x.kind),
    stepHours: result.stepHours,
    rows: (observations.steps + 1) * observations.protocols,
    observations,
    labels: labelFuture(observations, result.stepHours),
  };
}
