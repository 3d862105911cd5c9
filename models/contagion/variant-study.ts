/**
 * Recipe variants of the contagion model tried against the shipped recipe (issue 12: 24 h and
 * 72 h AUPRC must beat the best baseline by 0.05): each variant trains `--members` members per
 * horizon on the training families and is scored on the validation (calibration) families, which
 * decide, and on the test families, printed for the record only. Mean member logit, no Platt
 * (monotone, so AUROC and AUPRC are unchanged). The numbers in MODEL_CARD.md's "Variants tried"
 * come from this script.
 *   npx tsx models/contagion/variant-study.ts --dataset FILE.arrow [--variant NAME,...] [--members 2]
 *     [--horizons 24,72] [--seed N] [--dump DIR]
 * Variants: forest (the evaluation's random forest: the baseline), shipped (ONE_HEAD_RECIPE, the
 * recipe shipped until the multi-task one replaced it; the name is kept so the recorded commands
 * still run), trends (6 h and 24 h
 * changes of 14 inputs over the protocol's own past hours), positives-x3 (class weighting by
 * repetition), no-market, no-system, no-exposed (one more input group ignored); issue 12's second
 * round: multi-task (one shared trunk, 6/24/72 h heads, multi-head.ts), early stopping on the
 * validation families' loss, label smoothing, focal loss, wider trunk, auxiliary 3/12/48 h heads,
 * family bagging, same-hour peer aggregates (peers), clipping inputs to the training range, more
 * training rows (with a larger dataset). core-one-head is multi-head.ts's trainer with one head,
 * the control for the multi-task rows. --seed changes the subsampling and member seeds (the seed
 * spread of a variant); --dump writes each split's scores, for horizon-combining.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createFastMlp, type FastMlp } from "../fast/mlp-forward.ts";
import { type FeatureMatrix, fitStandardizer, selectRows, standardize } from "../feature-matrix.ts";
import { averagePrecision } from "../metrics/precision-recall.ts";
import { auroc } from "../metrics/roc.ts";
import { exportMlp, trainMlpClassifier } from "../mlp/tfjs-mlp.ts";
import { deriveSeed } from "../random.ts";
import { selectBackend } from "../runtime/backend.ts";
import { type ContagionDataset, readContagionDataset } from "./dataset.ts";
import { fitEvaluationForest } from "./evaluate.ts";
import { CONTAGION_HORIZONS, type ContagionHorizon } from "./features.ts";
import { ONE_HEAD_RECIPE, squash } from "./model.ts";
import { type MultiHeadData, trainMultiHeadMlp } from "./multi-head.ts";
import { rowsOf, subsample } from "./train.ts";
import { multiHeadData, unionRows } from "./train-multi-task.ts";
import { clipColumns, columnRange, familyBag, labelsAt, withPeers, withTrends } from "./variant-inputs.ts";

type Variant = {
  /** Not an MLP: the evaluation's random forest (evaluate.ts, 60,000 training rows), the baseline to beat. */
  forest?: boolean;
  trends?: boolean;
  peers?: boolean;
  positiveRepeats?: number;
  alsoIgnorePrefix?: string;
  /** Training rows cap (ONE_HEAD_RECIPE.maxTrainRows otherwise). */
  maxTrainRows?: number;
  hidden?: number[];
  /**
   * Train with multi-head.ts (tfjs-core, own loop) instead of the shipped tfjs-layers trainer:
   * heads "all" is one shared trunk with a 6, 24 and 72 h head trained jointly; "one" a single head.
   */
  heads?: "one" | "all";
  epochs?: number;
  /** Early stopping on the validation families' loss: each head keeps its best epoch. */
  patience?: number;
  labelSmoothing?: number;
  focalGamma?: number;
  /** Inputs clamped to the training rows' range (after standardising) for training and scoring. */
  clipToTrainRange?: boolean;
  /** Each member trains without this share of the training families (its own seeded draw). */
  dropFamilyShare?: number;
  /** With heads "all": more heads at these horizons (hours), auxiliary tasks scored nowhere. */
  auxiliaryHours?: number[];
};
const ES = { epochs: 30, patience: 4 } as const;
export const VARIANTS: Record<string, Variant> = {
  forest: { forest: true },
  shipped: {},
  trends: { trends: true },
  "positives-x3": { positiveRepeats: 3 },
  "no-market": { alsoIgnorePrefix: "market_" },
  "no-system": { alsoIgnorePrefix: "system_" },
  "no-exposed": { alsoIgnorePrefix: "exposed_" },
  /** Control: the shipped recipe through multi-head.ts's trainer with one head. */
  "core-one-head": { heads: "one" },
  "multi-task": { heads: "all" },
  "one-head-early-stop": { heads: "one", ...ES },
  "multi-task-early-stop": { heads: "all", ...ES },
  "multi-task-early-stop-smooth": { heads: "all", ...ES, labelSmoothing: 0.05 },
  "multi-task-early-stop-focal": { heads: "all", ...ES, focalGamma: 2 },
  "multi-task-early-stop-wide": { heads: "all", ...ES, hidden: [64, 32] },
  peers: { peers: true },
  "multi-task-early-stop-peers": { heads: "all", ...ES, peers: true },
  "multi-task-early-stop-auxiliary": { heads: "all", ...ES, auxiliaryHours: [3, 12, 48] },
  "multi-task-early-stop-family-bagging": { heads: "all", ...ES, dropFamilyShare: 0.25 },
  "clip-to-train-range": { clipToTrainRange: true },
  "multi-task-early-stop-clip": { heads: "all", ...ES, clipToTrainRange: true },
  "more-rows": { maxTrainRows: 400_000 },
  "multi-task-early-stop-more-rows": { heads: "all", ...ES, maxTrainRows: 400_000 },
};

