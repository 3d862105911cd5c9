/**
 * The lifecycle of one protocol's agent, as two parallel regions:
 *
 *   borrow: observing → deciding → (short?) requesting (RFQ auction) → negotiating → settling → servicing → repaying
 *                └──(not short)──▶ idle ──poll──▶ observing      └─(our accept unconfirmed)─▶ withdrawing
 *                                                                  (cancel our signature; servicing if the lender settled first)
 *   lend:   on each RFQ, if the policy will lend, open a lender session (a sealed-bid RFQ: place one
 *           sealed bid); when a session or bid ends signed, service the loan (wait for settlement
 *           on-chain, then for repayment).
 *
 * Negotiation sessions run as their own actors (negotiation/protocols); the host (agent.ts) routes
 * messages to them and reports outcomes here. Effects leave the machine as emitted events; I/O
 * (snapshots, chain transactions) runs in invoked actors.
 */
import type { Address, Hex } from "viem";
import { and, assign, emit, enqueueActions, fromPromise, setup } from "xstate";
import { ArbiterRevertError } from "../arbitration/errors.ts";
import { type Agreement, amountDue } from "../core/agreement.ts";
import type { Logger } from "../core/log.ts";
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import type { RfqAuctionOutcome } from "../negotiation/protocols/rfq-auction.ts";
import { sealedAuctionOf } from "../negotiation/protocols/sealed-bid-messages.ts";
import type { Side, Strategy, Terms } from "../negotiation/strategies/strategy.ts";
import type { MarginCallBody, RfqBody } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import { collectCredits } from "./collect-credits.ts";
import { SettlementClaimedElsewhereError } from "./durable-settlement.ts";
import { observeServicing } from "./loans/borrower-margin.ts";
import {
  type LenderLoanLiquidated,
  type LenderLoanMarginCall,
  lenderLoanMachine,
} from "./loans/lender-loan-machine.ts";
import { checkMarginCall } from "./loans/margin-call.ts";
import type { LoanStatus, SettlementPort } from "./settlement-port.ts";

export type AgentDeps = {
  address: Address;
  adapter: ProtocolAdapter;
  settlement: SettlementPort;
  policy: AgentPolicy;
  /** How often the agent looks at its protocol, ms. */
  pollMs: number;
  newSessionId: () => Hex;
  /** The on-chain id of an agreement (its EIP-712 digest). */
  agreementId: (agreement: Agreement) => Hex;
  /** Unix seconds on the settlement chain's clock. */
  nowSec: () => bigint;
  log: Logger;
  /** Do not start borrowing until `resume.done` (it observes and lends meanwhile): a restarted
   *  agent first picks up the borrowing it had under way (a loan, a session, an auction), so that
   *  it does not open a second one beside it. */
  awaitResume?: boolean;
  /** As lender, call loans whose callRiskLevel the on-chain risk level reaches (the agents'
   *  quorum posted an alert). Default false. */
  callLoans?: boolean;
};

export type AgentEvent =
  | { type: "tick" }
  | { type: "rfq.received"; from: Address; sessionId: Hex; rfq: RfqBody }
  | { type: "auction.finished"; sessionId: Hex; outcome: RfqAuctionOutcome }
  | { type: "session.finished"; side: Side; sessionId: Hex; peer: Address; outcome: SessionOutcome }
  | { type: "loan.closed"; sessionId: Hex; id: Hex; status: LoanStatus | "expired" }
  | LenderLoanLiquidated
  | LenderLoanMarginCall
  /** A margin call (docs/PROTOCOL.md §11) arrived from `from`, valid on the wire. */
  | { type: "margin.call"; from: Address; call: MarginCallBody }
  /** A restarted agent found a signed loan of its own, not known to be settled. */
  | { type: "resume.loan"; agreement: Agreement; lenderSignature: Hex; borrowerSignature: Hex }
  /** A restarted agent had signed an agreement as borrower that its lender never confirmed. */
  | { type: "resume.unconfirmed"; agreement: Agreement; mySignature: Hex }
  /** A restarted agent reopened its borrowing: a session with `lender`, or (no lender) its auction. */
  | { type: "resume.borrowing"; sessionId: Hex; rfq: RfqBody; lender?: Address }
  /** A restarted agent has resumed what it had under way: it may start borrowing. */
  | { type: "resume.done" }
  /** A restarted agent reopened a lending session: its principal stays reserved. */
  | { type: "resume.lending"; sessionId: Hex; principal: bigint };

