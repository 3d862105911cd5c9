/**
 * A lender's side of one signed agreement, as its own machine (spawned by the agent per loan):
 *
 *   awaitingSettlement ──Active/Repaid/Defaulted──▶ recordingLent ──▶ awaitingClose ──Repaid/Defaulted──▶ collecting ──▶ closed
 *        │ (None: poll again after `poll`; past the agreement's deadline ──▶ closed "expired")
 *   awaitingClose claims the default of a loan past maturity plus grace (not disputed) when the port
 *   can, then reads it Defaulted and collects. A margined loan's health is read on each poll and the
 *   loan liquidated once it is liquidatable (lender-margin.ts); the parent hears `loan.liquidated`.
 *   In the warning band above that, the parent hears `loan.marginCall` (at most one per call
 *   deadline, margin-call.ts) and sends the borrower that call. Once recordingLent has told the
 *   adapter, the parent hears `loan.lent` (its reservation of the principal ends).
 *
 * Every wait is an xstate delay (`poll`), so a SimulatedClock drives it in tests; I/O (status reads,
 * adapter calls) runs in invoked actors: promise actors for the one-off steps, and one `reader`
 * for the loan's life for the read on each poll. On `closed` it sends `loan.closed` to its parent.
 * Restart: a restarted agent spawns it again from its agreement record; it starts by reading the
 * loan's status, so nothing is applied twice except `loan.lent`, which adapters treat as idempotent
 * per agreement id.
 */
import type { Address, Hex } from "viem";
import { assign, enqueueActions, fromCallback, fromPromise, sendParent, setup } from "xstate";
import { type Agreement, amountDue } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import type { MarginCallBody } from "../../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import { collectCredits } from "../collect-credits.ts";
import type { Liquidation, LoanStatus, SettlementPort } from "../settlement-port.ts";
import { watchLentMargin } from "./lender-margin.ts";
import { planMarginCall } from "./margin-call.ts";

export type LenderLoanInput = {
  sessionId: Hex;
  agreement: Agreement;
  /** The agreement's on-chain id. */
  id: Hex;
  settlement: SettlementPort;
  adapter: ProtocolAdapter;
  nowSec: () => bigint;
  pollMs: number;
  log: Logger;
  /** Call loans whose callRiskLevel the on-chain risk level reaches (default false). */
  callLoans?: boolean;
  /** Seconds a borrower gets to answer a margin call (default DEFAULT_MARGIN_CALL_SECONDS). */
  marginCallSeconds?: bigint;
};

export type LenderLoanClosed = {
  type: "loan.closed";
  sessionId: Hex;
  id: Hex;
  status: LoanStatus | "expired";
  /** The loan's agreement: the policy judges what the lender lost on it (lender-loss.ts). */
  agreement: Agreement;
};

/** Sent to the parent once the loan is settled and the adapter told (`loan.lent`): the principal has
 *  left, so the parent's reservation for it ends. `state` is the protocol as seen after that, so the
 *  parent never counts the principal neither reserved nor gone from its cash. */
export type LenderLoanLent = { type: "loan.lent"; sessionId: Hex; id: Hex; state: ProtocolState };

/** Sent to the parent when this lender liquidated (part of) its margined loan. */
export type LenderLoanLiquidated = { type: "loan.liquidated"; sessionId: Hex; id: Hex } & Liquidation;

/** Sent to the parent to have it send the borrower a margin call (docs/PROTOCOL.md §11). */
export type LenderLoanMarginCall = { type: "loan.marginCall"; borrower: Address; call: MarginCallBody };

type OpenLoanRead = { status: LoanStatus; liquidation?: Liquidation; call?: MarginCallBody };

type Context = LenderLoanInput & {
  status: LoanStatus | "expired" | undefined;
  /** Our latest request to the reader. */
  readSeq: number;
  /** Deadline of the last margin call sent about this loan. */
  lastCallDeadline?: bigint;
};

const readStatus = fromPromise<LoanStatus, { settlement: SettlementPort; id: Hex }>(({ input }) =>
  input.settlement.status(input.id),
);

/** The contract's GRACE_PERIOD (LiquidityArbiter.sol): a default is claimable after maturity + this. */
export const GRACE_PERIOD_SEC = 86_400n;

/** Calls a loan not yet due whose callRiskLevel the on-chain risk level reaches, when the agent
 *  calls loans (`callLoans`) and the port can. True if it called. */
