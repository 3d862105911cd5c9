/**
 * One-to-many RFQ, borrower side: the borrower broadcasts an RFQ and negotiates CONCURRENTLY with
 * every lender that answers, one alternating-offers child actor per lender (all in the RFQ's
 * session id, as docs/PROTOCOL.md §7 allows), and closes with the best. Pure like its children:
 * it emits `outbound` events (addressed messages) that its host sends; no I/O.
 *
 *   broadcasting ──rfq.sent──▶ open ──admission window──▶ closed ──every lender session ended──▶ done
 *        └──────── no rfq.sent within the deadline ────────────────────────────────────────────▶ done
 *
 * The clocks (admission window and deadline) start when the RFQ has left, which its host reports
 * with `rfq.sent`, not when the auction starts: a durable host records the auction before the RFQ
 * leaves (rfq-auction-host.ts), and that write may take a while; lenders cannot answer before
 * they have seen the RFQ. An offer that arrives first is proof it left: it starts the clocks too.
 * If the RFQ never leaves (a hung write, a host bug), the auction gives up `deadlineMs` after its
 * start with no deal ("rfq not sent").
 *
 * The parent sits between the wire and its children, which is how it keeps the one rule a
 * concurrent borrower must keep: it signs for at most one lender.
 * - The children never decide acceptance themselves: the parent does, seeing every lender's
 *   standing offer, and tells the child with the offer it forwards (`acceptNow`). It accepts an
 *   offer only after the admission window (or on that lender's last round, or when our counter
 *   would be no better for us than the offer: the lender would take it), only if the borrower's
 *   strategy accepts it, and only if no other live lender's standing acceptable offer is better.
 * - A lender accepting the borrower's own offer is honoured unless the borrower is already
 *   committed elsewhere; then that lender's session is aborted.
 * - Once the winner's session ends signed, every other session is aborted: each lender receives a
 *   `reject` ("abort: closed with another lender") and ends in a named state.
 * Deadlines: rounds per lender (the children's `maxRounds`) and one wall-time deadline for the
 * whole auction from the RFQ's leaving (each child gets the time left when it starts).
 *
 * Restart: `auctionProgress(snapshot)` is what a durable host journals as the auction moves, and
 * the same shape comes back as the `resume` input of a restarted auction. The progress says
 * whether the RFQ is known to have left (the host reports it with `rfq.sent`); a host that cannot
 * tell opens the auction afresh in the same session instead, which sends the RFQ again (see
 * rfq-auction-host.ts). A resumed auction does not send the RFQ again; each lender still
 * negotiating gets its child back with the alternating-offers `resume` input, and the turn that
 * was ours is taken (its last offer answered) or, if the turn was its, our last offer is sent
 * again, since its answer may have been lost while we were down. The rule
 * holds across the restart: if we had signed for a lender, nobody else is signed for. If it had
 * countersigned, the auction ends agreed with it; if not, it gets our accept again and we wait for
 * its confirm (past the deadline: unconfirmed at once). Every other lender is aborted.
 */
import { type Address, type Hex, zeroAddress } from "viem";
import { and, assign, enqueueActions, raise, type SnapshotFrom, sendParent, setup } from "xstate";
import type { Agreement } from "../../core/agreement.ts";
import type { SessionView, Strategy, Terms } from "../strategies/strategy.ts";
import type { RfqBody } from "../wire/schemas.ts";
import {
  type AgreementPort,
  alternatingOffersMachine,
  type OutboundEvent,
  type OutboundMessage,
  type Refusal,
  rejectMessage,
  type SessionOutcome,
} from "./alternating-offers.ts";

/** What a lender's session is told when we close with another lender. */
const CLOSED_ELSEWHERE = {
  type: "abort",
  reason: "closed with another lender",
  code: "closed-elsewhere",
} as const;

