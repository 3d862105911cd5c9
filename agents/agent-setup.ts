/**
 * The agent machine's implementations (agent-machine.ts draws the chart): its actors, delays,
 * guards and actions. Decisions live in pure functions beside them (borrow/borrow-outcome.ts,
 * lend/rfq-decision.ts, loans/margin-call.ts); here they are wired to context and events.
 */
import { assign, emit, enqueueActions, setup } from "xstate";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";
import type { AgentContext, AgentDeps, AgentEffect, AgentEvent } from "./agent-events.ts";
import { observer, repayLoan, settleLoan, withdrawSignature } from "./borrow/borrow-actors.ts";
import {
  beforeLoanDeadline,
  borrowEndOf,
  settlementRetryable,
  signedLoanOf,
  unconfirmedLoanOf,
} from "./borrow/borrow-outcome.ts";
import { decideRfq } from "./lend/rfq-decision.ts";
import { lenderLoanMachine } from "./loans/lender-loan-machine.ts";
import { checkMarginCall } from "./loans/margin-call.ts";

export const agentSetup = setup({
  types: {
    context: {} as AgentContext,
    input: {} as AgentDeps,
    events: {} as AgentEvent,
    emitted: {} as AgentEffect,
  },
  actors: {
    observer,
    settleLoan,
    repayLoan,
    lenderLoan: lenderLoanMachine,
    withdrawSignature,
  },
  delays: {
    poll: ({ context }) => context.deps.pollMs,
    // Retrying a signed agreement is urgent next to polling the protocol: at most a second.
    settleRetry: ({ context }) => Math.min(context.deps.pollMs, 1_000),
  },
  guards: {
    marginCallValid: ({ context, event }) =>
      event.type === "margin.call" && checkMarginCall(event.from, event.call, context.loan) === undefined,
    borrowAgreed: ({ context, event }) => borrowEndOf(event, context.borrow?.sessionId) === "agreed",
    borrowUnconfirmed: ({ context, event }) =>
      borrowEndOf(event, context.borrow?.sessionId) === "unconfirmed",
    borrowEnded: ({ context, event }) => borrowEndOf(event, context.borrow?.sessionId) !== undefined,
    withdrawRetryable: ({ context }) => beforeLoanDeadline(context.loan, context.deps.nowSec()),
    settlementRetryable: ({ context, event }) =>
      settlementRetryable((event as { error?: unknown }).error, context.loan, context.deps.nowSec()),
    canRepay: ({ context }) => {
      const a = context.loan?.agreement;
      return (
        a !== undefined &&
        context.state !== undefined &&
        context.deps.policy.canRepay(context.state, { ...a })
      );
    },
  },
  actions: {
    recordState: assign({ state: (_, s: ProtocolState) => s }),
    requestObservation: enqueueActions(({ context, enqueue }) => {
      const seq = context.observeSeq + 1;
      enqueue.assign({ observeSeq: seq });
      enqueue.sendTo("observer", { type: "observe", seq });
    }),
    requestLoanLook: enqueueActions(({ context, enqueue }) => {
      const seq = context.observeSeq + 1;
      const loan = context.loan!;
      enqueue.assign({ observeSeq: seq });
      enqueue.sendTo("observer", {
        type: "lookAtLoan",
        seq,
        agreement: loan.agreement,
        id: loan.id,
        called: loan.called === true,
      });
    }),
    startRequest: assign(({ context }) => ({
      borrow: {
        sessionId: context.deps.newSessionId(),
        rfq: context.deps.policy.borrowRequest(context.state!)!,
      },
    })),
    openAuction: emit(({ context }) => {
      const { sessionId, rfq } = context.borrow!;
      const state = context.state!;
      return {
        type: "effect.openAuction" as const,
        sessionId,
        rfq,
        strategyFor: () => context.deps.policy.borrowerStrategy(state, rfq),
      };
    }),
    clearBorrow: assign({ borrow: undefined }),
    recordUnconfirmed: assign(({ event }) => {
      const loan = unconfirmedLoanOf(event);
      return loan ? { loan } : {};
    }),
    markResumed: assign({ resumed: true }),
    recordSignedLoan: assign(({ event }) => {
      const loan = signedLoanOf(event);
      return loan ? { loan } : {};
    }),
    // Reserve the principal of an RFQ we answer, so parallel RFQs cannot promise the same cash twice.
    considerRfq: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "rfq.received") return;
      const { sessionId, from, rfq } = event;
      const decision = decideRfq(
        {
          state: context.state,
          address: context.deps.address,
          policy: context.deps.policy,
          reserved: context.reserved,
        },
        event,
      );
      if (decision.action === "decline") {
        const data = decision.sealed ? { sessionId, from, sealed: true } : { sessionId, from };
        enqueue.emit({ type: "report", what: "rfq declined", data });
        return;
      }
      enqueue.assign({ reserved: { ...context.reserved, [sessionId]: rfq.principal } });
      if (decision.action === "sealed-bid") {
        enqueue.emit({ type: "effect.placeSealedBid", sessionId, peer: from, rfq, terms: decision.terms });
        return;
      }
      enqueue.emit({
        type: "effect.openSession",
        side: "lender",
        sessionId,
        peer: from,
        rfq,
        strategy: decision.strategy,
      });
    }),
    serviceSignedLoan: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "session.finished" || event.outcome.status === "failed") return;
      const { deps } = context;
      const agreement = event.outcome.agreement;
      enqueue.spawnChild("lenderLoan", {
        id: `loan-${event.sessionId}`,
        input: {
          sessionId: event.sessionId,
          agreement,
          id: deps.agreementId(agreement),
          settlement: deps.settlement,
          adapter: deps.adapter,
          nowSec: deps.nowSec,
          pollMs: deps.pollMs,
          log: deps.log,
          ...(deps.callLoans ? { callLoans: true } : {}),
        },
      });
    }),
    recordResumedLoan: assign(({ event }) =>
      event.type === "resume.loan"
        ? {
            loan: {
              agreement: event.agreement,
              lenderSignature: event.lenderSignature,
              borrowerSignature: event.borrowerSignature,
            },
          }
        : {},
    ),
    recordResumedBorrowing: assign(({ event }) =>
      event.type === "resume.borrowing"
        ? {
            borrow: {
              sessionId: event.sessionId,
              rfq: event.rfq,
              ...(event.lender ? { lender: event.lender } : {}),
            },
          }
        : {},
    ),
    releaseReservation: assign(({ context, event }) => {
      if (!("sessionId" in event)) return {};
      const { [event.sessionId]: _, ...rest } = context.reserved;
      return { reserved: rest };
    }),
    clearLoan: assign({ loan: undefined, borrow: undefined }),
    // A margin call about our loan from its lender: answered at our next look (now, when servicing).
    // Anything else is refused with a typed error and a log line, and changes nothing.
    takeMarginCall: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "margin.call") return;
      const refused = checkMarginCall(event.from, event.call, context.loan);
      if (refused) {
        context.deps.log.warn("margin call refused", {
          code: refused.code,
          reason: refused.reason,
          from: event.from,
          agreementId: event.call.agreementId,
        });
        enqueue.emit({
          type: "report",
          what: "margin call refused",
          data: { from: event.from, agreementId: event.call.agreementId, reason: refused.reason },
        });
        return;
      }
      enqueue.assign({ loan: { ...context.loan!, called: true } });
      enqueue.emit({
        type: "report",
        what: "margin call received",
        data: { id: event.call.agreementId, health: event.call.health, amount: event.call.amount },
      });
    }),
    report: emit((_, p: { what: string; data: Record<string, unknown> }) => ({
      type: "report" as const,
      ...p,
    })),
    logError: ({ context }, p: { what: string; error: unknown }) =>
      context.deps.log.warn(p.what, { error: p.error instanceof Error ? p.error.message : String(p.error) }),
  },
});