async function callIfAllowed(input: Context, maturity: bigint): Promise<boolean> {
  const { settlement, agreement } = input;
  const level = agreement.callRiskLevel ?? 0;
  if (!input.callLoans || level === 0 || !settlement.riskLevel || !settlement.callLoan) return false;
  if (maturity <= input.nowSec() || (await settlement.riskLevel()) < level) return false;
  try {
    await settlement.callLoan({ agreement });
    input.log.info("loan called", { id: input.id, callRiskLevel: level });
    return true;
  } catch (err) {
    input.log.warn("calling a loan failed", { id: input.id, error: String(err) });
    return false;
  }
}

/** An active loan's status, after liquidating it if it is margined and liquidatable, and claiming
 *  its default when it is past maturity plus grace, not disputed, and the port can (a port without
 *  `loan`/`claimDefault` only reads the status). A claim the contract refuses (a repayment or
 *  dispute raced it) is logged and the loan read again. */
async function readOpenLoan(input: Context): Promise<OpenLoanRead> {
  const { settlement } = input;
  const status = await settlement.status(input.id);
  if (status !== "Active") return { status };
  const margin = await watchLentMargin(input);
  if (margin && "liquidation" in margin) {
    const { liquidation } = margin;
    await recordLiquidation(input, liquidation);
    return { status: await settlement.status(input.id), liquidation };
  }
  const call =
    margin &&
    planMarginCall({
      decision: margin.ask.decision,
      health: margin.ask.health,
      agreement: input.agreement,
      id: input.id,
      nowSec: input.nowSec(),
      lastDeadline: input.lastCallDeadline,
      ...(input.marginCallSeconds === undefined ? {} : { callSeconds: input.marginCallSeconds }),
    });
  if (call) return { status, call };
  if (!settlement.loan || !settlement.claimDefault) return { status };
  const loan = await settlement.loan(input.id);
  if (await callIfAllowed(input, loan.maturity)) return { status: await settlement.status(input.id) };
  if (loan.disputed || input.nowSec() <= loan.maturity + GRACE_PERIOD_SEC) return { status };
  try {
    await settlement.claimDefault({ agreement: input.agreement });
    input.log.info("default claimed", { id: input.id });
  } catch (err) {
    input.log.warn("claiming a default failed", { id: input.id, error: String(err) });
  }
  return { status: await settlement.status(input.id) };
}

/** Tells the adapter what our liquidation did: the receivable fell by `repaid` (we paid it to
 *  ourselves, as the loan's lender) and `seized` collateral arrived. A refusal is logged: the
 *  chain has moved, and the adapter hears of the loan again when it closes. */
async function recordLiquidation(input: Context, l: Liquidation): Promise<void> {
  const a = input.agreement;
  try {
    await input.adapter.apply({
      type: "loan.liquidate",
      agreementId: input.id,
      token: a.principalToken,
      repaid: l.repaid,
      collateralToken: a.collateralToken,
      seized: l.seized,
      outstanding: l.outstanding,
    });
  } catch (err) {
    input.log.warn("recording a liquidation failed", { id: input.id, error: String(err) });
  }
}

type ReadRequest = { type: "read"; seq: number; loan: Context };
type ReadAnswer =
  | { type: "read.done"; seq: number; output: OpenLoanRead }
  | { type: "read.failed"; seq: number; error: unknown };

/** Reads the open loan on each poll (readOpenLoan), one actor for the loan's life: an actor invoked
 *  per poll would do the same, at the cost of creating one each time. Answers carry the request's
 *  `seq`; only the latest request's counts. */
const reader = fromCallback<ReadRequest, undefined, ReadAnswer>(({ receive, sendBack }) => {
  receive(({ seq, loan }) => {
    readOpenLoan(loan).then(
      (output) => sendBack({ type: "read.done", seq, output }),
      (error: unknown) => sendBack({ type: "read.failed", seq, error }),
    );
  });
});

/** Tells the adapter the principal left, then looks at the protocol again (its cash without it). */
const recordLent = fromPromise<ProtocolState, Context>(async ({ input }) => {
  const a = input.agreement;
  await input.adapter.apply({
    type: "loan.lent",
    agreementId: input.id,
    token: a.principalToken,
    principal: a.principal,
    amountDue: amountDue(a),
  });
  return input.adapter.snapshot();
});

/** Withdraws what the token refused to pay us directly, then tells the adapter of a repayment. */
const collect = fromPromise<void, Context>(async ({ input }) => {
  const a = input.agreement;
  await collectCredits({
    settlement: input.settlement,
    tokens: [a.principalToken, a.collateralToken],
    log: input.log,
  });
  if (input.status !== "Repaid") return;
  await input.adapter.apply({
    type: "loan.repaid",
    agreementId: input.id,
    role: "lender",
    token: a.principalToken,
    amountDue: amountDue(a),
    collateralToken: a.collateralToken,
    collateral: a.collateral,
  });
});

