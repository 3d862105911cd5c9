/**
 * Risk messages of wire protocol v0 (docs/PROTOCOL.md §9): a signed risk snapshot, an alert
 * proposal and a vote. They travel in the same signed envelope as negotiation messages (one
 * EIP-712 Envelope type, one domain), broadcast (`to` = the zero address) on risk subjects.
 * Probabilities travel as integers in parts per million: floats stay inside models, and a third
 * party hashes the same bytes we do.
 */
import { z } from "zod";
import { address, bytes32, signature, smallUint, uint } from "../../core/schema.ts";

export const RISK_KINDS = ["risk.snapshot", "risk.proposal", "risk.vote"] as const;
export type RiskKind = (typeof RISK_KINDS)[number];

const ppm = smallUint(1_000_000);
const bps = z.number().int().min(-1_000_000).max(1_000_000);
const unixMs = smallUint(Number.MAX_SAFE_INTEGER);

/** A contagion estimate: probability of insolvency or halt within a horizon, with its band. */
export const ContagionEstimateSchema = z
  .strictObject({
    horizonHours: smallUint(24 * 365),
    probabilityPpm: ppm,
    lowPpm: ppm,
    highPpm: ppm,
  })
  .refine((e) => e.lowPpm <= e.probabilityPpm && e.probabilityPpm <= e.highPpm, {
    message: "expected lowPpm <= probabilityPpm <= highPpm",
  });

/** The risk features an agent computed from its adapter and the shared picture, bps. */
export const RiskFeaturesSchema = z.strictObject({
  /** Liquid cover of the protocol's obligations (10000 = exactly covered). */
  coverBps: bps,
  /** Realised volatility of its collateral prices over the detector's window, annualised. */
  volatilityBps: bps,
  /** Fall from the window's peak price of its collateral. */
  drawdownBps: bps,
  /** Exposure-weighted stress reported by peers' latest snapshots. */
  neighbourStressBps: bps,
});

const usd = smallUint(Number.MAX_SAFE_INTEGER);

/**
 * The publisher's own book, for peers' contagion models (docs/PROTOCOL.md §10.3): what the
 * neighbour and system features of models/contagion need and no peer can observe by itself.
 * Whole USD and ppm, so a third party hashes the same bytes. Optional in a snapshot: agents whose
 * adapter cannot report its book leave it out, and count as unstressed with no claims.
 */
export const RiskBookSchema = z.strictObject({
  /** Reference size: deposits it owes (lending, perp, vault) or pool value (AMM) at its start. */
  sizeUsd: usd,
  /** Deposits withdrawable at its start. */
  startDepositsUsd: usd,
  /** DebtRank capital (equity; assets for AMMs and vaults) at its start and now. */
  capitalStartUsd: usd,
  capitalUsd: usd,
  /** Share of its starting equity lost, capped to [0, 1]. */
  equityLossPpm: ppm,
  halted: z.boolean(),
  insolvent: z.boolean(),
  /** max(0, -book equity): what it cannot pay if it met its network obligations in full. */
  shortfallUsd: usd,
  /** Fall in borrowers' debt (lending) or open interest (perp) since its previous snapshot. */
  liquidatedUsd: usd,
  /** Withdrawals owed and not paid. */
  unpaidUsd: usd,
  /** What it stands to lose on each peer (its row of the exposure network), by protocol id. */
  claims: z.array(z.strictObject({ protocolId: z.string().min(1).max(64), usd })).max(64),
});

export const RiskSnapshotBodySchema = z.strictObject({
  protocolId: z.string().min(1).max(64),
  /** Unix ms of the observation. */
  at: unixMs,
  features: RiskFeaturesSchema,
  contagion: z.array(ContagionEstimateSchema).min(1).max(8),
  /** Which detector produced the estimates, e.g. "rule-v1" or a model card's id. */
  detector: z.string().min(1).max(64),
  /** Its own book for peers' models (optional; absent in snapshots of agents without one). */
  book: RiskBookSchema.optional(),
});

/** The on-chain RiskAlert (arbitration/typed-data.ts), uint64 fields as decimal strings. */
export const RiskAlertSchema = z
  .strictObject({
    level: smallUint(255).refine((l) => l > 0, "level must be above zero"),
    evidenceHash: bytes32,
    issuedAt: uint(64),
    expiresAt: uint(64),
  })
  .refine((a) => a.expiresAt > a.issuedAt, { message: "expiresAt must be after issuedAt" });

/** What the proposer saw: its own estimate and the snapshots (envelope digests) it relied on.
 *  The alert's evidenceHash is keccak256 of this object's canonical JSON. */
export const RiskEvidenceSchema = z.strictObject({
  protocolId: z.string().min(1).max(64),
  estimate: ContagionEstimateSchema,
  threshold: z.strictObject({ proposePpm: ppm, holdPpm: ppm }),
  snapshots: z.array(bytes32).max(64),
});

export const RiskProposalBodySchema = z.strictObject({
  alert: RiskAlertSchema,
  evidence: RiskEvidenceSchema,
  /** The proposer's EIP-712 signature over `alert` (the RiskAlert type): its vote for it. */
  alertSignature: signature,
});

export const RiskVoteBodySchema = z
  .strictObject({
    /** The proposal's id: the RiskAlert's EIP-712 digest. */
    proposalId: bytes32,
    approve: z.boolean(),
    /** The voter's own estimate (its view, whichever way it votes). */
    estimate: ContagionEstimateSchema,
    /** On approval: the voter's signature over the RiskAlert, which goes on chain with the quorum. */
    alertSignature: signature.optional(),
  })
  .refine((v) => v.approve === (v.alertSignature !== undefined), {
    message: "an approving vote carries alertSignature, a rejecting one does not",
  });

export const RiskBodySchemas = {
  "risk.snapshot": RiskSnapshotBodySchema,
  "risk.proposal": RiskProposalBodySchema,
  "risk.vote": RiskVoteBodySchema,
} as const;

export const RISK_WIRE_VERSION = 0;

const envelopeShape = {
  v: z.literal(RISK_WIRE_VERSION),
  sessionId: bytes32,
  seq: smallUint(0xffffffff),
  from: address,
  to: address,
  expiry: unixMs,
  nonce: bytes32,
  sig: signature,
};

export const RiskMessageSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...envelopeShape, kind: z.literal("risk.snapshot"), body: RiskSnapshotBodySchema }),
  z.strictObject({ ...envelopeShape, kind: z.literal("risk.proposal"), body: RiskProposalBodySchema }),
  z.strictObject({ ...envelopeShape, kind: z.literal("risk.vote"), body: RiskVoteBodySchema }),
]);

export type RiskMessage = z.output<typeof RiskMessageSchema>;
export type RiskMessageOf<K extends RiskKind> = Extract<RiskMessage, { kind: K }>;
export type RiskBodyOf<K extends RiskKind> = z.output<(typeof RiskBodySchemas)[K]>;
export type ContagionEstimate = z.output<typeof ContagionEstimateSchema>;
export type RiskFeatures = z.output<typeof RiskFeaturesSchema>;
export type RiskBook = z.output<typeof RiskBookSchema>;
export type RiskEvidence = z.output<typeof RiskEvidenceSchema>;
export type RiskSnapshotBody = RiskBodyOf<"risk.snapshot">;
export type RiskProposalBody = RiskBodyOf<"risk.proposal">;
export type RiskVoteBody = RiskBodyOf<"risk.vote">;
