/** `risk.detector` in the operator's config: rule by default; the contagion model only with an
 *  adapter that reports its book, refused at start otherwise. */
import { describe, expect, it } from "vitest";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { recordRun, replayAdapter } from "../sims/engine/testing/recorded-books.ts";
import { RiskConfigSchema } from "./agent-config.ts";
import { AdapterLoadError } from "./errors.ts";
import { createConfiguredDetector } from "./risk-detector.ts";

const market = new SimulatedLendingMarket({
  protocolId: "lend-A",
  asset: { address: "0x00000000000000000000000000000000000000C0", symbol: "USDC", decimals: 6 },
  deposits: 1_000_000n,
  borrows: 500_000n,
  bufferBps: 1000,
  rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
  priceUsd8: 10n ** 8n,
  now: () => 0,
});

describe("operator risk.detector", () => {
  it("defaults to the rule detector", () => {
    const risk = RiskConfigSchema.parse({});
    expect(risk.detector).toBe("rule");
    expect(createConfiguredDetector(risk, market).id).toBe("rule-v1");
    expect(() => RiskConfigSchema.parse({ detector: "oracle" })).toThrow();
  });

  it("refuses the contagion model for an adapter without a book, naming the adapter", () => {
    const risk = RiskConfigSchema.parse({ detector: "contagion-model" });
    expect(() => createConfiguredDetector(risk, market)).toThrow(AdapterLoadError);
    expect(() => createConfiguredDetector(risk, market)).toThrow(/lend-A.*book\(\)/);
  });

  it("gives the contagion model to an adapter with a book; it scores the model's observation", async () => {
    const run = await recordRun({ family: "ring-contagion", seed: 5, cutHours: 2 });
    const detector = createConfiguredDetector(
      RiskConfigSchema.parse({ detector: "contagion-model" }),
      replayAdapter(run, 0),
    );
    expect(detector).toMatchObject({ id: "contagion-mlp-v1", reads: "book" });
    const summary = { coverBps: 20_000, volatilityBps: 0, drawdownBps: 0, neighbourStressBps: 0 };
    expect(() => detector.estimate(summary)).toThrow(/no model observation/);
    const row = Float32Array.from(run.dataset.features, (f) => f[0]!);
    const views = detector.estimate(summary, row);
    expect(views.map((v) => v.horizonHours)).toEqual([6, 24, 72]);
    for (const v of views) expect(v.low <= v.probability && v.probability <= v.high).toBe(true);
  }, 30_000);
});