export type VariantScore = {
  variant: string;
  horizon: ContagionHorizon;
  split: "validation" | "test";
  auroc: number;
  auprc: number;
  rows: number[];
  scores: Float64Array;
};

type Trained = {
  nets: Map<ContagionHorizon, FastMlp[]>;
  prepare: (rows: number[]) => FeatureMatrix;
};

/** A variant's input matrix and its row preparation (squash, standardise on `fitRows`, zero ignored inputs). */
function preparation(d: ContagionDataset, v: Variant, fitRows: number[]) {
  const all = v.trends ? withTrends(d) : v.peers ? withPeers(d) : d.x;
  const squashed = (m: FeatureMatrix) => ({ ...m, values: m.values.map(squash) });
  const ignore = all.names.flatMap((n, j) =>
    ONE_HEAD_RECIPE.ignore.includes(n) || (v.alsoIgnorePrefix && n.startsWith(v.alsoIgnorePrefix)) ? [j] : [],
  );
  const s = fitStandardizer(squashed(selectRows(all, fitRows)), (n) => n.startsWith("is_"));
  const base = (rows: number[]) => {
    const x = standardize(squashed(selectRows(all, rows)), s);
    for (let i = 0; i < x.rows; i++) for (const j of ignore) x.values[i * x.cols + j] = 0;
    return x;
  };
  if (!v.clipToTrainRange) return { all, prepare: base };
  const range = columnRange(base(fitRows));
  return { all, prepare: (rows: number[]) => clipColumns(base(rows), range) };
}

/** The shipped trainer (tfjs-layers), one horizon. */
async function trainShippedWay(
  d: ContagionDataset,
  v: Variant,
  h: ContagionHorizon,
  members: number,
  baseSeed: number,
  from: number[] = rowsOf(d, h, "train"),
) {
  const train = subsample(from, v.maxTrainRows ?? ONE_HEAD_RECIPE.maxTrainRows, deriveSeed(baseSeed, h));
  const { all, prepare } = preparation(d, v, train);
  const xTrain = prepare(train);
  const picks: number[] = [];
  train.forEach((i, k) => {
    for (let r = d.labels[h][i] ? (v.positiveRepeats ?? 1) : 1; r > 0; r--) picks.push(k);
  });
  const x = picks.length === train.length ? xTrain : selectRows(xTrain, picks);
  const y = Uint8Array.from(picks, (k) => d.labels[h][train[k]!]!);
  const architecture = {
    inputs: all.cols,
    hidden: v.hidden ?? ONE_HEAD_RECIPE.hidden,
    output: "sigmoid" as const,
  };
  const nets: FastMlp[] = [];
  for (let m = 0; m < members; m++) {
    const model = await trainMlpClassifier({
      architecture,
      x,
      y,
      seed: deriveSeed(baseSeed, h, m),
      epochs: v.epochs ?? ONE_HEAD_RECIPE.epochs,
      batchSize: ONE_HEAD_RECIPE.batchSize,
      learningRate: ONE_HEAD_RECIPE.learningRate,
      l2: ONE_HEAD_RECIPE.l2,
    });
    nets.push(createFastMlp(exportMlp(model, architecture)));
    model.dispose();
  }
  return { nets: new Map([[h, nets]]), prepare };
}

