/**
 * Writes a borrower's running RFQ auctions to its durable auction store as they move, so a
 * restarted agent can resume them (agent.ts `resume`). Each write is the auction's whole state,
 * as the auction host reports it (`onProgress`); writes for one auction are chained so they land
 * in order, and progress reported while a write is queued goes out with that write. A failed
 * progress write is logged, not fatal: at worst a restart resumes from an older state, which the
 * auction tolerates (it sends its last offer again).
 *
 * Our signatures are the exception: `signed` records one before it leaves (the host awaits it in
 * `beforeSend`) and rejects if it cannot, and then the message is not sent. So a restarted agent
 * always knows whom it signed for, and the auction's rule (sign for at most one lender) survives.
 * So is the RFQ: `broadcasting` records the auction before its RFQ leaves, or the RFQ does not
 * leave. So a restarted agent knows every auction whose RFQ a lender may have seen, and never
 * opens a second one beside it.
 */
import type { Address, Hex } from "viem";
import type { Logger } from "../core/log.ts";
import { toJson } from "../core/schema.ts";
import type {
  AuctionLenderRecord,
  AuctionRecord,
  AuctionState,
  AuctionStore,
} from "../negotiation/durable/auction-store.ts";
import type { LenderProgress, RfqAuctionProgress } from "../negotiation/protocols/rfq-auction.ts";
import type { AuctionJournalEntry } from "../negotiation/protocols/rfq-auction-host.ts";
import type { TimerClock } from "../negotiation/timer-clock.ts";
import { retryWithBackoff } from "./retry.ts";

