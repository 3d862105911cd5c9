/** NATS subjects of the risk loop (docs/PROTOCOL.md §9.1). */
import { keccak256, stringToHex } from "viem";
import { SUBJECT_PREFIX } from "../wire/subjects.ts";

/** Risk snapshots of every agent on a chain: `liq.v0.risk.<chainId>.snapshot`. */
export function riskSnapshotSubject(chainId: number): string {
  return `${SUBJECT_PREFIX}.risk.${chainId}.snapshot`;
}

/** Alert proposals and votes on a chain: `liq.v0.risk.<chainId>.alert`. */
export function riskAlertSubject(chainId: number): string {
  return `${SUBJECT_PREFIX}.risk.${chainId}.alert`;
}

/** Every risk message on a chain: `liq.v0.risk.<chainId>.>`. */
export function riskWildcard(chainId: number): string {
  return `${SUBJECT_PREFIX}.risk.${chainId}.>`;
}

/** The envelope `sessionId` of snapshots: one stream per sender, ordered by `seq`. */
export const RISK_SNAPSHOT_SESSION = keccak256(stringToHex("liq.v0.risk.snapshot"));
