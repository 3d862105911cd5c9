/**
 * What a loan's end (or its settlement) frees, with real agents: lender A (a lending market) and
 * borrower B (a perp exchange) negotiate over the in-process bus with real signatures and settle on
 * the in-process ledger, all on one SimulatedClock that the ledger reads too.
 * - A borrower whose loan was defaulted (its lender claimed the escrow) is done with it: it borrows
 *   again when it is short again, instead of servicing a loan that no longer exists.
 * - A lender's reservation of a loan's principal ends once the loan settled: the principal has left
 *   its cash, and counting it reserved as well would have it turn down loans it can fund.
 */
import { keccak256, toHex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { Activity, Agent } from "../agents/agent.ts";
import { createNonceAllocator } from "../core/agreement-nonce.ts";
import { createLogger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus, type InProcessBus } from "../negotiation/transport/in-process.ts";
import { testDomain as domain, newSigner, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { SimulatedPerpExchange } from "../protocol-adapters/simulated/simulated-perp-exchange.ts";
import { foundationProtocols } from "../sims/foundation-scenario.ts";
import { createLedger, GRACE_PERIOD } from "../sims/ledger/ledger.ts";
import { createLedgerSettlementPort } from "../sims/ledger/ledger-settlement-port.ts";
import { createMemoryBank } from "../sims/ledger/memory-bank.ts";
import { createTestAgent } from "./harness/fault-peers.ts";

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const USD = 10n ** 6n;
const POLL_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls (real time) until `cond` holds; a loaded machine only makes it slower. */
async function until(cond: () => boolean, what: string, timeoutMs = 15_000) {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A ledger on `clock` where every party holds plenty of both tokens. */
function ledgerOn(clock: SimulatedClock, parties: readonly Signer[]) {
  const bank = createMemoryBank();
  for (const s of parties) {
    bank.mint(USDC, s.address, 10n ** 30n);
    bank.mint(WETH, s.address, 10n ** 30n);
  }
  const ledger = createLedger({
    address: domain.verifyingContract,
    bank,
    now: () => BigInt(Math.floor(clock.now() / 1000)),
    domain,
  });
  const settled: string[] = [];
  const defaulted: string[] = [];
  ledger.onEvent((e) => {
    if (e.type === "Settled") settled.push(e.id);
    if (e.type === "DefaultClaimed") defaulted.push(e.id);
  });
  return { ledger, settled, defaulted };
}

type World = {
  clock: SimulatedClock;
  bus: InProcessBus;
  ledger: ReturnType<typeof ledgerOn>;
  peers: ReturnType<typeof createPeerRegistry>;
  activity: Activity[];
};

function world(signers: { signer: Signer; name: string }[]): World {
  const clock = new SimulatedClock();
  clock.set(Date.now());
  return {
    clock,
    bus: createInProcessBus({ log }),
    ledger: ledgerOn(
      clock,
      signers.map((s) => s.signer),
    ),
    peers: createPeerRegistry(
      signers.map((s) => ({ address: s.signer.address, name: s.name, protocol: "lending" as const })),
    ),
    activity: [],
  };
}

async function startAgent(w: World, name: string, signer: Signer, adapter: ProtocolAdapter): Promise<Agent> {
  let n = 0;
  const { agent, endpoint } = await createTestAgent({
    role: "borrower",
    name,
    signer,
    domain,
    transport: w.bus.createTransport({ name }),
    peers: w.peers,
    settlement: createLedgerSettlementPort({ ledger: w.ledger.ledger, caller: signer.address }),
    tokens,
    adapter,
    pollMs: POLL_MS,
    // One lender per test: the auction's admission closes on the clock, which only tests move.
    auction: { admissionMs: 1_000, deadlineMs: 600_000, confirmTimeoutMs: 600_000 },
    clock: w.clock,
    newSessionId: () => keccak256(toHex(`${name}:${n++}`)),
    nonces: createNonceAllocator({ start: 1n << 8n }),
    log,
  });
  agent.onActivity((a) => w.activity.push(a));
  cleanups.push(async () => {
    await agent.stop();
    await endpoint.close();
  });
  return agent;
}

const borrowState = (agent: Agent) => (agent.actor.getSnapshot().value as { borrow: string }).borrow;
const rfqsFrom = (w: World, name: string) =>
  w.activity.filter((a) => a.type === "sent" && a.agent === name && a.kind === "rfq");
const reported = (w: World, name: string, what: string) =>
  w.activity.filter((a) => a.type === "report" && a.agent === name && a.what === what);

/** Moves the clock on in steps of a poll until `cond` holds (each step fires every agent's poll). */
async function pollUntil(w: World, cond: () => boolean, what: string, maxPolls = 20) {
  for (let i = 0; i < maxPolls && !cond(); i++) {
    w.clock.increment(POLL_MS);
    await sleep(50);
  }
  await until(cond, what);
}

describe("what a loan's end frees", () => {
  it("a borrower whose loan was defaulted borrows again once it is short again", async () => {
    const a = newSigner();
    const b = newSigner();
    const w = world([
      { signer: a, name: "A" },
      { signer: b, name: "B" },
    ]);
    const { lendingMarket, perp } = foundationProtocols(tokens);
    await startAgent(w, "A", a, lendingMarket);
    const borrower = await startAgent(w, "B", b, perp);
    await pollUntil(w, () => w.ledger.settled.length === 1, "B's loan settled");
    await until(() => borrowState(borrower) === "servicing", "B servicing its loan");
    // B paid its traders with the loan and has nothing to repay it from: past maturity and grace,
    // A claims the escrow.
    expect(perp.processWithdrawals()).toBeGreaterThan(0n);
    w.clock.increment(7 * 86_400_000 + Number(GRACE_PERIOD) * 1000);
    await pollUntil(w, () => w.ledger.defaulted.length === 1, "A's default claim");
    // Its traders want more: B is short again, and borrows again.
    const asked = rfqsFrom(w, "B").length;
    perp.requestWithdrawal(500_000n * USD);
    await pollUntil(w, () => rfqsFrom(w, "B").length > asked, "B's next RFQ");
    expect(reported(w, "B", "loan defaulted")).toHaveLength(1);
    await pollUntil(w, () => w.ledger.settled.length === 2, "B's second loan settled");
  }, 60_000);

  it("a lender lends what it holds once its first loan settled, not that less the loan again", async () => {
    const a = newSigner();
    const b = newSigner();
    const c = newSigner();
    const w = world([
      { signer: a, name: "A" },
      { signer: b, name: "B" },
      { signer: c, name: "C" },
    ]);
    const { lendingMarket, perp } = foundationProtocols(tokens);
    await startAgent(w, "A", a, lendingMarket);
    await startAgent(w, "B", b, perp);
    await pollUntil(w, () => w.ledger.settled.length === 1, "B's loan settled");
    // A holds 10M of deposits against 6M lent to its users and a 1M buffer: 3M to lend, 600k of
    // it now lent to B. A has seen the loan settle once its next poll has passed. Its adapter
    // hears of the loan just after the chain settles it: wait for A's record of it.
    await until(
      () => w.activity.some((x) => x.type === "report" && x.agent === "A" && x.what === "lent"),
      "A's record of the loan",
    );
    const lent = await lendingMarket.snapshot();
    expect(lent.liquidity[0]!.net).toBe(2_400_000n * USD);
    w.clock.increment(POLL_MS);
    await sleep(50);
    // C needs 2.2M: A holds 2.4M, and would see only 1.8M if it still reserved B's 600k.
    const short = new SimulatedPerpExchange({
      protocolId: "perp-exchange-C",
      settlementToken: { address: USDC, symbol: "USDC", decimals: 6 },
      insuranceToken: { address: WETH, symbol: "WETH", decimals: 18 },
      cash: 1_000_000n * USD,
      pendingWithdrawals: 3_100_000n * USD,
      minFloat: 100_000n * USD,
      insuranceFund: 1_000n * 10n ** 18n,
      adlCostBps: 2500,
      prices: { settlementUsd8: 100_000_000n, insuranceUsd8: 300_000_000_000n },
      now: () => w.clock.now(),
    });
    await startAgent(w, "C", c, short);
    const answered = () =>
      w.activity.some(
        (x) =>
          (x.type === "report" && x.agent === "A" && x.what === "rfq declined") ||
          (x.type === "sent" && x.agent === "A" && x.to === c.address),
      );
    await pollUntil(w, answered, "A's answer to C");
    expect(reported(w, "A", "rfq declined")).toEqual([]);
    await pollUntil(w, () => w.ledger.settled.length === 2, "C's loan settled");
    expect((await lendingMarket.snapshot()).liquidity[0]!.net).toBe(200_000n * USD);
  }, 60_000);
});
