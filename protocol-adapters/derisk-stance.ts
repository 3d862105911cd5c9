/**
 * Pre-committed, reversible de-risking (docs/ADAPTERS.md "De-risking"). An agent sets a stance
 * for the system risk level its quorum agreed on; level 0 restores normal operation. A stance is
 * declarative (the adapter moves to it from wherever it is), so applying the same level twice
 * changes nothing and unwinding is one call: `derisk({ level: 0 })`.
 *
 * Each kind's table is committed in code and published in docs, so peers and users know in
 * advance what an alert does. No level freezes a protocol: vault redemptions are paced, never
 * stopped; lending keeps repayments and withdrawals open.
 */
import type { ProtocolKind } from "./protocol-state.ts";

export type DeriskStance = {
  /** The system risk level in force (0 = none, up to MAX_RISK_LEVEL). */
  level: number;
};

export const MAX_RISK_LEVEL = 3;

/** What each level does, per protocol kind; index = level. */
export type DeriskTable = {
  lending: { extraBufferBps: number; pauseNewCredit: boolean }[];
  perp: { extraMarginBps: number }[];
  /** Share of liabilities redeemable per processing round; undefined = unpaced. Never 0. */
  vault: { redemptionPaceBps: number | undefined }[];
  amm: Record<string, never>[];
};

export const DERISK_TABLE: DeriskTable = {
  lending: [
    { extraBufferBps: 0, pauseNewCredit: false },
    { extraBufferBps: 250, pauseNewCredit: false },
    { extraBufferBps: 500, pauseNewCredit: false },
    { extraBufferBps: 1_000, pauseNewCredit: true },
  ],
  perp: [
    { extraMarginBps: 0 },
    { extraMarginBps: 1_000 },
    { extraMarginBps: 2_500 },
    { extraMarginBps: 5_000 },
  ],
  vault: [
    { redemptionPaceBps: undefined },
    { redemptionPaceBps: 2_000 },
    { redemptionPaceBps: 1_000 },
    { redemptionPaceBps: 500 },
  ],
  amm: [{}, {}, {}, {}],
};

/** The table row for a kind and level (levels above the table's top use its top row). */
export function deriskRow<K extends ProtocolKind>(kind: K, level: number): DeriskTable[K][number] {
  const rows = DERISK_TABLE[kind] as DeriskTable[K][number][];
  const i = Math.max(0, Math.min(rows.length - 1, Math.floor(level)));
  return rows[i]!;
}
