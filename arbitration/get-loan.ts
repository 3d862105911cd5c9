import type { Address, Hex } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { amountDue } from "../core/agreement.ts";
import type { ArbiterReadClients } from "./clients.ts";
import { type LoanStatus, loanStatuses } from "./types.ts";

export type GetLoanParameters = { clients: ArbiterReadClients; arbiter: Address; id: Hex };

export type Loan = {
  id: Hex;
  /** "None" when nothing was settled under `id` (every other field is then zero). */
  status: LoanStatus;
  lender: Address;
  borrower: Address;
  principalToken: Address;
  collateralToken: Address;
  principal: bigint;
  collateral: bigint;
  rateBps: number;
  /** Seconds. */
  tenor: number;
  /** Unix seconds: settlement time + tenor. */
  maturity: bigint;
  /** What repaying costs, computed as the contract does (core/agreement.ts amountDue). */
  amountDue: bigint;
};
export type GetLoanReturnType = Loan;

/** Reads a loan from the arbiter. Never throws for an unknown id: its status is "None". */
export async function getLoan(params: GetLoanParameters): Promise<GetLoanReturnType> {
  const { clients, arbiter, id } = params;
  const loan = await clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "getLoan",
    args: [id],
  });
  return {
    id,
    status: loanStatuses[loan.status] ?? "None",
    lender: loan.lender,
    borrower: loan.borrower,
    principalToken: loan.principalToken,
    collateralToken: loan.collateralToken,
    principal: loan.principal,
    collateral: loan.collateral,
    rateBps: loan.rateBps,
    tenor: loan.tenor,
    maturity: loan.maturity,
    amountDue: amountDue(loan),
  };
}
