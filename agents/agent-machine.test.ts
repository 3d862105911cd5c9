import { type Hex, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createActor, waitFor } from "xstate";
import { hashAgreement } from "../core/agreement.ts";
import { createMemoryLogger } from "../core/log.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { SimulatedPerpExchange } from "../protocol-adapters/simulated/simulated-perp-exchange.ts";
import { type AgentDeps, type AgentEffect, agentMachine } from "./agent-machine.ts";
import { createDefaultPolicy } from "./agent-policy.ts";
import type { SettlementPort } from "./settlement-port.ts";

const usdc = { address: "0x00000000000000000000000000000000000000C0" as const, symbol: "USDC", decimals: 6 };
const weth = { address: "0x00000000000000000000000000000000000000E0" as const, symbol: "WETH", decimals: 18 };
const decimals = (t: string) => (t.toLowerCase() === usdc.address.toLowerCase() ? 6 : 18);
const domain = { chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000aa" as const };

// These tests stop before settlement; a port that refuses makes sure nothing reaches the chain.
const noChain: SettlementPort = {
  settle: () => Promise.reject(new Error("no chain in this test")),
  repay: () => Promise.reject(new Error("no chain in this test")),
  status: () => Promise.reject(new Error("no chain in this test")),
  settlementTx: () => Promise.reject(new Error("no chain in this test")),
  withdraw: () => Promise.reject(new Error("no chain in this test")),
  collect: () => Promise.reject(new Error("no chain in this test")),
};

function deps(adapter: AgentDeps["adapter"], overrides: Partial<AgentDeps> = {}): AgentDeps {
  let n = 0;
  return {
    address: "0x00000000000000000000000000000000000000B0",
    adapter,
    settlement: noChain,
    policy: createDefaultPolicy({
      decimals,
      oracle: (t) => (t.toLowerCase() === weth.address.toLowerCase() ? 300_000_000_000n : undefined),
    }),
    pollMs: 60_000,
    newSessionId: () => keccak256(toHex(`s${n++}`)),
    agreementId: (a) => hashAgreement(domain, a),
    nowSec: () => 1_700_000_000n,
    log: createMemoryLogger(),
    ...overrides,
  };
}

const perp = (pendingWithdrawals: bigint) =>
  new SimulatedPerpExchange({
    protocolId: "perp",
    settlementToken: usdc,
    insuranceToken: weth,
    cash: 1_000_000_000_000n,
    pendingWithdrawals,
    minFloat: 100_000_000_000n,
    insuranceFund: 500n * 10n ** 18n,
    adlCostBps: 2500,
    prices: { settlementUsd8: 100_000_000n, insuranceUsd8: 300_000_000_000n },
    now: () => 1_700_000_000_000,
  });

describe("agent lifecycle", () => {
  it("a protocol that is not short stays idle and sends nothing", async () => {
    const effects: AgentEffect[] = [];
    const actor = createActor(agentMachine, { input: deps(perp(0n)) });
    actor.on("*", (e) => effects.push(e));
    actor.start();
    await waitFor(actor, (s) => s.matches({ borrow: "idle" }));
    expect(effects).toEqual([]);
    actor.stop();
  });

  it("a short protocol opens an RFQ auction sized to its shortfall, and goes back to idle when it ends without a deal", async () => {
    const effects: AgentEffect[] = [];
    const actor = createActor(agentMachine, { input: deps(perp(1_500_000_000_000n)) });
    actor.on("*", (e) => effects.push(e));
    actor.start();
    await waitFor(actor, (s) => s.matches({ borrow: "negotiating" }));
    const auction = effects[0];
    if (auction?.type !== "effect.openAuction") throw new Error("expected an RFQ auction first");
    expect(auction.rfq.principal).toBe(600_000_000_000n); // withdrawals + float - cash
    expect(auction.rfq.maxRateBps).toBe(2500);
    // 600k USD at a 20% haircut needs 750k USD of WETH at $3,000: 250 WETH.
    expect(auction.rfq.collateral).toBe(250n * 10n ** 18n);
    // Each lender gets a fresh borrower strategy that opens low and never goes above the cap.
    const strategy = auction.strategyFor();
    const view = {
      side: "borrower" as const,
      round: 0,
      maxRounds: 4,
      elapsed: 0,
      myLast: undefined,
      theirLast: undefined,
    };
    expect(strategy.propose(view).rateBps).toBeLessThan(2500);
    expect(strategy.propose({ ...view, round: 3 }).rateBps).toBe(2500);
    // An outcome for another session is not ours.
    const other = keccak256(toHex("other")) as Hex;
    actor.send({
      type: "auction.finished",
      sessionId: other,
      outcome: { status: "no-deal", reason: "x", lenders: {} },
    });
    expect(actor.getSnapshot().matches({ borrow: "negotiating" })).toBe(true);
    actor.send({
      type: "auction.finished",
      sessionId: auction.sessionId,
      outcome: { status: "no-deal", reason: "no lender answered", lenders: {} },
    });
    expect(actor.getSnapshot().value).toEqual({ borrow: "idle", lend: {} });
    expect(actor.getSnapshot().context.borrow).toBeUndefined();
    actor.stop();
  });

  it("a lender with surplus opens a session for an RFQ it can fund, and never promises the same cash twice", async () => {
    const market = new SimulatedLendingMarket({
      protocolId: "lend",
      asset: usdc,
      deposits: 10_000_000_000_000n,
      borrows: 6_000_000_000_000n,
      bufferBps: 1000,
      rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
      priceUsd8: 100_000_000n,
      now: () => 0,
    });
    const effects: AgentEffect[] = [];
    const d = deps(market, { address: "0x00000000000000000000000000000000000000A1" });
    const actor = createActor(agentMachine, { input: d });
    actor.on("*", (e) => effects.push(e));
    actor.start();
    await waitFor(actor, (s) => s.matches({ borrow: "idle" }));
    await waitFor(actor, (s) => s.context.state !== undefined);
    const rfq = {
      principalToken: usdc.address,
      principal: 2_000_000_000_000n, // surplus is 3M
      maxRateBps: 2500,
      tenor: 604_800,
      collateralToken: weth.address,
      collateral: 1_000n * 10n ** 18n,
    };
    const from = "0x00000000000000000000000000000000000000B0" as const;
    actor.send({ type: "rfq.received", from, sessionId: keccak256(toHex("r1")), rfq });
    actor.send({ type: "rfq.received", from, sessionId: keccak256(toHex("r2")), rfq });
    const opened = effects.filter((e) => e.type === "effect.openSession");
    // Only one RFQ fits: the second would need 4M of a 3M surplus.
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ side: "lender", peer: from });
    expect(effects.some((e) => e.type === "report" && e.what === "rfq declined")).toBe(true);
    actor.stop();
  });

  it("takes only the answer to its latest look: an earlier look that comes back late is ignored", async () => {
    // Snapshots answered by hand: the first look (a short protocol) comes back only after the
    // agent has left and come back to observing, which asked again (not short).
    const short = perp(1_500_000_000_000n);
    const calm = perp(0n);
    const waiting: Array<(s: ProtocolState) => void> = [];
    const adapter: ProtocolAdapter = {
      protocolId: "perp",
      kind: "perp",
      snapshot: () => new Promise<ProtocolState>((resolve) => waiting.push(resolve)),
      apply: (action) => calm.apply(action),
    };
    const effects: AgentEffect[] = [];
    const actor = createActor(agentMachine, { input: deps(adapter) });
    actor.on("*", (e) => effects.push(e));
    actor.start();
    expect(actor.getSnapshot().value).toEqual({ borrow: "observing", lend: {} });
    // A restart's resumed borrowing takes it away from observing; that borrowing ends.
    const sessionId = keccak256(toHex("resumed"));
    const rfq = {
      principalToken: usdc.address,
      principal: 1n,
      maxRateBps: 1,
      tenor: 1,
      collateralToken: weth.address,
      collateral: 1n,
    };
    actor.send({ type: "resume.borrowing", sessionId, rfq });
    actor.send({
      type: "auction.finished",
      sessionId,
      outcome: { status: "no-deal", reason: "x", lenders: {} },
    });
    actor.send({ type: "tick" });
    expect(actor.getSnapshot().value).toEqual({ borrow: "observing", lend: {} });
    expect(waiting).toHaveLength(2);
    waiting[0]!(await short.snapshot());
    await new Promise((r) => setImmediate(r));
    expect(actor.getSnapshot().value).toEqual({ borrow: "observing", lend: {} });
    waiting[1]!(await calm.snapshot());
    await waitFor(actor, (s) => s.matches({ borrow: "idle" }));
    expect(effects.filter((e) => e.type === "effect.openAuction")).toEqual([]);
    expect(actor.getSnapshot().context.state?.liquidity[0]?.net).toBeGreaterThanOrEqual(0n);
    actor.stop();
  });

  it("told to await its resume, a short protocol observes but opens no auction until resume.done", async () => {
    const effects: AgentEffect[] = [];
    const actor = createActor(agentMachine, { input: deps(perp(1_500_000_000_000n), { awaitResume: true }) });
    actor.on("*", (e) => effects.push(e));
    actor.start();
    await waitFor(actor, (s) => s.matches({ borrow: "idle" }) && s.context.state !== undefined);
    expect(effects).toEqual([]);
    actor.send({ type: "resume.done" });
    await waitFor(actor, (s) => s.matches({ borrow: "negotiating" }));
    expect(effects.map((e) => e.type)).toEqual(["effect.openAuction"]);
    actor.stop();
  });
});
