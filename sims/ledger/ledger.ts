/**
 * The in-process settlement ledger: the LiquidityArbiter contract's settle / repay /
 * repayPartial / claimDefault / invalidateNonce, with the same checks in the same order, the same
 * errors, the same rounding and the same token moves, against a pluggable bank instead of ERC-20
 * contracts. Large simulation sweeps settle here; sims/ledger/ledger.differential.test.ts keeps
 * it equal to the contract by running one agreement stream through both.
 *
 * Not modelled (no simulation uses them yet): disputes and rulings, risk alerts and loan calls,
 * ERC-1271 wallet signatures, token allowances (every party is taken to have approved the
 * ledger), fee-on-transfer tokens.
 */
import type { Address, Hex } from "viem";
import type { LoanStatus } from "../../arbitration/types.ts";
import { type Agreement, type ArbiterDomain, hashAgreement } from "../../core/agreement.ts";
import { recoverDigest } from "../../core/signer.ts";
import { LedgerRevertError } from "./errors.ts";
import type { LedgerBank } from "./memory-bank.ts";

/** An agreement as the ledger sees it (core/agreement.ts). */
export type LedgerAgreement = Agreement;

export type LedgerLoan = { status: LoanStatus; disputed: boolean; maturity: bigint; paid: bigint };

export type LedgerEvent =
  | { type: "Settled"; id: Hex; agreement: LedgerAgreement; maturity: bigint; amountDue: bigint }
  | {
      type: "Repaid";
      id: Hex;
      agreement: LedgerAgreement;
      payer: Address;
      amount: bigint;
      collateralReleased: bigint;
      outstanding: bigint;
    }
  | { type: "DefaultClaimed"; id: Hex; agreement: LedgerAgreement; collateral: bigint };

export type CreateLedgerParameters = {
  /** The ledger's own address: where escrowed collateral sits in the bank. */
  address: Address;
  bank: LedgerBank;
  /** Chain time, unix seconds. */
  now: () => bigint;
  /** The EIP-712 domain agreements are signed under (their id is the digest). */
  domain: ArbiterDomain;
  /** Agreement id (EIP-712 digest). Defaults to core/agreement.ts hashAgreement under `domain`. */
  idOf?: ((a: LedgerAgreement) => Hex) | undefined;
  /** The agent registry; default: everyone is registered. */
  isRegistered?: ((agent: Address) => boolean) | undefined;
  /** Seconds after maturity before a default can be claimed (the contract's GRACE_PERIOD). */
  gracePeriod?: bigint | undefined;
};

export type Ledger = {
  readonly address: Address;
  settle(p: {
    caller: Address;
    agreement: LedgerAgreement;
    lenderSignature: Hex;
    borrowerSignature: Hex;
  }): Hex;
  repay(p: { caller: Address; agreement: LedgerAgreement }): void;
  repayPartial(p: { caller: Address; agreement: LedgerAgreement; amount: bigint }): void;
  claimDefault(p: { caller: Address; agreement: LedgerAgreement }): void;
  invalidateNonce(p: { caller: Address; nonce: bigint }): void;
  isNonceCancelled(owner: Address, nonce: bigint): boolean;
  getLoan(id: Hex): LedgerLoan;
  outstanding(agreement: LedgerAgreement): { owed: bigint; escrowed: bigint };
  idOf(agreement: LedgerAgreement): Hex;
  onEvent(listener: (e: LedgerEvent) => void): () => void;
};

const MAX_UINT128 = (1n << 128n) - 1n;
const BPS = 10_000n;
const YEAR = 365n * 24n * 3600n;
export const GRACE_PERIOD = 24n * 3600n;

/** Principal plus simple interest rounded up: the contract's _amountDue. */
export function ledgerAmountDue(principal: bigint, rateBps: number, tenor: number): bigint {
  const denom = BPS * YEAR;
  return principal + (principal * BigInt(rateBps) * BigInt(tenor) + denom - 1n) / denom;
}

const released = (collateral: bigint, paid: bigint, due: bigint) =>
  paid === due ? collateral : (collateral * paid) / due;

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

