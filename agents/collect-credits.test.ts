import type { Address } from "viem";
import { keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { signAgreement } from "../core/agreement.ts";
import { packNonce } from "../core/agreement-nonce.ts";
import { createMemoryLogger } from "../core/log.ts";
import { createSigner } from "../core/signer.ts";
import { createLedger } from "../sims/ledger/ledger.ts";
import { createLedgerSettlementPort } from "../sims/ledger/ledger-settlement-port.ts";
import { createMemoryBank } from "../sims/ledger/memory-bank.ts";
import { collectCredits } from "./collect-credits.ts";

const USDC = "0x00000000000000000000000000000000000000C0" as Address;
const WETH = "0x00000000000000000000000000000000000000E0" as Address;
const ZERO = "0x0000000000000000000000000000000000000000" as Address;
const escrow = "0x000000000000000000000000000000000000e5c0" as Address;
const domain = { chainId: 31337, verifyingContract: escrow };
const lender = createSigner(keccak256(toHex("lender")));
const borrower = createSigner(keccak256(toHex("borrower")));

describe("collectCredits", () => {
  it("withdraws each token's credit once, skips the zero address, and logs a failure instead of throwing", async () => {
    const bank = createMemoryBank();
    bank.mint(USDC, lender.address, 1_000n);
    bank.mint(USDC, borrower.address, 1_000n);
    bank.mint(WETH, borrower.address, 10n);
    const ledger = createLedger({ address: escrow, bank, now: () => 0n, domain });
    const a = {
      sessionId: `0x${"11".repeat(32)}` as const,
      lender: lender.address,
      borrower: borrower.address,
      principalToken: USDC,
      principal: 500n,
      collateralToken: WETH,
      collateral: 10n,
      rateBps: 0,
      tenor: 3600,
      nonce: packNonce({ lender: 1n, borrower: 1n }),
      deadline: 100n,
    };
    ledger.settle({
      caller: borrower.address,
      agreement: a,
      lenderSignature: signAgreement(domain, a, lender),
      borrowerSignature: signAgreement(domain, a, borrower),
    });
    bank.setBlocked(USDC, lender.address, true);
    bank.setBlocked(WETH, borrower.address, true);
    ledger.repay({ caller: borrower.address, agreement: a });
    const log = createMemoryLogger("warn");

    const lenderPort = createLedgerSettlementPort({ ledger, caller: lender.address });
    // Still blocked: logged, not thrown; the credit stays.
    expect(await collectCredits({ settlement: lenderPort, tokens: [USDC, ZERO, USDC], log })).toEqual([]);
    expect(log.lines.map((l) => l.msg)).toEqual([
      "collecting a credit from the arbiter failed; it stays ours on the contract",
    ]);
    expect(ledger.credit(lender.address, USDC)).toBe(500n);
    bank.setBlocked(USDC, lender.address, false);
    expect(await collectCredits({ settlement: lenderPort, tokens: [USDC, WETH, USDC], log })).toEqual([
      500n,
      0n,
    ]);
    expect(bank.balanceOf(USDC, lender.address)).toBe(1_000n);
  });
});
