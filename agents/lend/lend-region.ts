/**
 * The lend region of the agent machine (agent-machine.ts): answer RFQs (lend/rfq-decision.ts),
 * service each signed loan in its own machine (loans/lender-loan-machine.ts), pass its margin calls
 * to the host and report its liquidations, and release reserved principal once a loan settles (its
 * principal has left) or ends unsettled.
 */
import { assign, emit } from "xstate";
import { agentSetup } from "../agent-setup.ts";

export const lendRegion = agentSetup.createStateConfig({
  on: {
    "rfq.received": { actions: "considerRfq" },
    "resume.lending": {
      actions: assign(({ context, event }) => ({
        reserved: { ...context.reserved, [event.sessionId]: event.principal },
      })),
    },
    "session.finished": [
      {
        guard: ({ event }) => event.side === "lender" && event.outcome.status !== "failed",
        actions: "serviceSignedLoan",
      },
      { guard: ({ event }) => event.side === "lender", actions: "releaseReservation" },
    ],
    "loan.marginCall": {
      actions: [
        emit(({ event }) => ({
          type: "effect.marginCall" as const,
          to: event.borrower,
          call: event.call,
        })),
        {
          type: "report",
          params: ({ event }) => ({
            what: "margin call sent",
            data: {
              id: event.call.agreementId,
              to: event.borrower,
              health: event.call.health,
              amount: event.call.amount,
              deadline: event.call.deadline,
            },
          }),
        },
      ],
    },
    // Settled: the principal left our cash (the state with it gone comes along), so it is no longer
    // reserved; counting it in both would promise less than we hold.
    "loan.lent": {
      actions: [
        "releaseReservation",
        { type: "recordState", params: ({ event }) => event.state },
        {
          type: "report",
          params: ({ event }) => ({ what: "lent", data: { sessionId: event.sessionId, id: event.id } }),
        },
      ],
    },
    "loan.liquidated": {
      actions: {
        type: "report",
        params: ({ event }) => {
          const { type: _, ...data } = event;
          return { what: "loan liquidated", data };
        },
      },
    },
    "loan.closed": {
      actions: [
        "releaseReservation",
        emit(({ event }) => ({
          type: "effect.loanClosed" as const,
          sessionId: event.sessionId,
          id: event.id,
          status: event.status,
          agreement: event.agreement,
        })),
        {
          type: "report",
          params: ({ event }) => ({
            what: "loan closed",
            data: { sessionId: event.sessionId, id: event.id, status: event.status },
          }),
        },
      ],
    },
  },
});
