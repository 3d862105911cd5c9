/**
 * Two ways of using the three horizons' ensembles together, from variant-study.ts's dumped
 * scores (run it with --variant shipped --horizons 6,24,72 --dump DIR first): the cumulative-
 * horizon constraint p6 <= p24 <= p72 (each horizon's probability raised to the shorter
 * horizons' ones) and the mean of the horizons' logits (an event within 24 h is also one within
 * 72 h, so the heads are noisy views of one hazard). Scored on the validation families, which
 * decide, and the test families, for the record.
 *   npx tsx models/contagion/horizon-combining.ts --dataset FILE.arrow --dump DIR [--variant NAME]
 * (--variant: whose dumped scores, "shipped" by default; e.g. multi-task-early-stop.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { averagePrecision } from "../metrics/precision-recall.ts";
import { auroc } from "../metrics/roc.ts";
import { readContagionDataset } from "./dataset.ts";
import type { ContagionHorizon } from "./features.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Per row, the logit of each horizon (a row usable at 72 h is usable at 24 h and 6 h too). */
export function combineHorizons(
  main: ReadonlyMap<number, number>,
  shorter: readonly ReadonlyMap<number, number>[],
  rows: readonly number[],
): { monotone: number[]; meanLogit: number[] } {
  const monotone = rows.map((i) =>
    Math.max(sigmoid(main.get(i)!), ...shorter.map((m) => sigmoid(m.get(i) ?? Number.NEGATIVE_INFINITY))),
  );
  const meanLogit = rows.map(
    (i) =>
      (main.get(i)! + shorter.reduce((a, m) => a + (m.get(i) ?? main.get(i)!), 0)) / (1 + shorter.length),
  );
  return { monotone, meanLogit };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { dataset: { type: "string" }, dump: { type: "string" }, variant: { type: "string" } },
  });
  const variant = values.variant ?? "shipped";
  if (!values.dataset || !values.dump) throw new Error("--dataset FILE.arrow and --dump DIR are required");
  const d = readContagionDataset(values.dataset);
  const dir = values.dump;
  console.log(
    "| split | horizon | one head | p6 <= p24 <= p72 | mean of horizon logits |\n| --- | --- | --- | --- | --- |",
  );
  for (const split of ["validation", "test"]) {
    const load = (h: ContagionHorizon) => {
      const j = JSON.parse(readFileSync(join(dir, `${variant}-${h}-${split}.json`), "utf8")) as {
        rows: number[];
        scores: number[];
      };
      return new Map(j.rows.map((r, k) => [r, j.scores[k]!]));
    };
    const s6 = load(6);
    const s24 = load(24);
    const s72 = load(72);
    for (const [h, main, shorter] of [
      [24, s24, [s6]],
      [72, s72, [s24, s6]],
    ] as const) {
      const rows = [...main.keys()];
      const y = rows.map((i) => d.labels[h][i]!);
      const c = combineHorizons(main, shorter, rows);
      const f = (s: number[]) => `${averagePrecision(s, y).toFixed(3)} / ${auroc(s, y).toFixed(3)}`;
      console.log(
        `| ${split} | ${h} h | ${f(rows.map((i) => main.get(i)!))} | ${f(c.monotone)} | ${f(c.meanLogit)} |`,
      );
    }
  }
}
