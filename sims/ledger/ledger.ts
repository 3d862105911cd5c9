/**
 * The in-process settlement ledger: the LiquidityArbiter contract's settle / repay / repayPartial /
 * claimDefault / invalidateNonce / cancelAgreement / withdrawCredit, with the same checks in the
 * same order, the same errors, the same rounding and the same token moves, against a pluggable bank
 * instead of ERC-20 contracts. Large simulation sweeps settle here; sims/ledger/ledger.differential
 * .test.ts keeps it equal to the contract by running one operation stream through both.
 *
 * Token moves follow the contract: money entering escrow (collateral) and the principal must move
 * in full or the call fails; payments out (repayment to the lender, collateral back, a default
 * claim) are tried directly and, if the bank refuses the recipient (a blocklist), credited to it
 * for withdrawCredit. What the ledger owes per token (`held`) caps payouts pro rata if the bank
 * ever shows less.
 *
 * Margined loans (liquidationThresholdBps != 0) need `marginOracle` (sims/ledger/ledger-margin-oracle.ts);
 * without one they are refused with MarginUnavailable, as by a contract without a margin oracle.
 * The system risk level in force comes from `riskLevel` (default 0: no alert); a margined loan's
 * threshold tightens by its tighteningPerLevelBps per level, as the contract's liquidationThreshold.
 *
 * Not modelled (no simulation uses them yet): disputes and rulings, risk alerts and loan calls,
 * ERC-1271 wallet signatures, token allowances (every party is taken to have approved the
 * ledger), fee-on-transfer tokens and gas limits.
 */
import type { Address, Hex } from "viem";
import type { LoanStatus } from "../../arbitration/types.ts";
import { type Agreement, type ArbiterDomain, hashAgreement } from "../../core/agreement.ts";
import { NONCE_HALF_MAX, unpackNonce } from "../../core/agreement-nonce.ts";
import { recoverDigest } from "../../core/signer.ts";
import { LedgerRevertError } from "./errors.ts";
import type { LedgerMarginOracle } from "./ledger-margin-oracle.ts";
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
  | { type: "DefaultClaimed"; id: Hex; agreement: LedgerAgreement; collateral: bigint }
  | {
      type: "Liquidated";
      id: Hex;
      agreement: LedgerAgreement;
      liquidator: Address;
      repaid: bigint;
      seized: bigint;
      outstanding: bigint;
      escrowLeft: bigint;
      healthBefore: bigint;
    }
  | { type: "ToppedUp"; id: Hex; agreement: LedgerAgreement; payer: Address; amount: bigint; escrow: bigint };

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
  /** The token allowlist; default: every token is allowed. */
  isAllowed?: ((token: Address) => boolean) | undefined;
  /** Prices margined loans (the contract's MarginOracle); without it they are refused. */
  marginOracle?: LedgerMarginOracle | undefined;
  /** Seconds after maturity before a default can be claimed (the contract's GRACE_PERIOD). */
  gracePeriod?: bigint | undefined;
  /** The system risk level in force now (the contract's riskLevel(): an unexpired alert's level,
   *  else 0). Tightens margined thresholds. Default: always 0. */
  riskLevel?: (() => number) | undefined;
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
  /** Liquidates an unhealthy margined loan; `repayAmount` undefined: as much as allowed. */
  liquidate(p: { caller: Address; agreement: LedgerAgreement; repayAmount: bigint | undefined }): {
    repaid: bigint;
    seized: bigint;
  };
  /** Adds collateral from the caller to a margined loan's escrow. */
  topUp(p: { caller: Address; agreement: LedgerAgreement; amount: bigint }): void;
  /** The liquidation threshold of `a` now: its own, tightened by the risk level in force. */
  liquidationThreshold(a: LedgerAgreement): bigint;
  /** Cancels the caller's own 128-bit nonce. */
  invalidateNonce(p: { caller: Address; nonce: bigint }): void;
  /** A party withdraws its signature from an agreement nobody settled. */
  cancelAgreement(p: { caller: Address; agreement: LedgerAgreement }): void;
  /** Withdraws the caller's credit in `token` to `to`; returns what was paid. */
  withdrawCredit(p: { caller: Address; token: Address; to: Address }): bigint;
  isNonceUsed(owner: Address, nonce: bigint): boolean;
  credit(owner: Address, token: Address): bigint;
  /** What the ledger owes in `token` (escrow and credits). */
  held(token: Address): bigint;
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
const key = (a: Address, b: Address) => `${a.toLowerCase()}:${b.toLowerCase()}`;

