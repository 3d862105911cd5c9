/**
 * A borrower's accept that its lender never confirms. The lender then holds both signatures and
 * could settle the agreement until its deadline, leaving the borrower a loan it does not know of.
 * The borrower (a real agent, settling on the real contract on anvil) takes its signature back by
 * cancelling the agreement's nonce: if the lender had not settled, the agreement can never settle;
 * if the lender settled first, the borrower finds the loan on-chain and services it. The lender is
 * a scripted peer with real signatures.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Activity, Agent } from "../agents/agent.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { ArbiterRevertError } from "../arbitration/errors.ts";
import { getLoan } from "../arbitration/get-loan.ts";
import { settle } from "../arbitration/settle.ts";
import { hashAgreement, signAgreement } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import type { Message, Terms } from "../negotiation/wire/schemas.ts";
import { nextActivity } from "./harness/activity.ts";
import { type ArbiterFixture, useAnvil } from "./harness/anvil.ts";
import { createHostilePeer, createTestAgent, type HostilePeer } from "./harness/fault-peers.ts";

const log = createLogger({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function waitForReport(agent: Agent, what: string, timeoutMs = 8_000) {
  return nextActivity(
    agent,
    (a): a is Activity & { type: "report" } => a.type === "report" && a.what === what,
    timeoutMs,
    `the agent's "${what}" report`,
  );
}

/** Borrower agent B (perp exchange) and scripted lender M, both registered on a fresh arbiter. */
async function setUp(): Promise<{ fx: ArbiterFixture; agent: Agent; lender: HostilePeer; rfq: Message }> {
  const chain = await useAnvil();
  const fx = await chain.deployFixture();
  const bus = createInProcessBus({ log });
  const peers = createPeerRegistry([
    { address: fx.borrower.address, name: "B", protocol: "perp" },
    { address: fx.lender.address, name: "M", protocol: "lending" },
  ]);
  const lender = createHostilePeer({
    transport: bus.createTransport({ name: "M" }),
    signer: fx.lender.signer,
    domain: fx.domain,
    peers,
    log,
  });
  await lender.flush();
  const rfq = lender.next((m) => m.kind === "rfq");
  const { agent, endpoint } = await createTestAgent({
    role: "borrower",
    name: "B",
    signer: fx.borrower.signer,
    domain: fx.domain,
    transport: bus.createTransport({ name: "B" }),
    peers,
    settlement: createChainSettlement({ clients: fx.borrower.clients, arbiter: fx.arbiter }),
    tokens: { usdc: fx.usdc, weth: fx.weth },
    auction: { admissionMs: 100, deadlineMs: 5_000, confirmTimeoutMs: 400 },
    pollMs: 100,
    log,
  });
  cleanups.push(async () => {
    await agent.stop();
    await endpoint.close();
    await lender.close();
  });
  return { fx, agent, lender, rfq: await rfq };
}

/** M opens at B's ceiling; B counters (its auction accepts nothing before its admission window
 *  closes); then M offers B's own counter at 1 bp a year, which B accepts. Returns B's accept. */
async function acceptFromB(lender: HostilePeer, rfq: Message) {
  if (rfq.kind !== "rfq") throw new Error("expected an rfq");
  const opening: Terms = {
    principal: rfq.body.principal,
    rateBps: rfq.body.maxRateBps,
    tenor: rfq.body.tenor,
    collateralToken: rfq.body.collateralToken,
    collateral: rfq.body.collateral,
    haircutBps: 1000,
  };
  const counter = lender.next((m) => m.kind === "offer" && m.sessionId === rfq.sessionId);
  await lender.send(rfq.from, rfq.sessionId, "offer", { terms: opening });
  const c = await counter;
  if (c.kind !== "offer") throw new Error("expected an offer");
  await sleep(150);
  const accept = lender.next((m) => m.kind === "accept" && m.sessionId === rfq.sessionId);
  await lender.send(rfq.from, rfq.sessionId, "offer", { terms: { ...c.body.terms, rateBps: 1 } });
  const m = await accept;
  if (m.kind !== "accept") throw new Error("expected an accept");
  return m.body;
}

describe("an accept the lender never confirms", () => {
  it("the borrower cancels its signature on-chain, so the lender can no longer settle", async () => {
    const { fx, agent, lender, rfq } = await setUp();
    const withdrawn = waitForReport(agent, "signature withdrawn");
    const { agreement, signature: borrowerSignature } = await acceptFromB(lender, rfq);
    // M keeps quiet: no confirm. B's confirm timeout passes and it withdraws.
    await withdrawn;
    const lenderSignature = signAgreement(fx.domain, agreement, fx.lender.signer);
    const late = settle({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      agreement,
      lenderSignature,
      borrowerSignature,
    });
    await expect(late).rejects.toBeInstanceOf(ArbiterRevertError);
    await expect(late).rejects.toMatchObject({ errorName: "NonceUsed" });
    const id = hashAgreement(fx.domain, agreement);
    expect((await getLoan({ clients: fx.borrower.clients, arbiter: fx.arbiter, id })).status).toBe("None");
    const snapshot = agent.actor.getSnapshot();
    expect((snapshot.value as { borrow: string }).borrow).not.toBe("servicing");
    expect(snapshot.context.loan).toBeUndefined();
  });

  it("if the lender settled first, the borrower finds the loan on-chain and services it", async () => {
    const { fx, agent, lender, rfq } = await setUp();
    const found = waitForReport(agent, "settled by the lender");
    const { agreement, signature: borrowerSignature } = await acceptFromB(lender, rfq);
    // M settles with both signatures and never confirms.
    const { id } = await settle({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      agreement,
      lenderSignature: signAgreement(fx.domain, agreement, fx.lender.signer),
      borrowerSignature,
    });
    const report = await found;
    expect(report.data).toMatchObject({ id, status: "Active" });
    const snapshot = agent.actor.getSnapshot();
    expect(snapshot.context.loan).toMatchObject({ id, agreement });
    expect(["servicing", "checkingRepayment", "decidingRepayment", "repaying"]).toContain(
      (snapshot.value as { borrow: string }).borrow,
    );
  });
});