export type RfqAuctionInput = {
  sessionId: Hex;
  rfq: RfqBody;
  /** A fresh borrower strategy for the session with `lender`. */
  strategyFor: (lender: Address) => Strategy;
  /** The agreement port of the session with `lender` (borrower = us). */
  portFor: (lender: Address) => AgreementPort;
  /** The borrower's utility of terms: ranks lenders' offers against each other. */
  score: (terms: Terms) => number;
  /** Offers each side may make, per lender. */
  maxRounds: number;
  /** Wall time of the whole auction from the RFQ's leaving (`rfq.sent`), ms. Also how long after
   *  its start the auction waits for the RFQ to leave. */
  deadlineMs: number;
  /** How long after the RFQ left new lenders are admitted, ms (≤ deadlineMs). */
  admissionMs: number;
  /** How long to wait for a countersignature after accepting, ms. */
  confirmTimeoutMs: number;
  /** Most lenders admitted. Default unlimited. */
  maxLenders?: number;
  /** Milliseconds clock; the same clock the actor's delays run on. */
  now: () => number;
  /** Where a restarted borrower left this auction (its journal): no RFQ is sent, the lenders'
   *  sessions resume. Its clocks run from its `startedAt`, which keeps the deadline and the
   *  admission window. */
  resume?: RfqAuctionProgress;
};

/** A lender's part of an auction as a durable host journals it (see auctionProgress). */
export type LenderProgress = {
  lender: Address;
  /** When it joined (ms, the auction's clock): its session's clock starts there. */
  joinedAt: number;
  /** Offers we made to it. */
  round: number;
  myLast?: Terms;
  theirLast?: Terms;
  /** Its last offer is waiting for our answer. */
  ourMove: boolean;
  /** What we signed with it: after our accept, our signature; after our confirm, its too. */
  signed?: { agreement: Agreement; mySignature: Hex; theirSignature?: Hex };
  /** How its part ended, once it has. */
  ended?: { end: LenderEnd; reason: string };
};

/** The journaled state of a running auction, and the `resume` input of a restarted one. */
export type RfqAuctionProgress = {
  /** When the RFQ left (ms, the auction's clock): the admission window and the deadline count from
   *  it. Until then (`rfqSent` false), when the auction started: it waits for the RFQ to leave
   *  until `startedAt + deadlineMs`. Either way the auction is over by `startedAt + deadlineMs`. */
  startedAt: number;
  /** No new lender is admitted any more. */
  admissionClosed: boolean;
  /** The RFQ is known to have left: its host reported `rfq.sent`. Until then a restart cannot
   *  tell whether any lender saw it. Absent in a `resume` input: taken as sent. */
  rfqSent?: boolean;
  lenders: LenderProgress[];
};

/** Messages from lenders, already validated by the endpoint, tagged with the sender. */
export type RfqAuctionEvent =
  | { type: "offer.received"; from: Address; terms: Terms }
  | { type: "accept.received"; from: Address; agreement: Agreement; signature: Hex }
  | { type: "confirm.received"; from: Address; agreementId: Hex; signature: Hex }
  | { type: "reject.received"; from: Address; reason: string; code?: string | undefined }
  /** The borrower gives up the whole auction. */
  | { type: "abort"; reason: string }
  /** From the host: the RFQ broadcast has been published. The auction's clocks start here. */
  | { type: "rfq.sent" };

/** What the host sends: the RFQ broadcast (to the zero address) or a session message to a lender.
 *  A confirm carries the fully signed agreement (`signed`), which a durable host records before
 *  the confirm leaves, exactly as for a bilateral session (OutboundEvent). */
export type AuctionOutbound =
  | { to: typeof zeroAddress; message: { kind: "rfq"; body: RfqBody } }
  | { to: Address; message: OutboundMessage; signed?: OutboundEvent["signed"] };

/** How each lender's part ended. */
export type LenderEnd =
  /** Signed with us. */
  | "won"
  /** Aborted because we closed with another lender. */
  | "outbid"
  /** Its session ended without agreement (deadline, rounds, its reject, bad accept, our abort). */
  | "failed"
  /** Answered after admission closed (or when full): refused without a session. */
  | "late";

export type LenderResult = { end: LenderEnd; reason: string; rounds: number; lastOffer?: Terms };

export type RfqAuctionOutcome = { lenders: Record<string, LenderResult> } & (
  | {
      status: "agreed";
      lender: Address;
      agreement: Agreement;
      lenderSignature: Hex;
      borrowerSignature: Hex;
      rounds: number;
    }
  | { status: "unconfirmed"; lender: Address; agreement: Agreement; mySignature: Hex; rounds: number }
  | { status: "no-deal"; reason: string }
);

