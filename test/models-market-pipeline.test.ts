/**
 * The market model's commands end to end, small enough for CI: a quick training (the real code
 * path, a few seconds), the evaluation against the baselines, the HTML report opened in real
 * Chromium (charts render, no console or page errors), the generated model card, and the example
 * manifest scored with the weights just trained.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, SHIPPED_WEIGHTS } from "../models/market/paths.ts";
import { runMarketEval } from "../models/market/run-eval.ts";
import { runMarketTraining } from "../models/market/run-train.ts";
import { scoreMarket } from "../models/market/score-market.ts";
import { selectBackend } from "../models/runtime/backend.ts";
import { haveMarketData, MARKET_DATA_DIR } from "../models/testing/market-data.ts";
import { haveChromium, openReportPage, warnWithoutChromium } from "./harness/report-page.ts";

warnWithoutChromium("models-market-pipeline.test.ts");

describe.skipIf(!haveMarketData)("market model: train -> eval -> report -> score", () => {
  const dir = mkdtempSync(join(tmpdir(), "market-pipeline-"));
  const weightsDir = join(dir, "weights");

  it("trains the fold and shipped models (quick recipe) and prints finite out-of-sample metrics", async () => {
    const { backend } = await selectBackend({});
    const r = await runMarketTraining({ dataDir: MARKET_DATA_DIR, outDir: weightsDir, backend, quick: true });
    expect(r.files.map((f) => f.slice(weightsDir.length + 1))).toEqual([
      "fold-2021-Q3.json",
      "fold-2021-Q4.json",
      SHIPPED_WEIGHTS,
    ]);
    for (const f of r.folds) {
      expect(f.auroc).toBeGreaterThanOrEqual(0);
      expect(f.auroc).toBeLessThanOrEqual(1);
      expect(f.positives).toBeGreaterThan(0);
    }
    // Small weights (KBs).
    expect(readFileSync(r.files[2]!, "utf8").length).toBeLessThan(100_000);
  });

  it("evaluates against every baseline, writes the card, and the report renders in Chromium", async () => {
    const { backend } = await selectBackend({});
    const card = join(dir, "MODEL_CARD.md");
    const r = await runMarketEval({
      dataDir: MARKET_DATA_DIR,
      weightsDir,
      outDir: join(dir, "report"),
      cardFile: card,
      backend,
      quick: true,
      command: "test",
    });
    const names = r.evaluation.pooled.models.map((m) => m.name);
    expect(names).toEqual([
      "MLP ensemble (calibrated)",
      "MLP ensemble (uncalibrated)",
      "logistic regression",
      "random forest",
      "realised-volatility rule",
      "dummy (prior)",
    ]);
    for (const s of [...r.evaluation.splits, r.evaluation.pooled])
      for (const m of s.models)
        for (const v of [m.auroc, m.auprc, m.brier, m.ece]) expect(Number.isFinite(v)).toBe(true);
    const md = readFileSync(card, "utf8");
    const mlp = r.evaluation.pooled.models[0]!;
    expect(md).toContain(`| MLP ensemble (calibrated) | ${mlp.auroc.toFixed(3)} | ${mlp.auprc.toFixed(3)} |`);
    expect(md).toMatch(/## Intended use[\s\S]*## Data[\s\S]*## Training[\s\S]*## Evaluation[\s\S]*## Limits/);

    if (!haveChromium) return;
    const { page, charts, errors, requests, close } = await openReportPage(r.html);
    try {
      // ROC, PR, reliability and lead time for 2 folds + pooled, and the timeline.
      expect(charts.length).toBe(13);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.height).toBeGreaterThan(100);
        expect(c.marks).toBeGreaterThan(3);
      }
      const headings = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
      expect(headings).toEqual(
        expect.arrayContaining([
          "Baselines",
          "ROC curves",
          "Precision-recall curves",
          "Reliability diagrams",
          "Lead-time histograms",
          "Missing roles",
        ]),
      );
      await page.screenshot({ path: join(dir, "report.png"), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await close();
    }
  });

  it("scores the example manifest (2019-2023, no protocol files) with those weights", () => {
    const out = join(dir, "scores.csv");
    const r = scoreMarket({
      manifest: join(REPO_ROOT, "models/market/example-manifest.json"),
      weights: join(weightsDir, SHIPPED_WEIGHTS),
      out,
    });
    expect(r.rows).toBeGreaterThan(35_000);
    expect(r.presentShare.aaveWeth).toBe(0);
    expect(readFileSync(out, "utf8").split("\n")[0]).toBe("hour_utc,p,p_low,p_high");
  });
});
