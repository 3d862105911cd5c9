/**
 * How the risk loop reads and posts the system risk level. The production port is the
 * LiquidityArbiter (raiseAlert / riskLevel); a simulation may pass another with the same rules.
 */
import type { Address, Hex } from "viem";
import type { ArbiterClients } from "../../arbitration/clients.ts";
import { ArbiterStaleAlertError } from "../../arbitration/errors.ts";
import { getRiskLevel } from "../../arbitration/get-risk-level.ts";
import { raiseAlert } from "../../arbitration/raise-alert.ts";
import type { RiskAlert, SignerSignature } from "../../arbitration/typed-data.ts";

export type ChainRiskLevel = { level: number; expiresAt: bigint; lastAlert: RiskAlert };

export interface AlertChainPort {
  riskLevel(): Promise<ChainRiskLevel>;
  /** Posts the alert; `{ posted: false }` when the chain already holds it (or a newer one). */
  raiseAlert(
    alert: RiskAlert,
    signatures: readonly SignerSignature[],
  ): Promise<{ posted: boolean; hash?: Hex }>;
}

export const sameAlert = (a: RiskAlert, b: RiskAlert) =>
  a.level === b.level &&
  a.evidenceHash.toLowerCase() === b.evidenceHash.toLowerCase() &&
  a.issuedAt === b.issuedAt &&
  a.expiresAt === b.expiresAt;

export function createArbiterAlertPort(p: { clients: ArbiterClients; arbiter: Address }): AlertChainPort {
  return {
    riskLevel: () => getRiskLevel({ clients: p.clients, arbiter: p.arbiter }),
    raiseAlert: async (alert, signatures) => {
      try {
        const { hash } = await raiseAlert({ clients: p.clients, arbiter: p.arbiter, alert, signatures });
        return { posted: true, hash };
      } catch (err) {
        // Another agent of the quorum posted it (or a newer alert) first: nothing to do.
        if (err instanceof ArbiterStaleAlertError) return { posted: false };
        throw err;
      }
    },
  };
}