/** The parent's word on one forwarded offer: the child accepts it iff `acceptNow`. */
type ForwardedOffer = { type: "offer.received"; terms: Terms; acceptNow: boolean };
type ChildOutbound = {
  type: "child.outbound";
  lender: Address;
  message: OutboundMessage;
  signed?: OutboundEvent["signed"];
};

/** A borrower session whose messages go to the parent and whose acceptance the parent decides. */
export const auctionSessionMachine = alternatingOffersMachine.provide({
  actions: {
    sendOffer: sendParent(({ context }) => ({
      type: "child.outbound",
      lender: context.peer,
      message: { kind: "offer", body: { terms: context.myLast! } },
    })),
    sendAccept: sendParent(({ context }) => ({
      type: "child.outbound",
      lender: context.peer,
      message: { kind: "accept", body: { agreement: context.agreement!, signature: context.mySignature! } },
    })),
    sendConfirm: sendParent(({ context }) => ({
      type: "child.outbound",
      lender: context.peer,
      message: {
        kind: "confirm",
        body: { agreementId: context.port.id(context.agreement!), signature: context.mySignature! },
      },
      // As alternating-offers does: the host may record the fully signed agreement first.
      signed: {
        agreement: context.agreement!,
        lenderSignature: context.theirSignature!,
        borrowerSignature: context.mySignature!,
      },
    })),
    sendReject: sendParent(({ context }) => ({
      type: "child.outbound",
      lender: context.peer,
      message: rejectMessage(context.refusal!),
    })),
  },
  guards: {
    acceptable: ({ event }) =>
      event.type === "offer.received" && (event as ForwardedOffer).acceptNow === true,
  },
});

type LenderRecord = {
  address: Address;
  childId: string;
  strategy: Strategy;
  port: AgreementPort;
  startedAt: number;
  deadlineMs: number;
  /** Offers we made to it. */
  round: number;
  myLast: Terms | undefined;
  theirLast: Terms | undefined;
  /** undefined while its session runs. */
  result: LenderResult | undefined;
  /** Why we are aborting it, if we are. */
  aborting: LenderEnd | undefined;
  /** Its offer, held back while we are signing with another lender (a counter now could be
   *  accepted, and we could not honour it). Released if that signing falls through. */
  held: Terms | undefined;
  /** Its last offer is waiting for our answer. */
  ourMove: boolean;
  signed: LenderProgress["signed"];
};

type Context = RfqAuctionInput & {
  /** When the RFQ left; until it has, when the auction started (see RfqAuctionProgress). */
  startedAt: number;
  rfqSent: boolean;
  /** The RFQ never left: the auction gave up waiting for it. */
  rfqTimedOut: boolean;
  lenders: Record<string, LenderRecord>;
  /** The lender we have signed for (or are signing for), lowercase. */
  committed: string | undefined;
  winner: { lender: Address; outcome: SessionOutcome } | undefined;
  late: Record<string, LenderResult>;
};

const keyOf = (a: Address) => a.toLowerCase();
const live = (r: LenderRecord) => r.result === undefined;

function viewOf(c: Context, r: LenderRecord): SessionView {
  return {
    side: "borrower",
    round: r.round,
    maxRounds: c.maxRounds,
    elapsed: r.deadlineMs <= 0 ? 1 : Math.min(1, (c.now() - r.startedAt) / r.deadlineMs),
    myLast: r.myLast,
    theirLast: r.theirLast,
  };
}

/** Should the borrower accept `terms` from `r` now? While admission is open it waits for other
 *  lenders, except on its last chance or when its counter-offer would be no better for it than
 *  `terms`: the lender would take that counter, and waiting would only cost us the difference. */
