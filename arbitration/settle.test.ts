import { type Hex, parseEventLogs } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { type Agreement, amountDue, hashAgreement, signAgreement } from "../core/agreement.ts";
import { packNonce } from "../core/agreement-nonce.ts";
import {
  type ArbiterFixture,
  balanceOf,
  rejection,
  sampleAgreement,
  useAnvil,
} from "../test/harness/anvil.ts";
import { approve } from "./approve.ts";
import { cancelAgreement } from "./cancel-agreement.ts";
import {
  ArbiterAlreadySettledError,
  ArbiterCancelledAgreementError,
  ArbiterExpiredError,
  ArbiterInsufficientAllowanceError,
  ArbiterInvalidSignatureError,
  ArbiterNonceUsedError,
  ArbiterNotPartyError,
  ArbiterRevertError,
  ArbiterSelfLoanError,
  ArbiterUnregisteredAgentError,
  ArbiterZeroAmountError,
} from "./errors.ts";
import { getSettledAgreement } from "./events.ts";
import { getLoan } from "./get-loan.ts";
import { invalidateNonce } from "./invalidate-nonce.ts";
import { isNonceUsed } from "./is-nonce-used.ts";
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

async function agreement(overrides: Partial<Agreement> = {}): Promise<Agreement> {
  return sampleAgreement(fx, await chain.now(), overrides);
}

function signatures(a: Agreement) {
  return {
    lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
    borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
  };
}

async function balances() {
  const { usdc, weth, arbiter, lender, borrower } = fx;
  const [lenderUsdc, borrowerUsdc, borrowerWeth, escrowWeth] = await Promise.all([
    balanceOf(fx, usdc, lender.address),
    balanceOf(fx, usdc, borrower.address),
    balanceOf(fx, weth, borrower.address),
    balanceOf(fx, weth, arbiter),
  ]);
  return { lenderUsdc, borrowerUsdc, borrowerWeth, escrowWeth };
}

