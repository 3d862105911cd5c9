/**
 * Margin calls between real agents (issue 15: "lenders' agents watch their loans' health and
 * liquidate or ask the borrower to top up"): two createAgent agents on the real contract (anvil),
 * talking over the in-process bus with real signatures, their polls on SimulatedClocks. The
 * borrower's own poll is an hour, the lender's a minute, so within a test only the lender looks on
 * its own: whatever the borrower does in between, it does because the lender's call reached it.
 *
 * 1. The collateral's price falls into the warning band: the lender's agent sends a margin call,
 *    the borrower's agent tops up at once (ToppedUp on chain, its adapter told), and the lender
 *    leaves the loan alone. Calls that are not the lender's are refused and change nothing.
 * 2. The borrower's protocol holds no more collateral: the call goes unanswered, the lender sends no
 *    second call before its deadline, and liquidates once health falls below 1 (its adapter holds
 *    the seized collateral).
 */
import type { Address, Hex } from "viem";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AnyActorRef, SimulatedClock } from "xstate";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { getLoanHealth, HEALTH_ONE } from "../arbitration/get-loan-health.ts";
import { setTestPrice } from "../arbitration/test-price-feed.ts";
import { hashAgreement, signAgreement } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import { createSigner } from "../core/signer.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { SimulatedVault } from "../protocol-adapters/simulated/simulated-vault.ts";
import { type ArbiterFixture, type Party, sampleAgreement, useAnvil } from "./harness/anvil.ts";
import { deployMarginFeeds, liquidatedEvents, toppedUpEvents } from "./harness/margin-fixture.ts";
import { until as waitUntil } from "./harness/until.ts";

const chain = await useAnvil();
const USD = 10n ** 8n;
const LENDER_POLL_MS = 60_000;
const BORROWER_POLL_MS = 3_600_000;
const log = createLogger({ level: "silent" });
let fx: ArbiterFixture;
let wethFeed: Address;
let snap: Hex;
const agents: Agent[] = [];

beforeAll(async () => {
  fx = await chain.deployFixture();
  ({ wethFeed } = await deployMarginFeeds(fx));
  snap = await chain.snapshot();
}, 120_000);
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await chain.revert(snap);
  snap = await chain.snapshot();
});

/** Margin steps wait on anvil under a loaded suite: a minute each. */
const until = (probe: () => boolean | Promise<boolean>, what: string, ms = 60_000) =>
  waitUntil(probe, what, ms);

/** A lender (lending market) and a borrower (vault holding `wethHeld` WETH it may pledge) with
 *  one margined loan of 1M USDC against 500 WETH at $3,000, threshold 80 % (health ~1.195). */
