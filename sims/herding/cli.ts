/**
 * npm run sim:herding -- [--seeds <n>] [--cap-hours <h>] [--out <folder>]
 *
 * The herding study (run-herding.ts) on the demo scenario: prints the table, writes herding.json
 * and herding.html (table and chart).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCENARIO } from "../engine/run-contagion-study.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../scenarios/with-price-paths.ts";
import { herdingText, renderHerdingHtml } from "./herding-page.ts";
import { type HerdingStudy, runHerdingStudy } from "./run-herding.ts";

const HELP = `Usage: npm run sim:herding -- [options]

  --seeds <n>       seeds 1..n (default 10)
  --cap-hours <h>   the dampened variant's cap: one level up per h hours (default 12)
  --out <folder>    where to write herding.json and herding.html (default sim-out/herding)
  -h, --help        this help
`;

export async function main(argv = process.argv.slice(2)): Promise<number> {
  return (await runHerdingCli(argv)).code;
}

/** The command, returning the study it ran (npm run sim hands it to the main study's report). */
export async function runHerdingCli(argv: string[]): Promise<{ code: number; study?: HerdingStudy }> {
  let values: { seeds?: string; "cap-hours"?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seeds: { type: "string" },
        "cap-hours": { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return { code: 2 };
  }
  if (values.help) {
    process.stdout.write(HELP);
    return { code: 0 };
  }
  const n = Number(values.seeds ?? 10);
  const cap = Number(values["cap-hours"] ?? 12);
  if (!Number.isInteger(n) || n < 1 || n > 1000 || !(cap >= 0)) {
    process.stderr.write(`--seeds: an integer 1..1000; --cap-hours: a number >= 0\n\n${HELP}`);
    return { code: 2 };
  }
  const scenario = withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: STUDY_PRICE_PATHS });
  const study = await runHerdingStudy({
    scenario,
    seeds: Array.from({ length: n }, (_, i) => i + 1),
    capHours: cap,
    onRun: (done, total) => {
      if (done === total || done % Math.max(1, Math.floor(total / 5)) === 0)
        process.stderr.write(`herding: ${done}/${total} runs\n`);
    },
  });
  process.stdout.write(`${herdingText(study)}\n`);
  const out = values.out ?? "sim-out/herding";
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "herding.json"), `${JSON.stringify(study, null, 2)}\n`);
  writeFileSync(join(out, "herding.html"), await renderHerdingHtml(study, new Date().toISOString()));
  process.stdout.write(`Written: ${join(out, "herding.json")}, ${join(out, "herding.html")}\n`);
  return { code: 0, study };
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((code) => process.exit(code));
