/**
 * Bilateral alternating offers with a deadline in rounds and in wall time, ending in a signed
 * Agreement. The machine is pure: it decides, and emits `outbound` events that its host sends
 * over a transport; crypto and agreement construction come in through `AgreementPort`.
 *
 *   negotiating ──accept their offer──▶ awaitingConfirm ──confirm──▶ agreed
 *        │  └──they accept ours (valid)──────────────────────────────▶ agreed
 *        └──reject / deadline / rounds exhausted──▶ failed
 *   awaitingConfirm ──timeout──▶ unconfirmed   (we signed: the peer may still settle on-chain)
 */
import type { Address, Hex } from "viem";
import { assign, emit, setup } from "xstate";
import type { Agreement, AgreementMismatch } from "../../core/agreement.ts";
import type { SessionView, Side, Strategy, Terms } from "../strategies/strategy.ts";
import type { RejectCode } from "../wire/reject-codes.ts";

/** What the session needs to turn terms into a signed, checkable Agreement. */
export interface AgreementPort {
  /** The full agreement for `terms` (parties, tokens, nonce, settlement deadline). */
  build(terms: Terms): Agreement;
  sign(agreement: Agreement): Hex;
  /** The EIP-712 digest, which is also the on-chain agreement id. */
  id(agreement: Agreement): Hex;
  /** True if `signature` is `role`'s signature over `agreement`. */
  verify(agreement: Agreement, signature: Hex, role: Side): boolean;
  /** Why a counterparty-built agreement is not exactly `terms` in this session between us: the
   *  first of its fields (every one, core/agreement.ts AGREEMENT_FIELDS) that differs from the
   *  session or the terms, or a deadline outside our settlement window. Undefined when it is. */
  mismatch(agreement: Agreement, terms: Terms): AgreementMismatch | undefined;
}

/** Why we refuse: the code a program reads (wire/reject-codes.ts) and the reason a person does. */
export type Refusal = { code: RejectCode; reason: string };

export type OutboundMessage =
  | { kind: "offer"; body: { terms: Terms; resent?: true } }
  | { kind: "accept"; body: { agreement: Agreement; signature: Hex } }
  | { kind: "confirm"; body: { agreementId: Hex; signature: Hex } }
  | { kind: "reject"; body: Refusal };

/** A reject message carrying `refusal` (its reason cut to the wire's 256 characters). */
export const rejectMessage = (refusal: Refusal): Extract<OutboundMessage, { kind: "reject" }> => ({
  kind: "reject",
  body: { reason: refusal.reason.slice(0, 256), code: refusal.code },
});

/** The refusal of an agreement that `mismatch` found wrong; the reason starts with `what`
 *  ("accept does not match our offer", "award does not match our bid") and names the field. */
export function mismatchRefusal(m: AgreementMismatch, what: string): Refusal {
  return m.kind === "deadline"
    ? {
        code: "agreement-deadline",
        reason: `${what}: deadline ${m.received} is outside our settlement window (${m.expected})`,
      }
    : {
        code: "agreement-mismatch",
        reason: `${what}: ${m.field} is ${m.received}, expected ${m.expected}`,
      };
}

/** What the session emits for its host to send. A confirm also carries the fully signed
 *  agreement, which the host may record before the confirm leaves. */
export type OutboundEvent = {
  type: "outbound";
  message: OutboundMessage;
  signed?: { agreement: Agreement; lenderSignature: Hex; borrowerSignature: Hex };
};

export type SessionEvent =
  | { type: "offer.received"; terms: Terms }
  | { type: "accept.received"; agreement: Agreement; signature: Hex }
  | { type: "confirm.received"; agreementId: Hex; signature: Hex }
  | { type: "reject.received"; reason: string; code?: string | undefined }
  | { type: "abort"; reason: string; code: RejectCode };

export type SessionOutcome =
  | { status: "agreed"; agreement: Agreement; lenderSignature: Hex; borrowerSignature: Hex; rounds: number }
  | { status: "unconfirmed"; agreement: Agreement; mySignature: Hex; rounds: number }
  | {
      status: "failed";
      reason: string;
      /** The reason code of the reject that ended the session (ours, or theirs if it had one). */
      code?: string;
      rounds: number;
    };

export type SessionResume = {
  round: number;
  myLast: Terms | undefined;
  theirLast: Terms | undefined;
  /** When the session originally started (ms, same clock as `now`), so its deadline holds. */
  startedAt: number;
  /** We had accepted their last offer and sent them this agreement with our signature: the
   *  session resumes waiting for their confirm (an RFQ auction resumes its committed lender so). */
  accepted?: { agreement: Agreement; signature: Hex };
};

