/**
 * Sealed-bid RFQs with real agents over a real NATS server (issue 10, item 9): the shipped lender
 * answered an RFQ marked `auction: sealed` with an open offer, revealing its price to a borrower
 * that had promised every lender secrecy (docs/PROTOCOL.md §7.2). Agents now take part: a lender
 * commits to one sealed bid from its policy and reveals it after the commit deadline, never sending
 * an offer; a borrower created with `auctionMode: "sealed"` runs the auction, awards the best valid
 * bid, and settles it. Settlement is on the in-process ledger (the contract's rules, kept equal to
 * it by a differential test): this is about the protocol.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import { type AgentPolicy, createDefaultPolicy } from "../agents/agent-policy.ts";
import { createLogger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import {
  createSealedBidAuctionHost,
  type SealedBidFinished,
} from "../negotiation/protocols/sealed-bid-host.ts";
import { createNatsTransport, type NatsTransport } from "../negotiation/transport/nats.ts";
import { testDomain as domain, newSigner, sessionIdOf, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import type { Terms } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { foundationProtocols } from "../sims/foundation-scenario.ts";
import { createLedgerChain } from "./harness/fault-peers.ts";
import { useIsolatedNats } from "./harness/nats.ts";

// Wildcard RFQ listeners and the fixtures' tokens: a NATS server of this file's own.
const natsServer = useIsolatedNats();

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const SEALED = { commitMs: 1_000, revealMs: 1_000, confirmTimeoutMs: 2_000, awardTimeoutMs: 3_000 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function transport(name: string): Promise<NatsTransport> {
  const t = await createNatsTransport({ servers: natsServer.url, name, log });
  cleanups.push(() => t.close().catch(() => {}));
  return t;
}

const is = (t: string, token: string) => t.toLowerCase() === token.toLowerCase();
/** The default policy with the fixtures' tokens (USDC $1, 6 decimals; WETH $3,000, 18). */
const policyWith = (p: { lenderPremiumBps?: number } = {}): AgentPolicy =>
  createDefaultPolicy({
    ...p,
    decimals: (t) => (is(t, USDC) ? 6 : is(t, WETH) ? 18 : undefined),
    oracle: (t) => (is(t, USDC) ? 10n ** 8n : is(t, WETH) ? 3000n * 10n ** 8n : undefined),
  });

type Party = { signer: Signer; name: string };

function world(names: string[]) {
  const parties: Party[] = names.map((name) => ({ name, signer: newSigner() }));
  const peers = createPeerRegistry(
    parties.map((x) => ({ address: x.signer.address, name: x.name, protocol: "lending" as const })),
  );
  const chain = createLedgerChain(
    domain,
    tokens,
    parties.map((x) => x.signer.address),
  );
  const logs = new Map<string, Activity[]>();

  const start = async (
    party: Party,
    adapter: ProtocolAdapter,
    policy: AgentPolicy,
    extra: Partial<Parameters<typeof createAgent>[0]> = {},
  ): Promise<Agent> => {
    const t = await transport(party.name);
    const endpoint = createEndpoint({ transport: t, signer: party.signer, domain, peers, log });
    const agent = createAgent({
      name: party.name,
      signer: party.signer,
      domain,
      endpoint,
      adapter,
      settlement: chain.portFor(party.signer.address),
      policy,
      pollMs: 100,
      sealedBid: SEALED,
      log,
      ...extra,
    });
    const activity: Activity[] = [];
    logs.set(party.name, activity);
    agent.onActivity((a) => activity.push(a));
    cleanups.push(() => agent.stop());
    await endpoint.flush();
    await expect.poll(() => agent.actor.getSnapshot().context.state).toBeDefined();
    return agent;
  };
  /** The kinds `name` sent in `sessionId`, in order. */
  const sent = (name: string, sessionId: string) =>
    (logs.get(name) ?? []).flatMap((a) =>
      a.type === "sent" && a.sessionId === sessionId ? [{ kind: a.kind, body: a.body }] : [],
    );
  return { parties, peers, chain, start, sent, logs };
}

