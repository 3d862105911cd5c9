/**
 * A lender agent calls a callable loan once the agents' quorum has posted a risk level that
 * reaches its callRiskLevel (issue 13), on the real contract; its polls run on a SimulatedClock.
 * An agent not told to call loans leaves it alone.
 */
import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { agentMachine } from "../agents/agent-machine.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { getLoan } from "../arbitration/get-loan.ts";
import { raiseAlert } from "../arbitration/raise-alert.ts";
import { signRiskAlert } from "../arbitration/typed-data.ts";
import { hashAgreement, signAgreement } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { type ArbiterFixture, settleSample, useAnvil } from "./harness/anvil.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let snap: Hex;
beforeAll(async () => {
  fx = await chain.deployFixture();
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

async function lenderWatching(callLoans: boolean) {
  const { agreement, id } = await settleSample(chain, fx, { nonce: 7n, callRiskLevel: 2 });
  let nowSec = await chain.now();
  const clock = new SimulatedClock();
  const actor = createActor(agentMachine, {
    clock,
    input: {
      address: fx.lender.address,
      adapter: new SimulatedLendingMarket({
        protocolId: "lender",
        asset: { address: fx.usdc, symbol: "USDC", decimals: 6 },
        deposits: 10_000_000n * 10n ** 6n,
        borrows: 0n,
        bufferBps: 1000,
        rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
        priceUsd8: 10n ** 8n,
        now: () => Number(nowSec) * 1000,
      }),
      settlement: createChainSettlement({ clients: fx.lender.clients, arbiter: fx.arbiter }),
      policy: createDefaultPolicy({ decimals: () => 6, oracle: () => 10n ** 8n }),
      pollMs: 60_000,
      newSessionId: () => `0x${"44".repeat(32)}`,
      agreementId: (a) => hashAgreement(fx.domain, a),
      nowSec: () => nowSec,
      log: createLogger({ level: "silent" }),
      callLoans,
    },
  });
  actor.start();
  actor.send({
    type: "session.finished",
    side: "lender",
    sessionId: agreement.sessionId,
    peer: fx.borrower.address,
    outcome: {
      status: "agreed",
      agreement,
      lenderSignature: signAgreement(fx.domain, agreement, fx.lender.signer),
      borrowerSignature: signAgreement(fx.domain, agreement, fx.borrower.signer),
      rounds: 1,
    },
  });
  const maturity = async () =>
    (await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).maturity;
  /** One poll: the clock moves, the chain calls finish. */
  const poll = async () => {
    nowSec = await chain.now();
    clock.increment(60_000);
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 25));
  };
  const alert = async (level: number) => {
    // Each alert must be issued after the last one.
    await chain.increaseTime(1);
    const now = await chain.now();
    const a = { level, evidenceHash: `0x${"ee".repeat(32)}` as Hex, issuedAt: now, expiresAt: now + 3600n };
    const signatures = [fx.lender, fx.borrower].map((p) => signRiskAlert(fx.domain, a, p.signer));
    await raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures });
  };
  return { actor, maturity, poll, alert, original: await maturity() };
}

describe("a lender agent and its callable loan", () => {
  it("calls it once the on-chain level reaches its callRiskLevel, not before", async () => {
    const w = await lenderWatching(true);
    await w.poll();
    await w.alert(1);
    await w.poll();
    expect(await w.maturity()).toBe(w.original);
    await w.alert(2);
    await w.poll();
    const called = await w.maturity();
    expect(called).toBeLessThan(w.original);
    expect(called).toBeLessThanOrEqual(await chain.now());
    w.actor.stop();
  });

  it("an agent not told to call loans leaves it running", async () => {
    const w = await lenderWatching(false);
    await w.alert(3);
    await w.poll();
    await w.poll();
    expect(await w.maturity()).toBe(w.original);
    w.actor.stop();
  });
});
