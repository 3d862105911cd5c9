/**
 * The contagion model's observation (models/contagion CONTAGION_FEATURES, in order) built by a
 * deployed agent from what it can see: its adapter's book (protocol-adapters/book-observation.ts)
 * and oracle prices, and its peers' books from their signed risk snapshots (shared-picture.ts).
 * Rates and liquidations are differences between this agent's own successive observations, so
 * the builder keeps the previous ones; nothing reads ahead of the latest observation.
 *
 * Two calls per assessment: `observeOwn` (advances the builder, returns the book to publish),
 * then `features` over the picture (own book plus peers' latest). test/model-features.test.ts
 * checks the result equals the simulator dataset's row for the same state.
 */
import { CONTAGION_FEATURES, type ContagionFeature } from "../../models/contagion/features.ts";
import type { RiskBook } from "../../negotiation/risk/risk-schemas.ts";
import type { BookObservation } from "../../protocol-adapters/book-observation.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import { createPriceHistory } from "./price-history.ts";
import { pictureFeatures } from "./shared-picture.ts";

const HOURS_PER_YEAR = 24 * 365;
const HF_CAP = 10;

export const MODEL_FEATURE_INDEX: Readonly<Record<ContagionFeature, number>> = Object.fromEntries(
  CONTAGION_FEATURES.map((name, k) => [name, k]),
) as Record<ContagionFeature, number>;

const wholeUsd = (x: number) =>
  Number.isFinite(x) ? Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.round(x))) : 0;

export type ModelFeatureBuilder = {
  /** Reads this assessment's own state and book; returns the book to publish in its snapshot. */
  observeOwn(state: ProtocolState, book: BookObservation): RiskBook;
  /** The model's input for the last observation, given every published book (peers' and ours). */
  features(peers: ReadonlyMap<string, RiskBook>, out?: Float32Array): Float32Array;
};

