/**
 * Typed errors for arbiter calls. A revert of LiquidityArbiter (or of a token it calls) becomes one
 * of the classes below, each saying what was wrong and what to do; `code` is the Solidity error
 * name. Every class extends ArbiterRevertError, which keeps the decoded `errorName` and `args`.
 */
import {
  type Address,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hex,
  BaseError as ViemBaseError,
} from "viem";
import { testTokenAbi } from "../contracts/generated/TestToken.ts";
import { BaseError } from "../core/errors.ts";
import { type LoanStatus, loanStatuses } from "./types.ts";

export type ArbiterRevertErrorParameters = {
  errorName: string;
  args?: readonly unknown[] | undefined;
  metaMessages?: string[] | undefined;
  cause?: unknown;
};

/** A call to the arbiter reverted. Subclasses name the specific reason. */
export class ArbiterRevertError extends BaseError {
  override name = "ArbiterRevertError";
  override readonly code: string;
  /** Solidity error name, e.g. "Expired"; "Error" for require strings, "Panic" for panics. */
  readonly errorName: string;
  readonly args: readonly unknown[];

  constructor(shortMessage: string, params: ArbiterRevertErrorParameters) {
    super(shortMessage, { metaMessages: params.metaMessages, cause: params.cause });
    this.errorName = params.errorName;
    this.code = params.errorName;
    this.args = params.args ?? [];
  }
}

type Cause = { cause?: unknown };

export class ArbiterExpiredError extends ArbiterRevertError {
  override name = "ArbiterExpiredError";
  readonly deadline: bigint;
  constructor({ deadline, cause }: { deadline: bigint } & Cause) {
    const at = new Date(Number(deadline) * 1000).toISOString();
    super(`The agreement expired at ${at} (deadline ${deadline}) before it was settled.`, {
      errorName: "Expired",
      args: [deadline],
      metaMessages: [
        "Signed terms cannot be extended: renegotiate and sign a new agreement with a later deadline.",
      ],
      cause,
    });
    this.deadline = deadline;
  }
}

export class ArbiterInvalidSignatureError extends ArbiterRevertError {
  override name = "ArbiterInvalidSignatureError";
  readonly expectedSigner: Address;
  constructor({ expectedSigner, cause }: { expectedSigner: Address } & Cause) {
    super(`A signature is not ${expectedSigner}'s signature of this agreement.`, {
      errorName: "InvalidSignature",
      args: [expectedSigner],
      metaMessages: [
        "Check that both parties signed exactly these terms under this arbiter's EIP-712 domain (its address",
        "and chain id), and that the lender's and borrower's signatures are passed in their own slots.",
      ],
      cause,
    });
    this.expectedSigner = expectedSigner;
  }
}

export class ArbiterNotPartyError extends ArbiterRevertError {
  override name = "ArbiterNotPartyError";
  readonly caller: Address;
  constructor({ caller, cause }: { caller: Address } & Cause) {
    super(`Only the lender or the borrower may settle an agreement; ${caller} is neither.`, {
      errorName: "NotParty",
      args: [caller],
      metaMessages: ["Send the settle transaction from the lender's or the borrower's account."],
      cause,
    });
    this.caller = caller;
  }
}

export class ArbiterSelfLoanError extends ArbiterRevertError {
  override name = "ArbiterSelfLoanError";
  constructor({ cause }: Cause = {}) {
    super("Lender and borrower are the same address.", {
      errorName: "SelfLoan",
      metaMessages: ["An agreement needs two distinct parties."],
      cause,
    });
  }
}

export class ArbiterZeroPrincipalError extends ArbiterRevertError {
  override name = "ArbiterZeroPrincipalError";
  constructor({ cause }: Cause = {}) {
    super("The agreement's principal is zero.", {
      errorName: "ZeroPrincipal",
      metaMessages: ["Agree on a positive principal."],
      cause,
    });
  }
}

export class ArbiterAmountTooLargeError extends ArbiterRevertError {
  override name = "ArbiterAmountTooLargeError";
  constructor({ cause }: Cause = {}) {
    super("Principal or collateral exceeds 2^128 - 1 base units, the most the arbiter stores.", {
      errorName: "AmountTooLarge",
      metaMessages: ["Split the transfer into several agreements."],
      cause,
    });
  }
}

export class ArbiterNonceUsedError extends ArbiterRevertError {
  override name = "ArbiterNonceUsedError";
  readonly party: Address;
  readonly nonce: bigint;
  constructor({ party, nonce, cause }: { party: Address; nonce: bigint } & Cause) {
    super(`${party} has already used or cancelled nonce ${nonce}.`, {
      errorName: "NonceUsed",
      args: [party, nonce],
      metaMessages: [
        "The agreement was replaced, cancelled with invalidateNonce, or another agreement with this nonce was",
        "settled. Negotiate again and sign with a fresh nonce.",
      ],
      cause,
    });
    this.party = party;
    this.nonce = nonce;
  }
}

