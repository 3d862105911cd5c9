/**
 * The ledger equals the contract: one seeded stream of operations (valid and invalid settlements,
 * full and partial repayments, default claims, nonce cancellations, time jumps) runs through the
 * LiquidityArbiter on anvil and through the in-process ledger; after every operation both must
 * agree on the outcome (success, or the same error name), every balance and every loan.
 */
import { type Address, erc20Abi, type Hex, keccak256, toHex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import {
  ArbiterRevertError,
  claimDefault,
  getLoan,
  invalidateNonce,
  repay,
  settle,
} from "../../arbitration/index.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { type ArbiterFixture, type Party, useAnvil } from "../../test/harness/anvil.ts";
import { createRng } from "../paths/prng.ts";
import { LedgerRevertError } from "./errors.ts";
import { createLedger, type Ledger } from "./ledger.ts";
import { createMemoryBank, type MemoryBank } from "./memory-bank.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let ledger: Ledger;
let bank: MemoryBank;
let ledgerNow = 0n;

const OPS = 120;

beforeAll(async () => {
  fx = await chain.deployFixture();
  bank = createMemoryBank();
  for (const token of [fx.usdc, fx.weth]) {
    for (const who of [fx.lender, fx.borrower, fx.stranger])
      bank.mint(token, who.address, await balance(token, who.address));
  }
  ledger = createLedger({
    address: fx.arbiter,
    bank,
    now: () => ledgerNow,
    domain: fx.domain,
    isRegistered: (a) => a === fx.lender.address || a === fx.borrower.address,
  });
});

function balance(token: Address, owner: Address) {
  return fx.deployer.clients.public.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
}

type Outcome = string;

async function onChain(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    await fn();
    return "ok";
  } catch (error) {
    if (error instanceof ArbiterRevertError) return error.errorName;
    throw error;
  }
}

function inLedger(fn: () => unknown): Outcome {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (error instanceof LedgerRevertError) return error.reason;
    throw error;
  }
}

