/**
 * Sealed-bid RFQ: lenders commit to a bid (a hash of terms and salt, sealed-bid-messages.ts)
 * before the commit deadline, then reveal it; the borrower checks every reveal against its
 * commitment, awards the best valid bid with an ordinary `accept` (its signed Agreement), and
 * the winner countersigns with `confirm`. Late commits, early or mismatched reveals, bids outside
 * the borrower's reservation and bids never revealed are disqualified. Every lender that spoke
 * gets a `reject` saying why, except the winner. Both roles are pure machines emitting
 * `outbound` events for their host, like alternating-offers.
 *
 * Borrower:  committing ──commitBy──▶ revealing ──revealBy, or all revealed──▶ awarding
 *            awarding ──best valid bid──▶ awaitingConfirm ──confirm──▶ agreed
 *                     └──none──▶ noDeal             └──timeout / their reject──▶ unconfirmed
 * Lender:    committed ──commitBy──▶ revealed ──accept (valid)──▶ won
 *                                             └──reject / revealBy + award wait──▶ lost
 */
import { type Address, type Hex, zeroAddress } from "viem";
import { assign, emit, enqueueActions, setup } from "xstate";
import type { Agreement } from "../../core/agreement.ts";
import type { Terms } from "../strategies/strategy.ts";
import type { RejectCode } from "../wire/reject-codes.ts";
import type { RfqBody } from "../wire/schemas.ts";
import {
  type AgreementPort,
  mismatchRefusal,
  type OutboundEvent,
  type OutboundMessage,
  type Refusal,
  rejectMessage,
} from "./alternating-offers.ts";
import { type CommitBody, commitmentOf, type RevealBody, type SealedRfqBody } from "./sealed-bid-messages.ts";

// ─── Borrower ────────────────────────────────────────────────────────────────────────────────

export type SealedBidAuctionInput = {
  sessionId: Hex;
  rfq: RfqBody;
  /** Unix ms (same clock as `now`): commitments must arrive by then. */
  commitBy: number;
  /** Unix ms: reveals must arrive by then. */
  revealBy: number;
  portFor: (lender: Address) => AgreementPort;
  /** The borrower's utility of terms: the best valid bid wins (ties: the earlier commitment). */
  score: (terms: Terms) => number;
  /** The borrower's reservation: bids it would not take are disqualified. */
  acceptable: (terms: Terms) => boolean;
  confirmTimeoutMs: number;
  /** Most commitments taken. Default unlimited. */
  maxBidders?: number;
  now: () => number;
};

export type SealedBidAuctionEvent =
  | { type: "commit.received"; from: Address; commitment: Hex }
  | { type: "reveal.received"; from: Address; terms: Terms; salt: Hex }
  | { type: "confirm.received"; from: Address; agreementId: Hex; signature: Hex }
  | { type: "reject.received"; from: Address; reason: string; code?: string | undefined }
  | { type: "abort"; reason: string };

export type SealedBidOutbound =
  | { to: typeof zeroAddress; message: { kind: "rfq"; body: SealedRfqBody } }
  | { to: Address; message: OutboundMessage; signed?: OutboundEvent["signed"] };

export type DisqualificationReason =
  | "late commit"
  | "early reveal"
  | "no commitment"
  | "commitment mismatch"
  | "unacceptable terms"
  | "unrevealed"
  | "auction full";

/** The reason code of each disqualification (wire/reject-codes.ts). */
export const DISQUALIFICATION_CODES: Record<DisqualificationReason, RejectCode> = {
  "late commit": "late-commit",
  "early reveal": "early-reveal",
  "no commitment": "no-commitment",
  "commitment mismatch": "commitment-mismatch",
  "unacceptable terms": "unacceptable-terms",
  unrevealed: "unrevealed",
  "auction full": "auction-full",
};

export type BidderResult =
  | { end: "won"; terms: Terms }
  | { end: "outbid"; terms: Terms }
  | { end: "disqualified"; reason: DisqualificationReason }
  | { end: "withdrawn"; reason: string }
  | { end: "aborted"; reason: string };

