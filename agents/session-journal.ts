/**
 * Writes an agent's open sessions to its durable session store as they move (opened, offer
 * sent or received, agreement signed, finished), so a restarted agent can reopen them. Writes
 * for one session are chained so they land in order; a failed write is logged, not fatal: the
 * negotiation goes on and, at worst, a restart ends that session by timeout.
 */
import type { Address, Hex } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { Logger } from "../core/log.ts";
import type { SessionRecord, SessionState, SessionStore } from "../negotiation/durable/session-store.ts";
import type { OutboundMessage } from "../negotiation/protocols/alternating-offers.ts";
import type { OpenSessionParameters } from "../negotiation/protocols/session-host.ts";
import type { RfqBody, SessionMessage } from "../negotiation/wire/schemas.ts";

export interface SessionJournal {
  opened(e: OpenSessionParameters, deadlineMs: number): void;
  /** A sealed auction's award: the accept we are about to send `peer` (its winner), so that a
   *  restart finds our signature and takes it back or services the loan (agent.ts resume). */
  awarded(e: {
    sessionId: Hex;
    peer: Address;
    rfq: RfqBody;
    accept: { agreement: Agreement; signature: Hex };
  }): void;
  sent(peer: Address, sessionId: Hex, m: OutboundMessage): void;
  received(msg: SessionMessage): void;
  finished(sessionId: Hex, peer: Address): void;
  /** Resolves when the writes of that session so far have landed or failed: a durable agent
   *  waits for it before each message of the session leaves (write-ahead). */
  landed(sessionId: Hex, peer: Address): Promise<void>;
  /** Resolves when every write so far has landed (tests, shutdown). */
  flush(): Promise<void>;
}

export function createSessionJournal(
  store: SessionStore,
  log: Logger,
  now: () => number = Date.now,
): SessionJournal {
  const chains = new Map<string, Promise<unknown>>();
  const key = (sessionId: Hex, peer: Address) => `${sessionId.toLowerCase()}:${peer.toLowerCase()}`;
  const enqueue = (sessionId: Hex, peer: Address, write: () => Promise<unknown>) => {
    const k = key(sessionId, peer);
    const next = (chains.get(k) ?? Promise.resolve())
      .then(write)
      .catch((err: unknown) => log.warn("session journal write failed", { sessionId, error: String(err) }));
    chains.set(k, next);
    void next.then(() => {
      if (chains.get(k) === next) chains.delete(k);
    });
  };
  const change = (sessionId: Hex, peer: Address, f: (r: SessionRecord) => Partial<SessionState>) =>
    enqueue(sessionId, peer, () =>
      store.update(sessionId, peer, (current) => {
        const { v: _v, updatedAt: _u, ...state } = current;
        return { ...state, ...f(current) };
      }),
    );

  return {
    opened(e, deadlineMs) {
      enqueue(e.sessionId, e.peer, () =>
        store.put({
          sessionId: e.sessionId,
          role: e.side,
          peer: e.peer,
          principalToken: e.rfq.principalToken,
          rfq: e.rfq,
          round: 0,
          ...(e.openingOffer ? { lastOfferReceived: e.openingOffer } : {}),
          deadline: now() + deadlineMs,
        }),
      );
    },
    awarded(e) {
      enqueue(e.sessionId, e.peer, () =>
        store.put({
          sessionId: e.sessionId,
          role: "borrower",
          peer: e.peer,
          principalToken: e.rfq.principalToken,
          rfq: e.rfq,
          round: 1,
          myLastAgreement: e.accept,
        }),
      );
    },
    sent(peer, sessionId, m) {
      if (m.kind === "offer")
        change(sessionId, peer, (r) => ({ lastOfferSent: m.body.terms, round: r.round + 1 }));
      else if (m.kind === "accept")
        change(sessionId, peer, () => ({
          myLastAgreement: { agreement: m.body.agreement, signature: m.body.signature },
        }));
    },
    received(msg) {
      if (msg.kind === "offer")
        change(msg.sessionId, msg.from, () => ({ lastOfferReceived: msg.body.terms }));
    },
    finished(sessionId, peer) {
      enqueue(sessionId, peer, () => store.remove(sessionId, peer));
    },
    async landed(sessionId, peer) {
      await chains.get(key(sessionId, peer));
    },
    async flush() {
      await Promise.all(chains.values());
    },
  };
}