async function world(wethHeld: bigint) {
  let nowSec = await chain.now();
  const now = () => Number(nowSec) * 1000;
  const weth = { address: fx.weth, symbol: "WETH", decimals: 18 };
  const usdc = { address: fx.usdc, symbol: "USDC", decimals: 6 };
  const vault = new SimulatedVault({
    protocolId: "borrower",
    liability: { address: `0x${"77".repeat(20)}`, symbol: "bUSD", decimals: 6 },
    liabilities: 1_000_000n * 10n ** 6n,
    parUsd8: USD,
    payout: usdc,
    backing: [
      { token: usdc, amount: 0n, liquidity: "liquid", priceUsd8: USD },
      { token: weth, amount: wethHeld, liquidity: "illiquid", priceUsd8: 3_000n * USD },
    ],
    shortfallCostBps: 0,
    now,
  });
  const market = new SimulatedLendingMarket({
    protocolId: "lender",
    asset: usdc,
    deposits: 10_000_000n * 10n ** 6n,
    borrows: 0n,
    bufferBps: 1000,
    rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
    priceUsd8: USD,
    now,
  });
  const stranger = createSigner(fx.stranger.privateKey);
  const peers = createPeerRegistry([
    { address: fx.lender.address, name: "L", protocol: "lending" },
    { address: fx.borrower.address, name: "B", protocol: "vault" },
    { address: stranger.address, name: "S", protocol: "perp" },
  ]);
  const bus = createInProcessBus({ log });
  const activity: Record<string, Activity[]> = { L: [], B: [] };
  const start = (name: "L" | "B", party: Party, adapter: ProtocolAdapter, pollMs: number) => {
    const clock = new SimulatedClock();
    const agent = createAgent({
      name,
      signer: party.signer,
      domain: fx.domain,
      endpoint: createEndpoint({
        transport: bus.createTransport({ name }),
        signer: party.signer,
        domain: fx.domain,
        peers,
        log,
      }),
      adapter,
      settlement: createChainSettlement({ clients: party.clients, arbiter: fx.arbiter }),
      policy: createDefaultPolicy({ decimals: () => 6, oracle: () => USD }),
      pollMs,
      clock,
      nowSec: () => nowSec,
      newSessionId: () => `0x${"55".repeat(32)}`,
      log,
    });
    agent.onActivity((a) => activity[name]!.push(a));
    agents.push(agent);
    return { agent, clock };
  };
  const lender = start("L", fx.lender, market, LENDER_POLL_MS);
  const borrower = start("B", fx.borrower, vault, BORROWER_POLL_MS);
  await bus.flush();

  const agreement = sampleAgreement(fx, nowSec, {
    sessionId: `0x${"66".repeat(32)}`,
    liquidationThresholdBps: 8_000,
    liquidationBonusBps: 500,
    tighteningPerLevelBps: 0,
  });
  const id = hashAgreement(fx.domain, agreement);
  const lenderSignature = signAgreement(fx.domain, agreement, fx.lender.signer);
  const borrowerSignature = signAgreement(fx.domain, agreement, fx.borrower.signer);
  borrower.agent.actor.send({ type: "resume.loan", agreement, lenderSignature, borrowerSignature });
  await until(
    () => borrower.agent.actor.getSnapshot().matches({ borrow: "servicing" }),
    "the borrower settling and servicing",
  );
  lender.agent.actor.send({
    type: "session.finished",
    side: "lender",
    sessionId: agreement.sessionId,
    peer: fx.borrower.address,
    outcome: { status: "agreed", agreement, lenderSignature, borrowerSignature, rounds: 1 },
  });
  const loanState = () =>
    (
      lender.agent.actor.getSnapshot().children[`loan-${agreement.sessionId}`] as AnyActorRef | undefined
    )?.getSnapshot().value as string | undefined;
  await until(() => loanState() === "waitingClose", "the lender watching its loan");

  const reports = (name: "L" | "B", what: string) =>
    activity[name]!.flatMap((a) => (a.type === "report" && a.what === what ? [a.data] : []));
  const sentCalls = () =>
    activity.L!.filter((a) => a.type === "sent" && a.kind === "margin.call" && a.sessionId === id);
  return {
    agreement,
    id,
    vault,
    market,
    bus,
    stranger,
    reports,
    sentCalls,
    health: () => getLoanHealth({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement }),
    setPrice: (usd: bigint) => setTestPrice({ clients: fx.deployer.clients, feed: wethFeed, answer: usd }),
    /** One lender poll: its loan machine reads the loan (and acts) and waits for the next poll. */
    pollLender: async () => {
      nowSec = await chain.now();
      lender.clock.increment(LENDER_POLL_MS);
      await until(() => loanState() !== "awaitingClose", "the lender's read");
      await bus.flush();
    },
    borrowerServicing: () => borrower.agent.actor.getSnapshot().matches({ borrow: "servicing" }),
  };
}

