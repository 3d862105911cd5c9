/**
 * Training is seeded end to end: the same recipe on the same rows gives bit-identical weights and
 * calibration; another seed gives others. Small (a few seconds) so CI runs it.
 */
import { describe, expect, it } from "vitest";
import { ensembleToJson } from "../mlp/ensemble-file.ts";
import { selectBackend } from "../runtime/backend.ts";
import { haveMarketData, MARKET_DATA_DIR } from "../testing/market-data.ts";
import { loadTrainingDataset } from "./dataset.ts";
import { QUICK_RECIPE } from "./model.ts";
import { trainMarketEnsemble } from "./train.ts";

describe.skipIf(!haveMarketData)("market training", () => {
  it("is reproducible from its seed (weights, calibration) and differs across seeds", async () => {
    const { backend } = await selectBackend({ prefer: "wasm" });
    const window = { fromMs: Date.UTC(2021, 3, 1), toMs: Date.UTC(2021, 5, 30, 23) };
    const dataset = loadTrainingDataset(MARKET_DATA_DIR, window);
    const recipe = { ...QUICK_RECIPE, members: 2, epochs: 2, calibrationBlocks: 2 };
    const a = await trainMarketEnsemble({ dataset, window, recipe, backend });
    const b = await trainMarketEnsemble({ dataset, window, recipe, backend });
    const c = await trainMarketEnsemble({
      dataset,
      window,
      recipe: { ...recipe, seed: recipe.seed + 1 },
      backend,
    });
    expect(JSON.stringify(ensembleToJson(a))).toBe(JSON.stringify(ensembleToJson(b)));
    expect(ensembleToJson(a).members[0]!.tensors[0]!.data).not.toBe(
      ensembleToJson(c).members[0]!.tensors[0]!.data,
    );
    expect(a.training).toMatchObject({ rows: 2184, backend: "wasm" });
  });
});
