/**
 * A durable agent's records of its signed agreements (JetStream KV, negotiation/durable): written
 * before a countersignature leaves, retried while the store is briefly away, and closed when the
 * loan is over. Without `durable` every write resolves at once: state lives with the process.
 */
import type { Address, Hex } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { Logger } from "../core/log.ts";
import type { OutboundEvent } from "../negotiation/protocols/alternating-offers.ts";
import type { TimerClock } from "../negotiation/timer-clock.ts";
import type { AgentEffect } from "./agent-machine.ts";
import type { CreateAgentParameters } from "./agent-types.ts";
import { retryWithBackoff } from "./retry.ts";
import type { SettlementPort } from "./settlement-port.ts";

export type SignedAgreement = NonNullable<OutboundEvent["signed"]>;

export type AgreementRecords = {
  /** Records a fully signed agreement of ours (resolves at once without `durable`). */
  record(role: "lender" | "borrower", signed: SignedAgreement): Promise<unknown>;
  /** Before we countersign: the signed agreement this message carries is on disk first. */
  beforeConfirm(to: Address, sessionId: Hex, ev: OutboundEvent): Promise<void>;
  /** The lender's record ends when its loan does (repaid, defaulted, never settled). */
  closeLender(effect: Extract<AgentEffect, { type: "effect.loanClosed" }>): Promise<void>;
};

export function createAgreementRecords(p: {
  durable: CreateAgentParameters["durable"];
  /** The settlement port the agent settles through (the lender reads a closed loan's tx). */
  settlement: SettlementPort;
  agreementId: (a: Agreement) => Hex;
  me: Address;
  clock: TimerClock | undefined;
  log: Logger;
}): AgreementRecords {
  const { durable, log } = p;
  // A signed agreement's record must land even if the store is briefly away (a NATS restart):
  // retried with backoff for about half a minute before the failure is reported.
  const record = (role: "lender" | "borrower", signed: SignedAgreement) =>
    durable
      ? retryWithBackoff(() => durable.agreements.put(p.agreementId(signed.agreement), { role, ...signed }), {
          attempts: 8,
          firstDelayMs: 200,
          maxDelayMs: 5_000,
          ...(p.clock ? { clock: p.clock } : {}),
          onRetry: (error, attempt) =>
            log.warn("recording agreement failed, retrying", { attempt, error: String(error) }),
        })
      : Promise.resolve(undefined);

  return {
    record,
    // A crash right after our countersignature cannot leave the peer holding both signatures
    // while we hold none.
    async beforeConfirm(_to, _sessionId, ev) {
      if (!durable || !ev.signed) return;
      const side = ev.signed.agreement.lender.toLowerCase() === p.me.toLowerCase() ? "lender" : "borrower";
      await record(side, ev.signed);
    },
    async closeLender({ id, status }) {
      if (!durable) return;
      try {
        if (status === "expired") await durable.agreements.markExpired(id);
        else {
          const tx = await p.settlement.settlementTx(id);
          if (tx) await durable.agreements.markSettled(id, tx);
        }
      } catch (err) {
        log.warn("closing agreement record failed", { error: String(err) });
      }
    },
  };
}
