import { type Address, type Hex, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { type Agreement, amountDue, signAgreement } from "../../core/agreement.ts";
import { packNonce } from "../../core/agreement-nonce.ts";
import { createSigner } from "../../core/signer.ts";
import { LedgerRevertError } from "./errors.ts";
import { createLedger, GRACE_PERIOD, ledgerAmountDue } from "./ledger.ts";
import { createLedgerSettlementPort } from "./ledger-settlement-port.ts";
import { createMemoryBank } from "./memory-bank.ts";

const lender = createSigner(keccak256(toHex("lender")));
const borrower = createSigner(keccak256(toHex("borrower")));
const stranger = createSigner(keccak256(toHex("stranger")));
const USDC = "0x00000000000000000000000000000000000000C0" as Address;
const WETH = "0x00000000000000000000000000000000000000E0" as Address;
const escrow = "0x000000000000000000000000000000000000e5c0" as Address;
const domain = { chainId: 31337, verifyingContract: escrow };

function setup() {
  const bank = createMemoryBank();
  bank.mint(USDC, lender.address, 1_000_000n);
  bank.mint(WETH, borrower.address, 1_000n);
  bank.mint(USDC, borrower.address, 50_000n);
  let now = 1_000n;
  const ledger = createLedger({
    address: escrow,
    bank,
    now: () => now,
    domain,
    isRegistered: (a) => a !== stranger.address,
  });
  const agreement: Agreement = {
    sessionId: `0x${"11".repeat(32)}`,
    lender: lender.address,
    borrower: borrower.address,
    principalToken: USDC,
    principal: 100_000n,
    collateralToken: WETH,
    collateral: 300n,
    rateBps: 1000,
    tenor: 365 * 24 * 3600,
    nonce: packNonce({ lender: 1n, borrower: 1n }),
    deadline: 2_000n,
  };
  const sigs = (a: Agreement) => ({
    lenderSignature: signAgreement(domain, a, lender),
    borrowerSignature: signAgreement(domain, a, borrower),
  });
  return { bank, ledger, agreement, sigs, advance: (s: bigint) => (now += s), now: () => now };
}

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerRevertError) return e.reason;
    throw e;
  }
  return "ok";
};

