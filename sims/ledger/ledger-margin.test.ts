import { type Address, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { packNonce } from "../../core/agreement-nonce.ts";
import { createSigner } from "../../core/signer.ts";
import { LedgerRevertError } from "./errors.ts";
import { createLedger } from "./ledger.ts";
import { createLedgerMarginOracle, WAD } from "./ledger-margin-oracle.ts";
import { createMemoryBank } from "./memory-bank.ts";

const lender = createSigner(keccak256(toHex("m-lender")));
const borrower = createSigner(keccak256(toHex("m-borrower")));
const keeper = createSigner(keccak256(toHex("m-keeper")));
const USDC = "0x00000000000000000000000000000000000000C0" as Address;
const WETH = "0x00000000000000000000000000000000000000E0" as Address;
const escrow = "0x000000000000000000000000000000000000e5c0" as Address;
const domain = { chainId: 31337, verifyingContract: escrow };

function setup({ withOracle = true } = {}) {
  const bank = createMemoryBank();
  bank.mint(USDC, lender.address, 1_000_000n);
  bank.mint(USDC, keeper.address, 1_000_000n);
  bank.mint(WETH, borrower.address, 1_000n);
  bank.mint(USDC, borrower.address, 50_000n);
  const prices = new Map<Address, bigint>([
    [USDC, WAD],
    [WETH, 1_000n * WAD],
  ]);
  const oracle = createLedgerMarginOracle((t) => {
    const wad = prices.get(t);
    return wad === undefined ? undefined : { wad, decimals: 0 };
  });
  const ledger = createLedger({
    address: escrow,
    bank,
    now: () => 1_000n,
    domain,
    marginOracle: withOracle ? oracle : undefined,
  });
  const agreement: Agreement = {
    sessionId: `0x${"22".repeat(32)}`,
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
    liquidationThresholdBps: 8000,
    liquidationBonusBps: 500,
    tighteningPerLevelBps: 0,
  };
  const settle = (a: Agreement = agreement) =>
    ledger.settle({
      caller: borrower.address,
      agreement: a,
      lenderSignature: signAgreement(domain, a, lender),
      borrowerSignature: signAgreement(domain, a, borrower),
    });
  const setWethPrice = (usd: bigint) => prices.set(WETH, usd * WAD);
  return { bank, ledger, agreement, settle, setWethPrice };
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

describe("ledger margined loans", () => {
  it("refuses margined agreements without an oracle, and openings at or above the threshold", () => {
    const bare = setup({ withOracle: false });
    expect(reason(() => bare.settle())).toBe("MarginUnavailable");
    const { settle, setWethPrice, agreement } = setup();
    setWethPrice(458n); // 300 * 458 * 0.8 = 109,920 < 110,000 due
    expect(reason(() => settle())).toBe("ThresholdBelowOpeningLtv");
    expect(reason(() => settle({ ...agreement, liquidationThresholdBps: 9600 }))).toBe(
      "InvalidLiquidationBonus",
    );
  });

  it("liquidates in full below 95 % health: lender repaid, keeper gets collateral plus bonus, rest credited", () => {
    const { bank, ledger, agreement, settle, setWethPrice } = setup();
    const id = settle();
    expect(
      reason(() => ledger.liquidate({ caller: keeper.address, agreement, repayAmount: undefined })),
    ).toBe("HealthyLoan");
    setWethPrice(400n); // health 300 * 400 * 0.8 / 110,000 = 0.873
    const out = ledger.liquidate({ caller: keeper.address, agreement, repayAmount: undefined });
    // seized = 110,000 * 1.05 * 300 / 120,000 = 288.75, rounded down
    expect(out).toEqual({ repaid: 110_000n, seized: 288n });
    expect(bank.balanceOf(USDC, lender.address)).toBe(1_000_000n - 100_000n + 110_000n);
    expect(bank.balanceOf(WETH, keeper.address)).toBe(288n);
    expect(ledger.getLoan(id).status).toBe("Liquidated");
    expect(ledger.credit(borrower.address, WETH)).toBe(12n);
    expect(ledger.held(WETH)).toBe(12n);
    expect(bank.balanceOf(WETH, escrow)).toBe(12n);
  });

  it("caps a liquidation at the close factor between 95 % and 100 % health and keeps the loan open", () => {
    const { bank, ledger, agreement, settle, setWethPrice } = setup();
    const id = settle();
    setWethPrice(450n); // health 0.9818
    expect(reason(() => ledger.liquidate({ caller: keeper.address, agreement, repayAmount: 55_001n }))).toBe(
      "RepayAboveCloseFactor",
    );
    expect(reason(() => ledger.liquidate({ caller: keeper.address, agreement, repayAmount: 0n }))).toBe(
      "ZeroAmount",
    );
    expect(ledger.liquidate({ caller: keeper.address, agreement, repayAmount: 55_000n })).toEqual({
      repaid: 55_000n,
      seized: 128n,
    });
    expect(ledger.getLoan(id)).toMatchObject({ status: "Active", paid: 55_000n });
    expect(ledger.outstanding(agreement)).toEqual({ owed: 55_000n, escrowed: 172n });
    expect(bank.balanceOf(WETH, escrow)).toBe(172n);
  });

  it("tops up from the caller, refuses plain loans and zero, and repaying returns the whole escrow", () => {
    const { bank, ledger, agreement, settle } = setup();
    const plain = {
      ...agreement,
      nonce: packNonce({ lender: 2n, borrower: 2n }),
      liquidationThresholdBps: 0,
    };
    settle(plain);
    expect(reason(() => ledger.topUp({ caller: borrower.address, agreement: plain, amount: 1n }))).toBe(
      "NotMargined",
    );
    expect(
      reason(() => ledger.liquidate({ caller: keeper.address, agreement: plain, repayAmount: 1n })),
    ).toBe("NotMargined");
    settle();
    expect(reason(() => ledger.topUp({ caller: borrower.address, agreement, amount: 0n }))).toBe(
      "ZeroAmount",
    );
    expect(reason(() => ledger.topUp({ caller: keeper.address, agreement, amount: 1n }))).toBe(
      "ERC20InsufficientBalance",
    );
    ledger.topUp({ caller: borrower.address, agreement, amount: 100n });
    expect(ledger.outstanding(agreement).escrowed).toBe(400n);
    expect(bank.balanceOf(WETH, borrower.address)).toBe(1_000n - 600n - 100n);
    ledger.repayPartial({ caller: borrower.address, agreement, amount: 10_000n });
    expect(bank.balanceOf(WETH, borrower.address)).toBe(300n); // nothing released before the debt is gone
    bank.mint(USDC, borrower.address, 100_000n);
    ledger.repay({ caller: borrower.address, agreement });
    expect(bank.balanceOf(WETH, borrower.address)).toBe(700n);
    expect(ledger.held(WETH)).toBe(300n); // the plain loan's escrow
  });
});