describe("sealed-bid RFQs between real agents over NATS", () => {
  it("lenders commit and reveal (never offer); the best bid wins, is confirmed and settled; the others are told outbid", async () => {
    const w = world(["L-cheap", "L-mid", "L-dear", "L-closed", "B"]);
    const [cheap, mid, dear, closed, b] = w.parties as [Party, Party, Party, Party, Party];
    const lenders = [
      { party: cheap, premium: 100 },
      { party: mid, premium: 300 },
      { party: dear, premium: 500 },
    ];
    const agents: Record<string, Agent> = {};
    for (const l of lenders)
      agents[l.party.name] = await w.start(
        l.party,
        foundationProtocols(tokens).lendingMarket,
        policyWith({ lenderPremiumBps: l.premium }),
      );
    // A lender whose policy makes no sealed bids stays out of the auction altogether.
    const { sealedBid: _, ...openOnly } = policyWith();
    agents[closed.name] = await w.start(closed, foundationProtocols(tokens).lendingMarket, openOnly);

    await w.start(b, foundationProtocols(tokens).perp, policyWith(), { auctionMode: "sealed" });
    const borrowerLog = w.logs.get(b.name)!;
    await expect
      .poll(() => borrowerLog.some((a) => a.type === "report" && a.what === "settled"), { timeout: 20_000 })
      .toBe(true);
    const rfq = borrowerLog.find((a) => a.type === "sent" && a.kind === "rfq");
    if (rfq?.type !== "sent") throw new Error("expected the RFQ");
    const sessionId = rfq.sessionId;
    expect(rfq.body).toMatchObject({ auction: { mode: "sealed" } });
    // One auction, and it is the one settled.
    expect(borrowerLog.filter((a) => a.type === "sent" && a.kind === "rfq")).toHaveLength(1);

    // Nobody answered with an open offer; every bidder committed, then revealed.
    for (const name of [cheap.name, mid.name, dear.name, closed.name, b.name])
      expect(w.sent(name, sessionId).filter((m) => m.kind === "offer")).toEqual([]);
    expect(w.sent(cheap.name, sessionId).map((m) => m.kind)).toEqual(["commit", "reveal", "confirm"]);
    expect(w.sent(mid.name, sessionId).map((m) => m.kind)).toEqual(["commit", "reveal"]);
    expect(w.sent(dear.name, sessionId).map((m) => m.kind)).toEqual(["commit", "reveal"]);
    expect(w.sent(closed.name, sessionId)).toEqual([]);
    expect(
      (w.logs.get(closed.name) ?? []).some(
        (a) => a.type === "report" && a.what === "rfq declined" && a.data.sessionId === sessionId,
      ),
    ).toBe(true);

    // The cheapest bid won, at exactly its revealed terms; the others were told why.
    const reveals = Object.fromEntries(
      lenders.map((l) => {
        const reveal = w.sent(l.party.name, sessionId).find((m) => m.kind === "reveal");
        if (!reveal) throw new Error(`${l.party.name} did not reveal`);
        return [l.party.name, (reveal.body as { terms: Terms }).terms];
      }),
    );
    expect(reveals[cheap.name]!.rateBps).toBeLessThan(reveals[mid.name]!.rateBps);
    expect(reveals[mid.name]!.rateBps).toBeLessThan(reveals[dear.name]!.rateBps);
    const fromBorrower = w.sent(b.name, sessionId);
    expect(fromBorrower.map((m) => m.kind).sort()).toEqual(["accept", "reject", "reject", "rfq"]);
    const accept = fromBorrower.find((m) => m.kind === "accept")!.body as {
      agreement: { lender: string; rateBps: number };
    };
    expect(accept.agreement.lender).toBe(cheap.signer.address);
    expect(accept.agreement.rateBps).toBe(reveals[cheap.name]!.rateBps);
    expect(fromBorrower.filter((m) => m.kind === "reject").map((m) => m.body)).toEqual([
      { reason: "outbid", code: "outbid" },
      { reason: "outbid", code: "outbid" },
    ]);
    expect(w.chain.settlements).toHaveLength(1);

    // Losers let their principal go; the winner services the loan it lent.
    for (const name of [mid.name, dear.name, closed.name])
      await expect.poll(() => agents[name]!.actor.getSnapshot().context.reserved).toEqual({});
    await expect
      .poll(() =>
        (w.logs.get(cheap.name) ?? []).some(
          (a) => a.type === "session" && a.sessionId === sessionId && a.outcome.status === "agreed",
        ),
      )
      .toBe(true);
  }, 40_000);

  it("a lender agent bids on a sealed RFQ from a plain sealed-bid host: commit and reveal, not an offer", async () => {
    // Runs against the previous code too, where the agent answered with an offer (and the host
    // refused it, "sealed-bid auction: answer with commit and reveal").
    const w = world(["L", "host"]);
    const [lenderParty, hostParty] = w.parties as [Party, Party];
    const lender = await w.start(lenderParty, foundationProtocols(tokens).lendingMarket, policyWith());
    const t = await transport("host");
    const endpoint = createEndpoint({ transport: t, signer: hostParty.signer, domain, peers: w.peers, log });
    const finished = new Promise<SealedBidFinished>((resolve) => {
      const host = createSealedBidAuctionHost({
        endpoint,
        signer: hostParty.signer,
        domain,
        options: { commitMs: 1_000, revealMs: 1_000, confirmTimeoutMs: 2_000 },
        nowSec: () => BigInt(Math.floor(Date.now() / 1000)),
        log,
        onFinished: resolve,
      });
      endpoint.onMessage((m) => void host.route(m));
      cleanups.push(async () => host.stop());
      host.open({
        sessionId: sessionIdOf("sealed"),
        rfq: {
          principalToken: USDC,
          principal: 500_000n * 10n ** 6n,
          maxRateBps: 2_000,
          tenor: 7 * 86_400,
          collateralToken: WETH,
          collateral: 300n * 10n ** 18n,
        },
        score: (terms) => -terms.rateBps,
        acceptable: (terms) => terms.rateBps <= 2_000,
      });
    });
    await endpoint.flush();
    const { outcome, sessionId } = await finished;
    expect(w.sent(lenderParty.name, sessionId).map((m) => m.kind)).toEqual(["commit", "reveal", "confirm"]);
    expect(outcome).toMatchObject({ status: "agreed", lender: lenderParty.signer.address });
    expect(lender.actor.getSnapshot().context.reserved).not.toEqual({});
  }, 30_000);
});