/** What the agent asks its host to do, and what it reports. */
export type AgentEffect =
  /** Broadcast this RFQ and negotiate with every lender that answers, closing with the best. */
  | { type: "effect.openAuction"; sessionId: Hex; rfq: RfqBody; strategyFor: () => Strategy }
  | {
      type: "effect.openSession";
      side: Side;
      sessionId: Hex;
      peer: Address;
      rfq: RfqBody;
      strategy: Strategy;
    }
  /** Commit to this sealed bid on a sealed-bid RFQ (reveal it after the commit deadline). Its end
   *  comes back as a lender `session.finished`. */
  | { type: "effect.placeSealedBid"; sessionId: Hex; peer: Address; rfq: RfqBody; terms: Terms }
  /** A loan we lent ended (repaid, defaulted, or never settled before its deadline): its durable
   *  record closes. Typed, so that durable writes never hang on a report's wording. */
  | { type: "effect.loanClosed"; sessionId: Hex; id: Hex; status: LoanStatus | "expired" }
  /** Send this margin call to the borrower of a loan we lent. */
  | { type: "effect.marginCall"; to: Address; call: MarginCallBody }
  | { type: "report"; what: string; data: Record<string, unknown> };

type BorrowContext = {
  sessionId: Hex;
  rfq: RfqBody;
  /** Set when borrowing resumed from a journaled bilateral session with this lender (not set for
   *  an auction). */
  lender?: Address;
};

/** The borrower's current loan: signed, then settled (id and tx known). A loan the lender settled
 *  after our accept went unconfirmed comes without the lender's signature (we never got it). */
type Loan = {
  agreement: Agreement;
  lenderSignature?: Hex;
  borrowerSignature?: Hex;
  id?: Hex;
  settleTx?: Hex;
  /** Collateral we added to its escrow since settlement (margined loans). */
  toppedUp?: bigint;
  /** Its lender's margin call waits for our next look at the loan. */
  called?: boolean;
};

type Context = {
  deps: AgentDeps;
  state: ProtocolState | undefined;
  borrow: BorrowContext | undefined;
  loan: Loan | undefined;
  /** Principal promised in open lender sessions and unsettled agreements, by session id. */
  reserved: Record<Hex, bigint>;
  /** False until `resume.done` when the agent was told to await it. */
  resumed: boolean;
};

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

export const observe = fromPromise<ProtocolState, { adapter: ProtocolAdapter }>(({ input }) =>
  input.adapter.snapshot(),
);

export const settleLoan = fromPromise<{ id: Hex; txHash: Hex }, { deps: AgentDeps; loan: Loan }>(
  async ({ input: { deps, loan } }) => {
    const { agreement, lenderSignature, borrowerSignature } = loan;
    if (!lenderSignature || !borrowerSignature) throw new Error("cannot settle without both signatures");
    const result = await deps.settlement.settle({ agreement, lenderSignature, borrowerSignature });
    await applyBorrowed(deps, agreement, result.id);
    return result;
  },
);

async function applyBorrowed(deps: AgentDeps, agreement: Agreement, id: Hex): Promise<void> {
  await deps.adapter.apply({
    type: "loan.borrowed",
    agreementId: id,
    token: agreement.principalToken,
    principal: agreement.principal,
    collateralToken: agreement.collateralToken,
    collateral: agreement.collateral,
    amountDue: amountDue(agreement),
  });
}

/** Our accept went unconfirmed: the lender holds both signatures and could still settle until the
 *  agreement's deadline, leaving us a loan we do not know of. Cancel our signature on-chain, then
 *  look: if the lender settled first, the loan is ours to service; otherwise it can never settle
 *  and we are free to borrow elsewhere. */
export const withdrawSignature = fromPromise<
  { id: Hex; status: LoanStatus },
  { deps: AgentDeps; agreement: Agreement }
>(async ({ input: { deps, agreement } }) => {
  const id = deps.agreementId(agreement);
  // Past its deadline the contract refuses it anyway.
  if (deps.nowSec() <= agreement.deadline) await deps.settlement.withdraw({ agreement });
  const status = await deps.settlement.status(id);
  if (status === "Active") await applyBorrowed(deps, agreement, id);
  return { id, status };
});