export type AlternatingOffersInput = {
  side: Side;
  sessionId: Hex;
  peer: Address;
  strategy: Strategy;
  /** Offers each side may make. */
  maxRounds: number;
  /** Wall-time budget for reaching agreement, ms. */
  deadlineMs: number;
  /** How long to wait for the counterparty's signature after we accepted, ms. */
  confirmTimeoutMs: number;
  /** Whether this side makes the first offer (a lender answering an RFQ does). */
  opensWithOffer: boolean;
  /** Where a restarted agent left this session (from its session store): the session resumes
   *  waiting for the peer's next message instead of opening again. */
  resume?: SessionResume;
  /** Milliseconds clock; the same clock the actor's delays run on. */
  now: () => number;
  port: AgreementPort;
};

type Context = AlternatingOffersInput & {
  startedAt: number;
  round: number;
  myLast: Terms | undefined;
  theirLast: Terms | undefined;
  agreement: Agreement | undefined;
  mySignature: Hex | undefined;
  theirSignature: Hex | undefined;
  /** Why the session failed: what we send (ours) or what they sent us (`reject.received`). */
  failure: { reason: string; code?: string | undefined } | undefined;
  /** What we tell them when the failure is ours (sendReject sends it). */
  refusal: Refusal | undefined;
};

/** What a strategy sees; `theirLast` overrides the context's when their new offer is not in it yet. */
function view(c: Context, theirLast: Terms | undefined = c.theirLast): SessionView {
  return {
    side: c.side,
    round: c.round,
    maxRounds: c.maxRounds,
    elapsed: Math.min(1, (c.now() - c.startedAt) / c.deadlineMs),
    myLast: c.myLast,
    theirLast,
  };
}

const other = (side: Side): Side => (side === "lender" ? "borrower" : "lender");

/** Why an `accept` that did not pass `validAcceptOfMyOffer` is refused. */
function acceptRefusal(c: Context, agreement: Agreement): Refusal {
  if (c.myLast === undefined)
    return { code: "accept-without-offer", reason: "accept without an offer of ours to accept" };
  const m = c.port.mismatch(agreement, c.myLast);
  if (m) return mismatchRefusal(m, "accept does not match our offer");
  return { code: "agreement-signature", reason: `accept is not signed by the ${other(c.side)}` };
}

