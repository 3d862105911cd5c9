/**
 * Agents watch their margined loans (issue 15) on the real contract: a lender agent and a borrower
 * agent (the agent machine with its real chain settlement, polls on SimulatedClocks) hold one
 * margined loan that the borrower's agent settles. The collateral's price (a TestPriceFeed the test
 * moves) falls: the borrower's agent tops up from the collateral its protocol holds (ToppedUp on
 * chain) and the lender leaves the loan alone. It falls further with the borrower's protocol out of
 * collateral: the lender's agent liquidates (Liquidated on chain) and its activity says so.
 */
import type { Address, Hex } from "viem";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AnyActorRef, createActor, SimulatedClock } from "xstate";
import { type AgentEffect, agentMachine } from "../agents/agent-machine.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { getLoan } from "../arbitration/get-loan.ts";
import { getLoanHealth, HEALTH_ONE } from "../arbitration/get-loan-health.ts";
import { ArbiterHealthyLoanError, ArbiterStalePriceError } from "../arbitration/margin-errors.ts";
import { setTestPrice } from "../arbitration/test-price-feed.ts";
import { hashAgreement, signAgreement } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { SimulatedVault } from "../protocol-adapters/simulated/simulated-vault.ts";
import {
  type ArbiterFixture,
  type Party,
  rejection,
  sampleAgreement,
  settleSample,
  useAnvil,
} from "./harness/anvil.ts";
import { deployMarginFeeds, liquidatedEvents, toppedUpEvents } from "./harness/margin-fixture.ts";
import { until as waitUntil } from "./harness/until.ts";

const chain = await useAnvil();
const USD = 10n ** 8n;
const POLL_MS = 60_000;
let fx: ArbiterFixture;
let wethFeed: Address;
let snap: Hex;

beforeAll(async () => {
  fx = await chain.deployFixture();
  ({ wethFeed } = await deployMarginFeeds(fx));
  snap = await chain.snapshot();
}, 120_000);
afterEach(async () => {
  await chain.revert(snap);
  snap = await chain.snapshot();
});

/** Margin steps wait on anvil under a loaded suite: a minute each. */
const until = (probe: () => boolean | Promise<boolean>, what: string, ms = 60_000) =>
  waitUntil(probe, what, ms);

function agent(party: Party, adapter: ProtocolAdapter, nowSec: () => bigint) {
  const clock = new SimulatedClock();
  const reports: { what: string; data: Record<string, unknown> }[] = [];
  const actor = createActor(agentMachine, {
    clock,
    input: {
      address: party.address,
      adapter,
      settlement: createChainSettlement({ clients: party.clients, arbiter: fx.arbiter }),
      policy: createDefaultPolicy({ decimals: () => 6, oracle: () => USD }),
      pollMs: POLL_MS,
      newSessionId: () => `0x${"55".repeat(32)}`,
      agreementId: (a) => hashAgreement(fx.domain, a),
      nowSec,
      log: createLogger({ level: "silent" }),
    },
  });
  actor.on("report", (e: Extract<AgentEffect, { type: "report" }>) => reports.push(e));
  actor.start();
  return { actor, clock, reports };
}

const signatures = (a: ReturnType<typeof sampleAgreement>) => ({
  lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
  borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
});

