/**
 * Margined loans: the ledger equals the contract. One scripted stream (margined settlements, an
 * opening refused above the threshold, top-ups, liquidations refused as healthy, above the close
 * factor or zero, partial and closing liquidations, calls on a closed loan) runs through the
 * LiquidityArbiter with its MarginOracle and test feeds on anvil and through the in-process ledger
 * with its oracle view fed the same prices; after every step both agree on the outcome (success or
 * the same error name), every balance, every loan, the borrower's credits and what each holds.
 * A risk alert then tightens a loan's threshold on both (the ledger's riskLevel mirrors it).
 */
import { type Address, erc20Abi, keccak256, toHex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import {
  ArbiterRevertError,
  deployMarginOracle,
  getCredit,
  getLoan,
  getTokenConfig,
  liquidate,
  raiseAlert,
  setMarginOracle,
  setPriceFeed,
  settle,
  topUp,
} from "../../arbitration/index.ts";
import { deployTestPriceFeed, setTestPrice } from "../../arbitration/test-price-feed.ts";
import { signRiskAlert } from "../../arbitration/typed-data.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { packNonce } from "../../core/agreement-nonce.ts";
import { type ArbiterFixture, useAnvil } from "../../test/harness/anvil.ts";
import { LedgerRevertError } from "./errors.ts";
import { createLedger, type Ledger } from "./ledger.ts";
import { createLedgerMarginOracle } from "./ledger-margin-oracle.ts";
import { createMemoryBank, type MemoryBank } from "./memory-bank.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let ledger: Ledger;
let bank: MemoryBank;
let ledgerNow = 0n;
/** The risk alert raised on chain, mirrored into the ledger's riskLevel. */
let alertNow: { level: number; expiresAt: bigint } | undefined;
let tokens: Address[];
const feeds = new Map<Address, Address>();
/** Raw feed answers (8 decimals), as set on the test feeds. */
const answers = new Map<Address, bigint>();
const decimals = new Map<Address, number>();
const USD = 10n ** 8n;

beforeAll(async () => {
  fx = await chain.deployFixture();
  const clients = fx.deployer.clients;
  tokens = [fx.usdc, fx.weth];
  decimals.set(fx.usdc, 6).set(fx.weth, 18);
  const { address: oracle } = await deployMarginOracle({ clients });
  for (const [token, answer] of [
    [fx.usdc, USD],
    [fx.weth, 3_000n * USD],
  ] as const) {
    const { address: feed } = await deployTestPriceFeed({
      clients,
      decimals: 8,
      description: "test",
      answer,
    });
    await setPriceFeed({
      clients,
      oracle,
      token,
      feed,
      maxAge: 7 * 86_400,
      minAnswer: 1n,
      maxAnswer: 10n ** 14n,
    });
    feeds.set(token, feed);
    answers.set(token, answer);
  }
  await setMarginOracle({ clients, arbiter: fx.arbiter, oracle });
  bank = createMemoryBank();
  for (const token of tokens) {
    for (const who of [fx.lender, fx.borrower, fx.stranger])
      bank.mint(token, who.address, await balance(token, who.address));
  }
  ledger = createLedger({
    address: fx.arbiter,
    bank,
    now: () => ledgerNow,
    domain: fx.domain,
    riskLevel: () => (alertNow && ledgerNow < alertNow.expiresAt ? alertNow.level : 0),
    marginOracle: createLedgerMarginOracle((token) => {
      const answer = answers.get(token);
      const d = decimals.get(token);
      return answer === undefined || d === undefined ? undefined : { wad: answer * 10n ** 10n, decimals: d };
    }),
  });
}, 60_000);

function balance(token: Address, owner: Address) {
  return fx.deployer.clients.public.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
}

async function onChain(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (error) {
    if (error instanceof ArbiterRevertError) return error.errorName;
    throw error;
  }
}

function inLedger(fn: () => unknown): string {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (error instanceof LedgerRevertError) return error.reason;
    throw error;
  }
}