/** multi-head.ts's trainer: one head per horizon of `horizons` on a shared trunk. */
async function trainHeadsWay(
  d: ContagionDataset,
  v: Variant,
  horizons: readonly ContagionHorizon[],
  members: number,
  baseSeed: number,
  log: (line: string) => void,
): Promise<Trained> {
  const one = horizons.length === 1;
  const seed = one ? deriveSeed(baseSeed, horizons[0]!) : deriveSeed(baseSeed, 0x3ead);
  const train = subsample(
    unionRows(d, horizons, "train"),
    v.maxTrainRows ?? ONE_HEAD_RECIPE.maxTrainRows,
    seed,
  );
  const { prepare } = preparation(d, v, train);
  const heads = [
    ...horizons.map((h) => ({ hours: h as number, labels: d.labels[h], usable: d.usable[h] })),
    ...(one ? [] : (v.auxiliaryHours ?? []).map((hours) => ({ hours, ...labelsAt(d, hours) }))),
  ];
  const data = (rows: number[]): MultiHeadData => multiHeadData(prepare, heads, rows);
  const trainData = v.dropFamilyShare === undefined ? data(train) : undefined;
  const validation = v.patience === undefined ? undefined : data(unionRows(d, horizons, "calibration"));
  const nets = new Map<ContagionHorizon, FastMlp[]>(horizons.map((h) => [h, []]));
  for (let m = 0; m < members; m++) {
    const r = await trainMultiHeadMlp({
      hidden: v.hidden ?? ONE_HEAD_RECIPE.hidden,
      heads: heads.length,
      train: trainData ?? data(familyBag(d, train, v.dropFamilyShare!, deriveSeed(seed, 0xfa, m))),
      ...(validation ? { validation, patience: v.patience! } : {}),
      seed: one ? deriveSeed(baseSeed, horizons[0]!, m) : deriveSeed(seed, m),
      epochs: v.epochs ?? ONE_HEAD_RECIPE.epochs,
      batchSize: ONE_HEAD_RECIPE.batchSize,
      learningRate: ONE_HEAD_RECIPE.learningRate,
      l2: ONE_HEAD_RECIPE.l2,
      ...(v.labelSmoothing === undefined ? {} : { labelSmoothing: v.labelSmoothing }),
      ...(v.focalGamma === undefined ? {} : { focalGamma: v.focalGamma }),
    });
    log(
      `member ${m + 1}: ${r.epochsRun} epochs, kept ${heads.map((h, k) => `${h.hours} h epoch ${r.bestEpoch[k]! + 1}`).join(", ")}`,
    );
    horizons.forEach((h, k) => {
      nets.get(h)!.push(createFastMlp(r.heads[k]!));
    });
  }
  return { nets, prepare };
}

/** Mean member logit of a shipped-trainer ensemble trained on `from` (rows usable at `h`). */
export async function trainRecipeOn(p: {
  dataset: ContagionDataset;
  variant: string;
  horizon: ContagionHorizon;
  members: number;
  seed: number;
  from: number[];
}): Promise<(rows: number[]) => Float64Array> {
  const v = VARIANTS[p.variant];
  if (!v || v.forest || v.heads) throw new Error(`"${p.variant}" is not a shipped-trainer variant`);
  const trained = await trainShippedWay(p.dataset, v, p.horizon, p.members, p.seed, p.from);
  return meanLogit(trained, p.horizon);
}

function meanLogit(trained: Trained, h: ContagionHorizon) {
  const nets = trained.nets.get(h)!;
  return (rows: number[]) => {
    const xe = trained.prepare(rows);
    return Float64Array.from({ length: xe.rows }, (_, i) => {
      let z = 0;
      for (const n of nets) z += n.preActivation(xe.values.subarray(i * xe.cols, (i + 1) * xe.cols));
      return z / nets.length;
    });
  };
}

