/**
 * The lender's loan service runs on xstate delays: a SimulatedClock drives its polling, with no real
 * sleep. The agent machine (real) spawns it for a signed lender agreement; the in-process ledger
 * (real, kept equal to the contract by sims/ledger's differential test) settles and repays.
 */
import { type Address, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { type AgentDeps, type AgentEffect, agentMachine } from "../agents/agent-machine.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { type Agreement, hashAgreement, signAgreement } from "../core/agreement.ts";
import { packNonce } from "../core/agreement-nonce.ts";
import { createMemoryLogger } from "../core/log.ts";
import { createSigner } from "../core/signer.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { createLedger } from "../sims/ledger/ledger.ts";
import { createLedgerSettlementPort } from "../sims/ledger/ledger-settlement-port.ts";
import { createMemoryBank } from "../sims/ledger/memory-bank.ts";

const lender = createSigner(keccak256(toHex("clock-lender")));
const borrower = createSigner(keccak256(toHex("clock-borrower")));
const USDC = "0x00000000000000000000000000000000000000C0" as Address;
const WETH = "0x00000000000000000000000000000000000000E0" as Address;
const escrow = "0x000000000000000000000000000000000000e5c0" as Address;
const domain = { chainId: 31337, verifyingContract: escrow };

function world(deadline: bigint) {
  const bank = createMemoryBank();
  bank.mint(USDC, lender.address, 1_000_000n);
  bank.mint(WETH, borrower.address, 1_000n);
  bank.mint(USDC, borrower.address, 50_000n);
  let nowSec = 1_000n;
  const ledger = createLedger({ address: escrow, bank, now: () => nowSec, domain, isRegistered: () => true });
  const agreement: Agreement = {
    sessionId: `0x${"22".repeat(32)}`,
    lender: lender.address,
    borrower: borrower.address,
    principalToken: USDC,
    principal: 100_000n,
    collateralToken: WETH,
    collateral: 300n,
    rateBps: 1000,
    tenor: 3600,
    nonce: packNonce({ lender: 1n, borrower: 1n }),
    deadline,
  };
  const signed = {
    agreement,
    lenderSignature: signAgreement(domain, agreement, lender),
    borrowerSignature: signAgreement(domain, agreement, borrower),
  };
  const market = new SimulatedLendingMarket({
    protocolId: "lender-market",
    asset: { address: USDC, symbol: "USDC", decimals: 6 },
    deposits: 1_000_000n,
    borrows: 0n,
    bufferBps: 1000,
    rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
    priceUsd8: 100_000_000n,
    now: () => Number(nowSec) * 1000,
  });
  const clock = new SimulatedClock();
  const deps: AgentDeps = {
    address: lender.address,
    adapter: market,
    settlement: createLedgerSettlementPort({ ledger, caller: lender.address }),
    policy: createDefaultPolicy({ decimals: () => 6, oracle: () => 100_000_000n }),
    pollMs: 60_000,
    newSessionId: () => `0x${"33".repeat(32)}`,
    agreementId: (a) => hashAgreement(domain, a),
    nowSec: () => nowSec,
    log: createMemoryLogger("silent"),
  };
  const actor = createActor(agentMachine, { input: deps, clock });
  const effects: AgentEffect[] = [];
  actor.on("*", (e) => effects.push(e));
  actor.start();
  actor.send({
    type: "session.finished",
    side: "lender",
    sessionId: agreement.sessionId,
    peer: borrower.address,
    outcome: { status: "agreed", ...signed, rounds: 1 },
  });
  const borrowerPort = createLedgerSettlementPort({ ledger, caller: borrower.address });
  const settle = (s: number) => (nowSec += BigInt(s));
  /** Lets the invoked promises (status reads, adapter calls) run. */
  const drain = () => new Promise((r) => setTimeout(r, 5));
  return { actor, clock, effects, signed, borrowerPort, settle, drain, market, ledger };
}

const closed = (effects: AgentEffect[]) => effects.filter((e) => e.type === "effect.loanClosed");

describe("lender loan service on the simulated clock", () => {
  it("polls until the borrower settles and repays, then closes the loan with a typed effect", async () => {
    const w = world(5_000n);
    await w.drain();
    expect(closed(w.effects)).toEqual([]);
    await w.borrowerPort.settle(w.signed);
    // Nothing moves until the clock reaches the next poll.
    await w.drain();
    const cashBefore = (await w.market.snapshot()).liquidity[0]!.liquid;
    w.clock.increment(60_000);
    await w.drain();
    expect((await w.market.snapshot()).liquidity[0]!.liquid).toBe(cashBefore - 100_000n);
    await w.borrowerPort.repay({
      id: hashAgreement(domain, w.signed.agreement),
      agreement: w.signed.agreement,
    });
    await w.drain();
    expect(closed(w.effects)).toEqual([]);
    w.clock.increment(60_000);
    await w.drain();
    expect(closed(w.effects)).toEqual([
      expect.objectContaining({ status: "Repaid", id: hashAgreement(domain, w.signed.agreement) }),
    ]);
    w.actor.stop();
  });

  it("a loan unpaid past maturity plus grace: the lender claims its default and closes it", async () => {
    const w = world(5_000n);
    await w.borrowerPort.settle(w.signed);
    w.clock.increment(60_000);
    await w.drain();
    // Tenor 3600 s from settlement at 1000: due at 4600, claimable after 4600 + 86400.
    w.settle(3_600 + 86_400);
    w.clock.increment(60_000);
    await w.drain();
    expect(closed(w.effects)).toEqual([]);
    w.settle(1);
    w.clock.increment(60_000);
    await w.drain();
    expect(closed(w.effects)).toEqual([expect.objectContaining({ status: "Defaulted" })]);
    expect(w.ledger.getLoan(hashAgreement(domain, w.signed.agreement)).status).toBe("Defaulted");
    w.actor.stop();
  });

  it("an agreement nobody settles closes as expired once its deadline passes, on the next poll", async () => {
    const w = world(1_100n);
    await w.drain();
    w.clock.increment(60_000);
    await w.drain();
    expect(closed(w.effects)).toEqual([]);
    w.settle(200);
    w.clock.increment(60_000);
    await w.drain();
    expect(closed(w.effects)).toEqual([expect.objectContaining({ status: "expired" })]);
    w.actor.stop();
  });
});