export const alternatingOffersMachine = setup({
  types: {
    context: {} as Context,
    input: {} as AlternatingOffersInput,
    events: {} as SessionEvent,
    emitted: {} as OutboundEvent,
    output: {} as SessionOutcome,
  },
  delays: {
    deadline: ({ context }) => Math.max(0, context.deadlineMs - (context.now() - context.startedAt)),
    confirmTimeout: ({ context }) => context.confirmTimeoutMs,
  },
  guards: {
    opensWithOffer: ({ context }) => context.opensWithOffer,
    resuming: ({ context }) => context.resume !== undefined,
    resumingAccepted: ({ context }) => context.resume?.accepted !== undefined,
    acceptable: ({ context, event }) =>
      event.type === "offer.received" && context.strategy.accept(view(context), event.terms),
    roundsLeft: ({ context }) => context.round < context.maxRounds,
    validAcceptOfMyOffer: ({ context, event }) =>
      event.type === "accept.received" &&
      context.myLast !== undefined &&
      context.port.mismatch(event.agreement, context.myLast) === undefined &&
      context.port.verify(event.agreement, event.signature, other(context.side)),
    validConfirm: ({ context, event }) =>
      event.type === "confirm.received" &&
      context.agreement !== undefined &&
      event.agreementId.toLowerCase() === context.port.id(context.agreement).toLowerCase() &&
      context.port.verify(context.agreement, event.signature, other(context.side)),
  },
  actions: {
    proposeNext: assign(({ context }) => ({
      myLast: context.strategy.propose(view(context)),
      round: context.round + 1,
    })),
    sendOffer: emit(({ context }) => ({
      type: "outbound" as const,
      message: { kind: "offer" as const, body: { terms: context.myLast! } },
    })),
    recordTheirOffer: assign(({ event }) =>
      event.type === "offer.received" ? { theirLast: event.terms } : {},
    ),
    // The two actions below each do in one assign what recordTheirOffer and proposeNext (or a
    // signing step) would do in two: every assign copies the context, on every inbound offer.
    counterTheirOffer: assign(({ context, event }) => {
      if (event.type !== "offer.received") return {};
      return {
        theirLast: event.terms,
        myLast: context.strategy.propose(view(context, event.terms)),
        round: context.round + 1,
      };
    }),
    acceptTheirOffer: assign(({ context, event }) => {
      if (event.type !== "offer.received") return {};
      const agreement = context.port.build(event.terms);
      return { theirLast: event.terms, agreement, mySignature: context.port.sign(agreement) };
    }),
    sendAccept: emit(({ context }) => ({
      type: "outbound" as const,
      message: {
        kind: "accept" as const,
        body: { agreement: context.agreement!, signature: context.mySignature! },
      },
    })),
    countersign: assign(({ context, event }) => {
      if (event.type !== "accept.received") return {};
      return {
        agreement: event.agreement,
        theirSignature: event.signature,
        mySignature: context.port.sign(event.agreement),
      };
    }),
    sendConfirm: emit(({ context }) => {
      const mine = context.mySignature!;
      const theirs = context.theirSignature!;
      return {
        type: "outbound" as const,
        message: {
          kind: "confirm" as const,
          body: { agreementId: context.port.id(context.agreement!), signature: mine },
        },
        signed: {
          agreement: context.agreement!,
          lenderSignature: context.side === "lender" ? mine : theirs,
          borrowerSignature: context.side === "borrower" ? mine : theirs,
        },
      };
    }),
    recordConfirm: assign(({ event }) =>
      event.type === "confirm.received" ? { theirSignature: event.signature } : {},
    ),
    fail: assign((_, params: Refusal) => ({ failure: params, refusal: params })),
    failAccept: assign(({ context, event }) => {
      if (event.type !== "accept.received") return {};
      const refusal = acceptRefusal(context, event.agreement);
      return { failure: refusal, refusal };
    }),
    failWithTheirReason: assign(({ event }) => {
      if (event.type === "reject.received")
        return { failure: { reason: `${event.type}: ${event.reason}`, code: event.code } };
      if (event.type !== "abort") return {};
      // Aborted by our host: we tell them, with the host's code.
      const refusal: Refusal = { reason: `${event.type}: ${event.reason}`, code: event.code };
      return { failure: refusal, refusal };
    }),
    sendReject: emit(({ context }) => ({
      type: "outbound" as const,
      message: rejectMessage(context.refusal!),
    })),
  },
}).createMachine({
  id: "alternatingOffers",
  context: ({ input }) => ({
    ...input,
    startedAt: input.resume?.startedAt ?? input.now(),
    round: input.resume?.round ?? 0,
    myLast: input.resume?.myLast,
    theirLast: input.resume?.theirLast,
    agreement: input.resume?.accepted?.agreement,
    mySignature: input.resume?.accepted?.signature,
    theirSignature: undefined,
    failure: undefined,
    refusal: undefined,
  }),
  initial: "negotiating",
  states: {
    negotiating: {
      initial: "start",
      after: {
        deadline: {
          target: "failed",
          actions: [{ type: "fail", params: { code: "deadline", reason: "deadline" } }, "sendReject"],
        },
      },
      on: {
        "reject.received": { target: "failed", actions: "failWithTheirReason" },
        abort: { target: "failed", actions: ["failWithTheirReason", "sendReject"] },
        "accept.received": [
          { guard: "validAcceptOfMyOffer", target: "agreed", actions: ["countersign", "sendConfirm"] },
          {
            target: "failed",
            actions: ["failAccept", "sendReject"],
          },
        ],
      },
      states: {
        start: {
          always: [
            { guard: "resumingAccepted", target: "#alternatingOffers.awaitingConfirm" },
            { guard: "resuming", target: "waiting" },
            { guard: "opensWithOffer", target: "proposing" },
            { target: "waiting" },
          ],
        },
        proposing: { entry: ["proposeNext", "sendOffer"], always: "waiting" },
        waiting: {
          on: {
            // Each branch does its work in one transition (no pass through a transient state):
            // one microstep per inbound offer is a visible share of a negotiation's CPU.
            "offer.received": [
              {
                guard: "acceptable",
                target: "#alternatingOffers.awaitingConfirm",
                actions: ["acceptTheirOffer", "sendAccept"],
              },
              { guard: "roundsLeft", actions: ["counterTheirOffer", "sendOffer"] },
              {
                target: "#alternatingOffers.failed",
                actions: [
                  "recordTheirOffer",
                  { type: "fail", params: { code: "rounds-exhausted", reason: "rounds exhausted" } },
                  "sendReject",
                ],
              },
            ],
          },
        },
      },
    },
    awaitingConfirm: {
      after: { confirmTimeout: "unconfirmed" },
      on: {
        "confirm.received": { guard: "validConfirm", target: "agreed", actions: "recordConfirm" },
        // We signed: whatever they say now, they can still settle before the agreement deadline.
        "reject.received": "unconfirmed",
      },
    },
    agreed: { type: "final" },
    unconfirmed: { type: "final" },
    failed: { type: "final" },
  },
  output: ({ context }): SessionOutcome => {
    const rounds = context.round;
    if (context.agreement && context.mySignature && context.theirSignature) {
      const mine = context.mySignature;
      const theirs = context.theirSignature;
      return {
        status: "agreed",
        agreement: context.agreement,
        lenderSignature: context.side === "lender" ? mine : theirs,
        borrowerSignature: context.side === "borrower" ? mine : theirs,
        rounds,
      };
    }
    if (context.agreement && context.mySignature) {
      return {
        status: "unconfirmed",
        agreement: context.agreement,
        mySignature: context.mySignature,
        rounds,
      };
    }
    const failure = context.failure;
    return {
      status: "failed",
      reason: failure?.reason ?? "failed",
      ...(failure?.code === undefined ? {} : { code: failure.code }),
      rounds,
    };
  },
});
