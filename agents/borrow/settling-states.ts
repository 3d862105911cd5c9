/**
 * The borrower's way from a signed agreement to a loan (agent-machine.ts, borrow region): settle it
 * (retrying a transient failure until the agreement's deadline), or, when our accept went
 * unconfirmed, withdraw our signature on chain and service the loan if the lender settled first.
 */
import { assign } from "xstate";
import { ArbiterRevertError } from "../../arbitration/errors-base.ts";
import { agentSetup } from "../agent-setup.ts";

const settling = agentSetup.createStateConfig({
  invoke: {
    src: "settleLoan",
    input: ({ context }) => ({ deps: context.deps, loan: context.loan! }),
    onDone: {
      target: "servicing",
      actions: [
        assign(({ context, event }) => ({
          loan: { ...context.loan!, id: event.output.id, settleTx: event.output.txHash },
        })),
        { type: "report", params: ({ event }) => ({ what: "settled", data: { ...event.output } }) },
      ],
    },
    onError: [
      {
        // A transient failure (node or KV unreachable) must not lose a signed agreement:
        // try again until its deadline passes.
        guard: "settlementRetryable",
        target: "awaitingSettlementRetry",
        actions: {
          type: "logError",
          params: ({ event }) => ({ what: "settlement failed, will retry", error: event.error }),
        },
      },
      {
        target: "idle",
        actions: [
          "clearLoan",
          {
            type: "logError",
            params: ({ event }) => ({ what: "settlement failed", error: event.error }),
          },
          {
            type: "report",
            params: ({ event }) => ({
              what: "settlement failed",
              // The contract's reason by name when it refused (what a report reader acts on).
              data: {
                error: String(event.error),
                ...(event.error instanceof ArbiterRevertError ? { reason: event.error.errorName } : {}),
              },
            }),
          },
        ],
      },
    ],
  },
});

const awaitingSettlementRetry = agentSetup.createStateConfig({ after: { settleRetry: "settling" } });

const withdrawing = agentSetup.createStateConfig({
  invoke: {
    src: "withdrawSignature",
    input: ({ context }) => ({ deps: context.deps, agreement: context.loan!.agreement }),
    onDone: [
      {
        guard: ({ event }) => event.output.status === "Active",
        target: "servicing",
        actions: [
          assign(({ context, event }) => ({ loan: { ...context.loan!, id: event.output.id } })),
          {
            type: "report",
            params: ({ event }) => ({ what: "settled by the lender", data: { ...event.output } }),
          },
        ],
      },
      {
        target: "idle",
        actions: [
          {
            type: "report",
            params: ({ event }) => ({ what: "signature withdrawn", data: { ...event.output } }),
          },
          "clearLoan",
        ],
      },
    ],
    onError: [
      {
        guard: "withdrawRetryable",
        target: "awaitingWithdrawRetry",
        actions: {
          type: "logError",
          params: ({ event }) => ({
            what: "withdrawing a signature failed, will retry",
            error: event.error,
          }),
        },
      },
      {
        target: "idle",
        actions: [
          "clearLoan",
          {
            type: "logError",
            params: ({ event }) => ({ what: "withdrawing a signature failed", error: event.error }),
          },
        ],
      },
    ],
  },
});

const awaitingWithdrawRetry = agentSetup.createStateConfig({ after: { settleRetry: "withdrawing" } });

/** settling → servicing, or withdrawing → servicing / idle. */
export const settlingStates = { settling, awaitingSettlementRetry, withdrawing, awaitingWithdrawRetry };