export const repayLoan = fromPromise<{ txHash: Hex }, { deps: AgentDeps; loan: Loan }>(async ({ input }) => {
  const { deps, loan } = input;
  const id = loan.id ?? deps.agreementId(loan.agreement);
  const a = loan.agreement;
  const collateral = await escrowOf(deps, loan);
  const result = await deps.settlement.repay({ id, agreement: a });
  // Collateral the token refused to return to us directly is credited: withdraw it.
  await collectCredits({ settlement: deps.settlement, tokens: [a.collateralToken], log: deps.log });
  await deps.adapter.apply({
    type: "loan.repaid",
    agreementId: id,
    role: "borrower",
    token: a.principalToken,
    amountDue: amountDue(a),
    collateralToken: a.collateralToken,
    collateral,
  });
  return result;
});

/** The collateral a repayment returns: the margined escrow as the contract holds it (after top-ups
 *  and partial liquidations), else what we posted plus our top-ups. */
async function escrowOf(deps: AgentDeps, loan: Loan): Promise<bigint> {
  const posted = loan.agreement.collateral + (loan.toppedUp ?? 0n);
  if (!(loan.agreement.liquidationThresholdBps ?? 0) || !deps.settlement.loanHealth) return posted;
  try {
    return (await deps.settlement.loanHealth({ agreement: loan.agreement })).escrowed;
  } catch {
    return posted;
  }
}

/** The current loan's agreement can still settle (its deadline has not passed). */
const beforeLoanDeadline = (context: Context): boolean => {
  const a = context.loan?.agreement;
  return a !== undefined && context.deps.nowSec() <= a.deadline;
};