describe("ledger vs LiquidityArbiter on anvil: margined loans", () => {
  test("settle, top up and liquidate give the same outcomes, balances, loans and credits", async () => {
    const agreements: Agreement[] = [];
    let n = 0;
    const margined = (collateralWeth: bigint, principalUsdc: bigint): Agreement => {
      n += 1;
      return {
        sessionId: keccak256(toHex(`margin-session-${n}`)),
        lender: fx.lender.address,
        borrower: fx.borrower.address,
        principalToken: fx.usdc,
        principal: principalUsdc * 10n ** 6n,
        collateralToken: fx.weth,
        collateral: collateralWeth * 10n ** 16n,
        rateBps: 700,
        tenor: 30 * 86_400,
        nonce: packNonce({ lender: BigInt(n), borrower: BigInt(n) }),
        deadline: 10n ** 12n,
        liquidationThresholdBps: 8_000,
        liquidationBonusBps: 500,
        tighteningPerLevelBps: 0,
      };
    };
    const step = async (label: string, chainFn: () => Promise<unknown>, ledgerFn: () => unknown) => {
      ledgerNow = (await chain.now()) + 1n;
      await chain.test.setNextBlockTimestamp({ timestamp: ledgerNow });
      const c = await onChain(chainFn);
      const l = inLedger(ledgerFn);
      expect(l, label).toBe(c);
      for (const token of tokens) {
        for (const who of [fx.lender.address, fx.borrower.address, fx.stranger.address, fx.arbiter])
          expect(bank.balanceOf(token, who), `${label} balance`).toBe(await balance(token, who));
        expect(ledger.credit(fx.borrower.address, token), `${label} credit`).toBe(
          await getCredit({
            clients: fx.deployer.clients,
            arbiter: fx.arbiter,
            owner: fx.borrower.address,
            token,
          }),
        );
        const { held } = await getTokenConfig({ clients: fx.deployer.clients, arbiter: fx.arbiter, token });
        expect(ledger.held(token), `${label} held`).toBe(held);
      }
      for (const a of agreements) {
        const id = ledger.idOf(a);
        const loan = await getLoan({ clients: fx.deployer.clients, arbiter: fx.arbiter, id });
        expect(ledger.getLoan(id), `${label} loan`).toEqual({
          status: loan.status,
          disputed: loan.disputed,
          maturity: loan.maturity,
          paid: loan.paid,
        });
      }
      return c;
    };
    const doSettle = (a: Agreement) => {
      const lenderSignature = signAgreement(fx.domain, a, fx.lender.signer);
      const borrowerSignature = signAgreement(fx.domain, a, fx.borrower.signer);
      return step(
        "settle",
        () =>
          settle({
            clients: fx.borrower.clients,
            arbiter: fx.arbiter,
            agreement: a,
            lenderSignature,
            borrowerSignature,
          }),
        () =>
          ledger.settle({ caller: fx.borrower.address, agreement: a, lenderSignature, borrowerSignature }),
      );
    };
    const doLiquidate = (a: Agreement, repayAmount?: bigint) =>
      step(
        `liquidate ${repayAmount ?? "max"}`,
        () => liquidate({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a, repayAmount }),
        () => ledger.liquidate({ caller: fx.stranger.address, agreement: a, repayAmount }),
      );
    const doTopUp = (a: Agreement, amount: bigint) =>
      step(
        `topUp ${amount}`,
        () => topUp({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, amount }),
        () => ledger.topUp({ caller: fx.borrower.address, agreement: a, amount }),
      );
    const setWeth = async (usd: bigint) => {
      await setTestPrice({ clients: fx.deployer.clients, feed: feeds.get(fx.weth)!, answer: usd * USD });
      answers.set(fx.weth, usd * USD);
    };

    // 2 WETH at 3,000 = 6,000 against 5,000 USDC: LTV 83 % > 80 %.
    const tooBig = margined(200n, 5_000n);
    expect(await doSettle(tooBig)).toBe("ThresholdBelowOpeningLtv");
    const a = margined(200n, 4_000n);
    const b = margined(150n, 3_000n);
    agreements.push(a, b);
    expect(await doSettle(a)).toBe("ok");
    expect(await doSettle(b)).toBe("ok");
    expect(await doLiquidate(a)).toBe("HealthyLoan");
    expect(await doTopUp(a, 0n)).toBe("ZeroAmount");
    expect(await doTopUp(a, 33n * 10n ** 15n)).toBe("ok");
    await setWeth(2_520n); // a: 2.033 WETH -> health ~1.02; b: 1.5 WETH * 2,520 * 0.8 / ~3,017 = 1.002
    expect(await doLiquidate(b)).toBe("HealthyLoan");
    await setWeth(2_450n); // between 95 % and 100 % health: the close factor applies
    const owedB = ledger.outstanding(b).owed;
    expect(await doLiquidate(b, owedB)).toBe("RepayAboveCloseFactor");
    expect(await doLiquidate(b, 0n)).toBe("ZeroAmount");
    expect(await doLiquidate(b, 1_000n * 10n ** 6n + 7n)).toBe("ok");
    expect(await doLiquidate(a)).toBe("ok");
    await setWeth(2_000n); // b well below 95 %: fully liquidatable
    expect(await doLiquidate(b)).toBe("ok");
    expect(ledger.getLoan(ledger.idOf(b)).status).toBe("Liquidated");
    expect(await doTopUp(b, 10n ** 15n)).toBe("NotActive");
    await setWeth(1_000n); // a underwater: only a closing liquidation is allowed
    expect(await doLiquidate(a, 10n ** 6n)).toBe("LiquidationMustClose");
    expect(await doLiquidate(a)).toBe("ok");

    // A risk alert at level 2 tightens a loan with 10 points per level from 80 % to 60 %, on the
    // contract and in the ledger (its riskLevel mirrors the alert): a healthy loan turns
    // liquidatable, and an opening above the tightened threshold is refused.
    await setWeth(3_000n);
    const tight = (c: Agreement): Agreement => ({ ...c, tighteningPerLevelBps: 1_000 });
    const c = tight(margined(200n, 4_000n));
    agreements.push(c);
    expect(await doSettle(c)).toBe("ok");
    expect(await doLiquidate(c)).toBe("HealthyLoan");
    const now = await chain.now();
    const alert = {
      level: 2,
      evidenceHash: `0x${"ee".repeat(32)}` as const,
      issuedAt: now,
      expiresAt: now + 3600n,
    };
    await raiseAlert({
      clients: fx.stranger.clients,
      arbiter: fx.arbiter,
      alert,
      signatures: [fx.lender, fx.borrower].map((p) => signRiskAlert(fx.domain, alert, p.signer)),
    });
    alertNow = alert;
    expect(ledger.liquidationThreshold(c)).toBe(6_000n);
    expect(ledger.liquidationThreshold(a)).toBe(8_000n); // no tightening asked: its own
    const d = tight(margined(200n, 4_000n)); // LTV ~67 %: under 80 %, above 60 %
    const refused = await doSettle(d);
    expect(refused).toBe("ThresholdBelowOpeningLtv");
    expect(await doLiquidate(c)).toBe("ok");
    expect(ledger.getLoan(ledger.idOf(c)).status).toBe("Liquidated");
  }, 120_000);
});