describe("agents and a margined loan", () => {
  it("the borrower tops up as the price falls; out of collateral, the lender liquidates", async () => {
    let nowSec = await chain.now();
    const weth = { address: fx.weth, symbol: "WETH", decimals: 18 };
    const usdc = { address: fx.usdc, symbol: "USDC", decimals: 6 };
    // The borrower's protocol holds 1,000 WETH it may pledge (500 go into the loan) and no USDC.
    const vault = new SimulatedVault({
      protocolId: "borrower",
      liability: { address: `0x${"77".repeat(20)}`, symbol: "bUSD", decimals: 6 },
      liabilities: 1_000_000n * 10n ** 6n,
      parUsd8: USD,
      payout: usdc,
      backing: [
        { token: usdc, amount: 0n, liquidity: "liquid", priceUsd8: USD },
        { token: weth, amount: 1_000n * 10n ** 18n, liquidity: "illiquid", priceUsd8: 3_000n * USD },
      ],
      shortfallCostBps: 0,
      now: () => Number(nowSec) * 1000,
    });
    const market = new SimulatedLendingMarket({
      protocolId: "lender",
      asset: usdc,
      deposits: 10_000_000n * 10n ** 6n,
      borrows: 0n,
      bufferBps: 1000,
      rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
      priceUsd8: USD,
      now: () => Number(nowSec) * 1000,
    });
    const lender = agent(fx.lender, market, () => nowSec);
    const borrower = agent(fx.borrower, vault, () => nowSec);

    // 1M USDC against 500 WETH at $3,000, threshold 80 %: health about 1.195 at opening.
    const agreement = sampleAgreement(fx, nowSec, {
      sessionId: `0x${"66".repeat(32)}`,
      liquidationThresholdBps: 8_000,
      liquidationBonusBps: 500,
      tighteningPerLevelBps: 0,
    });
    const id = hashAgreement(fx.domain, agreement);
    const lenderSignature = signAgreement(fx.domain, agreement, fx.lender.signer);
    const borrowerSignature = signAgreement(fx.domain, agreement, fx.borrower.signer);
    borrower.actor.send({ type: "resume.loan", agreement, lenderSignature, borrowerSignature });
    lender.actor.send({
      type: "session.finished",
      side: "lender",
      sessionId: agreement.sessionId,
      peer: fx.borrower.address,
      outcome: { status: "agreed", agreement, lenderSignature, borrowerSignature, rounds: 1 },
    });
    const status = async () =>
      (await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status;
    await until(async () => (await status()) === "Active", "the borrower's agent to settle");
    await until(() => borrower.actor.getSnapshot().matches({ borrow: "servicing" }), "servicing");

    const loanActor = () =>
      lender.actor.getSnapshot().children[`loan-${agreement.sessionId}`] as AnyActorRef | undefined;
    const lenderState = () => loanActor()?.getSnapshot().value as string | undefined;
    /** One lender poll: its loan machine reads the loan again and waits for the next poll. */
    const pollLender = async () => {
      nowSec = await chain.now();
      lender.clock.increment(POLL_MS);
      await until(
        () => lenderState() !== "awaitingClose" && lenderState() !== "recordingLent",
        "lender read",
      );
    };
    /** One borrower poll: it observes its protocol (and tops up) and goes back to servicing. */
    const pollBorrower = async () => {
      nowSec = await chain.now();
      borrower.clock.increment(POLL_MS);
      await until(() => borrower.actor.getSnapshot().matches({ borrow: "servicing" }), "borrower poll");
    };
    await pollLender();
    await until(() => lenderState() === "waitingClose", "the lender watching its loan");
    const health = () => getLoanHealth({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement });

    // The price falls to $2,700: health about 1.076, below the borrower's top-up line (1.10).
    await setTestPrice({ clients: fx.deployer.clients, feed: wethFeed, answer: 2_700n * USD });
    await pollBorrower();
    const toppedUp = await toppedUpEvents(fx, id);
    expect(toppedUp).toHaveLength(1);
    expect(toppedUp[0]?.args.payer?.toLowerCase()).toBe(fx.borrower.address.toLowerCase());
    const afterTopUp = await health();
    expect(afterTopUp.health).toBeGreaterThanOrEqual((HEALTH_ONE * 125n) / 100n);
    expect(borrower.reports.map((r) => r.what)).toContain("loan topped up");
    await pollLender();
    expect(await liquidatedEvents(fx, id)).toHaveLength(0);

    // The borrower's protocol has no WETH left to pledge; the price falls to $2,100: health < 1.
    for (const b of vault.backing) if (b.token.address === fx.weth) b.amount = 0n;
    await setTestPrice({ clients: fx.deployer.clients, feed: wethFeed, answer: 2_100n * USD });
    await pollBorrower();
    expect(await toppedUpEvents(fx, id)).toHaveLength(1);
    const before = await health();
    expect(before.liquidatable).toBe(true);
    await pollLender();
    const liquidated = await liquidatedEvents(fx, id);
    expect(liquidated).toHaveLength(1);
    expect(liquidated[0]?.args.liquidator?.toLowerCase()).toBe(fx.lender.address.toLowerCase());
    // Health >= 0.95: the close factor, half the debt, was repaid.
    expect(liquidated[0]?.args.repaid).toBe((before.owed + 1n) / 2n);
    const report = lender.reports.find((r) => r.what === "loan liquidated");
    expect(report?.data).toMatchObject({ id, repaid: (before.owed + 1n) / 2n });
    expect(await status()).toBe("Active");

    // Further down to health 0.90 (< 0.95, collateral still covers debt plus bonus): the lender's
    // agent repays all the debt, the loan is Liquidated, and the borrower's agent stops servicing it.
    const h = await health();
    await setTestPrice({
      clients: fx.deployer.clients,
      feed: wethFeed,
      answer: (2_100n * USD * 9n * 10n ** 17n) / h.health,
    });
    await pollLender();
    expect(await liquidatedEvents(fx, id)).toHaveLength(2);
    expect(await status()).toBe("Liquidated");
    await until(() => lenderState() === "closed", "the lender's loan to close");
    nowSec = await chain.now();
    borrower.clock.increment(POLL_MS);
    await until(
      () => borrower.actor.getSnapshot().context.loan === undefined,
      "the borrower to drop its loan",
    );
    expect(borrower.reports.map((r) => r.what)).toContain("loan liquidated");
    expect(borrower.reports.map((r) => r.what)).not.toContain("repaid");

    lender.actor.stop();
    borrower.actor.stop();
  }, 180_000);

  it("the port passes typed margin errors through; a stale price stops the lender's agent", async () => {
    const margin = { liquidationThresholdBps: 8_000, liquidationBonusBps: 500, tighteningPerLevelBps: 0 };
    const { agreement, id } = await settleSample(chain, fx, { nonce: 9n, ...margin });
    const port = createChainSettlement({ clients: fx.lender.clients, arbiter: fx.arbiter });
    const opening = await port.loanHealth?.({ agreement });
    expect(opening?.liquidatable).toBe(false);
    const healthy = await rejection(() => port.liquidate?.({ agreement }) ?? Promise.resolve());
    expect(healthy).toBeInstanceOf(ArbiterHealthyLoanError);

    // Underwater, but the feed's last round is older than its 3,600 s bound: no liquidation.
    await setTestPrice({ clients: fx.deployer.clients, feed: wethFeed, answer: 2_100n * USD });
    await chain.increaseTime(3_601);
    await expect(port.loanHealth?.({ agreement })).rejects.toBeInstanceOf(ArbiterStalePriceError);
    let nowSec = await chain.now();
    const market = new SimulatedLendingMarket({
      protocolId: "lender",
      asset: { address: fx.usdc, symbol: "USDC", decimals: 6 },
      deposits: 10_000_000n * 10n ** 6n,
      borrows: 0n,
      bufferBps: 1000,
      rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
      priceUsd8: USD,
      now: () => Number(nowSec) * 1000,
    });
    const lender = agent(fx.lender, market, () => nowSec);
    lender.actor.send({
      type: "session.finished",
      side: "lender",
      sessionId: agreement.sessionId,
      peer: fx.borrower.address,
      outcome: { status: "agreed", agreement, ...signatures(agreement), rounds: 1 },
    });
    const loan = () => lender.actor.getSnapshot().children[`loan-${agreement.sessionId}`] as AnyActorRef;
    await until(() => loan()?.getSnapshot().value === "waitingClose", "the lender's first read");
    nowSec = await chain.now();
    lender.clock.increment(POLL_MS);
    await until(() => loan().getSnapshot().value === "waitingClose", "the lender's second read");
    expect(await liquidatedEvents(fx, id)).toHaveLength(0);
    expect(lender.reports.map((r) => r.what)).not.toContain("loan liquidated");
    lender.actor.stop();
  }, 180_000);
});
