/**
 * What one agent's risk loop sees: its protocol through the adapter (prices, features, its book),
 * its peers through their signed snapshots (their own stress, or their books for a model), and
 * the detector's estimate from both. The loop's decisions (risk-agent.ts) read `latest()`; a
 * proposal's evidence names the snapshots it read.
 */
import type { Hex } from "viem";
import { ModelInputError } from "../../models/errors.ts";
import type { ContagionEstimate, RiskBook, RiskMessageOf } from "../../negotiation/risk/risk-schemas.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import { type AlertThresholds, estimateAt, proposedLevel } from "./alert-decision.ts";
import { type ContagionDetector, toEstimatePpm } from "./contagion-detector.ts";
import { createModelFeatureBuilder, MODEL_FEATURE_INDEX } from "./model-features.ts";
import { computeRiskFeatures, createPriceWindow, observePrice } from "./risk-features.ts";
import type { Assessment } from "./risk-loop-machine.ts";

type NeighbourSnapshot = { estimate: ContagionEstimate; digest: Hex };

export type RiskView = {
  /** Observe our protocol now and estimate (without the chain's level: the loop adds it). */
  assess(): Promise<Assessment>;
  /** Our latest estimate at the thresholds' horizon (undefined before the first assessment). */
  latest(): ContagionEstimate | undefined;
  /** A peer's verified snapshot; why its book is refused, or undefined when taken. */
  onSnapshot(m: RiskMessageOf<"risk.snapshot">, digest: Hex): string | undefined;
  /** The snapshots our view read, as a proposal's evidence (at most 64). */
  evidenceDigests(): Hex[];
};

export function createRiskView(p: {
  name: string;
  me: Hex;
  adapter: ProtocolAdapter;
  detector: ContagionDetector;
  thresholds: AlertThresholds;
  /** Our exposure to each peer, weights for neighbour stress (default: equal). */
  exposures?: Record<string, number> | undefined;
}): RiskView {
  const prices = createPriceWindow();
  const neighbours = new Map<string, NeighbourSnapshot>();
  // The contagion model's observation: our adapter's book and peers' published books.
  if (p.detector.reads === "book" && !p.adapter.book)
    throw new ModelInputError(
      `risk agent ${p.name}: detector ${p.detector.id} needs the adapter's book, and adapter ${p.adapter.protocolId} reports none`,
      "use the rule detector, or give the adapter a book() (protocol-adapters/book-observation.ts)",
    );
  const model = p.adapter.book ? createModelFeatureBuilder(p.adapter.protocolId) : undefined;
  const peerBooks = new Map<string, RiskBook>();
  /** Who first published a book for each protocol id: a peer cannot speak for another's book. */
  const bookOwners = new Map<string, string>([[p.adapter.protocolId, p.me.toLowerCase()]]);
  let latest: ContagionEstimate | undefined;

  return {
    async assess() {
      const state = await p.adapter.snapshot();
      const price = state.prices[0];
      if (price) observePrice(prices, state.timestamp, price.usd8);
      const view = [...neighbours.entries()].map(([addr, n]) => ({
        probabilityPpm: n.estimate.probabilityPpm,
        weight: p.exposures?.[addr] ?? 1,
      }));
      const features = computeRiskFeatures({ state, prices, neighbours: view });
      const book = model && p.adapter.book ? model.observeOwn(state, await p.adapter.book()) : undefined;
      const observed = model && book ? model.features(peerBooks) : undefined;
      // A model reads its neighbours' books, not their probabilities: publish what it read.
      if (observed && p.detector.reads === "book")
        features.neighbourStressBps = Math.round(observed[MODEL_FEATURE_INDEX.neighbour_stress]! * 10_000);
      const estimates = p.detector.estimate(features, observed).map(toEstimatePpm);
      latest = estimateAt(estimates, p.thresholds.horizonHours);
      return {
        features,
        estimates,
        proposeLevel: proposedLevel(latest, p.thresholds),
        ...(book ? { book } : {}),
      };
    },
    latest: () => latest,
    onSnapshot(m, digest) {
      if (m.body.book) {
        const owner = bookOwners.get(m.body.protocolId);
        if (owner !== undefined && owner !== m.from.toLowerCase())
          return `a book for ${m.body.protocolId}, which ${owner} publishes`;
        bookOwners.set(m.body.protocolId, m.from.toLowerCase());
        peerBooks.set(m.body.protocolId, m.body.book);
      }
      // The peer's own stress, without what it hears from its neighbours (us among them): its
      // features through our detector with the neighbour term zeroed. Reading its published
      // probability instead would echo our stress back to us and ratchet the level up. A model
      // reads peers' books instead (no echo: a book holds no probability); it keeps theirs.
      const own =
        p.detector.reads === "book"
          ? m.body.contagion
          : p.detector.estimate({ ...m.body.features, neighbourStressBps: 0 }).map(toEstimatePpm);
      neighbours.set(m.from.toLowerCase(), { estimate: estimateAt(own, p.thresholds.horizonHours), digest });
      return undefined;
    },
    evidenceDigests: () => [...neighbours.values()].map((n) => n.digest).slice(0, 64),
  };
}
