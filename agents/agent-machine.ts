/**
 * The lifecycle of one protocol's agent, as two parallel regions:
 *
 *   borrow: observing → (short?) requesting (RFQ auction) → negotiating → settling → servicing → repaying
 *                └──(not short)──▶ idle ──poll──▶ observing    └─(our accept unconfirmed)─▶ withdrawing
 *                                                                  (cancel our signature; servicing if the lender settled first)
 *   lend:   on each RFQ, if the policy will lend, open a lender session (a sealed-bid RFQ: place one
 *           sealed bid); when a session or bid ends signed, service the loan (wait for settlement
 *           on-chain, then for repayment).
 *
 * Negotiation sessions run as their own actors (negotiation/protocols); the host (agent.ts) routes
 * messages to them and reports outcomes here. Effects leave the machine as emitted events; I/O
 * (snapshots, chain transactions) runs in invoked actors.
 *
 * This file draws the chart; its parts live by idea: agent-events.ts (deps, events, effects,
 * context), agent-setup.ts (actors, guards, actions), borrow/ (the borrower's I/O actors, its pure
 * decisions in borrow-outcome.ts, the settling and servicing states), lend/ (the pure RFQ decision
 * and the lend region), loans/ (a lender's loan machine, margins and margin calls).
 */
import { agentSetup } from "./agent-setup.ts";
import { servicingStates } from "./borrow/servicing-states.ts";
import { settlingStates } from "./borrow/settling-states.ts";
import { lendRegion } from "./lend/lend-region.ts";

export type { AgentContext, AgentDeps, AgentEffect, AgentEvent } from "./agent-events.ts";
export { observer, repayLoan, settleLoan, withdrawSignature } from "./borrow/borrow-actors.ts";

export const agentMachine = agentSetup.createMachine({
  id: "agent",
  type: "parallel",
  context: ({ input }) => ({
    deps: input,
    state: undefined,
    borrow: undefined,
    loan: undefined,
    reserved: {},
    resumed: input.awaitResume !== true,
    observeSeq: 0,
  }),
  states: {
    borrow: {
      initial: "observing",
      invoke: { id: "observer", src: "observer", input: ({ context }) => context.deps },
      on: {
        "resume.done": { actions: "markResumed" },
        "resume.loan": { target: ".settling", actions: "recordResumedLoan" },
        "resume.unconfirmed": { target: ".withdrawing", actions: "recordUnconfirmed" },
        "resume.borrowing": { target: ".negotiating", actions: "recordResumedBorrowing" },
        "margin.call": { actions: "takeMarginCall" },
      },
      states: {
        observing: {
          entry: "requestObservation",
          on: {
            // Deciding on what was just seen: borrow if we may (resumed) and are short.
            observed: [
              {
                guard: ({ context, event }) =>
                  event.seq === context.observeSeq &&
                  context.resumed &&
                  context.deps.policy.borrowRequest(event.state) !== undefined,
                target: "requesting",
                actions: { type: "recordState", params: ({ event }) => event.state },
              },
              {
                guard: ({ context, event }) => event.seq === context.observeSeq,
                target: "idle",
                actions: { type: "recordState", params: ({ event }) => event.state },
              },
            ],
            "observer.failed": {
              guard: ({ context, event }) => event.seq === context.observeSeq,
              target: "idle",
              actions: {
                type: "logError",
                params: ({ event }) => ({ what: "snapshot failed", error: event.error }),
              },
            },
          },
        },
        idle: {
          after: { poll: "observing" },
          on: { tick: "observing", "resume.done": { target: "observing", actions: "markResumed" } },
        },
        requesting: {
          entry: ["startRequest", "openAuction"],
          always: "negotiating",
        },
        negotiating: {
          on: {
            "auction.finished": [
              { guard: "borrowAgreed", target: "settling", actions: "recordSignedLoan" },
              { guard: "borrowUnconfirmed", target: "withdrawing", actions: "recordUnconfirmed" },
              { guard: "borrowEnded", target: "idle", actions: "clearBorrow" },
            ],
            "session.finished": [
              { guard: "borrowAgreed", target: "settling", actions: "recordSignedLoan" },
              { guard: "borrowUnconfirmed", target: "withdrawing", actions: "recordUnconfirmed" },
              { guard: "borrowEnded", target: "idle", actions: "clearBorrow" },
            ],
          },
        },
        ...settlingStates,
        ...servicingStates,
      },
    },
    lend: lendRegion,
  },
});