export function createLedger(p: CreateLedgerParameters): Ledger {
  const loans = new Map<Hex, LedgerLoan>();
  const cancelled = new Set<string>();
  const listeners = new Set<(e: LedgerEvent) => void>();
  const grace = p.gracePeriod ?? GRACE_PERIOD;
  const idOf = p.idOf ?? ((a: LedgerAgreement) => hashAgreement(p.domain, a));
  const registered = p.isRegistered ?? (() => true);
  const emit = (e: LedgerEvent) => {
    for (const l of listeners) l(e);
  };
  const isNonceCancelled = (owner: Address, nonce: bigint) =>
    cancelled.has(`${owner.toLowerCase()}:${nonce}`);
  const validSignature = (signer: Address, digest: Hex, sig: Hex) => {
    try {
      return same(recoverDigest(digest, sig), signer);
    } catch {
      return false;
    }
  };
  const activeLoan = (a: LedgerAgreement) => {
    const id = idOf(a);
    const loan = loans.get(id);
    if (!loan) throw new LedgerRevertError("UnknownAgreement", [id]);
    if (loan.status !== "Active") throw new LedgerRevertError("NotActive", [id, loan.status]);
    return { id, loan };
  };
  /** Token moves in order, as the contract makes them; checked in full (each move sees the ones
   *  before it) before any is made, so a revert changes nothing. */
  const transfers = (moves: [Address, Address, Address, bigint][]) => {
    const delta = new Map<string, bigint>();
    const k = (token: Address, who: Address) => `${token.toLowerCase()}:${who.toLowerCase()}`;
    for (const [token, from, to, amount] of moves) {
      if (amount === 0n) continue;
      const have = p.bank.balanceOf(token, from) + (delta.get(k(token, from)) ?? 0n);
      if (have < amount) throw new LedgerRevertError("ERC20InsufficientBalance", [from, have, amount]);
      delta.set(k(token, from), (delta.get(k(token, from)) ?? 0n) - amount);
      delta.set(k(token, to), (delta.get(k(token, to)) ?? 0n) + amount);
    }
    for (const [token, from, to, amount] of moves) if (amount > 0n) p.bank.transfer(token, from, to, amount);
  };

  const repayAmount = (caller: Address, a: LedgerAgreement, requested: bigint | undefined) => {
    const { id, loan } = activeLoan(a);
    const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
    const owed = due - loan.paid;
    const amount = requested ?? owed;
    if (amount > owed) throw new LedgerRevertError("RepayExceedsOutstanding", [amount, owed]);
    const paidAfter = loan.paid + amount;
    const release = released(a.collateral, paidAfter, due) - released(a.collateral, loan.paid, due);
    transfers([
      [a.principalToken, caller, a.lender, amount],
      [a.collateralToken, p.address, a.borrower, release],
    ]);
    loan.paid = paidAfter;
    if (paidAfter === due) loan.status = "Repaid";
    emit({
      type: "Repaid",
      id,
      agreement: a,
      payer: caller,
      amount,
      collateralReleased: release,
      outstanding: due - paidAfter,
    });
  };

  return {
    address: p.address,
    idOf,
    isNonceCancelled,
    settle({ caller, agreement: a, lenderSignature, borrowerSignature }) {
      const now = p.now();
      if (now > a.deadline) throw new LedgerRevertError("Expired", [a.deadline]);
      if (!same(caller, a.lender) && !same(caller, a.borrower))
        throw new LedgerRevertError("NotParty", [caller]);
      if (same(a.lender, a.borrower)) throw new LedgerRevertError("SelfLoan");
      if (a.principal === 0n) throw new LedgerRevertError("ZeroAmount");
      if (a.principal > MAX_UINT128 || a.collateral > MAX_UINT128)
        throw new LedgerRevertError("AmountTooLarge");
      const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
      if (due > MAX_UINT128) throw new LedgerRevertError("AmountTooLarge");
      if (!registered(a.lender)) throw new LedgerRevertError("UnregisteredAgent", [a.lender]);
      if (!registered(a.borrower)) throw new LedgerRevertError("UnregisteredAgent", [a.borrower]);
      if (isNonceCancelled(a.lender, a.nonce))
        throw new LedgerRevertError("NonceCancelled", [a.lender, a.nonce]);
      if (isNonceCancelled(a.borrower, a.nonce))
        throw new LedgerRevertError("NonceCancelled", [a.borrower, a.nonce]);
      const id = idOf(a);
      if (loans.has(id)) throw new LedgerRevertError("AlreadySettled", [id]);
      if (!validSignature(a.lender, id, lenderSignature))
        throw new LedgerRevertError("InvalidSignature", [a.lender]);
      if (!validSignature(a.borrower, id, borrowerSignature))
        throw new LedgerRevertError("InvalidSignature", [a.borrower]);
      transfers([
        [a.principalToken, a.lender, a.borrower, a.principal],
        [a.collateralToken, a.borrower, p.address, a.collateral],
      ]);
      const maturity = now + BigInt(a.tenor);
      loans.set(id, { status: "Active", disputed: false, maturity, paid: 0n });
      emit({ type: "Settled", id, agreement: a, maturity, amountDue: due });
      return id;
    },
    repay({ caller, agreement }) {
      repayAmount(caller, agreement, undefined);
    },
    repayPartial({ caller, agreement, amount }) {
      if (amount === 0n) throw new LedgerRevertError("ZeroAmount");
      repayAmount(caller, agreement, amount);
    },
    claimDefault({ caller, agreement: a }) {
      const { id, loan } = activeLoan(a);
      if (!same(caller, a.lender)) throw new LedgerRevertError("NotLender", [caller]);
      if (loan.disputed) throw new LedgerRevertError("DisputeOpen", [id]);
      const claimableAfter = loan.maturity + grace;
      if (p.now() <= claimableAfter) throw new LedgerRevertError("GracePeriodActive", [claimableAfter]);
      const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
      const remaining = a.collateral - released(a.collateral, loan.paid, due);
      transfers([[a.collateralToken, p.address, a.lender, remaining]]);
      loan.status = "Defaulted";
      emit({ type: "DefaultClaimed", id, agreement: a, collateral: remaining });
    },
    invalidateNonce({ caller, nonce }) {
      cancelled.add(`${caller.toLowerCase()}:${nonce}`);
    },
    getLoan(id) {
      const loan = loans.get(id);
      return loan ? { ...loan } : { status: "None", disputed: false, maturity: 0n, paid: 0n };
    },
    outstanding(a) {
      const id = idOf(a);
      const loan = loans.get(id);
      if (!loan) throw new LedgerRevertError("UnknownAgreement", [id]);
      if (loan.status !== "Active") return { owed: 0n, escrowed: 0n };
      const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
      return { owed: due - loan.paid, escrowed: a.collateral - released(a.collateral, loan.paid, due) };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