/** Token moves of one call, made in order against a pending view of the bank and applied only when
 *  the call succeeds, so a refusal changes nothing. */
function bankTransaction(bank: LedgerBank) {
  const delta = new Map<string, bigint>();
  const moves: [Address, Address, Address, bigint][] = [];
  const balanceOf = (token: Address, who: Address) =>
    bank.balanceOf(token, who) + (delta.get(key(token, who)) ?? 0n);
  const refusal = (token: Address, from: Address, to: Address, amount: bigint) => {
    const refused = bank.refusal?.(token, from, to, amount);
    if (refused) return refused;
    const have = balanceOf(token, from);
    return have < amount
      ? new LedgerRevertError("ERC20InsufficientBalance", [from, have, amount])
      : undefined;
  };
  const apply = (token: Address, from: Address, to: Address, amount: bigint) => {
    delta.set(key(token, from), (delta.get(key(token, from)) ?? 0n) - amount);
    delta.set(key(token, to), (delta.get(key(token, to)) ?? 0n) + amount);
    moves.push([token, from, to, amount]);
  };
  return {
    balanceOf,
    /** The contract's safeTransfer(From): throws the token's refusal. */
    transfer(token: Address, from: Address, to: Address, amount: bigint) {
      const refused = refusal(token, from, to, amount);
      if (refused) throw refused;
      apply(token, from, to, amount);
    },
    /** The contract's _tryTransfer(From): false if the token refuses. */
    tryTransfer(token: Address, from: Address, to: Address, amount: bigint): boolean {
      if (refusal(token, from, to, amount)) return false;
      apply(token, from, to, amount);
      return true;
    },
    commit() {
      for (const [token, from, to, amount] of moves) if (amount > 0n) bank.transfer(token, from, to, amount);
    },
  };
}

