/**
 * How the loss interval's conformal calibration was chosen: the loss head's leave-one-family-out
 * residuals on the training families (the same seeds as trainValuation) under several spreads and
 * ways of pooling the families into one quantile, each judged (1) nested, inside the training
 * families only: each family's coverage when the quantile comes from the other three, and (2) on
 * the held-out test families, with the mean interval width. Prints a markdown table.
 *   npx tsx models/valuation/conformal-study.ts [--seeds 30]
 */
import { parseArgs } from "node:util";
import { generateLoanDataset } from "../../sims/loan-dataset/generate-loan-dataset.ts";
import type { LoanRow } from "../../sims/loan-dataset/loan-row.ts";
import { deriveSeed } from "../random.ts";
import { selectBackend } from "../runtime/backend.ts";
import { LOAN_FEATURES } from "./loan-features.ts";
import { TEST_FAMILIES } from "./run-valuation.ts";
import {
  defaultValuationRecipe,
  familyBalancedQuantile,
  headScores,
  loanMatrix,
  trainHead,
} from "./train-valuation.ts";

type Scored = { family: string; y: number; mean: number; sd: number; x: Float32Array };
const at = (name: (typeof LOAN_FEATURES)[number]) => LOAN_FEATURES.indexOf(name);
const tenor = (s: Scored) => Math.max(0, s.x[at("tenor_days")]!);
const vol = (s: Scored) => Math.max(0, s.x[at("collateral_vol_24h")]!);
const ret = (s: Scored) => s.x[at("collateral_return_24h")]!;
const model = (s: Scored) => Math.sqrt(Math.max(0, s.mean * (1 - s.mean))) + s.sd + 0.01;
const risk = (s: Scored, v: number) => Math.min(1, v * Math.sqrt(tenor(s)));

/** Spreads of the normalised score (y - mean) / spread; "shipped" is conformalSpread + marketRisk. */
export const SPREADS: Record<string, (s: Scored) => number> = {
  shipped: (s) => model(s) + risk(s, vol(s)),
  "no market risk": model,
  "absolute (1)": () => 1,
  "+ 24 h drawdown x sqrt(tenor)": (s) => model(s) + risk(s, vol(s)) + risk(s, Math.max(0, -ret(s))),
  "(vol + |return|) x sqrt(tenor)": (s) => model(s) + risk(s, vol(s) + Math.abs(ret(s))),
  "+ under-collateralisation": (s) =>
    model(s) + risk(s, vol(s)) + Math.max(0, 1 - s.x[at("collateral_coverage")]!),
};

export const POOLINGS = ["family-balanced", "pooled rows", "worst-family", "median family"] as const;

export function pooledQuantile(scores: number[], families: string[], pooling: string, alpha: number): number {
  const names = [...new Set(families)];
  const count = new Map(names.map((f) => [f, families.filter((g) => g === f).length]));
  if (pooling === "family-balanced")
    return familyBalancedQuantile(
      scores,
      families.map((f) => 1 / (count.get(f)! * names.length)),
      alpha,
    );
  if (pooling === "pooled rows")
    return familyBalancedQuantile(
      scores,
      scores.map(() => 1),
      alpha,
    );
  const own = names
    .map((f) => {
      const s = scores.filter((_, i) => families[i] === f);
      return familyBalancedQuantile(
        s,
        s.map(() => 1),
        alpha,
      );
    })
    .sort((a, b) => a - b);
  return pooling === "worst-family" ? own[own.length - 1]! : own[Math.floor(own.length / 2)]!;
}

const covered = (s: Scored, spread: (s: Scored) => number, q: number) =>
  s.y <= Math.min(1, s.mean + q * spread(s));

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seeds: { type: "string" } } });
  await selectBackend({});
  const recipe = defaultValuationRecipe;
  const d = await generateLoanDataset({ seeds: Number(values.seeds ?? 30) });
  const test = (TEST_FAMILIES as readonly string[]).includes.bind(TEST_FAMILIES);
  const train = d.rows.filter((r) => !test(r.family));
  const families = [...new Set(train.map((r) => r.family))].sort();
  const score = (e: Awaited<ReturnType<typeof trainHead>>, rows: LoanRow[]): Scored[] => {
    const raw = loanMatrix(rows);
    return headScores(e, rows).map((s, i) => ({
      family: rows[i]!.family,
      y: rows[i]!.lossShare,
      mean: s.mean,
      sd: s.sd,
      x: raw.values.slice(i * raw.cols, (i + 1) * raw.cols),
    }));
  };
  const cal: Scored[] = [];
  for (const [k, family] of families.entries()) {
    const e = await trainHead(
      train.filter((r) => r.family !== family),
      "loss",
      recipe,
      deriveSeed(recipe.seed, 100 + k, 1),
      () => {},
    );
    cal.push(
      ...score(
        e,
        train.filter((r) => r.family === family),
      ),
    );
    console.error(`loss head without ${family}: done`);
  }
  const final = await trainHead(train, "loss", recipe, deriveSeed(recipe.seed, 1), () => {});
  const held = score(
    final,
    d.rows.filter((r) => test(r.family)),
  );
  const f3 = (x: number) => x.toFixed(3);
  const share = (rows: Scored[], spread: (s: Scored) => number, q: number) =>
    rows.filter((s) => covered(s, spread, q)).length / rows.length;
  console.log(
    `Loss head, ${recipe.members} members, alpha ${recipe.alpha}; nested: each training family's coverage with the quantile from the other ${families.length - 1}.\n`,
  );
  console.log(
    `| spread | pooling | nested: ${families.join(", ")} | nested mean | test coverage | ${TEST_FAMILIES.join(" | ")} | test mean upper bound |`,
  );
  console.log(`|${" --- |".repeat(6 + TEST_FAMILIES.length)}`);
  for (const [name, spread] of Object.entries(SPREADS))
    for (const pooling of POOLINGS) {
      const nested = families.map((f) => {
        const rest = cal.filter((s) => s.family !== f);
        const q = pooledQuantile(
          rest.map((s) => (s.y - s.mean) / spread(s)),
          rest.map((s) => s.family),
          pooling,
          recipe.alpha,
        );
        return share(
          cal.filter((s) => s.family === f),
          spread,
          q,
        );
      });
      const q = pooledQuantile(
        cal.map((s) => (s.y - s.mean) / spread(s)),
        cal.map((s) => s.family),
        pooling,
        recipe.alpha,
      );
      const perTest = TEST_FAMILIES.map((f) =>
        f3(
          share(
            held.filter((s) => s.family === f),
            spread,
            q,
          ),
        ),
      );
      const width =
        held.reduce((a, s) => a + Math.min(1, Math.max(0, s.mean + q * spread(s))), 0) / held.length;
      console.log(
        `| ${name} | ${pooling} | ${nested.map(f3).join(", ")} | ${f3(nested.reduce((a, b) => a + b, 0) / nested.length)} | ${f3(share(held, spread, q))} | ${perTest.join(" | ")} | ${f3(width)} |`,
      );
    }
}