const jointRuns = new Map<string, Promise<Trained>>();

export async function scoreVariant(p: {
  dataset: ContagionDataset;
  variant: string;
  horizon: ContagionHorizon;
  members: number;
  /** Base seed of subsampling and members (ONE_HEAD_RECIPE.seed, as the shipped weights, by default). */
  seed?: number;
  log?: (line: string) => void;
}): Promise<VariantScore[]> {
  const baseSeed = p.seed ?? ONE_HEAD_RECIPE.seed;
  const { dataset: d, horizon: h } = p;
  const v = VARIANTS[p.variant];
  if (!v) throw new Error(`unknown variant "${p.variant}" (${Object.keys(VARIANTS).join(", ")})`);
  const log = p.log ?? (() => {});
  let score: (rows: number[]) => Float64Array;
  if (v.forest) {
    // As evaluate.ts with run.ts's settings (60,000 baseline rows, all of them the forest's).
    const rows = subsample(rowsOf(d, h, "train"), 60_000, deriveSeed(baseSeed, 77, h));
    const forest = fitEvaluationForest(d, h, subsample(rows, 60_000, deriveSeed(baseSeed, 78, h)), baseSeed);
    score = (r) => Float64Array.from(forest.predict(selectRows(d.x, r)));
  } else {
    let trained: Trained;
    if (v.heads === "all") {
      // One joint training serves every horizon of the variant.
      const key = `${d.file}/${p.variant}/${p.members}/${baseSeed}`;
      if (!jointRuns.has(key))
        jointRuns.set(key, trainHeadsWay(d, v, CONTAGION_HORIZONS, p.members, baseSeed, log));
      trained = await jointRuns.get(key)!;
    } else if (v.heads === "one") trained = await trainHeadsWay(d, v, [h], p.members, baseSeed, log);
    else trained = await trainShippedWay(d, v, h, p.members, baseSeed);
    score = meanLogit(trained, h);
  }
  return (["calibration", "test"] as const).map((split) => {
    const rows = rowsOf(d, h, split);
    const labels = Uint8Array.from(rows, (i) => d.labels[h][i]!);
    const scores = score(rows);
    return {
      variant: p.variant,
      horizon: h,
      split: split === "calibration" ? "validation" : "test",
      auroc: auroc(scores, labels),
      auprc: averagePrecision(scores, labels),
      rows,
      scores,
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string" },
      variant: { type: "string" },
      members: { type: "string" },
      horizons: { type: "string" },
      dump: { type: "string" },
      seed: { type: "string" },
    },
  });
  if (!values.dataset) throw new Error("--dataset FILE.arrow is required (npm run sim:dataset)");
  const { backend } = await selectBackend({});
  const d = readContagionDataset(values.dataset);
  const members = Number(values.members ?? 2);
  const seed = values.seed === undefined ? ONE_HEAD_RECIPE.seed : Number(values.seed);
  const horizons = (values.horizons ?? "24,72").split(",").map(Number) as ContagionHorizon[];
  console.log(`backend ${backend}, ${members} members per ensemble, seed ${seed}`);
  console.log("| variant | horizon | split | AUROC | AUPRC |\n| --- | --- | --- | --- | --- |");
  for (const variant of values.variant ? values.variant.split(",") : Object.keys(VARIANTS))
    for (const h of horizons)
      for (const r of await scoreVariant({
        dataset: d,
        variant,
        horizon: h,
        members,
        seed,
        log: (line) => console.error(`${variant}: ${line}`),
      })) {
        console.log(`| ${variant} | ${h} h | ${r.split} | ${r.auroc.toFixed(3)} | ${r.auprc.toFixed(3)} |`);
        if (values.dump) {
          mkdirSync(values.dump, { recursive: true });
          writeFileSync(
            join(
              values.dump,
              `${variant}-${h}-${r.split}${values.seed === undefined ? "" : `-seed${seed}`}.json`,
            ),
            JSON.stringify({ rows: r.rows, scores: Array.from(r.scores) }),
          );
        }
      }
}