const statusInput = ({ context }: { context: Context }) => ({
  settlement: context.settlement,
  id: context.id,
});
const logError =
  (what: string) =>
  ({ context, event }: { context: Context; event: { error?: unknown } }) =>
    context.log.warn(what, { id: context.id, error: String(event.error) });

export const lenderLoanMachine = setup({
  types: { context: {} as Context, input: {} as LenderLoanInput, events: {} as ReadAnswer },
  actors: { readStatus, reader, recordLent, collect },
  delays: { poll: ({ context }) => context.pollMs },
  guards: {
    pastDeadline: ({ context }) => context.nowSec() > context.agreement.deadline,
  },
  actions: {
    setStatus: assign({ status: (_, status: LoanStatus | "expired") => status }),
    reportLiquidation: enqueueActions(({ context, event, enqueue }) => {
      const liquidation = (event as { output?: OpenLoanRead }).output?.liquidation;
      if (!liquidation) return;
      const e: LenderLoanLiquidated = {
        type: "loan.liquidated",
        sessionId: context.sessionId,
        id: context.id,
        ...liquidation,
      };
      enqueue.sendParent(e);
    }),
    sendMarginCall: enqueueActions(({ context, event, enqueue }) => {
      const call = (event as { output?: OpenLoanRead }).output?.call;
      if (!call) return;
      enqueue.assign({ lastCallDeadline: call.deadline });
      const e: LenderLoanMarginCall = { type: "loan.marginCall", borrower: context.agreement.borrower, call };
      enqueue.sendParent(e);
    }),
  },
}).createMachine({
  id: "lenderLoan",
  context: ({ input }) => ({ ...input, status: undefined, readSeq: 0 }),
  invoke: { id: "reader", src: "reader" },
  initial: "awaitingSettlement",
  states: {
    awaitingSettlement: {
      invoke: {
        src: "readStatus",
        input: statusInput,
        onDone: [
          { guard: ({ event }) => event.output !== "None", target: "recordingLent" },
          { guard: "pastDeadline", target: "closed", actions: { type: "setStatus", params: "expired" } },
          { target: "waitingSettlement" },
        ],
        onError: { target: "waitingSettlement", actions: logError("loan status read failed") },
      },
    },
    waitingSettlement: { after: { poll: "awaitingSettlement" } },
    recordingLent: {
      invoke: {
        src: "recordLent",
        input: ({ context }) => context,
        onDone: {
          target: "awaitingClose",
          actions: sendParent(
            ({ context, event }): LenderLoanLent => ({
              type: "loan.lent",
              sessionId: context.sessionId,
              id: context.id,
              state: event.output,
            }),
          ),
        },
        onError: { target: "failed", actions: logError("recording a lent loan failed") },
      },
    },
    awaitingClose: {
      entry: enqueueActions(({ context, enqueue }) => {
        const seq = context.readSeq + 1;
        enqueue.assign({ readSeq: seq });
        enqueue.sendTo("reader", { type: "read", seq, loan: { ...context, readSeq: seq } });
      }),
      on: {
        "read.done": [
          {
            guard: ({ context, event }) =>
              event.seq === context.readSeq &&
              event.output.status !== "Active" &&
              event.output.status !== "None",
            target: "collecting",
            actions: [{ type: "setStatus", params: ({ event }) => event.output.status }, "reportLiquidation"],
          },
          {
            guard: ({ context, event }) => event.seq === context.readSeq,
            target: "waitingClose",
            actions: ["reportLiquidation", "sendMarginCall"],
          },
        ],
        "read.failed": {
          guard: ({ context, event }) => event.seq === context.readSeq,
          target: "waitingClose",
          actions: logError("loan status read failed"),
        },
      },
    },
    waitingClose: { after: { poll: "awaitingClose" } },
    collecting: {
      invoke: {
        src: "collect",
        input: ({ context }) => context,
        onDone: "closed",
        onError: { target: "failed", actions: logError("collecting a closed loan failed") },
      },
    },
    /** The adapter refused: logged, and the loan stays open in the durable record (a restart retries). */
    failed: { type: "final" },
    closed: {
      type: "final",
      entry: sendParent(
        ({ context }): LenderLoanClosed => ({
          type: "loan.closed",
          sessionId: context.sessionId,
          id: context.id,
          status: context.status ?? "expired",
          agreement: context.agreement,
        }),
      ),
    },
  },
});