export function createModelFeatureBuilder(protocolId: string): ModelFeatureBuilder {
  const prices = createPriceHistory();
  const prevIndex = new Map<string, number>();
  const prevFunding = new Map<string, number>();
  let prevDebtOrOi: number | undefined;
  let prevAt: number | undefined;
  let last: { book: BookObservation; wire: RiskBook; own: Float64Array } | undefined;
  const own = new Float64Array(CONTAGION_FEATURES.length);
  const F = MODEL_FEATURE_INDEX;

  return {
    observeOwn(state, book) {
      // Float boundary: oracle prices (USD-8 integers) to floats, for the price features only.
      prices.observe(
        state.timestamp,
        state.prices.map((x) => ({ token: x.token, usd: Number(x.usd8) / 1e8 })),
      );
      const hoursPerStep =
        prevAt !== undefined && state.timestamp > prevAt ? (state.timestamp - prevAt) / 3600 : 1;
      prevAt = state.timestamp;
      const perYear = HOURS_PER_YEAR / hoursPerStep;
      own.fill(0);
      const size = book.sizeUsd;
      own[F.is_lending] = book.kind === "lending" ? 1 : 0;
      own[F.is_amm] = book.kind === "amm" ? 1 : 0;
      own[F.is_perp] = book.kind === "perp" ? 1 : 0;
      own[F.is_vault] = book.kind === "vault" ? 1 : 0;
      own[F.log_size_usd] = Math.log10(size);
      let debtOrOi = 0;
      own[F.hf_p05] = HF_CAP;
      own[F.hf_p25] = HF_CAP;
      own[F.hf_p50] = HF_CAP;
      if (book.lending) {
        const l = book.lending;
        own[F.utilisation] = l.utilisation;
        let borrowed = 0;
        let rateWeighted = 0;
        for (const r of l.reserves) {
          const before = prevIndex.get(r.key) ?? r.borrowIndex;
          const growth = before > 0 ? r.borrowIndex / before - 1 : 0;
          rateWeighted += r.borrowedUsd * growth * perYear;
          borrowed += r.borrowedUsd;
          prevIndex.set(r.key, r.borrowIndex);
        }
        own[F.borrow_rate] = borrowed > 0 ? rateWeighted / borrowed : 0;
        own[F.hf_p05] = l.hf.p05;
        own[F.hf_p25] = l.hf.p25;
        own[F.hf_p50] = l.hf.p50;
        own[F.hf_below_1_share] = l.hf.belowOneDebtShare;
        debtOrOi = l.debtUsd;
      }
      if (book.perp) {
        let funding = 0;
        let weight = 0;
        for (const m of book.perp.markets) {
          const before = prevFunding.get(m.key) ?? m.fundingIndex;
          const rate = m.priceUsd > 0 ? ((m.fundingIndex - before) / m.priceUsd) * perYear : 0;
          prevFunding.set(m.key, m.fundingIndex);
          funding += rate * m.priceUsd;
          weight += m.priceUsd;
        }
        own[F.funding_rate] = weight > 0 ? funding / weight : 0;
        own[F.open_interest_share] = book.perp.openInterestUsd / size;
        debtOrOi = book.perp.openInterestUsd;
      }
      const fall = prevDebtOrOi === undefined ? 0 : Math.max(0, prevDebtOrOi - debtOrOi);
      prevDebtOrOi = debtOrOi;
      own[F.liquidation_share] = fall / size;
      const deposits = Math.max(1, book.startDepositsUsd);
      own[F.withdrawal_share] = book.askedUsd / deposits;
      own[F.unpaid_share] = book.unpaidUsd / deposits;
      own[F.run_intensity] = book.runShare;
      own[F.flight_share] = book.flightShare;
      const start = book.startEquityUsd;
      own[F.equity_share] = start > 0 ? book.bookEquityUsd / start : book.bookEquityUsd >= 0 ? 1 : -1;
      own[F.equity_loss_share] = book.equityLossShare;
      own[F.halted_exposure_share] = book.haltedExposureShare;
      const shortfall = Math.max(0, -book.bookEquityUsd);
      own[F.own_shortfall_share] = shortfall / size;
      own[F.halted] = book.halted ? 1 : 0;
      own[F.insolvent] = book.insolvent ? 1 : 0;
      const wire: RiskBook = {
        sizeUsd: wholeUsd(size),
        startDepositsUsd: wholeUsd(book.startDepositsUsd),
        capitalStartUsd: wholeUsd(book.capitalStartUsd),
        capitalUsd: wholeUsd(book.capitalUsd),
        equityLossPpm: Math.round(Math.min(1, Math.max(0, book.equityLossShare)) * 1e6),
        halted: book.halted,
        insolvent: book.insolvent,
        shortfallUsd: wholeUsd(shortfall),
        liquidatedUsd: wholeUsd(fall),
        unpaidUsd: wholeUsd(book.unpaidUsd),
        claims: book.claims
          .filter((c) => c.usd > 0)
          .slice(0, 64)
          .map((c) => ({ protocolId: c.protocolId, usd: wholeUsd(c.usd) })),
      };
      last = { book, wire, own };
      return wire;
    },

    features(peers, out = new Float32Array(CONTAGION_FEATURES.length)) {
      if (!last) throw new Error("model features: no observation of our own yet (call observeOwn first)");
      const books = new Map(peers);
      books.set(protocolId, last.wire);
      for (let k = 0; k < own.length; k++) out[k] = own[k]!;
      const pic = pictureFeatures({
        protocolId,
        sizeUsd: last.book.sizeUsd,
        claims: last.book.claims,
        books,
      });
      out[F.exposure_to_peers_share] = pic.exposureToPeersShare;
      out[F.neighbour_stress] = pic.neighbourStress;
      out[F.neighbour_halted_share] = pic.neighbourHaltedShare;
      out[F.creditor_stress] = pic.creditorStress;
      out[F.system_debtrank] = pic.systemDebtRank;
      out[F.system_shortfall_share] = pic.systemShortfallShare;
      out[F.system_halted_share] = pic.systemHaltedShare;
      out[F.system_insolvent_share] = pic.systemInsolventShare;
      out[F.system_liquidation_share] = pic.systemLiquidationShare;
      out[F.system_unpaid_share] = pic.systemUnpaidShare;
      const px = prices.features(last.book.exposedTokens);
      out[F.exposed_drawdown] = px.exposed.drawdown;
      out[F.exposed_return_1h] = px.exposed.return1h;
      out[F.exposed_return_24h] = px.exposed.return24h;
      out[F.exposed_vol_24h] = px.exposed.vol24h;
      out[F.market_max_drawdown] = px.market.drawdown;
      out[F.market_return_1h] = px.market.return1h;
      out[F.market_return_24h] = px.market.return24h;
      out[F.market_vol_24h] = px.market.vol24h;
      // The dataset writes a non-finite figure as 0; so do we (the model never sees NaN).
      for (let k = 0; k < out.length; k++) if (!Number.isFinite(out[k]!)) out[k] = 0;
      return out;
    },
  };
}
