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
import { blocklistTestTokenAbi } from "../contracts/generated/BlocklistTestToken.ts";
import { marginOracleAbi } from "../contracts/generated/MarginOracle.ts";
import { testTokenAbi } from "../contracts/generated/TestToken.ts";
import { BaseError } from "../core/errors.ts";
import { ArbiterRevertError } from "./errors-base.ts";
import { marginErrorFromRevert } from "./margin-errors.ts";
import { type LoanStatus, loanStatuses } from "./types.ts";

export { ArbiterRevertError, type ArbiterRevertErrorParameters } from "./errors-base.ts";

type Cause = { cause?: unknown };

function at(unixSeconds: bigint): string {
  return new Date(Number(unixSeconds) * 1000).toISOString();
}

export class ArbiterExpiredError extends ArbiterRevertError {
  override name = "ArbiterExpiredError";
  readonly deadline: bigint;
  constructor({ deadline, cause }: { deadline: bigint } & Cause) {
    super(`The agreement expired at ${at(deadline)} (deadline ${deadline}) before it was settled.`, {
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
    super(`A signature is not ${expectedSigner}'s signature of this message.`, {
      errorName: "InvalidSignature",
      args: [expectedSigner],
      metaMessages: [
        "Check that the signer signed exactly these terms under this arbiter's EIP-712 domain (its address",
        "and chain id), that each signature sits in its own slot (lender, borrower, or next to its signer),",
        "and that it is a 65-byte r,s,v signature with low s (or the signer is an ERC-1271 wallet accepting it).",
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
    super(`Only the lender or the borrower may do this; ${caller} is neither.`, {
      errorName: "NotParty",
      args: [caller],
      metaMessages: ["Send the transaction from the lender's or the borrower's account."],
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

export class ArbiterZeroAmountError extends ArbiterRevertError {
  override name = "ArbiterZeroAmountError";
  constructor({ cause }: Cause = {}) {
    super("The amount is zero (the agreement's principal, or a partial repayment).", {
      errorName: "ZeroAmount",
      metaMessages: ["Agree on a positive principal; repay a positive amount."],
      cause,
    });
  }
}

export class ArbiterAmountTooLargeError extends ArbiterRevertError {
  override name = "ArbiterAmountTooLargeError";
  constructor({ cause }: Cause = {}) {
    super("Principal, collateral or the amount due exceeds 2^128 - 1 base units.", {
      errorName: "AmountTooLarge",
      metaMessages: ["Split the transfer into several agreements, or lower the rate or tenor."],
      cause,
    });
  }
}

export class ArbiterUnregisteredAgentError extends ArbiterRevertError {
  override name = "ArbiterUnregisteredAgentError";
  readonly agent: Address;
  constructor({ agent, cause }: { agent: Address } & Cause) {
    super(`${agent} is not a registered agent of this arbiter.`, {
      errorName: "UnregisteredAgent",
      args: [agent],
      metaMessages: [
        "Only registered agents may settle loans or sign risk alerts. Ask the arbiter's governance to run",
        "registerAgent({ agent, protocolId }) (CLI: `arbiter register`).",
      ],
      cause,
    });
    this.agent = agent;
  }
}

export class ArbiterTokenNotAllowedError extends ArbiterRevertError {
  override name = "ArbiterTokenNotAllowedError";
  readonly token: Address;
  constructor({ token, cause }: { token: Address } & Cause) {
    super(`Token ${token} is not on the arbiter's allowlist for new loans.`, {
      errorName: "TokenNotAllowed",
      args: [token],
      metaMessages: [
        "Agree on a listed token (getTokenConfig), or ask governance to list it: allowToken({ token,",
        "minBond }) (CLI: `arbiter allow-token`). Loans already settled in a delisted token run on.",
      ],
      cause,
    });
    this.token = token;
  }
}

export class ArbiterNonceUsedError extends ArbiterRevertError {
  override name = "ArbiterNonceUsedError";
  readonly party: Address;
  readonly nonce: bigint;
  constructor({ party, nonce, cause }: { party: Address; nonce: bigint } & Cause) {
    super(`${party}'s nonce ${nonce} is used: a settled agreement consumed it, or ${party} cancelled it.`, {
      errorName: "NonceUsed",
      args: [party, nonce],
      metaMessages: [
        "Each party's nonce settles one agreement at most. If this agreement is an alternative to one that",
        "settled, nothing is wrong; otherwise negotiate again: each party takes a fresh nonce for its half.",
      ],
      cause,
    });
    this.party = party;
    this.nonce = nonce;
  }
}

export class ArbiterCancelledAgreementError extends ArbiterRevertError {
  override name = "ArbiterCancelledAgreementError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`Agreement ${id} was cancelled by one of its parties and can never settle.`, {
      errorName: "CancelledAgreement",
      args: [id],
      metaMessages: ["A party withdrew its signature (cancelAgreement). Negotiate a new agreement."],
      cause,
    });
    this.id = id;
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
    super(`Token ${token} delivered a different amount than transferred (it charges a fee on transfers).`, {
      errorName: "UnsupportedToken",
      args: [token],
      metaMessages: [
        "Principal, collateral and bonds must arrive in full; agree on another token. (Repayments count",
        "at the amount sent, so a fee switched on later does not stop a repayment.)",
      ],
      cause,
    });
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
        "The arbiter finds a loan by the EIP-712 digest of its agreement: pass the agreement exactly as it",
        "was settled (every field, including nonce and deadline), to the arbiter that settled it. A",
        "cancelled agreement has no loan either.",
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
      metaMessages: [
        "A closed loan (repaid, defaulted or ruled) cannot be repaid, claimed or disputed again.",
      ],
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
    super(`Only the lender may claim a default or call a loan; ${caller} is not the lender.`, {
      errorName: "NotLender",
      args: [caller],
      metaMessages: ["Send the transaction from the lender's account."],
      cause,
    });
    this.caller = caller;
  }
}

export class ArbiterGracePeriodActiveError extends ArbiterRevertError {
  override name = "ArbiterGracePeriodActiveError";
  readonly claimableAfter: bigint;
  constructor({ claimableAfter, cause }: { claimableAfter: bigint } & Cause) {
    super(
      `The loan is still within maturity plus grace; its collateral can be claimed after ${at(claimableAfter)}.`,
      {
        errorName: "GracePeriodActive",
        args: [claimableAfter],
        metaMessages: [`Retry once the chain time is past ${claimableAfter}.`],
        cause,
      },
    );
    this.claimableAfter = claimableAfter;
  }
}

export class ArbiterRepayExceedsOutstandingError extends ArbiterRevertError {
  override name = "ArbiterRepayExceedsOutstandingError";
  readonly amount: bigint;
  readonly outstanding: bigint;
  constructor({ amount, outstanding, cause }: { amount: bigint; outstanding: bigint } & Cause) {
    super(`Repaying ${amount} is more than the ${outstanding} still owed.`, {
      errorName: "RepayExceedsOutstanding",
      args: [amount, outstanding],
      metaMessages: ["Repay at most what is owed, or repay without an amount to pay exactly the rest."],
      cause,
    });
    this.amount = amount;
    this.outstanding = outstanding;
  }
}

export class ArbiterNotCallableError extends ArbiterRevertError {
  override name = "ArbiterNotCallableError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`Loan ${id} cannot be called early: its agreement has callRiskLevel 0.`, {
      errorName: "NotCallable",
      args: [id],
      metaMessages: ["Wait for maturity; only agreements signed with a callRiskLevel can be called."],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterRiskLevelTooLowError extends ArbiterRevertError {
  override name = "ArbiterRiskLevelTooLowError";
  readonly current: number;
  readonly required: number;
  constructor({ current, required, cause }: { current: number; required: number } & Cause) {
    super(`The system risk level is ${current}; calling this loan needs at least ${required}.`, {
      errorName: "RiskLevelTooLow",
      args: [current, required],
      metaMessages: [
        "A quorum of registered agents must first raise a risk alert of that level (raiseAlert).",
      ],
      cause,
    });
    this.current = current;
    this.required = required;
  }
}

export class ArbiterAlreadyDueError extends ArbiterRevertError {
  override name = "ArbiterAlreadyDueError";
  readonly maturity: bigint;
  constructor({ maturity, cause }: { maturity: bigint } & Cause) {
    super(`The loan is already due (maturity ${at(maturity)}); there is nothing to call.`, {
      errorName: "AlreadyDue",
      args: [maturity],
      metaMessages: ["Claim the default after the grace period instead."],
      cause,
    });
    this.maturity = maturity;
  }
}

export class ArbiterDisputeOpenError extends ArbiterRevertError {
  override name = "ArbiterDisputeOpenError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`Loan ${id} is under dispute.`, {
      errorName: "DisputeOpen",
      args: [id],
      metaMessages: [
        "Wait for the ruling (rule) or the deadline (resolve); repayment stays possible meanwhile.",
      ],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterNotDueError extends ArbiterRevertError {
  override name = "ArbiterNotDueError";
  readonly maturity: bigint;
  constructor({ maturity, cause }: { maturity: bigint } & Cause) {
    super(`The loan is not due until ${at(maturity)}: nothing is owed yet, so nothing can be disputed.`, {
      errorName: "NotDue",
      args: [maturity],
      metaMessages: [
        `A dispute can be opened once the chain time is past ${maturity} (maturity, or the time of the`,
        "lender's call). Until then repayment is the only action on the loan.",
      ],
      cause,
    });
    this.maturity = maturity;
  }
}

export class ArbiterAlreadyDisputedError extends ArbiterRevertError {
  override name = "ArbiterAlreadyDisputedError";
  readonly party: Address;
  constructor({ party, cause }: { party: Address } & Cause) {
    super(`${party} already opened its one dispute on this loan.`, {
      errorName: "AlreadyDisputed",
      args: [party],
      metaMessages: [
        "Each party may dispute a loan once, so disputes cannot block a default claim forever.",
        "Add evidence to an open dispute with submitEvidence instead.",
      ],
      cause,
    });
    this.party = party;
  }
}

export class ArbiterNoOpenDisputeError extends ArbiterRevertError {
  override name = "ArbiterNoOpenDisputeError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`Loan ${id} has no open dispute.`, {
      errorName: "NoOpenDispute",
      args: [id],
      metaMessages: ["Open one with dispute(), or read the last one with getDispute({ id })."],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterDisputeWindowClosedError extends ArbiterRevertError {
  override name = "ArbiterDisputeWindowClosedError";
  readonly deadline: bigint;
  constructor({ deadline, cause }: { deadline: bigint } & Cause) {
    super(`The dispute's window closed at ${at(deadline)}.`, {
      errorName: "DisputeWindowClosed",
      args: [deadline],
      metaMessages: [
        "Counter-bonds and rulings are too late now: apply the default ruling with resolve() (the lender's",
        "position stands).",
      ],
      cause,
    });
    this.deadline = deadline;
  }
}

export class ArbiterDisputeWindowOpenError extends ArbiterRevertError {
  override name = "ArbiterDisputeWindowOpenError";
  readonly deadline: bigint;
  constructor({ deadline, cause }: { deadline: bigint } & Cause) {
    super(`The dispute's window is open until ${at(deadline)}; it cannot be resolved by timeout yet.`, {
      errorName: "DisputeWindowOpen",
      args: [deadline],
      metaMessages: [`Retry after ${deadline}, or submit an arbiter ruling with rule().`],
      cause,
    });
    this.deadline = deadline;
  }
}

export class ArbiterNotCounterpartyError extends ArbiterRevertError {
  override name = "ArbiterNotCounterpartyError";
  readonly caller: Address;
  constructor({ caller, cause }: { caller: Address } & Cause) {
    super(`Only the disputer's counterparty may post the counter-bond; ${caller} is not.`, {
      errorName: "NotCounterparty",
      args: [caller],
      metaMessages: ["Send counterDispute from the other party of the agreement."],
      cause,
    });
    this.caller = caller;
  }
}

export class ArbiterAlreadyCounterBondedError extends ArbiterRevertError {
  override name = "ArbiterAlreadyCounterBondedError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`The counter-bond of loan ${id}'s dispute is already posted.`, {
      errorName: "AlreadyCounterBonded",
      args: [id],
      metaMessages: ["Nothing to do: the arbiters now rule, or the dispute is dismissed at the deadline."],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterInvalidRulingError extends ArbiterRevertError {
  override name = "ArbiterInvalidRulingError";
  constructor({ cause }: Cause = {}) {
    super("A ruling without a winner cannot close the loan.", {
      errorName: "InvalidRuling",
      metaMessages: [
        "Name a winner (lender or borrower) to close the loan, or dismiss with closeLoan false.",
      ],
      cause,
    });
  }
}

export class ArbiterInsufficientSignaturesError extends ArbiterRevertError {
  override name = "ArbiterInsufficientSignaturesError";
  readonly count: bigint;
  readonly required: bigint;
  constructor({ count, required, cause }: { count: bigint; required: bigint } & Cause) {
    super(`${count} signature(s) given, ${required} required.`, {
      errorName: "InsufficientSignatures",
      args: [count, required],
      metaMessages: [
        "Collect signatures from at least the threshold of arbiters (rulings) or agents of the quorum of",
        "distinct registered protocols (risk alerts); a threshold of 0 means no arbiter set is configured yet.",
      ],
      cause,
    });
    this.count = count;
    this.required = required;
  }
}

export class ArbiterSignersNotSortedError extends ArbiterRevertError {
  override name = "ArbiterSignersNotSortedError";
  constructor({ cause }: Cause = {}) {
    super("Signers are not in strictly ascending address order (or one signed twice).", {
      errorName: "SignersNotSorted",
      metaMessages: ["Sort signatures by signer address and drop duplicates (sortSignatures does both)."],
      cause,
    });
  }
}

export class ArbiterSignerNotDistinctError extends ArbiterRevertError {
  override name = "ArbiterSignerNotDistinctError";
  readonly signer: Address;
  constructor({ signer, cause }: { signer: Address } & Cause) {
    super(`${signer} is the same identity as an earlier signer: it counts once.`, {
      errorName: "SignerNotDistinct",
      args: [signer],
      metaMessages: [
        "An EOA and a wallet signing with the same key are one signer; for risk alerts, agents of the same",
        "protocol are one vote. Collect signatures from distinct keys (and distinct protocols).",
      ],
      cause,
    });
    this.signer = signer;
  }
}

export class ArbiterNotArbiterError extends ArbiterRevertError {
  override name = "ArbiterNotArbiterError";
  readonly signer: Address;
  constructor({ signer, cause }: { signer: Address } & Cause) {
    super(`${signer} is not in the current arbiter set.`, {
      errorName: "NotArbiter",
      args: [signer],
      metaMessages: ["Read the set with getArbiters(); drop signatures of removed arbiters."],
      cause,
    });
    this.signer = signer;
  }
}

export class ArbiterStaleAlertError extends ArbiterRevertError {
  override name = "ArbiterStaleAlertError";
  constructor({ cause }: Cause = {}) {
    super(
      "The risk alert is not newer than the current one, is dated in the future, was issued over an hour ago, has expired, or lasts too long.",
      {
        errorName: "StaleAlert",
        metaMessages: [
          "Sign a fresh alert: issuedAt after the current alert's, within the last hour and not after now,",
          "expiresAt in the future and at most 7 days after issuedAt.",
        ],
        cause,
      },
    );
  }
}

export class ArbiterNothingToWithdrawError extends ArbiterRevertError {
  override name = "ArbiterNothingToWithdrawError";
  readonly token: Address;
  constructor({ token, cause }: { token: Address } & Cause) {
    super(`The arbiter holds no credit of token ${token} for this account.`, {
      errorName: "NothingToWithdraw",
      args: [token],
      metaMessages: [
        "Credits arise only when a token refuses a payment; read them with getCredit({ owner, token }).",
      ],
      cause,
    });
    this.token = token;
  }
}

export class ArbiterNotGovernanceError extends ArbiterRevertError {
  override name = "ArbiterNotGovernanceError";
  readonly caller: Address;
  constructor({ caller, cause }: { caller: Address } & Cause) {
    super(`${caller} is not the arbiter's governance.`, {
      errorName: "NotGovernance",
      args: [caller],
      metaMessages: ["Registry, arbiter set and parameters change only from the governance account."],
      cause,
    });
    this.caller = caller;
  }
}

export class ArbiterInvalidThresholdError extends ArbiterRevertError {
  override name = "ArbiterInvalidThresholdError";
  readonly threshold: bigint;
  readonly arbiters: bigint;
  constructor({ threshold, arbiters, cause }: { threshold: bigint; arbiters: bigint } & Cause) {
    super(`A threshold of ${threshold} is impossible with ${arbiters} arbiter(s).`, {
      errorName: "InvalidThreshold",
      args: [threshold, arbiters],
      metaMessages: ["The threshold k must satisfy 1 <= k <= n."],
      cause,
    });
    this.threshold = threshold;
    this.arbiters = arbiters;
  }
}

export class ArbiterInvalidParameterError extends ArbiterRevertError {
  override name = "ArbiterInvalidParameterError";
  constructor({ cause }: Cause = {}) {
    super(
      "A parameter is invalid: a zero address or protocol id, a duplicate arbiter, a zero quorum, a bond outside 10..10,000 bps, a window outside 12 hours..30 days, a token without code or a minimum bond of zero or more than 7 significant digits, or a nonce of 0 or over 128 bits.",
      {
        errorName: "InvalidParameter",
        metaMessages: [
          "Check the values passed to the governance call, the constructor, or invalidateNonce (a party's own",
          "128-bit nonce, not the agreement's packed one).",
        ],
        cause,
      },
    );
  }
}

export class ArbiterReentrancyError extends ArbiterRevertError {
  override name = "ArbiterReentrancyError";
  constructor({ cause }: Cause = {}) {
    super("A token tried to call back into the arbiter during a transfer.", {
      errorName: "ReentrancyGuardReentrantCall",
      metaMessages: ["The token is hostile or non-standard; do not use it with the arbiter."],
      cause,
    });
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
        "The paying account (lender for the principal, borrower for collateral, payer for repayment, disputer",
        "for the bond) must first approve the arbiter: approve({ clients, token, spender: arbiter, amount }).",
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
      metaMessages: ["Fund the paying account first."],
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

/** A token address has no code: refused before sending (the contract would refuse it too). */
export class ArbiterTokenWithoutCodeError extends BaseError {
  override name = "ArbiterTokenWithoutCodeError";
  override readonly code = "TokenWithoutCode";
  readonly token: Address;
  constructor({ token }: { token: Address }) {
    super(`${token} has no code on this chain: it is not a token.`, {
      metaMessages: [
        "Check the address and the chain (--rpc). For a test chain, deploy a token first",
        "(`arbiter deploy-token`).",
      ],
    });
    this.token = token;
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
        "Read the current state (getLoan, getDispute, isNonceUsed) before retrying.",
      ],
    });
    this.hash = hash;
  }
}

/** Errors of tokens the arbiter calls (OpenZeppelin's ERC-20 errors, and our test tokens' Blocked);
 *  SafeERC20 bubbles them up unchanged. */
const tokenErrorsAbi = [...testTokenAbi, ...blocklistTestTokenAbi].filter((item) => item.type === "error");
/** Errors of contracts the arbiter calls: tokens, and the MarginOracle (its errors bubble up through
 *  settle, liquidate and topUp of margined loans). */
const calleeErrorsAbi = [...tokenErrorsAbi, ...marginOracleAbi.filter((item) => item.type === "error")];

type Decoded = { errorName: string; args: readonly unknown[]; reason?: string | undefined };

function decodeRevert(revert: ContractFunctionRevertedError): Decoded | undefined {
  if (revert.data?.errorName)
    return { errorName: revert.data.errorName, args: revert.data.args ?? [], reason: revert.reason };
  if (revert.raw && revert.raw !== "0x") {
    try {
      const decoded = decodeErrorResult({ abi: calleeErrorsAbi, data: revert.raw });
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
    case "ZeroAmount":
      return new ArbiterZeroAmountError({ cause });
    case "AmountTooLarge":
      return new ArbiterAmountTooLargeError({ cause });
    case "UnregisteredAgent":
      return new ArbiterUnregisteredAgentError({ agent: a[0], cause });
    case "TokenNotAllowed":
      return new ArbiterTokenNotAllowedError({ token: a[0], cause });
    case "NonceUsed":
      return new ArbiterNonceUsedError({ party: a[0], nonce: a[1], cause });
    case "CancelledAgreement":
      return new ArbiterCancelledAgreementError({ id: a[0], cause });
    case "NotDue":
      return new ArbiterNotDueError({ maturity: BigInt(a[0]), cause });
    case "SignerNotDistinct":
      return new ArbiterSignerNotDistinctError({ signer: a[0], cause });
    case "NothingToWithdraw":
      return new ArbiterNothingToWithdrawError({ token: a[0], cause });
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
    case "RepayExceedsOutstanding":
      return new ArbiterRepayExceedsOutstandingError({ amount: a[0], outstanding: a[1], cause });
    case "NotCallable":
      return new ArbiterNotCallableError({ id: a[0], cause });
    case "RiskLevelTooLow":
      return new ArbiterRiskLevelTooLowError({ current: a[0], required: a[1], cause });
    case "AlreadyDue":
      return new ArbiterAlreadyDueError({ maturity: BigInt(a[0]), cause });
    case "DisputeOpen":
      return new ArbiterDisputeOpenError({ id: a[0], cause });
    case "AlreadyDisputed":
      return new ArbiterAlreadyDisputedError({ party: a[0], cause });
    case "NoOpenDispute":
      return new ArbiterNoOpenDisputeError({ id: a[0], cause });
    case "DisputeWindowClosed":
      return new ArbiterDisputeWindowClosedError({ deadline: BigInt(a[0]), cause });
    case "DisputeWindowOpen":
      return new ArbiterDisputeWindowOpenError({ deadline: BigInt(a[0]), cause });
    case "NotCounterparty":
      return new ArbiterNotCounterpartyError({ caller: a[0], cause });
    case "AlreadyCounterBonded":
      return new ArbiterAlreadyCounterBondedError({ id: a[0], cause });
    case "InvalidRuling":
      return new ArbiterInvalidRulingError({ cause });
    case "InsufficientSignatures":
      return new ArbiterInsufficientSignaturesError({ count: a[0], required: a[1], cause });
    case "SignersNotSorted":
      return new ArbiterSignersNotSortedError({ cause });
    case "NotArbiter":
      return new ArbiterNotArbiterError({ signer: a[0], cause });
    case "StaleAlert":
      return new ArbiterStaleAlertError({ cause });
    case "NotGovernance":
      return new ArbiterNotGovernanceError({ caller: a[0], cause });
    case "InvalidThreshold":
      return new ArbiterInvalidThresholdError({ threshold: a[0], arbiters: a[1], cause });
    case "InvalidParameter":
      return new ArbiterInvalidParameterError({ cause });
    case "ReentrancyGuardReentrantCall":
      return new ArbiterReentrancyError({ cause });
    case "ERC20InsufficientAllowance":
      return new ArbiterInsufficientAllowanceError({ spender: a[0], allowance: a[1], needed: a[2], cause });
    case "ERC20InsufficientBalance":
      return new ArbiterInsufficientBalanceError({ sender: a[0], balance: a[1], needed: a[2], cause });
    case "SafeERC20FailedOperation":
      return new ArbiterTokenCallFailedError({ token: a[0], cause });
    default:
      return (
        marginErrorFromRevert(errorName, args, cause) ??
        new ArbiterUnknownRevertError({ errorName, args, reason: decoded.reason, cause })
      );
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
