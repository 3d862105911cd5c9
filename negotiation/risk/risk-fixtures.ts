/** Sample risk messages for tests and the protocol document's vectors. */
import type { Hex } from "viem";
import { type RiskAlert, signRiskAlert } from "../../arbitration/typed-data.ts";
import type { ArbiterDomain } from "../../core/agreement.ts";
import type { Signer } from "../../core/signer.ts";
import { riskEvidenceHash, riskProposalId } from "./risk-codec.ts";
import type {
  ContagionEstimate,
  RiskBook,
  RiskEvidence,
  RiskProposalBody,
  RiskSnapshotBody,
} from "./risk-schemas.ts";

export const sampleEstimate: ContagionEstimate = {
  horizonHours: 24,
  probabilityPpm: 620_000,
  lowPpm: 410_000,
  highPpm: 800_000,
};

export const sampleSnapshotBody: RiskSnapshotBody = {
  protocolId: "lending-market-A",
  at: 1_700_000_000_000,
  features: { coverBps: 8_200, volatilityBps: 14_000, drawdownBps: 2_100, neighbourStressBps: 3_000 },
  contagion: [
    { horizonHours: 6, probabilityPpm: 210_000, lowPpm: 120_000, highPpm: 330_000 },
    sampleEstimate,
  ],
  detector: "rule-v1",
};

/** A book for peers' contagion models (docs/PROTOCOL.md §10.3): a lending market that has lost 4%
 *  of its equity, with claims on two peers. */
export const sampleBook: RiskBook = {
  sizeUsd: 250_000_000,
  startDepositsUsd: 250_000_000,
  capitalStartUsd: 20_000_000,
  capitalUsd: 19_200_000,
  equityLossPpm: 40_000,
  halted: false,
  insolvent: false,
  shortfallUsd: 0,
  liquidatedUsd: 1_250_000,
  unpaidUsd: 0,
  claims: [
    { protocolId: "perp-B", usd: 12_000_000 },
    { protocolId: "vault-C", usd: 3_500_000 },
  ],
};

/** The sample snapshot from an agent running the contagion model: its book, the model's id. */
export const sampleSnapshotWithBook: RiskSnapshotBody = {
  ...sampleSnapshotBody,
  at: 1_700_000_003_600,
  detector: "contagion-mlp-v1",
  book: sampleBook,
};

export const sampleEvidence: RiskEvidence = {
  protocolId: "lending-market-A",
  estimate: sampleEstimate,
  threshold: { proposePpm: 500_000, holdPpm: 350_000 },
  snapshots: [],
};

export function sampleProposal(
  domain: ArbiterDomain,
  signer: Signer,
  at: { issuedAt: bigint; ttl?: bigint; level?: number } = { issuedAt: 1_700_000_000n },
): { id: Hex; alert: RiskAlert; body: RiskProposalBody } {
  const alert: RiskAlert = {
    level: at.level ?? 2,
    evidenceHash: riskEvidenceHash(sampleEvidence),
    issuedAt: at.issuedAt,
    expiresAt: at.issuedAt + (at.ttl ?? 3600n),
  };
  const id = riskProposalId(domain, alert);
  return {
    id,
    alert,
    body: { alert, evidence: sampleEvidence, alertSignature: signRiskAlert(domain, alert, signer).signature },
  };
}
