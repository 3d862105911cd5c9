/**
 * One job: exactly the run runMonteCarlo does for this (sweep value, mode, seed), by calling
 * runMonteCarlo with that one value, mode and seed (so options merging and the policy per mode are
 * its own, not a copy), keeping the full result.
 *
 * Workers settle on the in-process ledger: they exist for fan-out sweeps too large to settle
 * transaction by transaction, and the ledger gives the same results as the contract
 * (sims/settlement/chain-backend.test.ts), so a distributed study equals a local one on either.
 */
import type { EngineOptions } from "../engine/engine-options.ts";
import type { RunResult } from "../engine/run-engine.ts";
import { runMonteCarlo } from "../monte-carlo/run-monte-carlo.ts";
import type { Scenario } from "../scenarios/scenario-schema.ts";
import type { JobMessage } from "./schemas.ts";

export type RunJobParameters = {
  scenario: Scenario;
  engine: Partial<EngineOptions>;
  sweepOption: keyof EngineOptions | null;
  job: Pick<JobMessage, "mode" | "seed" | "sweep">;
};

export async function runJob(p: RunJobParameters): Promise<RunResult> {
  const { mode, seed, sweep } = p.job;
  const mc = await runMonteCarlo({
    scenario: p.scenario,
    seeds: [seed],
    modes: [mode],
    options: p.engine,
    sweep: p.sweepOption !== null && sweep !== null ? { option: p.sweepOption, values: [sweep] } : undefined,
    keepSeed: seed,
  });
  return mc.kept[0]!;
}
