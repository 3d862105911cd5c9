/**
 * The ledger equals the contract: one seeded stream of operations (valid and invalid settlements,
 * settlements reusing a party's nonce, cancelled agreements, full and partial repayments, default
 * claims, nonce cancellations, a token blocklisting parties so that payouts become credits, credit
 * withdrawals, time jumps) runs through the LiquidityArbiter on anvil and through the in-process
 * ledger; after every operation both must agree on the outcome (success, or the same error name),
 * every balance, every loan, every credit and what each holds per token.
 */
import { type Address, erc20Abi, type Hex, keccak256, toHex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import {
  ArbiterRevertError,
  allowToken,
  approve,
  cancelAgreement,
  claimDefault,
  getCredit,
  getLoan,
  getTokenConfig,
  invalidateNonce,
  repay,
  settle,
  withdrawCredit,
} from "../../arbitration/index.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { packNonce } from "../../core/agreement-nonce.ts";
import { type ArbiterFixture, type Party, useAnvil } from "../../test/harness/anvil.ts";
import { deployTestToken, mintTestToken, setTestTokenBlocked } from "../../testing/index.ts";
import { createRng } from "../paths/prng.ts";
import { LedgerRevertError } from "./errors.ts";
import { createLedger, type Ledger } from "./ledger.ts";
import { createMemoryBank, type MemoryBank } from "./memory-bank.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let ledger: Ledger;
let bank: MemoryBank;
let ledgerNow = 0n;
/** A token whose blocklist the stream toggles (contracts/src/test/BlocklistTestToken.sol). */
let blk: Address;
let tokens: Address[];

const OPS = 240;
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
  await allowToken({ clients, arbiter: fx.arbiter, token: blk, minBond: 10n ** 6n });
  for (const p of [fx.lender, fx.borrower, fx.stranger]) {
    await mintTestToken({ clients, token: blk, to: p.address, amount: 10_000_000n * 10n ** 6n });
    await approve({ clients: p.clients, token: blk, spender: fx.arbiter, amount: MAX });
  }
  tokens = [fx.usdc, fx.weth, blk];
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
    isRegistered: (a) => a === fx.lender.address || a === fx.borrower.address,
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
  test(`${OPS} seeded operations give the same outcomes, balances, loans and credits`, async () => {
    const rng = createRng(2024);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.nextFloat() * xs.length)]!;
    const int = (lo: number, hi: number) => lo + Math.floor(rng.nextFloat() * (hi - lo + 1));
    const agreements: Agreement[] = [];
    const cancelled: Agreement[] = [];
    const parties: Party[] = [fx.lender, fx.borrower, fx.stranger];
    const kinds: Record<string, number> = {};
    const outcomes = new Map<string, number>();
    const signerOf = (addr: Address) => parties.find((p) => p.address === addr)!.signer;
    // Each party's nonces are sequential, as our agents allocate them; now and then a half is 0 (no
    // nonce) or repeats one the party used before (the contract must refuse it once consumed).
    const next = { lender: 1n, borrower: 1n };
    const half = (role: "lender" | "borrower") => {
      const r = rng.nextFloat();
      if (r < 0.15) return 0n;
      if (r < 0.3 && next[role] > 1n) return BigInt(int(1, Number(next[role]) - 1));
      return next[role]++;
    };
    const fresh = (op: number): Agreement => {
      const collateralToken = pick(tokens);
      return {
        sessionId: keccak256(toHex(`session-${op}`)),
        lender: fx.lender.address,
        borrower: fx.borrower.address,
        principalToken: pick([...tokens, blk]),
        principal: BigInt(int(1, 2_000_000)) * 10n ** 6n,
        collateralToken,
        collateral: BigInt(int(0, 900)) * (collateralToken === fx.weth ? 10n ** 18n : 10n ** 6n),
        rateBps: int(0, 5000),
        tenor: int(60, 30 * 86_400),
        nonce: packNonce({ lender: half("lender"), borrower: half("borrower") }),
        deadline: ledgerNow + 3600n,
      };
    };

    const setBlocked = async (who: Address, blocked: boolean) => {
      await setTestTokenBlocked({ clients: fx.deployer.clients, token: blk, account: who, blocked });
      bank.setBlocked(blk, who, blocked);
    };

    for (let op = 0; op < OPS; op++) {
      const kind = pick([
        "settle",
        "settle",
        "settle",
        "settle",
        "repay",
        "repay",
        "repayPartial",
        "repayPartial",
        "claimDefault",
        "invalidateNonce",
        "cancelAgreement",
        "whileBlocked",
        "whileBlocked",
        "withdrawCredit",
        "withdrawCredit",
        "advance",
      ]);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      if (kind === "advance") {
        await chain.increaseTime(int(3600, 40 * 86_400));
        continue;
      }
      // "whileBlocked": the blocklist token refuses a party for one operation: a repayment of a loan
      // in it (its payout to the refused party is credited), or a settlement (refused outright).
      let blocked: Address | undefined;
      let blockedLoan: Agreement | undefined;
      if (kind === "whileBlocked") {
        const open = agreements.filter(
          (x) =>
            ledger.getLoan(ledger.idOf(x)).status === "Active" &&
            (x.principalToken === blk || x.collateralToken === blk),
        );
        if (open.length > 0 && rng.nextFloat() < 0.8) {
          blockedLoan = pick(open);
          blocked = blockedLoan.principalToken === blk ? blockedLoan.lender : blockedLoan.borrower;
        } else {
          blocked = pick([fx.lender, fx.borrower]).address;
        }
        await setBlocked(blocked, true);
      }
      // Both sides see the same block time: the next block is mined at exactly `ledgerNow`.
      const latest = await chain.now();
      ledgerNow = latest + 1n;
      await chain.test.setNextBlockTimestamp({ timestamp: ledgerNow });

      let chainOutcome: Outcome;
      let ledgerOutcome: Outcome;
      if (blockedLoan) {
        const a = blockedLoan;
        const payer = pick([fx.borrower, fx.stranger]);
        const amount = rng.nextFloat() < 0.5 ? undefined : a.principal / 3n;
        chainOutcome = await onChain(() =>
          repay({ clients: payer.clients, arbiter: fx.arbiter, agreement: a, amount }),
        );
        ledgerOutcome = inLedger(() =>
          amount === undefined
            ? ledger.repay({ caller: payer.address, agreement: a })
            : ledger.repayPartial({ caller: payer.address, agreement: a, amount }),
        );
      } else if (kind === "whileBlocked") {
        const a = { ...fresh(op), principalToken: blk };
        const lenderSignature = signAgreement(fx.domain, a, fx.lender.signer);
        const borrowerSignature = signAgreement(fx.domain, a, fx.borrower.signer);
        chainOutcome = await onChain(() =>
          settle({
            clients: fx.borrower.clients,
            arbiter: fx.arbiter,
            agreement: a,
            lenderSignature,
            borrowerSignature,
          }),
        );
        ledgerOutcome = inLedger(() =>
          ledger.settle({ caller: fx.borrower.address, agreement: a, lenderSignature, borrowerSignature }),
        );
      } else if (kind === "settle") {
        const flaw = pick([
          "none",
          "none",
          "none",
          "none",
          "none",
          "none",
          "expired",
          "stranger-caller",
          "bad-signature",
          "zero",
          "too-big",
          "too-big",
          "duplicate",
          "unregistered",
          "self",
          "cancelled",
        ]);
        let a = fresh(op);
        if (flaw === "expired") a = { ...a, deadline: ledgerNow - 100n };
        if (flaw === "zero") a = { ...a, principal: 0n };
        if (flaw === "too-big") a = { ...a, principal: 10n ** 30n };
        if (flaw === "duplicate" && agreements.length > 0) a = pick(agreements);
        if (flaw === "unregistered") a = { ...a, borrower: fx.stranger.address };
        if (flaw === "self") a = { ...a, borrower: fx.lender.address };
        if (flaw === "cancelled" && cancelled.length > 0) a = pick(cancelled);
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
        const role = who === fx.lender ? "lender" : "borrower";
        // Zero (refused), a nonce already used, or the party's next one (later agreements carry it).
        const r = rng.nextFloat();
        const n = r < 0.2 ? 0n : r < 0.5 ? next[role] : BigInt(int(1, Number(next[role])));
        chainOutcome = await onChain(() =>
          invalidateNonce({ clients: who.clients, arbiter: fx.arbiter, nonce: n }),
        );
        ledgerOutcome = inLedger(() => ledger.invalidateNonce({ caller: who.address, nonce: n }));
      } else if (kind === "cancelAgreement") {
        // A party (or the stranger) withdraws its signature from fresh terms, or from a settled loan.
        const a = rng.nextFloat() < 0.8 || agreements.length === 0 ? fresh(op) : pick(agreements);
        const who = pick(parties);
        chainOutcome = await onChain(() =>
          cancelAgreement({ clients: who.clients, arbiter: fx.arbiter, agreement: a }),
        );
        ledgerOutcome = inLedger(() => ledger.cancelAgreement({ caller: who.address, agreement: a }));
        if (chainOutcome === "ok" && !agreements.includes(a)) cancelled.push(a);
      } else if (kind === "withdrawCredit") {
        // Mostly someone who has a credit (payouts the blocklist refused), sometimes anyone.
        const owed = parties.flatMap((p) =>
          tokens.filter((t) => ledger.credit(p.address, t) > 0n).map((t) => ({ who: p, token: t })),
        );
        const { who, token } =
          owed.length > 0 && rng.nextFloat() < 0.7 ? pick(owed) : { who: pick(parties), token: pick(tokens) };
        const to = rng.nextFloat() < 0.5 ? who.address : fx.stranger.address;
        chainOutcome = await onChain(() =>
          withdrawCredit({ clients: who.clients, arbiter: fx.arbiter, token, to }),
        );
        ledgerOutcome = inLedger(() => ledger.withdrawCredit({ caller: who.address, token, to }));
      } else {
        if (agreements.length === 0) continue;
        // Mostly a loan still open, sometimes any (closed ones are refused alike).
        const open = agreements.filter((x) => ledger.getLoan(ledger.idOf(x)).status === "Active");
        const a = open.length > 0 && rng.nextFloat() < 0.8 ? pick(open) : pick(agreements);
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
      if (blocked) await setBlocked(blocked, false);
      expect(ledgerOutcome, `op ${op} (${kind})`).toBe(chainOutcome);
      const key = `${kind}:${chainOutcome}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

      for (const token of tokens) {
        for (const who of [fx.lender.address, fx.borrower.address, fx.stranger.address, fx.arbiter]) {
          expect(bank.balanceOf(token, who), `op ${op} balance`).toBe(await balance(token, who));
        }
        for (const who of [fx.lender.address, fx.borrower.address]) {
          expect(ledger.credit(who, token), `op ${op} credit`).toBe(
            await getCredit({ clients: fx.deployer.clients, arbiter: fx.arbiter, owner: who, token }),
          );
        }
        const { held } = await getTokenConfig({ clients: fx.deployer.clients, arbiter: fx.arbiter, token });
        expect(ledger.held(token), `op ${op} held`).toBe(held);
      }
      for (const a of [...agreements, ...cancelled]) {
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
    const seen = [...outcomes.keys()];
    for (const o of [
      "settle:ok",
      "settle:Expired",
      "settle:NotParty",
      "settle:InvalidSignature",
      "settle:AlreadySettled",
      "settle:NonceUsed",
      "settle:CancelledAgreement",
      "settle:ERC20InsufficientBalance",
      "repay:ok",
      "repay:NotActive",
      "cancelAgreement:ok",
      "cancelAgreement:NotParty",
      "invalidateNonce:ok",
      "invalidateNonce:InvalidParameter",
      "withdrawCredit:ok",
      "withdrawCredit:NothingToWithdraw",
      "whileBlocked:ok",
      "whileBlocked:Blocked",
    ]) {
      expect(outcomes.get(o) ?? 0, `outcome ${o} never happened: ${seen.join(", ")}`).toBeGreaterThan(0);
    }
    expect(agreements.length).toBeGreaterThan(3);

    // A margined agreement: the fixture's arbiter has no margin oracle, and the ledger (created without
    // one) refuses it exactly as such a contract does. Margined loans with an oracle on both sides:
    // ledger-margin.differential.test.ts.
    ledgerNow = (await chain.now()) + 1n;
    await chain.test.setNextBlockTimestamp({ timestamp: ledgerNow });
    const m = {
      ...fresh(OPS),
      principalToken: fx.usdc,
      liquidationThresholdBps: 8_000,
      liquidationBonusBps: 500,
    };
    const lenderSignature = signAgreement(fx.domain, m, fx.lender.signer);
    const borrowerSignature = signAgreement(fx.domain, m, fx.borrower.signer);
    const onChainMargined = await onChain(() =>
      settle({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        agreement: m,
        lenderSignature,
        borrowerSignature,
      }),
    );
    expect(onChainMargined).toBe("MarginUnavailable");
    expect(
      inLedger(() =>
        ledger.settle({ caller: fx.borrower.address, agreement: m, lenderSignature, borrowerSignature }),
      ),
    ).toBe(onChainMargined);
  }, 300_000);
});