export type SealedBidOutcome = { bidders: Record<string, BidderResult> } & (
  | { status: "agreed"; lender: Address; agreement: Agreement; lenderSignature: Hex; borrowerSignature: Hex }
  | { status: "unconfirmed"; lender: Address; agreement: Agreement; mySignature: Hex }
  | { status: "no-deal"; reason: string }
);

type Bidder = {
  address: Address;
  commitment: Hex | undefined;
  committedAt: number;
  revealed: Terms | undefined;
  result: BidderResult | undefined;
};

type AuctionContext = SealedBidAuctionInput & {
  bidders: Record<string, Bidder>;
  winner: string | undefined;
  agreement: Agreement | undefined;
  mySignature: Hex | undefined;
  theirSignature: Hex | undefined;
  noDealReason: string | undefined;
};

const keyOf = (a: Address) => a.toLowerCase();
const reject = (to: Address, refusal: Refusal) => ({
  type: "outbound" as const,
  to,
  message: rejectMessage(refusal),
});
const disqualified = (to: Address, reason: DisqualificationReason) =>
  reject(to, { code: DISQUALIFICATION_CODES[reason], reason: `disqualified: ${reason}` });

export const sealedBidAuctionMachine = setup({
  types: {
    context: {} as AuctionContext,
    input: {} as SealedBidAuctionInput,
    events: {} as SealedBidAuctionEvent,
    emitted: {} as { type: "outbound" } & SealedBidOutbound,
    output: {} as SealedBidOutcome,
  },
  delays: {
    commitDeadline: ({ context }) => Math.max(0, context.commitBy - context.now()),
    revealDeadline: ({ context }) => Math.max(0, context.revealBy - context.now()),
    confirmTimeout: ({ context }) => context.confirmTimeoutMs,
  },
  guards: {
    allRevealed: ({ context }) => {
      const committed = Object.values(context.bidders).filter((b) => b.commitment !== undefined);
      return (
        committed.length > 0 && committed.every((b) => b.result !== undefined || b.revealed !== undefined)
      );
    },
    hasWinner: ({ context }) => context.winner !== undefined,
    validConfirm: ({ context, event }) => {
      if (event.type !== "confirm.received" || !context.winner || !context.agreement) return false;
      if (keyOf(event.from) !== context.winner) return false;
      const port = context.portFor(event.from);
      return (
        event.agreementId.toLowerCase() === port.id(context.agreement).toLowerCase() &&
        port.verify(context.agreement, event.signature, "lender")
      );
    },
    fromWinner: ({ context, event }) =>
      (event.type === "reject.received" || event.type === "confirm.received") &&
      keyOf(event.from) === context.winner,
  },
  actions: {
    broadcastRfq: emit(({ context }) => ({
      type: "outbound" as const,
      to: zeroAddress,
      message: {
        kind: "rfq" as const,
        body: {
          ...context.rfq,
          auction: { mode: "sealed" as const, commitBy: context.commitBy, revealBy: context.revealBy },
        },
      },
    })),
    takeCommit: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "commit.received") return;
      const key = keyOf(event.from);
      // The first commitment binds; a second one from the same lender is ignored.
      if (context.bidders[key]) return;
      const full = Object.keys(context.bidders).length >= (context.maxBidders ?? Number.POSITIVE_INFINITY);
      const bidder: Bidder = {
        address: event.from,
        commitment: full ? undefined : event.commitment,
        committedAt: context.now(),
        revealed: undefined,
        result: full ? { end: "disqualified", reason: "auction full" } : undefined,
      };
      enqueue.assign({ bidders: { ...context.bidders, [key]: bidder } });
      if (full) enqueue.emit(disqualified(event.from, "auction full"));
    }),
    disqualify: enqueueActions(({ context, event, enqueue }, params: { reason: DisqualificationReason }) => {
      if (event.type !== "commit.received" && event.type !== "reveal.received") return;
      const key = keyOf(event.from);
      const b = context.bidders[key];
      if (b?.result) return;
      enqueue.assign({
        bidders: {
          ...context.bidders,
          [key]: {
            address: event.from,
            commitment: b?.commitment,
            committedAt: b?.committedAt ?? context.now(),
            revealed: undefined,
            result: { end: "disqualified", reason: params.reason },
          },
        },
      });
      enqueue.emit(disqualified(event.from, params.reason));
    }),
    checkReveal: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "reveal.received") return;
      const key = keyOf(event.from);
      const b = context.bidders[key];
      if (b?.result || b?.revealed) return;
      const fail = (reason: DisqualificationReason) => {
        enqueue.assign({
          bidders: {
            ...context.bidders,
            [key]: {
              address: event.from,
              commitment: b?.commitment,
              committedAt: b?.committedAt ?? context.now(),
              revealed: undefined,
              result: { end: "disqualified", reason },
            },
          },
        });
        enqueue.emit(disqualified(event.from, reason));
      };
      if (!b?.commitment) return fail("no commitment");
      const expected = commitmentOf({
        sessionId: context.sessionId,
        lender: event.from,
        terms: event.terms,
        salt: event.salt,
      });
      if (expected.toLowerCase() !== b.commitment.toLowerCase()) return fail("commitment mismatch");
      if (!context.acceptable(event.terms)) return fail("unacceptable terms");
      enqueue.assign({ bidders: { ...context.bidders, [key]: { ...b, revealed: event.terms } } });
    }),
    award: enqueueActions(({ context, enqueue }) => {
      const bidders = { ...context.bidders };
      for (const [k, b] of Object.entries(bidders)) {
        if (b.result || b.revealed || b.commitment === undefined) continue;
        bidders[k] = { ...b, result: { end: "disqualified", reason: "unrevealed" } };
        enqueue.emit(disqualified(b.address, "unrevealed"));
      }
      const valid = Object.entries(bidders)
        .filter(([, b]) => !b.result && b.revealed)
        .sort(
          ([, a], [, b]) =>
            context.score(b.revealed!) - context.score(a.revealed!) || a.committedAt - b.committedAt,
        );
      const [best, ...rest] = valid;
      for (const [k, b] of rest) {
        bidders[k] = { ...b, result: { end: "outbid", terms: b.revealed! } };
        enqueue.emit(reject(b.address, { code: "outbid", reason: "outbid" }));
      }
      if (!best) {
        enqueue.assign({ bidders, noDealReason: Object.keys(bidders).length ? "no valid bid" : "no bids" });
        return;
      }
      const [key, winner] = best;
      const port = context.portFor(winner.address);
      const agreement = port.build(winner.revealed!);
      const mySignature = port.sign(agreement);
      bidders[key] = { ...winner, result: { end: "won", terms: winner.revealed! } };
      enqueue.assign({ bidders, winner: key, agreement, mySignature });
      enqueue.emit({
        type: "outbound",
        to: winner.address,
        message: { kind: "accept", body: { agreement, signature: mySignature } },
      });
    }),
    recordConfirm: assign(({ event }) =>
      event.type === "confirm.received" ? { theirSignature: event.signature } : {},
    ),
    abortAll: enqueueActions(({ context, enqueue }, params: Refusal) => {
      const bidders = { ...context.bidders };
      for (const [k, b] of Object.entries(bidders)) {
        if (b.result) continue;
        bidders[k] = { ...b, result: { end: "aborted", reason: params.reason } };
        enqueue.emit(reject(b.address, params));
      }
      enqueue.assign({ bidders, noDealReason: params.reason });
    }),
    withdraw: assign(({ context, event }) => {
      if (event.type !== "reject.received") return {};
      const key = keyOf(event.from);
      const b = context.bidders[key];
      if (!b || b.result) return {};
      return {
        bidders: { ...context.bidders, [key]: { ...b, result: { end: "withdrawn", reason: event.reason } } },
      };
    }),
  },
}).createMachine({
  id: "sealedBidAuction",
  context: ({ input }) => ({
    ...input,
    bidders: {},
    winner: undefined,
    agreement: undefined,
    mySignature: undefined,
    theirSignature: undefined,
    noDealReason: undefined,
  }),
  entry: "broadcastRfq",
  initial: "committing",
  states: {
    committing: {
      after: { commitDeadline: "revealing" },
      on: {
        "commit.received": { actions: "takeCommit" },
        // A reveal before the commit deadline exposes the bid early (bid shopping): refused.
        "reveal.received": { actions: { type: "disqualify", params: { reason: "early reveal" } } },
        "reject.received": { actions: "withdraw" },
        abort: {
          target: "noDeal",
          actions: { type: "abortAll", params: { code: "borrower-aborted", reason: "borrower aborted" } },
        },
      },
    },
    revealing: {
      always: { guard: "allRevealed", target: "awarding" },
      after: { revealDeadline: "awarding" },
      on: {
        "commit.received": { actions: { type: "disqualify", params: { reason: "late commit" } } },
        "reveal.received": { actions: "checkReveal" },
        "reject.received": { actions: "withdraw" },
        abort: {
          target: "noDeal",
          actions: { type: "abortAll", params: { code: "borrower-aborted", reason: "borrower aborted" } },
        },
      },
    },
    awarding: {
      entry: "award",
      always: [{ guard: "hasWinner", target: "awaitingConfirm" }, { target: "noDeal" }],
    },
    awaitingConfirm: {
      after: { confirmTimeout: "unconfirmed" },
      on: {
        "confirm.received": { guard: "validConfirm", target: "agreed", actions: "recordConfirm" },
        // We signed: the winner may still settle, whatever it says now.
        "reject.received": { guard: "fromWinner", target: "unconfirmed" },
        "commit.received": { actions: { type: "disqualify", params: { reason: "late commit" } } },
        "reveal.received": { actions: { type: "disqualify", params: { reason: "unrevealed" } } },
      },
    },
    agreed: { type: "final" },
    unconfirmed: { type: "final" },
    noDeal: { type: "final" },
  },
  output: ({ context }): SealedBidOutcome => {
    const bidders: Record<string, BidderResult> = {};
    for (const [k, b] of Object.entries(context.bidders)) {
      bidders[k] = b.result ?? { end: "aborted", reason: "unfinished" };
    }
    const w = context.winner ? context.bidders[context.winner] : undefined;
    if (w && context.agreement && context.mySignature && context.theirSignature) {
      return {
        status: "agreed",
        lender: w.address,
        agreement: context.agreement,
        lenderSignature: context.theirSignature,
        borrowerSignature: context.mySignature,
        bidders,
      };
    }
    if (w && context.agreement && context.mySignature) {
      return {
        status: "unconfirmed",
        lender: w.address,
        agreement: context.agreement,
        mySignature: context.mySignature,
        bidders,
      };
    }
    return { status: "no-deal", reason: context.noDealReason ?? "no bids", bidders };
  },
});