describe("settle", () => {
  test("moves principal to the borrower and escrows collateral", async () => {
    const a = await agreement({ callRiskLevel: 2 });
    const before = await balances();

    const { id, receipt } = await settle({
      clients: fx.borrower.clients,
      arbiter: fx.arbiter,
      agreement: a,
      ...signatures(a),
    });

    expect(id).toBe(hashAgreement(fx.domain, a));
    const after = await balances();
    expect(after.lenderUsdc).toBe(before.lenderUsdc - a.principal);
    expect(after.borrowerUsdc).toBe(before.borrowerUsdc + a.principal);
    expect(after.borrowerWeth).toBe(before.borrowerWeth - a.collateral);
    expect(after.escrowWeth).toBe(before.escrowWeth + a.collateral);

    const [event] = parseEventLogs({ abi: liquidityArbiterAbi, logs: receipt.logs, eventName: "Settled" });
    expect(event?.args).toMatchObject({
      id,
      lender: a.lender,
      borrower: a.borrower,
      amountDue: amountDue(a),
    });

    const block = await fx.deployer.clients.public.getBlock({ blockNumber: receipt.blockNumber });
    expect(await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id, agreement: a })).toEqual({
      id,
      status: "Active",
      disputed: false,
      maturity: block.timestamp + BigInt(a.tenor),
      paid: 0n,
      paramSet: 0,
      bondFloor: fx.minBond.usdc,
      agreement: a,
      amountDue: amountDue(a),
      outstanding: amountDue(a),
      escrowed: a.collateral,
    });

    // The terms can be recovered from the chain by id alone.
    const found = await getSettledAgreement({ clients: fx.lender.clients, arbiter: fx.arbiter, id });
    expect(found?.agreement).toEqual(a);
    expect(found?.transactionHash).toBe(receipt.transactionHash);
  });

  test("either party may submit, and one account can settle several agreements at once", async () => {
    const agreements = await Promise.all([1n, 2n, 3n].map((nonce) => agreement({ nonce })));
    const results = await Promise.all(
      agreements.map((a) =>
        settle({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(3);
    for (const { id } of results) {
      expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Active");
    }
  });

  test("an unknown id reads as status None", async () => {
    const loan = await getLoan({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      id: `0x${"ab".repeat(32)}`,
    });
    expect(loan).toMatchObject({ status: "None", paid: 0n, maturity: 0n, disputed: false });
    expect(
      await getSettledAgreement({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        id: `0x${"ab".repeat(32)}`,
      }),
    ).toBeUndefined();
  });
});

describe("settle rejects, with a typed error and no state change", () => {
  test("an expired agreement", async () => {
    const a = await agreement();
    a.deadline = (await chain.now()) - 1n;
    const before = await balances();
    const error = await rejection(() =>
      settle({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) }),
    );
    expect(error).toBeInstanceOf(ArbiterExpiredError);
    expect(error).toBeInstanceOf(ArbiterRevertError);
    expect((error as ArbiterExpiredError).deadline).toBe(a.deadline);
    expect((error as ArbiterExpiredError).code).toBe("Expired");
    expect((error as Error).message).toMatch(/renegotiate/);
    expect(await balances()).toEqual(before);
  });

  test("a signature by someone else", async () => {
    const a = await agreement();
    const error = await rejection(() =>
      settle({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        agreement: a,
        lenderSignature: signAgreement(fx.domain, a, fx.stranger.signer),
        borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
      }),
    );
    expect(error).toBeInstanceOf(ArbiterInvalidSignatureError);
    expect((error as ArbiterInvalidSignatureError).expectedSigner).toBe(fx.lender.address);
  });

  test("the lender's signature in the borrower's slot", async () => {
    const a = await agreement();
    const lenderSignature = signAgreement(fx.domain, a, fx.lender.signer);
    const error = await rejection(() =>
      settle({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        agreement: a,
        lenderSignature,
        borrowerSignature: lenderSignature,
      }),
    );
    expect(error).toMatchObject({ expectedSigner: fx.borrower.address });
  });

  test("a signature over another domain (another arbiter address, another chain id)", async () => {
    const a = await agreement();
    for (const domain of [
      { ...fx.domain, verifyingContract: fx.usdc },
      { ...fx.domain, chainId: fx.domain.chainId + 1 },
    ]) {
      const error = await rejection(() =>
        settle({
          clients: fx.borrower.clients,
          arbiter: fx.arbiter,
          agreement: a,
          lenderSignature: signAgreement(domain, a, fx.lender.signer),
          borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
        }),
      );
      expect(error).toBeInstanceOf(ArbiterInvalidSignatureError);
    }
  });

  test("a replay of a settled agreement", async () => {
    const a = await agreement();
    const sigs = signatures(a);
    const { id } = await settle({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, ...sigs });
    const error = await rejection(() =>
      settle({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, ...sigs }),
    );
    expect(error).toBeInstanceOf(ArbiterAlreadySettledError);
    expect((error as ArbiterAlreadySettledError).id).toBe(id);
  });

  test("a nonce the borrower cancelled", async () => {
    const a = await agreement({ nonce: packNonce({ lender: 5n, borrower: 77n }) });
    await invalidateNonce({ clients: fx.borrower.clients, arbiter: fx.arbiter, nonce: 77n });
    expect(
      await isNonceUsed({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        owner: fx.borrower.address,
        nonce: 77n,
      }),
    ).toBe(true);
    const error = await rejection(() =>
      settle({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) }),
    );
    expect(error).toBeInstanceOf(ArbiterNonceUsedError);
    expect(error).toMatchObject({ party: fx.borrower.address, nonce: 77n });
  });

  test("settling consumes each party's nonce: an alternative with the same nonce cannot settle", async () => {
    const a = await agreement({ nonce: packNonce({ lender: 9n, borrower: 0n }) });
    await settle({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) });
    expect(
      await isNonceUsed({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        owner: fx.lender.address,
        nonce: 9n,
      }),
    ).toBe(true);
    const alternative = { ...a, sessionId: `0x${"22".repeat(32)}` as const, principal: a.principal / 2n };
    const error = await rejection(() =>
      settle({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        agreement: alternative,
        ...signatures(alternative),
      }),
    );
    expect(error).toBeInstanceOf(ArbiterNonceUsedError);
    expect(error).toMatchObject({ party: fx.lender.address, nonce: 9n });
  });

  test("a party without a nonce in the agreement withdraws by cancelling it", async () => {
    const a = await agreement({ nonce: packNonce({ lender: 11n }) });
    await cancelAgreement({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a });
    const error = await rejection(() =>
      settle({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) }),
    );
    expect(error).toBeInstanceOf(ArbiterCancelledAgreementError);
    expect(
      (await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id: hashAgreement(fx.domain, a) }))
        .status,
    ).toBe("Cancelled");
  });

  test("a caller who is not a party", async () => {
    const a = await agreement();
    const error = await rejection(() =>
      settle({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) }),
    );
    expect(error).toBeInstanceOf(ArbiterNotPartyError);
    expect((error as ArbiterNotPartyError).caller).toBe(fx.stranger.address);
  });

  test("an unregistered party", async () => {
    const a = await agreement({ lender: fx.stranger.address });
    const error = await rejection(() =>
      settle({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        agreement: a,
        lenderSignature: signAgreement(fx.domain, a, fx.stranger.signer),
        borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
      }),
    );
    expect(error).toBeInstanceOf(ArbiterUnregisteredAgentError);
    expect((error as Error).message).toMatch(/registerAgent/);
  });

  test("a self-loan and a zero principal", async () => {
    const self = await agreement({ borrower: fx.lender.address });
    const sig = signAgreement(fx.domain, self, fx.lender.signer);
    expect(
      await rejection(() =>
        settle({
          clients: fx.lender.clients,
          arbiter: fx.arbiter,
          agreement: self,
          lenderSignature: sig,
          borrowerSignature: sig,
        }),
      ),
    ).toBeInstanceOf(ArbiterSelfLoanError);
    const zero = await agreement({ principal: 0n });
    expect(
      await rejection(() =>
        settle({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: zero, ...signatures(zero) }),
      ),
    ).toBeInstanceOf(ArbiterZeroAmountError);
  });

  test("a lender who has not approved the principal (token error decoded)", async () => {
    await approve({ clients: fx.lender.clients, token: fx.usdc, spender: fx.arbiter, amount: 0n });
    const a = await agreement();
    const error = await rejection(() =>
      settle({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, ...signatures(a) }),
    );
    expect(error).toBeInstanceOf(ArbiterInsufficientAllowanceError);
    expect(error).toMatchObject({ spender: fx.arbiter, allowance: 0n, needed: a.principal });
    expect((error as Error).message).toMatch(/approve/);
  });
});