describe("margin calls between agents", () => {
  it("the lender's call makes the borrower top up before the loan is liquidatable", async () => {
    const w = await world(1_000n * 10n ** 18n);
    // $2,540: health ~1.012, in the lender's warning band (below 1.05), above 1.
    await w.setPrice(2_540n * USD);
    const before = await w.health();
    expect(before.health).toBeLessThan((HEALTH_ONE * 105n) / 100n);
    expect(before.liquidatable).toBe(false);

    // Calls that are not its lender's change nothing: another peer's about this loan.
    const strangerEndpoint = createEndpoint({
      transport: w.bus.createTransport({ name: "S" }),
      signer: w.stranger,
      domain: fx.domain,
      peers: createPeerRegistry([{ address: fx.borrower.address, name: "B", protocol: "vault" }]),
      log,
    });
    await strangerEndpoint.send(fx.borrower.address, w.id, "margin.call", {
      agreementId: w.id,
      health: before.health,
      targetHealth: 2n * HEALTH_ONE,
      amount: 400n * 10n ** 18n,
      collateralToken: fx.weth,
      deadline: (await chain.now()) + 3600n,
    });
    await w.bus.flush();
    await until(() => w.reports("B", "margin call refused").length === 1, "the stranger's call refused");
    expect(w.reports("B", "margin call refused")[0]).toMatchObject({ reason: "not-the-lender" });
    expect(await toppedUpEvents(fx, w.id)).toHaveLength(0);

    await w.pollLender();
    expect(w.sentCalls()).toHaveLength(1);
    const sent = w.reports("L", "margin call sent")[0];
    expect(sent).toMatchObject({ id: w.id, to: fx.borrower.address, health: before.health });
    // The borrower tops up on the call, without a poll of its own.
    await until(async () => (await toppedUpEvents(fx, w.id)).length === 1, "the borrower's top-up");
    await until(() => w.borrowerServicing() && w.reports("B", "loan topped up").length === 1, "servicing");
    const topUp = (await toppedUpEvents(fx, w.id))[0]!;
    expect(topUp.args.payer?.toLowerCase()).toBe(fx.borrower.address.toLowerCase());
    expect(w.reports("B", "loan topped up")[0]).toMatchObject({ called: true, amount: topUp.args.amount });
    // Its adapter knows the collateral left: 1,000 - 500 posted - the top-up.
    const pledgeable = (await w.vault.snapshot()).pledgeable.find((x) => x.token === fx.weth)?.amount;
    expect(pledgeable).toBe(500n * 10n ** 18n - (topUp.args.amount ?? 0n));
    const after = await w.health();
    expect(after.health).toBeGreaterThanOrEqual((HEALTH_ONE * 125n) / 100n);

    // The lender looks again: healthy, no liquidation, no new call.
    await w.pollLender();
    expect(await liquidatedEvents(fx, w.id)).toHaveLength(0);
    expect(w.sentCalls()).toHaveLength(1);
    await strangerEndpoint.close();
  }, 180_000);

  it("an unanswered call: no second call before its deadline, then liquidation below health 1", async () => {
    // All its WETH goes into the loan's escrow: nothing left to top up with.
    const w = await world(500n * 10n ** 18n);
    await w.setPrice(2_540n * USD);
    await w.pollLender();
    expect(w.sentCalls()).toHaveLength(1);
    await until(() => w.reports("B", "margin call received").length === 1, "the call received");
    await until(() => w.borrowerServicing(), "the borrower back to servicing");
    expect(await toppedUpEvents(fx, w.id)).toHaveLength(0);

    // Still in the band, before the call's deadline: neither a second call nor a liquidation.
    await w.pollLender();
    expect(w.sentCalls()).toHaveLength(1);
    expect(await liquidatedEvents(fx, w.id)).toHaveLength(0);

    // $2,450: health ~0.976, liquidatable. The lender liquidates (the close factor: half the debt).
    await w.setPrice(2_450n * USD);
    const before = await w.health();
    expect(before.liquidatable).toBe(true);
    await w.pollLender();
    const liquidated = await liquidatedEvents(fx, w.id);
    expect(liquidated).toHaveLength(1);
    expect(liquidated[0]?.args.liquidator?.toLowerCase()).toBe(fx.lender.address.toLowerCase());
    expect(liquidated[0]?.args.repaid).toBe((before.owed + 1n) / 2n);
    // Its adapter holds the seized collateral.
    expect(w.market.seized.get(fx.weth)).toBe(liquidated[0]?.args.seized);
    expect(w.reports("L", "loan liquidated")[0]).toMatchObject({ id: w.id });
  }, 180_000);
});