// ─── Lender ──────────────────────────────────────────────────────────────────────────────────

export type SealedBidLenderInput = {
  sessionId: Hex;
  borrower: Address;
  /** The bid, sealed with sealBid() by the caller (commit now, reveal after commitBy). */
  commit: CommitBody;
  reveal: RevealBody;
  commitBy: number;
  revealBy: number;
  /** How long after revealBy to wait for the award, ms. */
  awardTimeoutMs: number;
  port: AgreementPort;
  now: () => number;
};

export type SealedBidLenderEvent =
  | { type: "accept.received"; agreement: Agreement; signature: Hex }
  | { type: "reject.received"; reason: string };

export type SealedBidLenderOutcome =
  | { status: "won"; agreement: Agreement; lenderSignature: Hex; borrowerSignature: Hex }
  | { status: "lost"; reason: string };

type LenderOutbound =
  | { kind: "commit"; body: CommitBody }
  | { kind: "reveal"; body: RevealBody }
  | OutboundMessage;

export const sealedBidLenderMachine = setup({
  types: {
    context: {} as SealedBidLenderInput & {
      agreement: Agreement | undefined;
      borrowerSignature: Hex | undefined;
      mySignature: Hex | undefined;
      reason: string | undefined;
      /** What we tell the borrower when we refuse its award. */
      refusal: Refusal | undefined;
    },
    input: {} as SealedBidLenderInput,
    events: {} as SealedBidLenderEvent,
    emitted: {} as { type: "outbound"; message: LenderOutbound; signed?: OutboundEvent["signed"] },
    output: {} as SealedBidLenderOutcome,
  },
  delays: {
    commitDeadline: ({ context }) => Math.max(0, context.commitBy - context.now()),
    awardDeadline: ({ context }) => Math.max(0, context.revealBy + context.awardTimeoutMs - context.now()),
  },
  guards: {
    validAward: ({ context, event }) =>
      event.type === "accept.received" &&
      context.port.mismatch(event.agreement, context.reveal.terms) === undefined &&
      context.port.verify(event.agreement, event.signature, "borrower"),
  },
  actions: {
    sendCommit: emit(({ context }) => ({
      type: "outbound" as const,
      message: { kind: "commit" as const, body: context.commit },
    })),
    sendReveal: emit(({ context }) => ({
      type: "outbound" as const,
      message: { kind: "reveal" as const, body: context.reveal },
    })),
    countersign: assign(({ context, event }) =>
      event.type === "accept.received"
        ? {
            agreement: event.agreement,
            borrowerSignature: event.signature,
            mySignature: context.port.sign(event.agreement),
          }
        : {},
    ),
    sendConfirm: emit(({ context }) => ({
      type: "outbound" as const,
      message: {
        kind: "confirm" as const,
        body: { agreementId: context.port.id(context.agreement!), signature: context.mySignature! },
      },
      signed: {
        agreement: context.agreement!,
        lenderSignature: context.mySignature!,
        borrowerSignature: context.borrowerSignature!,
      },
    })),
    lose: assign((_, params: { reason: string }) => ({ reason: params.reason })),
    refuseAward: assign(({ context, event }) => {
      if (event.type !== "accept.received") return {};
      const m = context.port.mismatch(event.agreement, context.reveal.terms);
      const refusal: Refusal = m
        ? mismatchRefusal(m, "award does not match our bid")
        : { code: "agreement-signature", reason: "award does not match our bid: not signed by the borrower" };
      return { refusal, reason: refusal.reason };
    }),
    loseWithTheirReason: assign(({ event }) =>
      event.type === "reject.received" ? { reason: event.reason } : {},
    ),
    sendReject: emit(({ context }) => ({
      type: "outbound" as const,
      message: rejectMessage(context.refusal!),
    })),
  },
}).createMachine({
  id: "sealedBidLender",
  context: ({ input }) => ({
    ...input,
    agreement: undefined,
    borrowerSignature: undefined,
    mySignature: undefined,
    reason: undefined,
    refusal: undefined,
  }),
  initial: "committed",
  entry: "sendCommit",
  states: {
    committed: {
      after: { commitDeadline: "revealed" },
      on: { "reject.received": { target: "lost", actions: "loseWithTheirReason" } },
    },
    revealed: {
      entry: "sendReveal",
      after: { awardDeadline: { target: "lost", actions: { type: "lose", params: { reason: "no award" } } } },
      on: {
        "accept.received": [
          { guard: "validAward", target: "won", actions: ["countersign", "sendConfirm"] },
          {
            target: "lost",
            actions: ["refuseAward", "sendReject"],
          },
        ],
        "reject.received": { target: "lost", actions: "loseWithTheirReason" },
      },
    },
    won: { type: "final" },
    lost: { type: "final" },
  },
  output: ({ context }): SealedBidLenderOutcome =>
    context.agreement && context.mySignature && context.borrowerSignature
      ? {
          status: "won",
          agreement: context.agreement,
          lenderSignature: context.mySignature,
          borrowerSignature: context.borrowerSignature,
        }
      : { status: "lost", reason: context.reason ?? "lost" },
});
