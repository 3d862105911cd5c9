/**
 * The borrower's I/O in the agent machine: observe the protocol and the loan it services (one
 * long-lived observer), and as promise actors settle a signed loan, withdraw an unconfirmed
 * signature, repay. Each tells the adapter what moved (loan.borrowed,
 * loan.repaid with the escrow the repayment returned).
 */
import type { Hex } from "viem";
import { fromCallback, fromPromise } from "xstate";
import { type Agreement, amountDue } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import type { AgentDeps, Loan } from "../agent-events.ts";
import { collectCredits } from "../collect-credits.ts";
import { type ServicingLook, servicingLook } from "../loans/borrower-margin.ts";
import type { LoanStatus, SettlementPort } from "../settlement-port.ts";

/** Asks the observer for a snapshot (`observe`) or for a look at the loan we service
 *  (`lookAtLoan`: loans/borrower-margin.ts servicingLook); its answer carries the same `seq`. */
export type ObserverRequest =
  | { type: "observe"; seq: number }
  | { type: "lookAtLoan"; seq: number; agreement: Agreement; id: Hex | undefined; called: boolean };
/** The observer's answer to request `seq`, or why there is none. */
export type ObserverAnswer =
  | { type: "observed"; seq: number; state: ProtocolState }
  | { type: "loanLooked"; seq: number; look: ServicingLook }
  | { type: "observer.failed"; seq: number; error: unknown };

/** The borrower's eyes on its protocol and its loan, one actor for the agent's life: each request
 *  is answered with its `seq` (the machine takes only the answer to its latest request). A promise
 *  actor per look would do the same, at the cost of creating an actor on each poll, which was most
 *  of an idle agent's poll. */
export const observer = fromCallback<
  ObserverRequest,
  { adapter: ProtocolAdapter; settlement: SettlementPort; log: Logger },
  ObserverAnswer
>(({ input, receive, sendBack }) => {
  receive((request) => {
    const { seq } = request;
    const failed = (error: unknown) => sendBack({ type: "observer.failed", seq, error });
    if (request.type === "observe") {
      input.adapter.snapshot().then((state) => sendBack({ type: "observed", seq, state }), failed);
      return;
    }
    const { agreement, id, called } = request;
    servicingLook({ ...input, agreement, id, called }).then(
      (look) => sendBack({ type: "loanLooked", seq, look }),
      failed,
    );
  });
});

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
