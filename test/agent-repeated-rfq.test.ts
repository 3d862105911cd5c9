/**
 * A lender agent and a durable borrower that died right after publishing its RFQ, before its
 * journal said the RFQ had left (docs/PROTOCOL.md §7.1), over a real NATS server with JetStream KV.
 * The lender answered the first copy; its offer was lost with the borrower's process. The new
 * process of the borrower (same key, same buckets) starts its auction again in the same session,
 * sending the same RFQ in a new envelope: the lender sends its offer again, the auction admits it,
 * and the loan is agreed and settled (on the in-process ledger: this is about the protocol).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { bytesToHex, type Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, createAgent } from "../agents/agent.ts";
import { createLogger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { openDurableState } from "../negotiation/durable/open-durable-state.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createNatsTransport, type NatsTransport } from "../negotiation/transport/nats.ts";
import { testDomain as domain, newSigner, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import type { SessionMessage } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { foundationPolicy, foundationProtocols } from "../sims/foundation-scenario.ts";
import { nextActivity } from "./harness/activity.ts";
import { createLedgerChain } from "./harness/fault-peers.ts";
import { useIsolatedNats } from "./harness/nats.ts";

// Wildcard RFQ listeners: a NATS server of this file's own.
const natsServer = useIsolatedNats();

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const AUCTION = { maxRounds: 6, admissionMs: 300, deadlineMs: 5_000, confirmTimeoutMs: 1_500 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function transport(name: string): Promise<NatsTransport> {
  const t = await createNatsTransport({ servers: natsServer.url, name, log });
  cleanups.push(() => t.close().catch(() => {}));
  return t;
}

describe("a lender and a borrower that restarted before its RFQ was journaled as sent", () => {
  it("the lender sends its lost offer again to the restarted auction, and the loan is agreed", async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const lender = newSigner();
    const borrower = newSigner();
    const peers = createPeerRegistry([
      { address: lender.address, name: "L", protocol: "lending" },
      { address: borrower.address, name: "B", protocol: "perp" },
    ]);
    const chain = createLedgerChain(domain, tokens, [lender.address, borrower.address]);
    const policy = foundationPolicy(tokens);

    /** A durable agent process on its own NATS connection. */
    const start = async (name: string, signer: Signer, adapter: ProtocolAdapter) => {
      const t = await transport(name);
      const durable = await openDurableState({ connection: t.connection, agent: signer.address, prefix });
      const endpoint = createEndpoint({
        transport: t,
        signer,
        domain,
        peers,
        log,
        sequencer: durable.sequencer,
        replayCache: durable.replayCache,
      });
      const agent = createAgent({
        name,
        signer,
        domain,
        endpoint,
        adapter,
        settlement: chain.portFor(signer.address),
        policy,
        pollMs: 100,
        session: { maxRounds: 10, deadlineMs: 8_000, confirmTimeoutMs: 1_500 },
        auction: AUCTION,
        durable: {
          sessions: durable.sessions,
          agreements: durable.agreements,
          auctions: durable.auctions,
          owner: `${name}:${randomUUID()}`,
        },
        log,
      });
      cleanups.push(() => agent.stop());
      await endpoint.flush();
      return { agent, durable };
    };

    const l = await start("L", lender, foundationProtocols(tokens).lendingMarket);
    expect(await l.agent.resume()).toEqual({ loans: 0, sessions: 0, auctions: 0 });
    await expect.poll(() => l.agent.actor.getSnapshot().context.state).toBeDefined();
    const lenderLog: Activity[] = [];
    l.agent.onActivity((a) => lenderLog.push(a));

    // The borrower's first process, as it dies: its auction is recorded (RFQ not known to have
    // left), the RFQ is published, the lender's offer reaches it and is never acted on.
    const perp = foundationProtocols(tokens).perp;
    const rfq = policy.borrowRequest(await perp.snapshot());
    if (!rfq) throw new Error("the perp exchange should be short");
    const sessionId: Hex = bytesToHex(randomBytes(32));
    const t1 = await transport("B1");
    const d1 = await openDurableState({ connection: t1.connection, agent: borrower.address, prefix });
    await d1.auctions.put({
      sessionId,
      rfq,
      startedAt: Date.now(),
      deadlineMs: AUCTION.deadlineMs,
      admissionMs: AUCTION.admissionMs,
      admissionClosed: false,
      rfqSent: false,
      lenders: [],
    });
    const b1 = createEndpoint({
      transport: t1,
      signer: borrower,
      domain,
      peers,
      log,
      sequencer: d1.sequencer,
      replayCache: d1.replayCache,
    });
    const lost: SessionMessage[] = [];
    b1.onMessage((m) => void lost.push(m));
    await b1.flush();
    const offered = nextActivity(
      l.agent,
      (a) => a.type === "sent" && a.kind === "offer" && a.sessionId === sessionId,
    );
    const first = await b1.sendRfq(sessionId, rfq);
    const firstOffer = await offered;
    await expect.poll(() => lost.map((m) => m.kind)).toEqual(["offer"]);
    await b1.close();
    await t1.close();

    // Its new process finds the auction and starts it again in the same session.
    const b2 = await start("B2", borrower, perp);
    const ended = nextActivity(b2.agent, (a) => a.type === "session" && a.sessionId === sessionId);
    const repeated = nextActivity(
      l.agent,
      (a) => a.type === "received" && a.kind === "rfq" && a.sessionId === sessionId,
    );
    expect(await b2.agent.resume()).toMatchObject({ auctions: 1 });
    expect(await repeated).toMatchObject({ body: first.message.body });

    const end = await ended;
    if (end.type !== "session" || end.outcome.status !== "agreed")
      throw new Error(
        `the auction did not end agreed: ${end.type === "session" ? end.outcome.status : end.type}`,
      );
    expect(end.peer).toBe(lender.address);
    await expect
      .poll(() =>
        lenderLog.flatMap((a) =>
          a.type === "session" && a.sessionId === sessionId ? [a.outcome.status] : [],
        ),
      )
      .toEqual(["agreed"]);

    // The lender answered the repeat with the offer the first process lost, and declined nothing.
    const toBorrower = lenderLog.filter((a) => a.type === "sent" && a.sessionId === sessionId);
    expect(toBorrower.slice(0, 2)).toEqual([
      firstOffer,
      { ...firstOffer, body: { ...(firstOffer as { body: object }).body, resent: true } },
    ]);
    expect(
      lenderLog.filter(
        (a) => a.type === "report" && a.what === "rfq declined" && a.data.sessionId === sessionId,
      ),
    ).toEqual([]);
    // The loan settles once; both journals let the session go.
    await expect.poll(() => chain.settlements.length).toBe(1);
    await expect.poll(async () => (await l.durable.sessions.list()).length).toBe(0);
    await expect.poll(async () => b2.durable.auctions.get(sessionId)).toBeUndefined();
  }, 30_000);
});