describe("ledger", () => {
  it("computes the amount due as the contract does (simple interest, rounded up)", () => {
    expect(ledgerAmountDue(100_000n, 1000, 365 * 24 * 3600)).toBe(110_000n);
    expect(ledgerAmountDue(1n, 1, 1)).toBe(2n); // any interest rounds up to a unit
    expect(ledgerAmountDue(123_456_789n, 777, 86_400)).toBe(
      amountDue({ principal: 123_456_789n, rateBps: 777, tenor: 86_400 }),
    );
  });

  it("settles: principal to the borrower, collateral to escrow, loan active until maturity", () => {
    const { bank, ledger, agreement, sigs } = setup();
    const id = ledger.settle({ caller: borrower.address, agreement, ...sigs(agreement) });
    expect(bank.balanceOf(USDC, borrower.address)).toBe(150_000n);
    expect(bank.balanceOf(WETH, escrow)).toBe(300n);
    expect(ledger.getLoan(id)).toEqual({
      status: "Active",
      disputed: false,
      maturity: 1_000n + 31_536_000n,
      paid: 0n,
    });
    expect(ledger.outstanding(agreement)).toEqual({ owed: 110_000n, escrowed: 300n });
  });

  it("repays in part (collateral released pro rata, rounded down) and then in full", () => {
    const { bank, ledger, agreement, sigs } = setup();
    const id = ledger.settle({ caller: lender.address, agreement, ...sigs(agreement) });
    ledger.repayPartial({ caller: borrower.address, agreement, amount: 40_000n });
    // 300 * 40,000 / 110,000 = 109.09 -> 109
    expect(bank.balanceOf(WETH, borrower.address)).toBe(700n + 109n);
    expect(ledger.outstanding(agreement)).toEqual({ owed: 70_000n, escrowed: 191n });
    expect(reason(() => ledger.repayPartial({ caller: borrower.address, agreement, amount: 70_001n }))).toBe(
      "RepayExceedsOutstanding",
    );
    ledger.repay({ caller: borrower.address, agreement });
    expect(ledger.getLoan(id).status).toBe("Repaid");
    expect(bank.balanceOf(WETH, borrower.address)).toBe(1_000n);
    expect(bank.balanceOf(USDC, lender.address)).toBe(1_000_000n + 10_000n);
    expect(reason(() => ledger.repay({ caller: borrower.address, agreement }))).toBe("NotActive");
  });

  it("lets the lender take the remaining collateral only after maturity plus grace", () => {
    const { bank, ledger, agreement, sigs, advance } = setup();
    ledger.settle({ caller: borrower.address, agreement, ...sigs(agreement) });
    advance(BigInt(agreement.tenor) + GRACE_PERIOD);
    expect(reason(() => ledger.claimDefault({ caller: lender.address, agreement }))).toBe(
      "GracePeriodActive",
    );
    advance(1n);
    expect(reason(() => ledger.claimDefault({ caller: borrower.address, agreement }))).toBe("NotLender");
    ledger.claimDefault({ caller: lender.address, agreement });
    expect(bank.balanceOf(WETH, lender.address)).toBe(300n);
    expect(ledger.getLoan(ledger.idOf(agreement)).status).toBe("Defaulted");
  });

  it("refuses what the contract refuses, in the contract's order, and changes nothing", () => {
    const { bank, ledger, agreement, sigs, advance } = setup();
    const bad = (a: Agreement, caller: Address = borrower.address, s = sigs(a)) =>
      reason(() => ledger.settle({ caller, agreement: a, ...s }));
    expect(bad({ ...agreement, deadline: 999n })).toBe("Expired");
    expect(bad(agreement, stranger.address)).toBe("NotParty");
    expect(bad({ ...agreement, borrower: lender.address }, lender.address)).toBe("SelfLoan");
    expect(bad({ ...agreement, principal: 0n })).toBe("ZeroAmount");
    expect(bad({ ...agreement, collateral: 1n << 128n })).toBe("AmountTooLarge");
    expect(bad({ ...agreement, borrower: stranger.address })).toBe("NotParty");
    expect(bad({ ...agreement, borrower: stranger.address }, stranger.address)).toBe("UnregisteredAgent");
    expect(
      bad(agreement, borrower.address, {
        ...sigs(agreement),
        lenderSignature: sigs(agreement).borrowerSignature,
      }),
    ).toBe("InvalidSignature");
    expect(bad({ ...agreement, principal: 2_000_000n })).toBe("ERC20InsufficientBalance");
    expect(bad({ ...agreement, collateral: 1_001n })).toBe("ERC20InsufficientBalance");
    expect(bank.balanceOf(USDC, lender.address)).toBe(1_000_000n);
    expect(bank.balanceOf(USDC, borrower.address)).toBe(50_000n);
    ledger.invalidateNonce({ caller: lender.address, nonce: 1n });
    expect(bad(agreement)).toBe("NonceUsed");
    expect(reason(() => ledger.invalidateNonce({ caller: lender.address, nonce: 0n }))).toBe(
      "InvalidParameter",
    );
    const other = { ...agreement, nonce: packNonce({ lender: 2n, borrower: 2n }) };
    ledger.settle({ caller: borrower.address, agreement: other, ...sigs(other) });
    expect(bad(other)).toBe("AlreadySettled");
    // Its nonces are consumed: different terms carrying the borrower's 2 cannot settle.
    expect(bad({ ...other, principal: 1_000n, nonce: packNonce({ lender: 3n, borrower: 2n }) })).toBe(
      "NonceUsed",
    );
    expect(reason(() => ledger.repay({ caller: borrower.address, agreement }))).toBe("UnknownAgreement");
    const listed = createLedger({
      address: escrow,
      bank,
      now: () => 1_000n,
      domain,
      isAllowed: (t) => t === USDC,
    });
    expect(
      reason(() =>
        listed.settle({
          caller: borrower.address,
          agreement: { ...agreement, nonce: 9n },
          ...sigs({ ...agreement, nonce: 9n }),
        }),
      ),
    ).toBe("TokenNotAllowed");
    advance(2_000n);
    expect(bad({ ...agreement, nonce: 3n })).toBe("Expired");
  });

  it("cancels an agreement on a party's word; it never settles", () => {
    const { ledger, agreement, sigs } = setup();
    expect(reason(() => ledger.cancelAgreement({ caller: stranger.address, agreement }))).toBe("NotParty");
    ledger.cancelAgreement({ caller: borrower.address, agreement });
    ledger.cancelAgreement({ caller: borrower.address, agreement }); // idempotent
    expect(ledger.getLoan(ledger.idOf(agreement)).status).toBe("Cancelled");
    expect(reason(() => ledger.settle({ caller: lender.address, agreement, ...sigs(agreement) }))).toBe(
      "CancelledAgreement",
    );
  });

  it("credits a payment the bank refuses, and pays it out on withdrawCredit", () => {
    const { bank, ledger, agreement, sigs } = setup();
    ledger.settle({ caller: borrower.address, agreement, ...sigs(agreement) });
    bank.setBlocked(USDC, lender.address, true);
    bank.setBlocked(WETH, borrower.address, true);
    ledger.repay({ caller: borrower.address, agreement });
    expect(ledger.getLoan(ledger.idOf(agreement)).status).toBe("Repaid");
    expect(ledger.credit(lender.address, USDC)).toBe(110_000n);
    expect(ledger.credit(borrower.address, WETH)).toBe(300n);
    expect(bank.balanceOf(USDC, escrow)).toBe(110_000n);
    expect(ledger.held(USDC)).toBe(110_000n);
    expect(
      reason(() => ledger.withdrawCredit({ caller: lender.address, token: USDC, to: lender.address })),
    ).toBe("Blocked");
    expect(ledger.withdrawCredit({ caller: lender.address, token: USDC, to: stranger.address })).toBe(
      110_000n,
    );
    expect(bank.balanceOf(USDC, stranger.address)).toBe(110_000n);
    expect(ledger.held(USDC)).toBe(0n);
    expect(
      reason(() => ledger.withdrawCredit({ caller: lender.address, token: USDC, to: stranger.address })),
    ).toBe("NothingToWithdraw");
    // A blocked payer cannot pay at all (the contract would revert with the token's error).
    bank.setBlocked(WETH, borrower.address, false);
    expect(ledger.withdrawCredit({ caller: borrower.address, token: WETH, to: borrower.address })).toBe(300n);
  });

  it("serves agents as a SettlementPort", async () => {
    const { bank, ledger, agreement, sigs } = setup();
    const port = createLedgerSettlementPort({ ledger, caller: borrower.address });
    const { id, txHash } = await port.settle({ agreement, ...sigs(agreement) });
    expect(await port.status(id)).toBe("Active");
    expect(await port.settlementTx(id)).toBe(txHash);
    bank.setBlocked(WETH, borrower.address, true);
    await port.repay({ id, agreement });
    expect(await port.status(id)).toBe("Repaid");
    expect(await port.status(`0x${"ab".repeat(32)}` as Hex)).toBe("None");
    // The collateral the bank refused is collected once the borrower may receive it again.
    expect(await port.collect({ token: USDC })).toEqual({ amount: 0n });
    bank.setBlocked(WETH, borrower.address, false);
    expect(await port.collect({ token: WETH })).toMatchObject({ amount: 300n });
    expect(bank.balanceOf(WETH, borrower.address)).toBe(1_000n);
  });

  it("withdraws a signature by the caller's own nonce, or by cancelling when it has none", async () => {
    const { ledger, agreement, sigs } = setup();
    await createLedgerSettlementPort({ ledger, caller: lender.address }).withdraw({ agreement });
    expect(ledger.isNonceUsed(lender.address, 1n)).toBe(true);
    expect(ledger.isNonceUsed(borrower.address, 1n)).toBe(false);
    const noBorrowerNonce = { ...agreement, nonce: packNonce({ lender: 5n }) };
    await createLedgerSettlementPort({ ledger, caller: borrower.address }).withdraw({
      agreement: noBorrowerNonce,
    });
    expect(ledger.getLoan(ledger.idOf(noBorrowerNonce)).status).toBe("Cancelled");
    expect(
      reason(() =>
        ledger.settle({ caller: lender.address, agreement: noBorrowerNonce, ...sigs(noBorrowerNonce) }),
      ),
    ).toBe("CancelledAgreement");
  });
});
