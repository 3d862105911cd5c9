/**
 * `npm run bench -- --only agents` (or `tsx bench/agents-policy.ts [--quick]`): the contagion study
 * on the default scenario (the demo, all four modes, settled on the in-process ledger, no report,
 * no backtest) played by the shipped agents (`--policy agents`: xstate machines, signed wire
 * messages, a simulated clock) next to the built-in policy, its baseline, measured in the same
 * process, alternately, after a warm-up of each. Target (issue 13): the agents cost at most 3x.
 * JSON in bench/results/agents-policy.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { PolicyKind } from "../sims/engine/agents-policy/policy-kind.ts";
import { runContagionStudy } from "../sims/engine/run-contagion-study.ts";
import { machineInfo, progress } from "./env.ts";
import { formatJson, rounded } from "./stats.ts";

const TARGET_RATIO = 3;

async function study(policy: PolicyKind, seeds: number): Promise<{ ms: number; negotiatedUsd: number }> {
  const t = performance.now();
  const { study } = await runContagionStudy({ seeds, settlement: "ledger", backtest: false, policy });
  const negotiatedUsd = study.records.reduce((n, r) => n + r.negotiatedUsd, 0);
  return { ms: performance.now() - t, negotiatedUsd };
}

export async function benchAgentsPolicy(opts: { quick: boolean }) {
  const seeds = opts.quick ? 3 : 10;
  const repeats = opts.quick ? 1 : 2;
  progress("agents-policy: warm-up (one seed each)");
  await study("builtin", 1);
  await study("agents", 1);
  const builtin: number[] = [];
  const agents: number[] = [];
  let same = true;
  for (let i = 0; i < repeats; i++) {
    progress(`agents-policy: study of ${seeds} seeds x 4 modes, built-in (${i + 1}/${repeats})`);
    const b = await study("builtin", seeds);
    progress(`agents-policy: the same study, real agents (${i + 1}/${repeats})`);
    const a = await study("agents", seeds);
    builtin.push(b.ms);
    agents.push(a.ms);
    same &&= a.negotiatedUsd === b.negotiatedUsd;
  }
  const best = (xs: number[]) => Math.min(...xs);
  const ratio = best(agents) / best(builtin);
  return {
    scenario: "contagion-demo",
    seeds,
    modes: 4,
    repeats,
    builtinMs: best(builtin),
    agentsMs: best(agents),
    ratio,
    /** Both studies negotiated the same loans (USD, summed over runs). */
    sameNegotiatedUsd: same,
    target: TARGET_RATIO,
    pass: ratio <= TARGET_RATIO,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } } });
  const r = rounded({
    schema: "liquidity-negotiation/bench/agents-policy/v1",
    machine: machineInfo(),
    at: new Date().toISOString(),
    ...(await benchAgentsPolicy({ quick: values.quick ?? false })),
  });
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "agents-policy.json"), `${formatJson(r)}\n`);
  process.stdout.write(
    [
      `study with the real agents vs the built-in policy (${r.scenario}, ${r.seeds} seeds x ${r.modes} modes, best of ${r.repeats})`,
      `  built-in ${(r.builtinMs / 1000).toFixed(2)} s  agents ${(r.agentsMs / 1000).toFixed(2)} s  ratio ${r.ratio.toFixed(2)}x  (target <= ${r.target}x: ${r.pass ? "PASS" : "MISS"})`,
      "",
    ].join("\n"),
  );
}
