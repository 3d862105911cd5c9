/**
 * `npm run bench:paths`: what price paths cost next to the engine run that uses them. For each
 * scenario built on real data, the median time to build its paths in each mode (replay, bootstrap,
 * fitted; scenarioPricePaths, as buildWorld calls it once per run) and, in the same process, the
 * median time of one whole engine run of that scenario (the baseline): the share of a run spent on
 * prices. Writes bench/results/price-paths.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runEngine } from "../sims/engine/run-engine.ts";
import { listScenarios, loadScenario } from "../sims/scenarios/load-scenario.ts";
import { scenarioPricePaths } from "../sims/scenarios/scenario-price-paths.ts";
import { PRICE_PATH_MODES } from "../sims/scenarios/scenario-schema.ts";
import { withPricePaths } from "../sims/scenarios/with-price-paths.ts";
import { machineInfo, progress } from "./env.ts";
import { median } from "./stats.ts";

const DEMO = fileURLToPath(new URL("../sims/engine/scenarios/contagion-demo.json", import.meta.url));
const PATHS_PER_MODE = 200;
const ENGINE_RUNS = 5;

function time(f: () => void, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return out;
}

const rows: Record<string, unknown>[] = [];
for (const name of [...listScenarios(), DEMO]) {
  const scenario = loadScenario(name);
  if (!scenario.market) continue;
  progress(`${scenario.name}: paths`);
  const ms: Record<string, number> = {};
  for (const paths of PRICE_PATH_MODES) {
    let seed = 0;
    scenarioPricePaths({ scenario, seed: 1, paths }); // loads and caches the slices once
    ms[paths] = median(time(() => scenarioPricePaths({ scenario, seed: ++seed, paths }), PATHS_PER_MODE));
  }
  progress(`${scenario.name}: engine runs (baseline)`);
  const seeded = withPricePaths({ scenario, paths: "bootstrap" });
  const runs: number[] = [];
  for (let seed = 1; seed <= ENGINE_RUNS; seed++) {
    const t = performance.now();
    await runEngine({ scenario: seeded, seed });
    runs.push(performance.now() - t);
  }
  const engineMs = median(runs);
  rows.push({
    scenario: scenario.name,
    steps: scenario.time.horizonHours / scenario.time.stepHours,
    replayMs: ms.replay,
    bootstrapMs: ms.bootstrap,
    fittedMs: ms.fitted,
    engineRunMs: engineMs,
    bootstrapShareOfRun: ms.bootstrap! / engineMs,
    fittedShareOfRun: ms.fitted! / engineMs,
  });
}

const pad = (s: string, n: number) => s.padEnd(n);
process.stdout.write(
  `\n${pad("scenario", 28)}${pad("replay ms", 11)}${pad("bootstrap ms", 14)}${pad("fitted ms", 11)}${pad("engine run ms", 15)}paths/run (bootstrap, fitted)\n`,
);
for (const r of rows) {
  const f = (x: unknown) => (x as number).toFixed(3);
  process.stdout.write(
    `${pad(String(r.scenario), 28)}${pad(f(r.replayMs), 11)}${pad(f(r.bootstrapMs), 14)}${pad(f(r.fittedMs), 11)}${pad((r.engineRunMs as number).toFixed(1), 15)}${((r.bootstrapShareOfRun as number) * 100).toFixed(2)}%, ${((r.fittedShareOfRun as number) * 100).toFixed(2)}%\n`,
  );
}
mkdirSync("bench/results", { recursive: true });
const file = join("bench/results", "price-paths.json");
writeFileSync(
  file,
  `${JSON.stringify({ createdAt: new Date().toISOString(), machine: machineInfo(), pathsPerMode: PATHS_PER_MODE, engineRuns: ENGINE_RUNS, rows }, null, 2)}\n`,
);
process.stdout.write(`\nResults: ${file}\n`);
