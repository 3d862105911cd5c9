/**
 * The fast path equals tfjs: the same weights through tfjs (wasm and cpu backends) and through
 * the Float32Array forward pass agree within 1e-5 on random networks and inputs, and on the
 * shipped ensemble over real feature rows.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { row, selectRows } from "../feature-matrix.ts";
import { loadTrainingDataset, modelInput } from "../market/dataset.ts";
import { SHIPPED_WEIGHTS, WEIGHTS_DIR } from "../market/paths.ts";
import { readEnsembleFile } from "../mlp/ensemble-file.ts";
import { createMlp, exportMlp, mlpFromWeights, predictTfjs } from "../mlp/tfjs-mlp.ts";
import { createRng } from "../random.ts";
import { selectBackend } from "../runtime/backend.ts";
import { haveMarketData, MARKET_DATA_DIR } from "../testing/market-data.ts";
import { createFastMlp } from "./mlp-forward.ts";

const TOL = 1e-5;

describe.each(["wasm", "cpu"] as const)("fast path vs tfjs on %s", (backend) => {
  it("random networks and inputs (several shapes, sigmoid and linear outputs)", async () => {
    await selectBackend({ prefer: backend });
    const rng = createRng(42);
    for (const [k, architecture] of [
      { inputs: 35, hidden: [24, 12], output: "sigmoid" as const },
      { inputs: 7, hidden: [16], output: "linear" as const },
      { inputs: 3, hidden: [], output: "sigmoid" as const },
    ].entries()) {
      const model = createMlp({ architecture, seed: 100 + k });
      const weights = exportMlp(model, architecture);
      const fast = createFastMlp(weights);
      const rows = 200;
      const values = Float32Array.from({ length: rows * architecture.inputs }, () => (rng.next() - 0.5) * 6);
      const x = { rows, cols: architecture.inputs, values, names: [] };
      const ref = predictTfjs(model, x);
      let worst = 0;
      for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(fast.output(row(x, i)) - ref[i]!));
      expect(worst).toBeLessThan(TOL);
      model.dispose();
    }
  });

  it.skipIf(!haveMarketData)("the shipped ensemble on real feature rows", async () => {
    await selectBackend({ prefer: backend });
    const e = readEnsembleFile(join(WEIGHTS_DIR, SHIPPED_WEIGHTS));
    const d = loadTrainingDataset(MARKET_DATA_DIR, {
      fromMs: Date.UTC(2021, 4, 1),
      toMs: Date.UTC(2021, 4, 31),
    });
    const x = modelInput(
      selectRows(
        d.x,
        Array.from({ length: d.x.rows }, (_, i) => i),
      ),
      e.standardizer,
      d.hoursMs,
    );
    for (const m of e.members) {
      const tfjsModel = mlpFromWeights(m.weights, e.architecture);
      const ref = predictTfjs(tfjsModel, x);
      const fast = createFastMlp(m.weights);
      let worst = 0;
      for (let i = 0; i < x.rows; i++) worst = Math.max(worst, Math.abs(fast.output(row(x, i)) - ref[i]!));
      expect(worst).toBeLessThan(TOL);
      tfjsModel.dispose();
    }
  });
});
