import { erc20Abi, type Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { amountDue, signAgreement } from "../core/agreement.ts";
import { type ArbiterFixture, sampleAgreement, useAnvil } from "../test/harness/anvil.ts";
import { approve } from "./approve.ts";
import { claimDefault } from "./claim-default.ts";
import {
  ArbiterGracePeriodActiveError,
  ArbiterInsufficientAllowanceError,
  ArbiterNotActiveError,
  ArbiterNotLenderError,
  ArbiterUnknownAgreementError,
} from "./errors.ts";
import { getLoan } from "./get-loan.ts";
import { repay } from "./repay.ts";
import { settle } from "./settle.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let snap: Hex;

beforeAll(async () => {
  fx = await chain.deployFixture();
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

const GRACE_PERIOD = 24n * 3600n;

async function settled() {
  const a = sampleAgreement(fx, await chain.now());
  const { id } = await settle({
    clients: fx.borrower.clients,
    arbiter: fx.arbiter,
    agreement: a,
    lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
    borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
  });
  return { a, id };
}

function balance(token: `0x${string}`, owner: `0x${string}`) {
  return fx.deployer.clients.public.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
}

async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("repay", () => {
  test("pays the lender the amount due and returns the collateral", async () => {
    const { a, id } = await settled();
    await chain.increaseTime(a.tenor);
    const lenderBefore = await balance(fx.usdc, fx.lender.address);
    const borrowerUsdcBefore = await balance(fx.usdc, fx.borrower.address);
    const borrowerWethBefore = await balance(fx.weth, fx.borrower.address);

    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, id });

    const due = amountDue(a);
    expect(due).toBeGreaterThan(a.principal);
    expect(await balance(fx.usdc, fx.lender.address)).toBe(lenderBefore + due);
    expect(await balance(fx.usdc, fx.borrower.address)).toBe(borrowerUsdcBefore - due);
    expect(await balance(fx.weth, fx.borrower.address)).toBe(borrowerWethBefore + a.collateral);
    expect(await balance(fx.weth, fx.arbiter)).toBe(0n);
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Repaid");
  });

  test("a third party may repay: it pays, the borrower gets the collateral", async () => {
    const { a, id } = await settled();
    const strangerBefore = await balance(fx.usdc, fx.stranger.address);
    const borrowerUsdcBefore = await balance(fx.usdc, fx.borrower.address);
    const borrowerWethBefore = await balance(fx.weth, fx.borrower.address);
    await repay({ clients: fx.stranger.clients, arbiter: fx.arbiter, id });
    expect(await balance(fx.usdc, fx.stranger.address)).toBe(strangerBefore - amountDue(a));
    expect(await balance(fx.usdc, fx.borrower.address)).toBe(borrowerUsdcBefore);
    expect(await balance(fx.weth, fx.borrower.address)).toBe(borrowerWethBefore + a.collateral);
  });

  test("twice: ArbiterNotActiveError", async () => {
    const { id } = await settled();
    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, id });
    const error = await rejection(() => repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, id }));
    expect(error).toBeInstanceOf(ArbiterNotActiveError);
    expect(error).toMatchObject({ id, status: "Repaid" });
  });

  test("an unknown id: ArbiterUnknownAgreementError", async () => {
    const id: Hex = `0x${"cd".repeat(32)}`;
    const error = await rejection(() => repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, id }));
    expect(error).toBeInstanceOf(ArbiterUnknownAgreementError);
    expect(error).toMatchObject({ id });
  });

  test("without allowance for the amount due: ArbiterInsufficientAllowanceError", async () => {
    const { a, id } = await settled();
    await approve({ clients: fx.borrower.clients, token: fx.usdc, spender: fx.arbiter, amount: a.principal });
    const error = await rejection(() => repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, id }));
    expect(error).toBeInstanceOf(ArbiterInsufficientAllowanceError);
    expect(error).toMatchObject({ allowance: a.principal, needed: amountDue(a) });
  });
});

describe("claimDefault", () => {
  test("gives the lender the collateral only after maturity plus grace", async () => {
    const { a, id } = await settled();
    const { maturity } = await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id });

    const early = await rejection(() =>
      claimDefault({ clients: fx.lender.clients, arbiter: fx.arbiter, id }),
    );
    expect(early).toBeInstanceOf(ArbiterGracePeriodActiveError);
    expect(early).toMatchObject({ claimableAfter: maturity + GRACE_PERIOD });

    await chain.increaseTime(BigInt(a.tenor) + GRACE_PERIOD + 1n);
    const notLender = await rejection(() =>
      claimDefault({ clients: fx.borrower.clients, arbiter: fx.arbiter, id }),
    );
    expect(notLender).toBeInstanceOf(ArbiterNotLenderError);

    const lenderWeth = await balance(fx.weth, fx.lender.address);
    await claimDefault({ clients: fx.lender.clients, arbiter: fx.arbiter, id });
    expect(await balance(fx.weth, fx.lender.address)).toBe(lenderWeth + a.collateral);
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Defaulted");

    const late = await rejection(() => repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, id }));
    expect(late).toMatchObject({ status: "Defaulted" });
  });
});