export function createLedger(p: CreateLedgerParameters): Ledger {
  const loans = new Map<Hex, LedgerLoan>();
  const marginEscrow = new Map<Hex, bigint>();
  const margined = (a: LedgerAgreement) => (a.liquidationThresholdBps ?? 0) !== 0;
  const thresholdOf = (a: LedgerAgreement) => BigInt(a.liquidationThresholdBps ?? 0);
  /** The contract's liquidationThreshold(a): tightened per risk level, floored at 0. */
  const thresholdNow = (a: LedgerAgreement) => {
    const t = thresholdOf(a);
    const per = BigInt(a.tighteningPerLevelBps ?? 0);
    if (per === 0n) return t;
    const cut = BigInt(p.riskLevel?.() ?? 0) * per;
    return cut >= t ? 0n : t - cut;
  };
  const escrowOf = (a: LedgerAgreement, id: Hex, paid: bigint, due: bigint) =>
    margined(a) ? (marginEscrow.get(id) ?? 0n) : a.collateral - released(a.collateral, paid, due);
  const usedNonces = new Set<string>();
  const credits = new Map<string, bigint>();
  const held = new Map<string, bigint>();
  const listeners = new Set<(e: LedgerEvent) => void>();
  const grace = p.gracePeriod ?? GRACE_PERIOD;
  const idOf = p.idOf ?? ((a: LedgerAgreement) => hashAgreement(p.domain, a));
  const registered = p.isRegistered ?? (() => true);
  const allowed = p.isAllowed ?? (() => true);
  const me = p.address;
  const emit = (e: LedgerEvent) => {
    for (const l of listeners) l(e);
  };
  const isNonceUsed = (owner: Address, nonce: bigint) => usedNonces.has(`${owner.toLowerCase()}:${nonce}`);
  const heldOf = (token: Address) => held.get(token.toLowerCase()) ?? 0n;
  const setHeld = (token: Address, amount: bigint) => held.set(token.toLowerCase(), amount);
  const creditOf = (owner: Address, token: Address) => credits.get(key(owner, token)) ?? 0n;
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
    if (!loan || loan.status === "Cancelled") throw new LedgerRevertError("UnknownAgreement", [id]);
    if (loan.status !== "Active") throw new LedgerRevertError("NotActive", [id, loan.status]);
    return { id, loan };
  };
  const addHeld = (token: Address, amount: bigint) => {
    const total = heldOf(token) + amount;
    if (total > MAX_UINT128) throw new LedgerRevertError("AmountTooLarge");
    return total;
  };

  /** _share: `nominal` of what is owed in `token`, cut pro rata if the balance fell below it. */
  const share = (tx: ReturnType<typeof bankTransaction>, token: Address, nominal: bigint, h: bigint) => {
    const balance = tx.balanceOf(token, me);
    return balance >= h ? nominal : (nominal * balance) / h;
  };

  /** Effects of _payOut after the call's checks: the held/credit changes it makes, run on commit. */
  const payOut = (tx: ReturnType<typeof bankTransaction>, token: Address, to: Address, nominal: bigint) => {
    if (nominal === 0n) return () => {};
    const h = heldOf(token);
    const amount = share(tx, token, nominal, h);
    if (amount !== 0n && !tx.tryTransfer(token, me, to, amount)) {
      return () => credits.set(key(to, token), creditOf(to, token) + nominal);
    }
    return () => setHeld(token, heldOf(token) - nominal);
  };

  const repayAmount = (caller: Address, a: LedgerAgreement, requested: bigint | undefined) => {
    const { id, loan } = activeLoan(a);
    const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
    const owed = due - loan.paid;
    const amount = requested ?? owed;
    if (amount > owed) throw new LedgerRevertError("RepayExceedsOutstanding", [amount, owed]);
    const paidAfter = loan.paid + amount;
    const release = !margined(a)
      ? released(a.collateral, paidAfter, due) - released(a.collateral, loan.paid, due)
      : paidAfter === due
        ? (marginEscrow.get(id) ?? 0n)
        : 0n;
    const tx = bankTransaction(p.bank);
    const effects: (() => void)[] = [];
    // _payFrom: to the lender directly, else into the ledger as the lender's credit.
    if (!tx.tryTransfer(a.principalToken, caller, a.lender, amount)) {
      tx.transfer(a.principalToken, caller, me, amount);
      const total = addHeld(a.principalToken, amount);
      effects.push(() => {
        setHeld(a.principalToken, total);
        credits.set(key(a.lender, a.principalToken), creditOf(a.lender, a.principalToken) + amount);
      });
    }
    // The collateral payout sees the held figure after the credit above (the contract's order).
    for (const e of effects.splice(0)) e();
    effects.push(payOut(tx, a.collateralToken, a.borrower, release));
    tx.commit();
    for (const e of effects) e();
    if (margined(a) && paidAfter === due) marginEscrow.set(id, 0n);
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
    address: me,
    idOf,
    isNonceUsed,
    credit: creditOf,
    held: heldOf,
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
      if (!allowed(a.principalToken)) throw new LedgerRevertError("TokenNotAllowed", [a.principalToken]);
      if (a.collateral !== 0n && !allowed(a.collateralToken))
        throw new LedgerRevertError("TokenNotAllowed", [a.collateralToken]);
      // The contract's _checkMarginTerms.
      if (margined(a)) {
        if (a.collateral === 0n || !p.marginOracle) {
          throw new LedgerRevertError("MarginUnavailable", [], {
            hint: "A margined loan needs collateral and a margin oracle (createLedger's marginOracle).",
          });
        }
        p.marginOracle.checkOpening({
          debtToken: a.principalToken,
          debt: due,
          collateralToken: a.collateralToken,
          collateral: a.collateral,
          thresholdBps: thresholdOf(a),
          bonusBps: BigInt(a.liquidationBonusBps ?? 0),
          currentThresholdBps: thresholdNow(a),
        });
      }
      const id = idOf(a);
      const existing = loans.get(id);
      if (existing?.status === "Cancelled") throw new LedgerRevertError("CancelledAgreement", [id]);
      if (existing) throw new LedgerRevertError("AlreadySettled", [id]);
      const nonces = unpackNonce(a.nonce);
      if (nonces.lender !== 0n && isNonceUsed(a.lender, nonces.lender))
        throw new LedgerRevertError("NonceUsed", [a.lender, nonces.lender]);
      if (nonces.borrower !== 0n && isNonceUsed(a.borrower, nonces.borrower))
        throw new LedgerRevertError("NonceUsed", [a.borrower, nonces.borrower]);
      if (!validSignature(a.lender, id, lenderSignature))
        throw new LedgerRevertError("InvalidSignature", [a.lender]);
      if (!validSignature(a.borrower, id, borrowerSignature))
        throw new LedgerRevertError("InvalidSignature", [a.borrower]);
      const heldAfter = a.collateral !== 0n ? addHeld(a.collateralToken, a.collateral) : undefined;
      const tx = bankTransaction(p.bank);
      tx.transfer(a.principalToken, a.lender, a.borrower, a.principal);
      if (a.collateral !== 0n) tx.transfer(a.collateralToken, a.borrower, me, a.collateral);
      tx.commit();
      if (nonces.lender !== 0n) usedNonces.add(`${a.lender.toLowerCase()}:${nonces.lender}`);
      if (nonces.borrower !== 0n) usedNonces.add(`${a.borrower.toLowerCase()}:${nonces.borrower}`);
      if (heldAfter !== undefined) setHeld(a.collateralToken, heldAfter);
      const maturity = now + BigInt(a.tenor);
      loans.set(id, { status: "Active", disputed: false, maturity, paid: 0n });
      if (margined(a)) marginEscrow.set(id, a.collateral);
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
      const remaining = escrowOf(a, id, loan.paid, due);
      const tx = bankTransaction(p.bank);
      const effect = payOut(tx, a.collateralToken, caller, remaining);
      tx.commit();
      effect();
      if (margined(a)) marginEscrow.set(id, 0n);
      loan.status = "Defaulted";
      emit({ type: "DefaultClaimed", id, agreement: a, collateral: remaining });
    },
    liquidate({ caller, agreement: a, repayAmount }) {
      const { id, loan } = activeLoan(a);
      if (!margined(a)) throw new LedgerRevertError("NotMargined", [id]);
      if (repayAmount === 0n) throw new LedgerRevertError("ZeroAmount");
      const oracle = p.marginOracle;
      if (!oracle) throw new LedgerRevertError("MarginUnavailable");
      const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
      const paid = loan.paid;
      const escrow = marginEscrow.get(id) ?? 0n;
      const q = oracle.quoteLiquidation({
        debtToken: a.principalToken,
        debt: due - paid,
        collateralToken: a.collateralToken,
        collateral: escrow,
        thresholdBps: thresholdNow(a),
        bonusBps: BigInt(a.liquidationBonusBps ?? 0),
        repayAmount,
      });
      const paidAfter = paid + q.repaid;
      const rest = escrow - q.seized;
      const closes = paidAfter === due;
      const tx = bankTransaction(p.bank);
      const effects: (() => void)[] = [];
      // _payFrom: to the lender directly, else into the ledger as the lender's credit.
      if (!tx.tryTransfer(a.principalToken, caller, a.lender, q.repaid)) {
        tx.transfer(a.principalToken, caller, me, q.repaid);
        const total = addHeld(a.principalToken, q.repaid);
        effects.push(() => {
          setHeld(a.principalToken, total);
          credits.set(key(a.lender, a.principalToken), creditOf(a.lender, a.principalToken) + q.repaid);
        });
      }
      for (const e of effects.splice(0)) e();
      effects.push(payOut(tx, a.collateralToken, caller, q.seized));
      tx.commit();
      for (const e of effects) e();
      if (closes && rest !== 0n) {
        // Still held: the borrower withdraws it (withdrawCredit).
        credits.set(key(a.borrower, a.collateralToken), creditOf(a.borrower, a.collateralToken) + rest);
      }
      loan.paid = paidAfter;
      if (closes) loan.status = "Liquidated";
      marginEscrow.set(id, closes ? 0n : rest);
      emit({
        type: "Liquidated",
        id,
        agreement: a,
        liquidator: caller,
        repaid: q.repaid,
        seized: q.seized,
        outstanding: due - paidAfter,
        escrowLeft: closes ? 0n : rest,
        healthBefore: q.healthBefore,
      });
      return { repaid: q.repaid, seized: q.seized };
    },
    topUp({ caller, agreement: a, amount }) {
      const { id } = activeLoan(a);
      if (!margined(a)) throw new LedgerRevertError("NotMargined", [id]);
      if (amount === 0n) throw new LedgerRevertError("ZeroAmount");
      const escrow = (marginEscrow.get(id) ?? 0n) + amount;
      const total = addHeld(a.collateralToken, amount);
      const tx = bankTransaction(p.bank);
      tx.transfer(a.collateralToken, caller, me, amount);
      tx.commit();
      setHeld(a.collateralToken, total);
      marginEscrow.set(id, escrow);
      emit({ type: "ToppedUp", id, agreement: a, payer: caller, amount, escrow });
    },
    liquidationThreshold: thresholdNow,
    invalidateNonce({ caller, nonce }) {
      if (nonce === 0n || nonce > NONCE_HALF_MAX) throw new LedgerRevertError("InvalidParameter");
      usedNonces.add(`${caller.toLowerCase()}:${nonce}`);
    },
    cancelAgreement({ caller, agreement: a }) {
      if (!same(caller, a.lender) && !same(caller, a.borrower))
        throw new LedgerRevertError("NotParty", [caller]);
      const id = idOf(a);
      const loan = loans.get(id);
      if (loan?.status === "Cancelled") return;
      if (loan) throw new LedgerRevertError("AlreadySettled", [id]);
      loans.set(id, { status: "Cancelled", disputed: false, maturity: 0n, paid: 0n });
    },
    withdrawCredit({ caller, token, to }) {
      const credit = creditOf(caller, token);
      if (credit === 0n) throw new LedgerRevertError("NothingToWithdraw", [token]);
      if (/^0x0{40}$/.test(to)) throw new LedgerRevertError("InvalidParameter");
      const h = heldOf(token);
      const tx = bankTransaction(p.bank);
      const paid = share(tx, token, credit, h);
      if (paid !== 0n) tx.transfer(token, me, to, paid);
      tx.commit();
      credits.delete(key(caller, token));
      setHeld(token, h - credit);
      return paid;
    },
    getLoan(id) {
      const loan = loans.get(id);
      return loan ? { ...loan } : { status: "None", disputed: false, maturity: 0n, paid: 0n };
    },
    outstanding(a) {
      const id = idOf(a);
      const loan = loans.get(id);
      if (!loan || loan.status === "Cancelled") throw new LedgerRevertError("UnknownAgreement", [id]);
      if (loan.status !== "Active") return { owed: 0n, escrowed: 0n };
      const due = ledgerAmountDue(a.principal, a.rateBps, a.tenor);
      return { owed: due - loan.paid, escrowed: escrowOf(a, id, loan.paid, due) };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