describe("ledger vs LiquidityArbiter on anvil", () => {
  test(`${OPS} seeded operations give the same outcomes, balances and loans`, async () => {
    const rng = createRng(2024);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.nextFloat() * xs.length)]!;
    const int = (lo: number, hi: number) => lo + Math.floor(rng.nextFloat() * (hi - lo + 1));
    const agreements: Agreement[] = [];
    const parties: Party[] = [fx.lender, fx.borrower, fx.stranger];
    const kinds: Record<string, number> = {};
    const outcomes = new Map<string, number>();

    for (let op = 0; op < OPS; op++) {
      // Both sides see the same block time: the next block is mined at exactly `ledgerNow`.
      const latest = await chain.now();
      ledgerNow = latest + 1n;
      await chain.test.setNextBlockTimestamp({ timestamp: ledgerNow });

      const kind = pick([
        "settle",
        "settle",
        "settle",
        "repay",
        "repayPartial",
        "claimDefault",
        "invalidateNonce",
        "advance",
      ]);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      let chainOutcome: Outcome;
      let ledgerOutcome: Outcome;

      if (kind === "advance") {
        const seconds = int(3600, 40 * 86_400);
        await chain.increaseTime(seconds);
        continue;
      }
      if (kind === "settle") {
        const flaw = pick([
          "none",
          "none",
          "none",
          "expired",
          "stranger-caller",
          "bad-signature",
          "zero",
          "too-big",
          "duplicate",
          "unregistered",
          "self",
        ]);
        let a: Agreement = {
          sessionId: keccak256(toHex(`session-${op}`)),
          lender: fx.lender.address,
          borrower: fx.borrower.address,
          principalToken: pick([fx.usdc, fx.weth]),
          principal: BigInt(int(1, 2_000_000)) * 10n ** 6n,
          collateralToken: pick([fx.usdc, fx.weth]),
          collateral: BigInt(int(0, 900)) * 10n ** 18n,
          rateBps: int(0, 5000),
          tenor: int(60, 30 * 86_400),
          nonce: BigInt(int(1, 12)),
          deadline: ledgerNow + 3600n,
        };
        if (flaw === "expired") a = { ...a, deadline: ledgerNow - 100n };
        if (flaw === "zero") a = { ...a, principal: 0n };
        if (flaw === "too-big") a = { ...a, principal: 10n ** 30n };
        if (flaw === "duplicate" && agreements.length > 0) a = pick(agreements);
        if (flaw === "unregistered") a = { ...a, borrower: fx.stranger.address };
        if (flaw === "self") a = { ...a, borrower: fx.lender.address };
        const signerOf = (addr: Address) => parties.find((p) => p.address === addr)!.signer;
        const lenderSignature = signAgreement(fx.domain, a, signerOf(a.lender));
        const borrowerSignature =
          flaw === "bad-signature"
            ? signAgreement(fx.domain, a, fx.stranger.signer)
            : signAgreement(fx.domain, a, signerOf(a.borrower));
        const caller =
          flaw === "stranger-caller" ? fx.stranger : parties.find((p) => p.address === a.borrower)!;
        chainOutcome = await onChain(() =>
          settle({
            clients: caller.clients,
            arbiter: fx.arbiter,
            agreement: a,
            lenderSignature,
            borrowerSignature,
          }),
        );
        ledgerOutcome = inLedger(() =>
          ledger.settle({ caller: caller.address, agreement: a, lenderSignature, borrowerSignature }),
        );
        if (chainOutcome === "ok" && !agreements.includes(a)) agreements.push(a);
      } else if (kind === "invalidateNonce") {
        const who = pick([fx.lender, fx.borrower]);
        const nonce = BigInt(int(1, 12));
        chainOutcome = await onChain(() =>
          invalidateNonce({ clients: who.clients, arbiter: fx.arbiter, nonce }),
        );
        ledgerOutcome = inLedger(() => ledger.invalidateNonce({ caller: who.address, nonce }));
      } else {
        if (agreements.length === 0) continue;
        const a = pick(agreements);
        const who = pick(parties);
        if (kind === "repay") {
          chainOutcome = await onChain(() =>
            repay({ clients: who.clients, arbiter: fx.arbiter, agreement: a }),
          );
          ledgerOutcome = inLedger(() => ledger.repay({ caller: who.address, agreement: a }));
        } else if (kind === "repayPartial") {
          const amount = (a.principal * BigInt(int(1, 120))) / 100n;
          chainOutcome = await onChain(() =>
            repay({ clients: who.clients, arbiter: fx.arbiter, agreement: a, amount }),
          );
          ledgerOutcome = inLedger(() => ledger.repayPartial({ caller: who.address, agreement: a, amount }));
        } else {
          const caller = rng.nextFloat() < 0.8 ? fx.lender : who;
          chainOutcome = await onChain(() =>
            claimDefault({ clients: caller.clients, arbiter: fx.arbiter, agreement: a }),
          );
          ledgerOutcome = inLedger(() => ledger.claimDefault({ caller: caller.address, agreement: a }));
        }
      }
      expect(ledgerOutcome, `op ${op} (${kind})`).toBe(chainOutcome);
      outcomes.set(chainOutcome, (outcomes.get(chainOutcome) ?? 0) + 1);

      for (const token of [fx.usdc, fx.weth]) {
        for (const who of [fx.lender.address, fx.borrower.address, fx.stranger.address, fx.arbiter]) {
          expect(bank.balanceOf(token, who), `op ${op} balance`).toBe(await balance(token, who));
        }
      }
      for (const a of agreements) {
        const id: Hex = ledger.idOf(a);
        const c = await getLoan({ clients: fx.deployer.clients, arbiter: fx.arbiter, id });
        expect(ledger.getLoan(id), `op ${op} loan`).toEqual({
          status: c.status,
          disputed: c.disputed,
          maturity: c.maturity,
          paid: c.paid,
        });
      }
    }
    // The stream exercised every path, and successes as well as refusals.
    for (const o of [
      "ok",
      "Expired",
      "NotParty",
      "InvalidSignature",
      "AlreadySettled",
      "NotActive",
      "ERC20InsufficientBalance",
    ]) {
      expect(outcomes.get(o), `outcome ${o} never happened: ${[...outcomes]}`).toBeGreaterThan(0);
    }
    expect(agreements.length).toBeGreaterThan(3);
    expect(Object.keys(kinds).sort()).toEqual([
      "advance",
      "claimDefault",
      "invalidateNonce",
      "repay",
      "repayPartial",
      "settle",
    ]);
  }, 180_000);
});