export class ArbiterAlreadySettledError extends ArbiterRevertError {
  override name = "ArbiterAlreadySettledError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`Agreement ${id} is already settled.`, {
      errorName: "AlreadySettled",
      args: [id],
      metaMessages: ["Nothing to do: the loan exists; read it with getLoan({ id })."],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterUnsupportedTokenError extends ArbiterRevertError {
  override name = "ArbiterUnsupportedTokenError";
  readonly token: Address;
  constructor({ token, cause }: { token: Address } & Cause) {
    super(
      `Collateral token ${token} delivered a different amount than transferred (fee-on-transfer or rebasing).`,
      {
        errorName: "UnsupportedToken",
        args: [token],
        metaMessages: [
          "The arbiter escrows only tokens that move exact amounts; agree on another collateral token.",
        ],
        cause,
      },
    );
    this.token = token;
  }
}

export class ArbiterUnknownAgreementError extends ArbiterRevertError {
  override name = "ArbiterUnknownAgreementError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`No loan was settled under id ${id}.`, {
      errorName: "UnknownAgreement",
      args: [id],
      metaMessages: [
        "The id is the agreement's EIP-712 digest, as returned by settle; check the arbiter address.",
      ],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterNotActiveError extends ArbiterRevertError {
  override name = "ArbiterNotActiveError";
  readonly id: Hex;
  readonly status: LoanStatus;
  constructor({ id, status, cause }: { id: Hex; status: LoanStatus } & Cause) {
    super(`Loan ${id} is ${status.toLowerCase()}, not active.`, {
      errorName: "NotActive",
      args: [id, status],
      metaMessages: ["A loan can be repaid or claimed only once."],
      cause,
    });
    this.id = id;
    this.status = status;
  }
}

export class ArbiterNotLenderError extends ArbiterRevertError {
  override name = "ArbiterNotLenderError";
  readonly caller: Address;
  constructor({ caller, cause }: { caller: Address } & Cause) {
    super(`Only the lender may claim a default; ${caller} is not the lender.`, {
      errorName: "NotLender",
      args: [caller],
      metaMessages: ["Send claimDefault from the lender's account."],
      cause,
    });
    this.caller = caller;
  }
}

export class ArbiterGracePeriodActiveError extends ArbiterRevertError {
  override name = "ArbiterGracePeriodActiveError";
  readonly claimableAfter: bigint;
  constructor({ claimableAfter, cause }: { claimableAfter: bigint } & Cause) {
    const at = new Date(Number(claimableAfter) * 1000).toISOString();
    super(`The loan is still within maturity plus grace; its collateral can be claimed after ${at}.`, {
      errorName: "GracePeriodActive",
      args: [claimableAfter],
      metaMessages: [`Retry once the chain time is past ${claimableAfter}.`],
      cause,
    });
    this.claimableAfter = claimableAfter;
  }
}

export class ArbiterInsufficientAllowanceError extends ArbiterRevertError {
  override name = "ArbiterInsufficientAllowanceError";
  readonly spender: Address;
  readonly allowance: bigint;
  readonly needed: bigint;
  constructor({
    spender,
    allowance,
    needed,
    cause,
  }: { spender: Address; allowance: bigint; needed: bigint } & Cause) {
    super(`Token allowance too low: ${spender} may spend ${allowance} but needs ${needed}.`, {
      errorName: "ERC20InsufficientAllowance",
      args: [spender, allowance, needed],
      metaMessages: [
        "The paying account (lender for the principal, borrower for collateral and repayment) must first",
        "approve the arbiter for the amount: approve({ clients, token, spender: arbiter, amount }).",
      ],
      cause,
    });
    this.spender = spender;
    this.allowance = allowance;
    this.needed = needed;
  }
}

export class ArbiterInsufficientBalanceError extends ArbiterRevertError {
  override name = "ArbiterInsufficientBalanceError";
  readonly sender: Address;
  readonly balance: bigint;
  readonly needed: bigint;
  constructor({
    sender,
    balance,
    needed,
    cause,
  }: { sender: Address; balance: bigint; needed: bigint } & Cause) {
    super(`${sender} holds ${balance} of the token but must pay ${needed}.`, {
      errorName: "ERC20InsufficientBalance",
      args: [sender, balance, needed],
      metaMessages: ["Fund the paying account before settling or repaying."],
      cause,
    });
    this.sender = sender;
    this.balance = balance;
    this.needed = needed;
  }
}

export class ArbiterTokenCallFailedError extends ArbiterRevertError {
  override name = "ArbiterTokenCallFailedError";
  readonly token: Address;
  constructor({ token, cause }: { token: Address } & Cause) {
    super(`A transfer of token ${token} failed (it returned false or is not a contract).`, {
      errorName: "SafeERC20FailedOperation",
      args: [token],
      metaMessages: ["Check the token address and that the payer has the balance and allowance."],
      cause,
    });
    this.token = token;
  }
}

/** A revert this module has no specific class for: a require string, a panic, an unknown error. */
export class ArbiterUnknownRevertError extends ArbiterRevertError {
  override name = "ArbiterUnknownRevertError";
  constructor({
    errorName,
    args,
    reason,
    cause,
  }: { errorName: string; args?: readonly unknown[] | undefined; reason?: string | undefined } & Cause) {
    super(`The arbiter call reverted: ${reason ?? errorName}.`, {
      errorName,
      args,
      metaMessages: ["The revert is not one of LiquidityArbiter's errors; see the cause for the raw data."],
      cause,
    });
  }
}

/** The transaction was mined but reverted (state changed between simulation and inclusion). */
export class ArbiterTransactionRevertedError extends BaseError {
  override name = "ArbiterTransactionRevertedError";
  override readonly code = "TransactionReverted";
  readonly hash: Hex;
  constructor({ hash, functionName }: { hash: Hex; functionName: string }) {
    super(`${functionName} transaction ${hash} was mined but reverted.`, {
      metaMessages: [
        "The chain changed between simulation and inclusion (e.g. a competing settle or repay).",
        "Read the current state (getLoan, isNonceUsed) before retrying.",
      ],
    });
    this.hash = hash;
  }
}

/** Errors of tokens the arbiter calls; SafeERC20 bubbles them up unchanged. */
const tokenErrorsAbi = testTokenAbi.filter((item) => item.type === "error");

type Decoded = { errorName: string; args: readonly unknown[]; reason?: string | undefined };

function decodeRevert(revert: ContractFunctionRevertedError): Decoded | undefined {
  if (revert.data?.errorName)
    return { errorName: revert.data.errorName, args: revert.data.args ?? [], reason: revert.reason };
  if (revert.raw && revert.raw !== "0x") {
    try {
      const decoded = decodeErrorResult({ abi: tokenErrorsAbi, data: revert.raw });
      return { errorName: decoded.errorName, args: decoded.args ?? [] };
    } catch {
      return { errorName: revert.signature ?? revert.raw.slice(0, 10), args: [] };
    }
  }
  if (revert.reason) return { errorName: "Error", args: [revert.reason], reason: revert.reason };
  return undefined;
}

/** Maps a decoded revert of the arbiter (or a token it called) to its typed error. */
export function arbiterErrorFromRevert(decoded: Decoded, cause?: unknown): ArbiterRevertError {
  const { errorName, args } = decoded;
  // Arguments are typed by the ABI of the error named; the switch below is that mapping.
  const a = args as unknown as [never, never, never];
  switch (errorName) {
    case "Expired":
      return new ArbiterExpiredError({ deadline: BigInt(a[0]), cause });
    case "InvalidSignature":
      return new ArbiterInvalidSignatureError({ expectedSigner: a[0], cause });
    case "NotParty":
      return new ArbiterNotPartyError({ caller: a[0], cause });
    case "SelfLoan":
      return new ArbiterSelfLoanError({ cause });
    case "ZeroPrincipal":
      return new ArbiterZeroPrincipalError({ cause });
    case "AmountTooLarge":
      return new ArbiterAmountTooLargeError({ cause });
    case "NonceUsed":
      return new ArbiterNonceUsedError({ party: a[0], nonce: a[1], cause });
    case "AlreadySettled":
      return new ArbiterAlreadySettledError({ id: a[0], cause });
    case "UnsupportedToken":
      return new ArbiterUnsupportedTokenError({ token: a[0], cause });
    case "UnknownAgreement":
      return new ArbiterUnknownAgreementError({ id: a[0], cause });
    case "NotActive":
      return new ArbiterNotActiveError({ id: a[0], status: loanStatuses[a[1] as number] ?? "None", cause });
    case "NotLender":
      return new ArbiterNotLenderError({ caller: a[0], cause });
    case "GracePeriodActive":
      return new ArbiterGracePeriodActiveError({ claimableAfter: a[0], cause });
    case "ERC20InsufficientAllowance":
      return new ArbiterInsufficientAllowanceError({ spender: a[0], allowance: a[1], needed: a[2], cause });
    case "ERC20InsufficientBalance":
      return new ArbiterInsufficientBalanceError({ sender: a[0], balance: a[1], needed: a[2], cause });
    case "SafeERC20FailedOperation":
      return new ArbiterTokenCallFailedError({ token: a[0], cause });
    default:
      return new ArbiterUnknownRevertError({ errorName, args, reason: decoded.reason, cause });
  }
}

/**
 * Turns an error thrown by a viem contract call into our typed error when it is a revert; returns
 * anything else (network failure, bad arguments) unchanged. Actions throw what this returns.
 */
export function parseArbiterError(error: unknown): unknown {
  if (!(error instanceof ViemBaseError)) return error;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return error;
  const decoded = decodeRevert(revert);
  return decoded ? arbiterErrorFromRevert(decoded, error) : error;
}
