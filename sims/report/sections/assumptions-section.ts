/**
 * Assumptions and provenance: the scenario's notes, the engine options every run assumed, how
 * loans were settled (never a machine's URL or address), and how to reproduce the study.
 */
import { defaultEngineOptions } from "../../engine/engine-options.ts";
import { listScenarios } from "../../scenarios/load-scenario.ts";
import { esc, table } from "../html.ts";
import { note, type Section, type SectionContext } from "./section.ts";

export function settlementText(s: SectionContext["view"]["study"]["settlement"]): string {
  const total = s.total;
  const calls = total
    ? `${total.settle.toLocaleString("en-US")} settle, ${total.repay.toLocaleString("en-US")} repay and ${total.claimDefault.toLocaleString("en-US")} claimDefault calls${total.refused > 0 ? ` (${total.refused.toLocaleString("en-US")} refused)` : ""}`
    : "calls counted on the workers";
  if (s.backend === "chain") {
    const gas =
      total && total.arbiterTransactions > 0
        ? `; ${total.arbiterTransactions.toLocaleString("en-US")} transactions using ${total.arbiterGas.toLocaleString("en-US")} gas`
        : "";
    return `Every negotiated loan, repayment and default claim was a signed transaction to the LiquidityArbiter contract on a local anvil chain whose clock followed the simulation's: ${calls}${gas}.`;
  }
  return `Loans settled on the in-process ledger, a copy of the LiquidityArbiter's logic kept equal to the contract by a differential test (results are the same as on the chain): ${calls}.`;
}

export function assumptionsSection({ view }: SectionContext): Section {
  const study = view.study;
  const options = table({
    head: ["Option", "Value"],
    rows: Object.entries(study.engineOptions).map(([k, v]) => [
      `<code>${esc(k)}</code>`,
      v === undefined
        ? "<small>default</small>"
        : esc(
            typeof v === "object"
              ? JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))
              : String(v),
          ),
    ]),
    className: "options",
  });
  const seeds = study.seeds;
  const range =
    seeds.length > 1 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1)
      ? `${seeds[0]}..${seeds[seeds.length - 1]}`
      : seeds.join(",");
  const named = listScenarios().includes(study.scenario.name);
  const positions = study.engineOptions.positionsPerLending;
  const args = [
    // The default scenario needs no flag; a library scenario goes by name; a file by its path.
    ...(study.scenario.name === "contagion-demo"
      ? []
      : [`--scenario ${named ? study.scenario.name : "<file>"}`]),
    `--seeds ${range}`,
    `--mode ${study.modes.join(",")}`,
    ...(study.scenario.pricePaths ? [`--paths ${study.scenario.pricePaths}`] : []),
    `--settlement ${study.settlement.backend}`,
    ...(positions !== defaultEngineOptions.positionsPerLending ? [`--positions ${positions}`] : []),
    ...(study.sweep ? [`--sweep ${String(study.sweep.option)}=${study.sweep.values.join(",")}`] : []),
  ];
  return {
    id: "assumptions",
    title: "Assumptions and provenance",
    html: `<p>${esc(study.scenario.notes)}</p><h3>Settlement</h3><p>${esc(settlementText(study.settlement))}</p><h3>Engine options</h3>${note("Modelling assumptions of the engine, the same in every run (sims/engine/engine-options.ts).")}${options}<h3>Reproduce</h3><pre>npm run sim:study -- ${esc(args.join(" "))}</pre>${note("Options given from code (runContagionStudy's engine parameter) other than --positions are not flags: they are listed above.")}`,
  };
}