export interface AuctionJournal {
  progress(entry: AuctionJournalEntry): void;
  /** Records the auction as of its RFQ broadcast; resolves once that has landed (retried for a
   *  few seconds), rejects if it could not be written: the RFQ must not leave then. */
  broadcasting(entry: AuctionJournalEntry): Promise<void>;
  /** Records what we signed with `lender` in auction `sessionId`; resolves once it has landed
   *  (retried for a few seconds), rejects if it could not be written. */
  signed(sessionId: Hex, lender: Address, signed: NonNullable<LenderProgress["signed"]>): Promise<void>;
  /** The auction ended: its record goes. */
  finished(sessionId: Hex): void;
  /** Resolves when the writes of auction `sessionId` so far have landed or failed: a durable
   *  agent waits for it before each message of the auction leaves (write-ahead). */
  landed(sessionId: Hex): Promise<void>;
  /** Resolves when every write so far has landed or failed (tests, shutdown). */
  flush(): Promise<void>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function lenderRecordOf(l: LenderProgress): AuctionLenderRecord {
  return {
    lender: l.lender,
    joinedAt: l.joinedAt,
    round: l.round,
    ...(l.myLast ? { lastOfferSent: l.myLast } : {}),
    ...(l.theirLast ? { lastOfferReceived: l.theirLast } : {}),
    ourMove: l.ourMove,
    ...(l.signed ? { signed: signedRecordOf(l.signed) } : {}),
    ...(l.ended ? { ended: { end: l.ended.end, reason: l.ended.reason.slice(0, 1024) } } : {}),
  };
}

function signedRecordOf(
  s: NonNullable<LenderProgress["signed"]>,
): NonNullable<AuctionLenderRecord["signed"]> {
  return {
    agreement: s.agreement,
    signature: s.mySignature,
    ...(s.theirSignature ? { theirSignature: s.theirSignature } : {}),
  };
}

function stateOf(e: AuctionJournalEntry): AuctionState {
  return {
    sessionId: e.sessionId,
    rfq: e.rfq,
    // When the RFQ left (its deadline and admission window count from it); while it has not
    // (`rfqSent` false), when the auction started. Either way it is over by startedAt + deadlineMs.
    startedAt: e.progress.startedAt,
    deadlineMs: e.deadlineMs,
    admissionMs: e.admissionMs,
    admissionClosed: e.progress.admissionClosed,
    rfqSent: e.progress.rfqSent !== false,
    lenders: e.progress.lenders.map(lenderRecordOf),
  };
}

/** The `resume` input of the auction a record journaled. */
export function auctionResumeOf(r: AuctionRecord): RfqAuctionProgress {
  return {
    startedAt: r.startedAt,
    admissionClosed: r.admissionClosed,
    rfqSent: r.rfqSent !== false,
    lenders: r.lenders.map(
      (l): LenderProgress => ({
        lender: l.lender,
        joinedAt: l.joinedAt,
        round: l.round,
        ...(l.lastOfferSent ? { myLast: l.lastOfferSent } : {}),
        ...(l.lastOfferReceived ? { theirLast: l.lastOfferReceived } : {}),
        ourMove: l.ourMove,
        ...(l.signed
          ? {
              signed: {
                agreement: l.signed.agreement,
                mySignature: l.signed.signature,
                ...(l.signed.theirSignature ? { theirSignature: l.signed.theirSignature } : {}),
              },
            }
          : {}),
        ...(l.ended ? { ended: l.ended } : {}),
      }),
    ),
  };
}

export function createAuctionJournal(store: AuctionStore, log: Logger, clock?: TimerClock): AuctionJournal {
  const chains = new Map<string, Promise<unknown>>();
  /** The newest state of each auction, which its next write takes. */
  const latest = new Map<string, AuctionState>();
  const lastJson = new Map<string, string>();
  const queued = new Set<string>();
  /** Finished auctions: progress reported after the end is not written back. */
  const closed = new Set<string>();
  const keyOf = (sessionId: Hex) => sessionId.toLowerCase();

  /** Runs `write` after the auction's earlier writes; the chain itself never rejects. */
  const chain = <T>(k: string, write: () => Promise<T>): Promise<T> => {
    const next = (chains.get(k) ?? Promise.resolve()).then(write);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    chains.set(k, settled);
    void settled.then(() => {
      if (chains.get(k) === settled) chains.delete(k);
    });
    return next;
  };

  const withSigned = (s: AuctionState, lender: Address, rec: AuctionLenderRecord["signed"]): AuctionState => {
    const found = s.lenders.some((l) => same(l.lender, lender));
    return {
      ...s,
      lenders: found
        ? s.lenders.map((l) => (same(l.lender, lender) ? { ...l, signed: rec } : l))
        : [...s.lenders, { lender, joinedAt: s.startedAt, round: 0, ourMove: false, signed: rec }],
    };
  };

  return {
    progress(e) {
      const k = keyOf(e.sessionId);
      if (closed.has(k)) return;
      const state = stateOf(e);
      const json = toJson(state);
      if (json === lastJson.get(k)) return;
      lastJson.set(k, json);
      latest.set(k, state);
      if (queued.has(k)) return;
      queued.add(k);
      chain(k, async () => {
        queued.delete(k);
        const s = latest.get(k);
        if (s && !closed.has(k)) await store.put(s);
      }).catch((err: unknown) =>
        log.warn("auction journal write failed", { sessionId: e.sessionId, error: String(err) }),
      );
    },

    async broadcasting(e) {
      const k = keyOf(e.sessionId);
      const state = stateOf(e);
      // The auction's progress reports this same state next: its write is this one.
      latest.set(k, state);
      lastJson.set(k, toJson(state));
      const recorded = await retryWithBackoff(
        () =>
          chain(k, async () => {
            const s = latest.get(k);
            if (!s || closed.has(k)) return false;
            await store.put(s);
            return true;
          }),
        {
          attempts: 6,
          firstDelayMs: 100,
          maxDelayMs: 2_000,
          ...(clock ? { clock } : {}),
          onRetry: (error, attempt) =>
            log.warn("journaling the auction before its RFQ failed, retrying", {
              sessionId: e.sessionId,
              attempt,
              error: String(error),
            }),
        },
      );
      if (!recorded) throw new Error(`auction ${e.sessionId} ended before its RFQ was journaled`);
    },

    async signed(sessionId, lender, signed) {
      const k = keyOf(sessionId);
      const rec = signedRecordOf(signed);
      const base = latest.get(k);
      // A write already queued carries it too.
      if (base) latest.set(k, withSigned(base, lender, rec));
      await retryWithBackoff(
        () =>
          chain(k, async () => {
            const s = latest.get(k);
            if (s) {
              await store.put(withSigned(s, lender, rec));
              return;
            }
            // Nothing reported yet in this process (a resumed auction sending its accept again).
            const updated = await store.update(sessionId, (current) => {
              const { v: _v, updatedAt: _u, ...state } = current;
              return withSigned(state, lender, rec);
            });
            if (!updated) throw new Error(`auction ${sessionId} is not journaled`);
          }),
        {
          attempts: 6,
          firstDelayMs: 100,
          maxDelayMs: 2_000,
          ...(clock ? { clock } : {}),
          onRetry: (error, attempt) =>
            log.warn("journaling our signature failed, retrying", {
              sessionId,
              attempt,
              error: String(error),
            }),
        },
      );
    },

    finished(sessionId) {
      const k = keyOf(sessionId);
      closed.add(k);
      latest.delete(k);
      lastJson.delete(k);
      chain(k, () => store.remove(sessionId))
        .catch((err: unknown) => log.warn("auction journal write failed", { sessionId, error: String(err) }))
        .finally(() => closed.delete(k));
    },

    async landed(sessionId) {
      await chains.get(keyOf(sessionId));
    },

    async flush() {
      await Promise.all(chains.values());
    },
  };
}
