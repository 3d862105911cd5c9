import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { amountDue, hashAgreement } from "../core/agreement.ts";
import { type ArbiterFixture, balanceOf, rejection, settleSample, useAnvil } from "../test/harness/anvil.ts";
import { approve } from "./approve.ts";
import { claimDefault } from "./claim-default.ts";
import {
  ArbiterGracePeriodActiveError,
  ArbiterInsufficientAllowanceError,
  ArbiterNotActiveError,
  ArbiterNotLenderError,
  ArbiterRepayExceedsOutstandingError,
  ArbiterUnknownAgreementError,
} from "./errors.ts";
import { getArbiterEvents } from "./events.ts";
import { getLoan } from "./get-loan.ts";
import { repay } from "./repay.ts";

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
const settled = () => settleSample(chain, fx);

describe("repay", () => {
  test("pays the lender the amount due and returns the collateral", async () => {
    const { agreement: a, id } = await settled();
    await chain.increaseTime(a.tenor);
    const due = amountDue(a);
    const lenderBefore = await balanceOf(fx, fx.usdc, fx.lender.address);
    const borrowerUsdcBefore = await balanceOf(fx, fx.usdc, fx.borrower.address);
    const borrowerWethBefore = await balanceOf(fx, fx.weth, fx.borrower.address);
    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a });
    expect(await balanceOf(fx, fx.usdc, fx.lender.address)).toBe(lenderBefore + due);
    expect(await balanceOf(fx, fx.usdc, fx.borrower.address)).toBe(borrowerUsdcBefore - due);
    expect(await balanceOf(fx, fx.weth, fx.borrower.address)).toBe(borrowerWethBefore + a.collateral);
    expect(await balanceOf(fx, fx.weth, fx.arbiter)).toBe(0n);
    expect(await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).toMatchObject({
      status: "Repaid",
      paid: due,
    });
    const [event] = await getArbiterEvents({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      eventName: "Repaid",
      id,
    });
    expect(event?.args).toMatchObject({
      id,
      payer: fx.borrower.address,
      amount: due,
      collateralReleased: a.collateral,
      outstanding: 0n,
    });
  });

  test("in parts: collateral comes back pro rata, the last part closes the loan", async () => {
    const { agreement: a, id } = await settled();
    const due = amountDue(a);
    const part = due / 4n;
    const wethBefore = await balanceOf(fx, fx.weth, fx.borrower.address);
    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, amount: part });
    const loan = await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id, agreement: a });
    expect(loan).toMatchObject({ status: "Active", paid: part, outstanding: due - part });
    expect(loan.escrowed).toBe(a.collateral - (a.collateral * part) / due);
    expect(await balanceOf(fx, fx.weth, fx.borrower.address)).toBe(wethBefore + (a.collateral * part) / due);

    const tooMuch = await rejection(() =>
      repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, amount: due }),
    );
    expect(tooMuch).toBeInstanceOf(ArbiterRepayExceedsOutstandingError);
    expect(tooMuch).toMatchObject({ amount: due, outstanding: due - part });

    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a });
    expect(await balanceOf(fx, fx.weth, fx.borrower.address)).toBe(wethBefore + a.collateral);
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Repaid");
  });

  test("a third party may repay: it pays, the borrower gets the collateral", async () => {
    const { agreement: a } = await settled();
    const strangerBefore = await balanceOf(fx, fx.usdc, fx.stranger.address);
    const borrowerUsdcBefore = await balanceOf(fx, fx.usdc, fx.borrower.address);
    const borrowerWethBefore = await balanceOf(fx, fx.weth, fx.borrower.address);
    await repay({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a });
    expect(await balanceOf(fx, fx.usdc, fx.stranger.address)).toBe(strangerBefore - amountDue(a));
    expect(await balanceOf(fx, fx.usdc, fx.borrower.address)).toBe(borrowerUsdcBefore);
    expect(await balanceOf(fx, fx.weth, fx.borrower.address)).toBe(borrowerWethBefore + a.collateral);
  });

  test("twice: ArbiterNotActiveError", async () => {
    const { agreement: a, id } = await settled();
    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a });
    const error = await rejection(() =>
      repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(error).toBeInstanceOf(ArbiterNotActiveError);
    expect(error).toMatchObject({ id, status: "Repaid" });
  });

  test("with terms that differ from the settled ones: ArbiterUnknownAgreementError", async () => {
    const { agreement } = await settled();
    const a = { ...agreement, rateBps: agreement.rateBps + 1 };
    const error = await rejection(() =>
      repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(error).toBeInstanceOf(ArbiterUnknownAgreementError);
    expect(error).toMatchObject({ id: hashAgreement(fx.domain, a) });
    expect((error as Error).message).toMatch(/exactly as it\s+was settled/);
  });

  test("without allowance for the amount due: ArbiterInsufficientAllowanceError", async () => {
    const { agreement: a } = await settled();
    await approve({ clients: fx.borrower.clients, token: fx.usdc, spender: fx.arbiter, amount: a.principal });
    const error = await rejection(() =>
      repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(error).toBeInstanceOf(ArbiterInsufficientAllowanceError);
    expect(error).toMatchObject({ allowance: a.principal, needed: amountDue(a) });
  });
});

describe("claimDefault", () => {
  test("gives the lender the collateral only after maturity plus grace", async () => {
    const { agreement: a, id } = await settled();
    const { maturity } = await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id });

    const early = await rejection(() =>
      claimDefault({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(early).toBeInstanceOf(ArbiterGracePeriodActiveError);
    expect(early).toMatchObject({ claimableAfter: maturity + GRACE_PERIOD });

    await chain.increaseTime(BigInt(a.tenor) + GRACE_PERIOD + 1n);
    const notLender = await rejection(() =>
      claimDefault({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(notLender).toBeInstanceOf(ArbiterNotLenderError);

    const lenderWeth = await balanceOf(fx, fx.weth, fx.lender.address);
    await claimDefault({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a });
    expect(await balanceOf(fx, fx.weth, fx.lender.address)).toBe(lenderWeth + a.collateral);
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Defaulted");

    const late = await rejection(() =>
      repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(late).toMatchObject({ status: "Defaulted" });
  });
});