export const agentMachine = setup({
  types: {
    context: {} as Context,
    input: {} as AgentDeps,
    events: {} as AgentEvent,
    emitted: {} as AgentEffect,
  },
  actors: {
    observe,
    observeServicing,
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
    mayBorrow: ({ context }) => context.resumed,
    marginCallValid: ({ context, event }) =>
      event.type === "margin.call" && checkMarginCall(event.from, event.call, context.loan) === undefined,
    isShort: ({ context }) =>
      context.state !== undefined && context.deps.policy.borrowRequest(context.state) !== undefined,
    // A borrower's negotiation ends either as an RFQ auction or, after a restart, as a resumed
    // bilateral session.
    borrowAgreed: ({ context, event }) =>
      (event.type === "auction.finished" ||
        (event.type === "session.finished" && event.side === "borrower")) &&
      event.sessionId === context.borrow?.sessionId &&
      event.outcome.status === "agreed",
    borrowUnconfirmed: ({ context, event }) =>
      (event.type === "auction.finished" ||
        (event.type === "session.finished" && event.side === "borrower")) &&
      event.sessionId === context.borrow?.sessionId &&
      event.outcome.status === "unconfirmed",
    withdrawRetryable: ({ context }) => beforeLoanDeadline(context),
    borrowEnded: ({ context, event }) =>
      (event.type === "auction.finished" ||
        (event.type === "session.finished" && event.side === "borrower")) &&
      event.sessionId === context.borrow?.sessionId,
    settlementRetryable: ({ context, event }) => {
      const error = (event as { error?: unknown }).error;
      // The contract said no, or another process of ours holds the claim: retrying cannot help.
      if (error instanceof ArbiterRevertError || error instanceof SettlementClaimedElsewhereError)
        return false;
      return beforeLoanDeadline(context);
    },
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
      if (event.type === "resume.unconfirmed")
        return { loan: { agreement: event.agreement, borrowerSignature: event.mySignature } };
      if (
        (event.type === "session.finished" || event.type === "auction.finished") &&
        event.outcome.status === "unconfirmed"
      )
        return { loan: { agreement: event.outcome.agreement, borrowerSignature: event.outcome.mySignature } };
      return {};
    }),
    markResumed: assign({ resumed: true }),
    recordSignedLoan: assign(({ event }) =>
      (event.type === "session.finished" || event.type === "auction.finished") &&
      event.outcome.status === "agreed"
        ? {
            loan: {
              agreement: event.outcome.agreement,
              lenderSignature: event.outcome.lenderSignature,
              borrowerSignature: event.outcome.borrowerSignature,
            },
          }
        : {},
    ),
    // Lend if the policy offers a strategy (a sealed RFQ: a sealed bid); reserve the principal so
    // parallel RFQs cannot promise the same cash twice.
    considerRfq: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "rfq.received") return;
      const s = context.state;
      const eligible =
        s && event.from !== context.deps.address && context.reserved[event.sessionId] === undefined;
      const reserved = sum(Object.values(context.reserved));
      const policy = context.deps.policy;
      if (sealedAuctionOf(event.rfq)) {
        // A sealed auction is answered with a sealed bid or not at all: an open offer would reveal
        // our price to a borrower that promised lenders secrecy.
        const terms = eligible ? policy.sealedBid?.(s, event.rfq, reserved) : undefined;
        if (!terms) {
          enqueue.emit({
            type: "report",
            what: "rfq declined",
            data: { sessionId: event.sessionId, from: event.from, sealed: true },
          });
          return;
        }
        enqueue.assign({ reserved: { ...context.reserved, [event.sessionId]: event.rfq.principal } });
        enqueue.emit({
          type: "effect.placeSealedBid",
          sessionId: event.sessionId,
          peer: event.from,
          rfq: event.rfq,
          terms,
        });
        return;
      }
      const strategy = eligible ? policy.lenderStrategy(s, event.rfq, reserved) : undefined;
      if (!strategy) {
        enqueue.emit({
          type: "report",
          what: "rfq declined",
          data: { sessionId: event.sessionId, from: event.from },
        });
        return;
      }
      enqueue.assign({ reserved: { ...context.reserved, [event.sessionId]: event.rfq.principal } });
      enqueue.emit({
        type: "effect.openSession",
        side: "lender",
        sessionId: event.sessionId,
        peer: event.from,
        rfq: event.rfq,
        strategy,
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
}).createMachine({
  id: "agent",
  type: "parallel",
  context: ({ input }) => ({
    deps: input,
    state: undefined,
    borrow: undefined,
    loan: undefined,
    reserved: {},
    resumed: input.awaitResume !== true,
  }),
  states: {
    borrow: {
      initial: "observing",
      on: {
        "resume.done": { actions: "markResumed" },
        "resume.loan": { target: ".settling", actions: "recordResumedLoan" },
        "resume.unconfirmed": { target: ".withdrawing", actions: "recordUnconfirmed" },
        "resume.borrowing": { target: ".negotiating", actions: "recordResumedBorrowing" },
        "margin.call": { actions: "takeMarginCall" },
      },
      states: {
        observing: {
          invoke: {
            src: "observe",
            input: ({ context }) => ({ adapter: context.deps.adapter }),
            onDone: {
              target: "deciding",
              actions: { type: "recordState", params: ({ event }) => event.output },
            },
            onError: {
              target: "idle",
              actions: {
                type: "logError",
                params: ({ event }) => ({ what: "snapshot failed", error: event.error }),
              },
            },
          },
        },
        deciding: {
          always: [{ guard: and(["mayBorrow", "isShort"]), target: "requesting" }, { target: "idle" }],
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
        settling: {
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
                      data: { error: String(event.error) },
                    }),
                  },
                ],
              },
            ],
          },
        },
        awaitingSettlementRetry: { after: { settleRetry: "settling" } },
        withdrawing: {
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
        },
        awaitingWithdrawRetry: { after: { settleRetry: "withdrawing" } },
        servicing: {
          after: { poll: "checkingRepayment" },
          on: {
            tick: "checkingRepayment",
            "margin.call": [
              { guard: "marginCallValid", target: "checkingRepayment", actions: "takeMarginCall" },
              { actions: "takeMarginCall" },
            ],
          },
        },
        checkingRepayment: {
          invoke: {
            src: "observeServicing",
            input: ({ context }) => ({
              ...context.deps,
              agreement: context.loan!.agreement,
              id: context.loan!.id,
              called: context.loan!.called === true,
            }),
            onDone: [
              {
                guard: ({ event }) => event.output.liquidated === true,
                target: "observing",
                actions: [
                  { type: "recordState", params: ({ event }) => event.output.state },
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
                target: "decidingRepayment",
                actions: [
                  { type: "recordState", params: ({ event }) => event.output.state },
                  enqueueActions(({ context, event, enqueue }) => {
                    const t = event.output.topUp;
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
            onError: "servicing",
          },
        },
        decidingRepayment: { always: [{ guard: "canRepay", target: "repaying" }, { target: "servicing" }] },
        repaying: {
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
        },
      },
    },
    lend: {
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
    },
  },
});
