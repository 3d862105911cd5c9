/**
 * The agents' SettlementPort on the real contract: withdrawing a signature uses our own nonce half
 * (cheap, and it also kills any alternative carrying it) or, when we have none in the agreement,
 * cancels the agreement; credits the token refused to pay us directly are collected.
 */
import type { Address, Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { approve } from "../arbitration/approve.ts";
import { deployTestToken, setTestTokenBlocked } from "../arbitration/deploy-test-token.ts";
import { ArbiterCancelledAgreementError, ArbiterNonceUsedError } from "../arbitration/errors.ts";
import { getLoan } from "../arbitration/get-loan.ts";
import { allowToken } from "../arbitration/governance.ts";
import { isNonceUsed } from "../arbitration/is-nonce-used.ts";
import { mintTestToken } from "../arbitration/mint-test-token.ts";
import { hashAgreement, signAgreement } from "../core/agreement.ts";
import { packNonce } from "../core/agreement-nonce.ts";
import {
  type ArbiterFixture,
  balanceOf,
  rejection,
  sampleAgreement,
  useAnvil,
} from "../test/harness/anvil.ts";
import { createChainSettlement } from "./chain-settlement.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let blk: Address;
let snap: Hex;

beforeAll(async () => {
  fx = await chain.deployFixture();
  const { clients } = fx.deployer;
  ({ address: blk } = await deployTestToken({
    clients,
    name: "Blocklist USD",
    symbol: "BUSD",
    decimals: 6,
    blocklist: true,
  }));
  await allowToken({ clients, arbiter: fx.arbiter, token: blk, minBond: 10n ** 6n });
  for (const p of [fx.lender, fx.borrower]) {
    await mintTestToken({ clients, token: blk, to: p.address, amount: 10_000_000n * 10n ** 6n });
    await approve({ clients: p.clients, token: blk, spender: fx.arbiter, amount: 2n ** 256n - 1n });
  }
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

const port = (who: "lender" | "borrower") =>
  createChainSettlement({ clients: fx[who].clients, arbiter: fx.arbiter });
const sign = (a: ReturnType<typeof sampleAgreement>) => ({
  lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
  borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
});

describe("chain settlement port", () => {
  test("withdraw cancels our own nonce: no agreement carrying it can settle", async () => {
    const a = sampleAgreement(fx, await chain.now(), { nonce: packNonce({ borrower: 31n }) });
    await port("borrower").withdraw({ agreement: a });
    expect(
      await isNonceUsed({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        owner: fx.borrower.address,
        nonce: 31n,
      }),
    ).toBe(true);
    expect(await rejection(() => port("lender").settle({ agreement: a, ...sign(a) }))).toBeInstanceOf(
      ArbiterNonceUsedError,
    );
  });

  test("withdraw cancels the agreement when we have no nonce in it", async () => {
    const a = sampleAgreement(fx, await chain.now(), { nonce: packNonce({ lender: 7n }) });
    await port("borrower").withdraw({ agreement: a });
    expect(await rejection(() => port("lender").settle({ agreement: a, ...sign(a) }))).toBeInstanceOf(
      ArbiterCancelledAgreementError,
    );
    expect(
      (await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id: hashAgreement(fx.domain, a) }))
        .status,
    ).toBe("Cancelled");
  });

  test("collect withdraws what the token refused to pay us; nothing to do otherwise", async () => {
    const a = sampleAgreement(fx, await chain.now(), { principalToken: blk });
    const { id } = await port("borrower").settle({ agreement: a, ...sign(a) });
    await setTestTokenBlocked({
      clients: fx.deployer.clients,
      token: blk,
      account: fx.lender.address,
      blocked: true,
    });
    await port("borrower").repay({ id, agreement: a });
    expect(await port("lender").status(id)).toBe("Repaid");
    // Still blocked: collecting fails (the credit stays ours on the contract).
    await expect(port("lender").collect({ token: blk })).rejects.toThrow();
    await setTestTokenBlocked({
      clients: fx.deployer.clients,
      token: blk,
      account: fx.lender.address,
      blocked: false,
    });
    const before = await balanceOf(fx, blk, fx.lender.address);
    const { amount, txHash } = await port("lender").collect({ token: blk });
    expect(amount).toBeGreaterThan(a.principal);
    expect(txHash).toMatch(/^0x/);
    expect(await balanceOf(fx, blk, fx.lender.address)).toBe(before + amount);
    expect(await port("lender").collect({ token: blk })).toEqual({ amount: 0n });
  });
});
