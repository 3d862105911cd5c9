import type { Address, Hex } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { type Agreement, amountDue } from "../core/agreement.ts";
import type { ArbiterReadClients } from "./clients.ts";
import { toContractAgreement } from "./internal/agreement.ts";
import { type LoanStatus, loanStatuses } from "./types.ts";

export type GetLoanParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  id: Hex;
  /** The loan's agreement: adds what is owed and escrowed (the contract stores no terms). */
  agreement?: Agreement | undefined;
};

export type Loan = {
  id: Hex;
  /** "None" when nothing was settled under `id` (every other field is then zero); "Cancelled" when a
   *  party withdrew its signature before settlement. */
  status: LoanStatus;
  /** A dispute is open. */
  disputed: boolean;
  /** Unix seconds: settlement time + tenor, or the call time if the lender called the loan. */
  maturity: bigint;
  /** Repaid so far. */
  paid: bigint;
  /** The dispute parameter set the loan got at settlement (getArbiterConfig / disputeParams). */
  paramSet: number;
  /** The principal token's minimum bond at settlement. */
  bondFloor: bigint;
};
export type LoanWithTerms = Loan & {
  agreement: Agreement;
  amountDue: bigint;
  /** Still owed (0 once closed). */
  outstanding: bigint;
  /** Collateral still in escrow (0 once closed). */
  escrowed: bigint;
};
export type GetLoanReturnType<withTerms extends boolean = false> = withTerms extends true
  ? LoanWithTerms
  : Loan;

/** Reads a loan. Never throws for an unknown id: its status is "None". */
export async function getLoan(params: GetLoanParameters & { agreement: Agreement }): Promise<LoanWithTerms>;
export async function getLoan(params: GetLoanParameters): Promise<Loan>;
export async function getLoan(params: GetLoanParameters): Promise<Loan | LoanWithTerms> {
  const { clients, arbiter, id, agreement } = params;
  const loan = await clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "getLoan",
    args: [id],
  });
  const state: Loan = {
    id,
    status: loanStatuses[loan.status] ?? "None",
    disputed: loan.disputed,
    maturity: loan.maturity,
    paid: loan.paid,
    paramSet: loan.paramSet,
    bondFloor: loan.bondFloor,
  };
  if (!agreement) return state;
  const [outstanding, escrowed] =
    state.status === "None" || state.status === "Cancelled"
      ? [0n, 0n]
      : await clients.public.readContract({
          address: arbiter,
          abi: liquidityArbiterAbi,
          functionName: "outstanding",
          args: [toContractAgreement(agreement)],
        });
  return { ...state, agreement, amountDue: amountDue(agreement), outstanding, escrowed };
}
