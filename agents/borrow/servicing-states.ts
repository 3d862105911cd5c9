/**
 * The borrower servicing its loan (agent-machine.ts, borrow region): on each poll (or a margin call
 * from its lender, docs/PROTOCOL.md §11) it observes its protocol and the loan (topping a margined
 * loan up, noticing one liquidated in full or one whose default its lender claimed: then it is free
 * to borrow again), then repays once its policy can.
 */
import { enqueueActions } from "xstate";
import type { AgentContext } from "../agent-events.ts";
import { agentSetup } from "../agent-setup.ts";

const servicing = agentSetup.createStateConfig({
  after: { poll: "checkingRepayment" },
  on: {
    tick: "checkingRepayment",
    "margin.call": [
      { guard: "marginCallValid", target: "checkingRepayment", actions: "takeMarginCall" },
      { actions: "takeMarginCall" },
    ],
  },
});

/** The answer to our latest request to the observer. */
const latest = ({ context, event }: { context: AgentContext; event: { seq: number } }) =>
  event.seq === context.observeSeq;

const checkingRepayment = agentSetup.createStateConfig({
  entry: "requestLoanLook",
  on: {
    loanLooked: [
      {
        // Its lender claimed the escrow: nothing is owed, and we are free to borrow again.
        guard: ({ context, event }) => latest({ context, event }) && event.look.defaulted === true,
        target: "observing",
        actions: [
          { type: "recordState", params: ({ event }) => event.look.state },
          {
            type: "report",
            params: ({ context }) => ({
              what: "loan defaulted",
              data: { id: context.loan?.id, role: "borrower" },
            }),
          },
          "clearLoan",
        ],
      },
      {
        guard: ({ context, event }) => latest({ context, event }) && event.look.liquidated === true,
        target: "observing",
        actions: [
          { type: "recordState", params: ({ event }) => event.look.state },
          {
            type: "report",
            params: ({ context }) => ({
              what: "loan liquidated",
              data: { id: context.loan?.id, role: "borrower" },
            }),
          },
          "clearLoan",
        ],
      },
      {
        guard: latest,
        target: "decidingRepayment",
        actions: [
          { type: "recordState", params: ({ event }) => event.look.state },
          enqueueActions(({ context, event, enqueue }) => {
            const t = event.look.topUp;
            const loan = context.loan!;
            enqueue.assign({
              loan: { ...loan, called: false, toppedUp: (loan.toppedUp ?? 0n) + (t?.amount ?? 0n) },
            });
            if (!t) return;
            enqueue({
              type: "report",
              params: { what: "loan topped up", data: { id: context.loan?.id, ...t } },
            });
          }),
        ],
      },
    ],
    "observer.failed": { guard: latest, target: "servicing" },
  },
});

const decidingRepayment = agentSetup.createStateConfig({
  always: [{ guard: "canRepay", target: "repaying" }, { target: "servicing" }],
});

const repaying = agentSetup.createStateConfig({
  invoke: {
    src: "repayLoan",
    input: ({ context }) => ({ deps: context.deps, loan: context.loan! }),
    onDone: {
      target: "observing",
      actions: [
        {
          type: "report",
          params: ({ context, event }) => ({
            what: "repaid",
            data: { id: context.loan!.id, ...event.output },
          }),
        },
        "clearLoan",
      ],
    },
    onError: {
      target: "servicing",
      actions: {
        type: "logError",
        params: ({ event }) => ({ what: "repayment failed", error: event.error }),
      },
    },
  },
});

/** servicing → checkingRepayment → decidingRepayment → repaying → observing. */
export const servicingStates = { servicing, checkingRepayment, decidingRepayment, repaying };