function shouldAccept(c: Context, r: LenderRecord, terms: Terms, admissionOpen: boolean): boolean {
  if (c.committed !== undefined || !live(r)) return false;
  const view = viewOf(c, r);
  const lastChance = r.round >= c.maxRounds;
  if (admissionOpen && !lastChance && c.score(r.strategy.propose(view)) > c.score(terms)) return false;
  if (!r.strategy.accept(view, terms)) return false;
  const mine = c.score(terms);
  // Another live lender's standing offer that we would accept and like better wins instead.
  return !Object.values(c.lenders).some(
    (o) =>
      o !== r &&
      live(o) &&
      o.theirLast !== undefined &&
      c.score(o.theirLast) > mine &&
      o.strategy.accept(viewOf(c, o), o.theirLast),
  );
}

function endOf(r: LenderRecord, outcome: SessionOutcome | undefined, isWinner: boolean): LenderResult {
  const base = { rounds: r.round, ...(r.theirLast ? { lastOffer: r.theirLast } : {}) };
  if (isWinner && outcome && outcome.status !== "failed")
    return { ...base, end: "won", reason: outcome.status };
  if (r.aborting) return { ...base, end: r.aborting, reason: "closed with another lender" };
  return {
    ...base,
    end: "failed",
    reason: outcome?.status === "failed" ? outcome.reason : "session crashed",
  };
}

/** Time since the RFQ left (a resumed auction: since it first left); before it has, since the
 *  auction started. */
const elapsed = (c: Context) => c.now() - c.startedAt;

const doneActorId = (type: string) => type.slice("xstate.done.actor.".length);
const errorActorId = (type: string) => type.slice("xstate.error.actor.".length);

