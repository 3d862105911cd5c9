/**
 * Payouts that a token refuses do not revert the call: a lender the principal token blocklists is
 * credited, the borrower's repayment goes through (it does not become a defaulter), and the lender
 * withdraws the credit later, to any address. Real anvil, real contract, a BlocklistTestToken.
 */
import type { Address, Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { signAgreement } from "../core/agreement.ts";
import {
  type ArbiterFixture,
  balanceOf,
  rejection,
  sampleAgreement,
  useAnvil,
} from "../test/harness/anvil.ts";
import { approve } from "./approve.ts";
import { deployTestToken, setTestTokenBlocked } from "./deploy-test-token.ts";
import { ArbiterNothingToWithdrawError, ArbiterUnknownRevertError } from "./errors.ts";
import { getCredit } from "./get-credit.ts";
import { getLoan } from "./get-loan.ts";
import { getTokenConfig } from "./get-token-config.ts";
import { allowToken } from "./governance.ts";
import { mintTestToken } from "./mint-test-token.ts";
import { repay } from "./repay.ts";
import { settle } from "./settle.ts";
import { withdrawCredit } from "./withdraw-credit.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let blk: Address;
let snap: Hex;
const MAX = 2n ** 256n - 1n;

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
  await allowToken({ clients, arbiter: fx.arbiter, token: blk, minBond: 100n * 10n ** 6n });
  for (const p of [fx.lender, fx.borrower]) {
    await mintTestToken({ clients, token: blk, to: p.address, amount: 10_000_000n * 10n ** 6n });
    await approve({ clients: p.clients, token: blk, spender: fx.arbiter, amount: MAX });
  }
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("credits", () => {
  test("a blocklisted lender is credited, the repayment stands, the lender withdraws elsewhere", async () => {
    const a = sampleAgreement(fx, await chain.now(), { principalToken: blk });
    const { id } = await settle({
      clients: fx.borrower.clients,
      arbiter: fx.arbiter,
      agreement: a,
      lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
      borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
    });
    await setTestTokenBlocked({
      clients: fx.deployer.clients,
      token: blk,
      account: fx.lender.address,
      blocked: true,
    });
    const { loan } = {
      loan: await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id, agreement: a }),
    };
    await repay({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a });
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Repaid");
    const owed = loan.outstanding;
    expect(
      await getCredit({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        owner: fx.lender.address,
        token: blk,
      }),
    ).toBe(owed);
    expect(
      await getTokenConfig({ clients: fx.lender.clients, arbiter: fx.arbiter, token: blk }),
    ).toMatchObject({
      held: owed,
    });
    expect(await balanceOf(fx, fx.weth, fx.arbiter)).toBe(0n); // the collateral went back

    // To itself: the token refuses (its own error, decoded by name).
    const refused = await rejection(() =>
      withdrawCredit({ clients: fx.lender.clients, arbiter: fx.arbiter, token: blk }),
    );
    expect(refused).toBeInstanceOf(ArbiterUnknownRevertError);
    expect(refused).toMatchObject({ errorName: "Blocked" });
    // To another address of its own: paid.
    const cold = fx.stranger.address;
    const before = await balanceOf(fx, blk, cold);
    const { paid } = await withdrawCredit({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      token: blk,
      to: cold,
    });
    expect(paid).toBe(owed);
    expect(await balanceOf(fx, blk, cold)).toBe(before + owed);
    expect(
      await getCredit({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        owner: fx.lender.address,
        token: blk,
      }),
    ).toBe(0n);
    expect(
      await rejection(() =>
        withdrawCredit({ clients: fx.lender.clients, arbiter: fx.arbiter, token: blk, to: cold }),
      ),
    ).toBeInstanceOf(ArbiterNothingToWithdrawError);
  });
});