export const rfqAuctionMachine = setup({
  types: {
    context: {} as Context,
    input: {} as RfqAuctionInput,
    events: {} as
      | RfqAuctionEvent
      | ChildOutbound
      | { type: `xstate.done.actor.${string}`; output: SessionOutcome }
      | { type: `xstate.error.actor.${string}`; error: unknown },
    emitted: {} as { type: "outbound" } & AuctionOutbound,
    output: {} as RfqAuctionOutcome,
  },
  actors: { session: auctionSessionMachine },
  // Counted from `startedAt`: when the RFQ left (which a resumed auction keeps), or while it has not,
  // when the auction started.
  delays: {
    // The longest a fresh auction waits for its RFQ to leave.
    rfqTimeout: ({ context }) => Math.max(0, context.deadlineMs - elapsed(context)),
    admission: ({ context }) =>
      Math.max(0, Math.min(context.admissionMs, context.deadlineMs) - elapsed(context)),
    // After the children's own deadlines, so that they end themselves first: timers count from the
    // event loop's cached time, so under load 1 ms is not always enough.
    deadline: ({ context }) => Math.max(0, context.deadlineMs - elapsed(context)) + 50,
  },
  guards: {
    fromNewLender: ({ context, event }) =>
      event.type === "offer.received" && context.lenders[keyOf(event.from)] === undefined,
    canAdmit: ({ context }) =>
      context.committed === undefined &&
      Object.keys(context.lenders).length < (context.maxLenders ?? Number.POSITIVE_INFINITY),
    allEnded: ({ context }) => !Object.values(context.lenders).some(live),
    signed: ({ context }) => context.winner !== undefined,
    resumed: ({ context }) => context.resume !== undefined,
    resumedClosed: ({ context }) =>
      context.resume !== undefined &&
      (context.resume.admissionClosed ||
        context.committed !== undefined ||
        elapsed(context) >= Math.min(context.admissionMs, context.deadlineMs)),
  },
  actions: {
    // The clocks start now: the deadline and the admission window count from here.
    rfqLeft: assign({ rfqSent: true, startedAt: ({ context }) => context.now() }),
    broadcastRfq: enqueueActions(({ context, enqueue }) => {
      // A resumed auction's lenders have the RFQ (and are in its session) already.
      if (context.resume) return;
      enqueue.emit({ type: "outbound", to: zeroAddress, message: { kind: "rfq", body: context.rfq } });
    }),
    resumeLenders: enqueueActions(({ context, enqueue }) => {
      const resume = context.resume;
      if (!resume) return;
      const expired = elapsed(context) >= context.deadlineMs;
      const lenders: Record<string, LenderRecord> = {};
      let committed: string | undefined;
      let winner: Context["winner"];
      for (const p of resume.lenders) {
        const key = keyOf(p.lender);
        const r: LenderRecord = {
          address: p.lender,
          childId: `lender-${key}`,
          strategy: context.strategyFor(p.lender),
          port: context.portFor(p.lender),
          startedAt: p.joinedAt,
          deadlineMs: Math.max(0, context.deadlineMs - (p.joinedAt - context.startedAt)),
          round: p.round,
          myLast: p.myLast,
          theirLast: p.theirLast,
          result: p.ended && {
            end: p.ended.end,
            reason: p.ended.reason,
            rounds: p.round,
            ...(p.theirLast ? { lastOffer: p.theirLast } : {}),
          },
          aborting: undefined,
          held: undefined,
          ourMove: p.ourMove,
          signed: p.signed,
        };
        lenders[key] = r;
        // The one lender we signed for (the journal never holds two; if it did, the first).
        if (!p.signed || (p.ended && p.ended.end !== "won") || committed !== undefined) continue;
        committed = key;
        const s = p.signed;
        const base = { rounds: p.round, ...(p.theirLast ? { lastOffer: p.theirLast } : {}) };
        if (s.theirSignature !== undefined) {
          r.result = { ...base, end: "won", reason: "agreed" };
          winner = {
            lender: p.lender,
            outcome: {
              status: "agreed",
              agreement: s.agreement,
              lenderSignature: s.theirSignature,
              borrowerSignature: s.mySignature,
              rounds: p.round,
            },
          };
        } else if (expired || r.result) {
          // Too late to hope for its confirm; it may still settle what we signed.
          r.result = { ...base, end: "won", reason: "unconfirmed" };
          winner = {
            lender: p.lender,
            outcome: {
              status: "unconfirmed",
              agreement: s.agreement,
              mySignature: s.mySignature,
              rounds: p.round,
            },
          };
        }
      }
      // Everyone else is aborted: we will not sign with them.
      if (committed !== undefined) {
        for (const [key, r] of Object.entries(lenders))
          if (key !== committed && live(r)) lenders[key] = { ...r, aborting: "outbid" };
      }
      enqueue.assign({ lenders, committed, winner });
      for (const p of resume.lenders) {
        const key = keyOf(p.lender);
        const r = lenders[key]!;
        if (!live(r)) continue;
        const accepted = key === committed ? r.signed : undefined;
        enqueue.spawnChild("session", {
          id: r.childId,
          input: {
            side: "borrower",
            sessionId: context.sessionId,
            peer: r.address,
            strategy: r.strategy,
            maxRounds: context.maxRounds,
            deadlineMs: r.deadlineMs,
            confirmTimeoutMs: context.confirmTimeoutMs,
            opensWithOffer: false,
            now: context.now,
            port: r.port,
            resume: {
              round: r.round,
              myLast: r.myLast,
              theirLast: r.theirLast,
              startedAt: r.startedAt,
              ...(accepted
                ? { accepted: { agreement: accepted.agreement, signature: accepted.mySignature } }
                : {}),
            },
          },
        });
        if (accepted) {
          // It may never have received our accept: send it again (the same signed agreement).
          enqueue.emit({
            type: "outbound",
            to: r.address,
            message: {
              kind: "accept",
              body: { agreement: accepted.agreement, signature: accepted.mySignature },
            },
          });
        } else if (r.aborting) {
          enqueue.sendTo(r.childId, CLOSED_ELSEWHERE);
        } else if (expired) {
          // No more moves: its session's deadline has passed too, so it ends at once, telling it.
        } else if (r.ourMove && r.theirLast) {
          // Its offer was waiting for our answer: answer it now, as if it had just arrived.
          enqueue.raise({ type: "offer.received", from: r.address, terms: r.theirLast });
        } else if (r.myLast) {
          // Its answer to our last offer may have been lost while we were down: ask again.
          enqueue.emit({
            type: "outbound",
            to: r.address,
            message: { kind: "offer", body: { terms: r.myLast } },
          });
        }
      }
    }),
    admit: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "offer.received") return;
      const key = keyOf(event.from);
      const now = context.now();
      const record: LenderRecord = {
        address: event.from,
        childId: `lender-${key}`,
        strategy: context.strategyFor(event.from),
        port: context.portFor(event.from),
        startedAt: now,
        deadlineMs: Math.max(0, context.deadlineMs - (now - context.startedAt)),
        round: 0,
        myLast: undefined,
        theirLast: undefined,
        result: undefined,
        aborting: undefined,
        held: undefined,
        ourMove: false,
        signed: undefined,
      };
      enqueue.assign({ lenders: { ...context.lenders, [key]: record } });
      enqueue.spawnChild("session", {
        id: record.childId,
        input: {
          side: "borrower",
          sessionId: context.sessionId,
          peer: event.from,
          strategy: record.strategy,
          maxRounds: context.maxRounds,
          deadlineMs: record.deadlineMs,
          confirmTimeoutMs: context.confirmTimeoutMs,
          opensWithOffer: false,
          now: context.now,
          port: record.port,
        },
      });
    }),
    refuse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "offer.received") return;
      const key = keyOf(event.from);
      const refusal: Refusal =
        context.committed !== undefined
          ? { code: "closed-elsewhere", reason: "closed with another lender" }
          : Object.keys(context.lenders).length >= (context.maxLenders ?? Number.POSITIVE_INFINITY)
            ? { code: "auction-full", reason: "auction full" }
            : { code: "admission-closed", reason: "rfq closed" };
      const reason = refusal.reason;
      if (context.late[key] === undefined) {
        enqueue.assign({
          late: { ...context.late, [key]: { end: "late", reason, rounds: 0, lastOffer: event.terms } },
        });
      }
      enqueue.emit({ type: "outbound", to: event.from, message: rejectMessage(refusal) });
    }),
    routeOffer: enqueueActions(({ context, event, enqueue }, params: { admissionOpen: boolean }) => {
      if (event.type !== "offer.received") return;
      const key = keyOf(event.from);
      const r = context.lenders[key];
      if (!r || !live(r)) return;
      if (context.committed !== undefined && context.committed !== key) {
        enqueue.assign({
          lenders: {
            ...context.lenders,
            [key]: { ...r, theirLast: event.terms, held: event.terms, ourMove: true },
          },
        });
        return;
      }
      const updated = { ...r, theirLast: event.terms, ourMove: true };
      const lenders = { ...context.lenders, [key]: updated };
      const acceptNow = shouldAccept({ ...context, lenders }, updated, event.terms, params.admissionOpen);
      enqueue.assign({ lenders, ...(acceptNow ? { committed: key } : {}) });
      const forwarded: ForwardedOffer = { type: "offer.received", terms: event.terms, acceptNow };
      enqueue.sendTo(r.childId, forwarded);
    }),
    routeAccept: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "accept.received") return;
      const key = keyOf(event.from);
      const r = context.lenders[key];
      if (!r || !live(r)) return;
      if (context.committed !== undefined && context.committed !== key) {
        enqueue.assign({ lenders: { ...context.lenders, [key]: { ...r, aborting: "outbid" } } });
        enqueue.sendTo(r.childId, CLOSED_ELSEWHERE);
        return;
      }
      // Commit only to an accept the child will take (same checks as the child's guard).
      const valid =
        r.myLast !== undefined &&
        r.port.mismatch(event.agreement, r.myLast) === undefined &&
        r.port.verify(event.agreement, event.signature, "lender");
      if (valid) enqueue.assign({ committed: key });
      enqueue.sendTo(r.childId, {
        type: "accept.received",
        agreement: event.agreement,
        signature: event.signature,
      });
    }),
    routeToChild: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "confirm.received" && event.type !== "reject.received") return;
      const r = context.lenders[keyOf(event.from)];
      if (!r || !live(r)) return;
      const { from: _, ...sessionEvent } = event;
      enqueue.sendTo(r.childId, sessionEvent);
    }),
    relay: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "child.outbound") return;
      const key = keyOf(event.lender);
      const r = context.lenders[key];
      const m = event.message;
      if (r) {
        // What the journal needs: our last offer, and what we signed (before it leaves).
        const updated: LenderRecord = { ...r, ourMove: false };
        if (m.kind === "offer") Object.assign(updated, { round: r.round + 1, myLast: m.body.terms });
        if (m.kind === "accept")
          updated.signed = { agreement: m.body.agreement, mySignature: m.body.signature };
        if (m.kind === "confirm" && event.signed)
          updated.signed = {
            agreement: event.signed.agreement,
            mySignature: event.signed.borrowerSignature,
            theirSignature: event.signed.lenderSignature,
          };
        enqueue.assign({ lenders: { ...context.lenders, [key]: updated } });
      }
      enqueue.emit({
        type: "outbound",
        to: event.lender,
        message: event.message,
        ...(event.signed ? { signed: event.signed } : {}),
      });
    }),
    sessionEnded: enqueueActions(({ context, event, enqueue }) => {
      const isDone = event.type.startsWith("xstate.done.actor.");
      const childId = isDone ? doneActorId(event.type) : errorActorId(event.type);
      const r = Object.values(context.lenders).find((x) => x.childId === childId);
      if (!r || !live(r)) return;
      const key = keyOf(r.address);
      const outcome = isDone ? (event as { output: SessionOutcome }).output : undefined;
      const isWinner = context.committed === key && outcome !== undefined && outcome.status !== "failed";
      const ended: LenderRecord = { ...r, result: endOf(r, outcome, isWinner) };
      // Its countersignature of our accept: the journal then holds the fully signed agreement.
      if (isWinner && outcome.status === "agreed" && r.signed)
        ended.signed = { ...r.signed, theirSignature: outcome.lenderSignature };
      const lenders = { ...context.lenders, [key]: ended };
      if (!isWinner) {
        if (context.committed !== key) {
          enqueue.assign({ lenders });
          return;
        }
        // A commitment that did not end signed (e.g. its deadline won the race) is released, and
        // the offers held back meanwhile are answered now.
        let committed: string | undefined;
        for (const [k, o] of Object.entries(lenders)) {
          if (!live(o) || o.held === undefined) continue;
          const released = { ...o, held: undefined };
          lenders[k] = released;
          const acceptNow = shouldAccept({ ...context, lenders, committed }, released, o.held, false);
          if (acceptNow) committed = k;
          enqueue.sendTo(o.childId, {
            type: "offer.received",
            terms: o.held,
            acceptNow,
          } satisfies ForwardedOffer);
        }
        enqueue.assign({ lenders, committed });
        return;
      }
      // Signed: every other live session is aborted.
      for (const o of Object.values(lenders)) {
        if (o === lenders[key] || !live(o)) continue;
        lenders[keyOf(o.address)] = { ...o, aborting: "outbid" };
        enqueue.sendTo(o.childId, CLOSED_ELSEWHERE);
      }
      enqueue.assign({ lenders, winner: { lender: r.address, outcome: outcome! } });
    }),
    abortAll: enqueueActions(({ context, enqueue }, params: Refusal & { exceptCommitted: boolean }) => {
      for (const r of Object.values(context.lenders)) {
        if (!live(r) || (params.exceptCommitted && keyOf(r.address) === context.committed)) continue;
        enqueue.sendTo(r.childId, { type: "abort", reason: params.reason, code: params.code });
      }
    }),
  },
}).createMachine({
  id: "rfqAuction",
  context: ({ input }) => ({
    ...input,
    startedAt: input.resume?.startedAt ?? input.now(),
    rfqSent: input.resume ? input.resume.rfqSent !== false || input.resume.lenders.length > 0 : false,
    rfqTimedOut: false,
    lenders: {},
    committed: undefined,
    winner: undefined,
    late: {},
  }),
  entry: ["broadcastRfq", "resumeLenders"],
  initial: "starting",
  on: {
    "rfq.sent": { actions: assign({ rfqSent: true }) },
    "accept.received": { actions: "routeAccept" },
    "confirm.received": { actions: "routeToChild" },
    "reject.received": { actions: "routeToChild" },
    "child.outbound": { actions: "relay" },
    "xstate.done.actor.*": { actions: "sessionEnded" },
    "xstate.error.actor.*": { actions: "sessionEnded" },
  },
  states: {
    // A resumed auction is past its broadcast: its clocks run from its recorded start.
    starting: {
      always: [
        { guard: "resumedClosed", target: "running.closed" },
        { guard: "resumed", target: "running.open" },
        { target: "broadcasting" },
      ],
    },
    // The RFQ is being recorded and published: nobody has seen it, the clocks have not started.
    broadcasting: {
      on: {
        "rfq.sent": { target: "running", actions: "rfqLeft" },
        // A lender answered before the host's report: the RFQ has left. Its offer is taken once
        // the clocks run.
        "offer.received": { actions: [raise({ type: "rfq.sent" }), raise(({ event }) => event)] },
        // Its host could not record or publish it.
        abort: "done",
      },
      after: { rfqTimeout: { target: "done", actions: assign({ rfqTimedOut: true }) } },
    },
    running: {
      initial: "open",
      after: {
        deadline: {
          target: ".closed",
          actions: {
            type: "abortAll",
            params: { code: "auction-deadline", reason: "auction deadline", exceptCommitted: true },
          },
        },
      },
      states: {
        open: {
          after: { admission: "closed" },
          // Signed with a lender and nothing else running: no point waiting out the window.
          always: { guard: and(["signed", "allEnded"]), target: "#rfqAuction.done" },
          on: {
            "offer.received": [
              {
                guard: and(["fromNewLender", "canAdmit"]),
                actions: ["admit", { type: "routeOffer", params: { admissionOpen: true } }],
              },
              { guard: "fromNewLender", actions: "refuse" },
              { actions: { type: "routeOffer", params: { admissionOpen: true } } },
            ],
            abort: {
              target: "closed",
              actions: {
                type: "abortAll",
                params: { code: "borrower-aborted", reason: "borrower aborted", exceptCommitted: true },
              },
            },
          },
        },
        closed: {
          always: { guard: "allEnded", target: "#rfqAuction.done" },
          on: {
            "offer.received": [
              { guard: "fromNewLender", actions: "refuse" },
              { actions: { type: "routeOffer", params: { admissionOpen: false } } },
            ],
            abort: {
              actions: {
                type: "abortAll",
                params: { code: "borrower-aborted", reason: "borrower aborted", exceptCommitted: true },
              },
            },
          },
        },
      },
    },
    done: { type: "final" },
  },
  output: ({ context }): RfqAuctionOutcome => {
    const lenders: Record<string, LenderResult> = { ...context.late };
    for (const [k, r] of Object.entries(context.lenders)) {
      lenders[k] = r.result ?? { end: "failed", reason: "unfinished", rounds: r.round };
    }
    const w = context.winner;
    if (w?.outcome.status === "agreed") {
      const { status: _, ...rest } = w.outcome;
      return { status: "agreed", lender: w.lender, ...rest, lenders };
    }
    if (w?.outcome.status === "unconfirmed") {
      const { status: _, ...rest } = w.outcome;
      return { status: "unconfirmed", lender: w.lender, ...rest, lenders };
    }
    const reason = context.rfqTimedOut
      ? "rfq not sent"
      : Object.keys(context.lenders).length === 0
        ? "no offers"
        : "no agreement";
    return { status: "no-deal", reason, lenders };
  },
});

/** What a durable host journals of a running auction: enough to resume it (its `resume` input). */
export function auctionProgress(snapshot: SnapshotFrom<typeof rfqAuctionMachine>): RfqAuctionProgress {
  const c = snapshot.context;
  return {
    startedAt: c.startedAt,
    // Before the RFQ has left, admission has not even begun.
    admissionClosed: !(snapshot.matches("broadcasting") || snapshot.matches({ running: "open" })),
    rfqSent: c.rfqSent,
    lenders: Object.values(c.lenders).map(
      (r): LenderProgress => ({
        lender: r.address,
        joinedAt: r.startedAt,
        round: r.round,
        ...(r.myLast ? { myLast: r.myLast } : {}),
        ...(r.theirLast ? { theirLast: r.theirLast } : {}),
        ourMove: r.ourMove,
        ...(r.signed ? { signed: r.signed } : {}),
        ...(r.result ? { ended: { end: r.result.end, reason: r.result.reason } } : {}),
      }),
    ),
  };
}
