/**
 * An RFQ auction survives its borrower's crash, with durable state in JetStream KV, on a real
 * NATS server and a real chain. Three lender agents bid; the borrower is killed mid-auction and a
 * new process of it resumes from its journal:
 * - killed after offers were exchanged (no accept yet): the auction goes on, closes with the best
 *   lender, the loan settles once, and the other lenders are told by a reject that they lost;
 * - killed right after it signed an accept: it signs for no other lender after the restart, and
 *   the loan settles at most once;
 * - restarted after the auction's deadline: the auction ends at once and its record goes.
 *
 * The lenders here ask for a tenor a day shorter than the RFQ's, so they never accept the
 * borrower's offers (which carry the RFQ's tenor): the borrower is the one who accepts, when the
 * auction lets it (after the admission window, or on its last round). Their rates are far apart,
 * so which lender is best does not depend on timing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { type Address, bytesToHex, type Hex } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import type { AgentPolicy } from "../agents/agent-policy.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { liquidityArbiterAbi } from "../arbitration/index.ts";
import { hashAgreement } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import { type DurableState, openDurableState } from "../negotiation/durable/open-durable-state.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import type { AuctionOptions } from "../negotiation/protocols/rfq-auction-host.ts";
import { createTimeDependentStrategy } from "../negotiation/strategies/time-dependent.ts";
import { createNatsTransport, type NatsTransport } from "../negotiation/transport/nats.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { foundationPolicy, foundationProtocols } from "../sims/foundation-scenario.ts";
import { nextActivity } from "./harness/activity.ts";
import { type AnvilHarness, type ArbiterFixture, type Party, useAnvil } from "./harness/anvil.ts";
import { useIsolatedNats } from "./harness/nats.ts";
import { until } from "./harness/until.ts";

// Agents on anvil's accounts and tokens use the inbox and RFQ subjects other agent test files use:
// a NATS server of this file's own.
const natsServer = useIsolatedNats();

const log = createLogger({ level: "error" });
const randomBytes32Hex = (): Hex => bytesToHex(randomBytes(32));
const ABORTED = "reject.received: abort: closed with another lender";
/** Opening and floor rates of the three lenders: the first is the best by far. */
const LENDERS = [
  { name: "L1", openingRateBps: 1000, floorRateBps: 600 },
  { name: "L2", openingRateBps: 1900, floorRateBps: 1500 },
  { name: "L3", openingRateBps: 2300, floorRateBps: 2000 },
] as const;
const AUCTION: Partial<AuctionOptions> = {
  maxRounds: 6,
  admissionMs: 300,
  deadlineMs: 5_000,
  confirmTimeoutMs: 1_500,
};

type Running = { agent: Agent; transport: NatsTransport; durable: DurableState | undefined };
type Logged = Activity & { who: string };

let chain: AnvilHarness;
let fx: ArbiterFixture;
beforeAll(async () => {
  chain = await useAnvil();
  fx = await chain.deployFixture();
});

const transports: NatsTransport[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close().catch(() => {})));
});

/** One test's world: three lender agents and a borrower that can be started (again) and killed. */
async function world(p: { auction?: Partial<AuctionOptions> } = {}) {
  const { usdc, weth, domain } = fx;
  const prefix = `t${randomUUID().slice(0, 8)}`; // fresh buckets for this test
  const lenderParties: Party[] = [fx.lender, chain.party(7), chain.party(8)];
  const peers = createPeerRegistry([
    ...lenderParties.map((l, i) => ({
      address: l.address,
      name: LENDERS[i]!.name,
      protocol: "lending" as const,
    })),
    { address: fx.borrower.address, name: "B", protocol: "perp" },
  ]);
  const policy = foundationPolicy({ usdc, weth });
  const lenderPolicy = (spec: (typeof LENDERS)[number]): AgentPolicy => ({
    ...policy,
    lenderStrategy: (state, rfq, reserved) =>
      policy.lenderStrategy(state, rfq, reserved) &&
      createTimeDependentStrategy({
        side: "lender",
        openingRateBps: spec.openingRateBps,
        reservationRateBps: spec.floorRateBps,
        exponent: 1,
        template: {
          principal: rfq.principal,
          tenor: rfq.tenor - 86_400,
          collateralToken: rfq.collateralToken,
          collateral: rfq.collateral,
          haircutBps: 2000,
        },
      }),
  });
  const activity: Logged[] = [];
  const fromBlock = await fx.deployer.clients.public.getBlockNumber();
  const perp = foundationProtocols({ usdc, weth }).perp; // the borrower's protocol, across restarts

  const start = async (
    party: Party,
    name: string,
    adapter: ProtocolAdapter,
    opts: { policy: AgentPolicy; durable: boolean; auction?: Partial<AuctionOptions> },
  ): Promise<Running> => {
    const transport = await createNatsTransport({ servers: natsServer.url, name, log });
    transports.push(transport);
    const durable = opts.durable
      ? await openDurableState({ connection: transport.connection, agent: party.address, prefix })
      : undefined;
    const endpoint = createEndpoint({
      transport,
      signer: party.signer,
      domain,
      peers,
      log,
      ...(durable ? { sequencer: durable.sequencer, replayCache: durable.replayCache } : {}),
    });
    const agent = createAgent({
      name,
      signer: party.signer,
      domain,
      endpoint,
      adapter,
      settlement: createChainSettlement({ clients: party.clients, arbiter: fx.arbiter }),
      policy: opts.policy,
      // The borrower looks once (it borrows at once); lenders watch the chain for their loans.
      pollMs: opts.durable ? 60_000 : 100,
      session: { maxRounds: 10, deadlineMs: 8_000, confirmTimeoutMs: 1_500 },
      auction: opts.auction ?? AUCTION,
      ...(durable
        ? {
            durable: {
              sessions: durable.sessions,
              agreements: durable.agreements,
              auctions: durable.auctions,
              owner: `${name}:${randomUUID()}`,
            },
          }
        : {}),
      log,
    });
    agent.onActivity((a) => activity.push({ ...a, who: name }));
    agents.push(agent);
    await endpoint.flush();
    return { agent, transport, durable };
  };

  const lenders = await Promise.all(
    LENDERS.map((spec, i) =>
      start(lenderParties[i]!, spec.name, foundationProtocols({ usdc, weth }).lendingMarket, {
        policy: lenderPolicy(spec),
        durable: false,
      }),
    ),
  );
  const startBorrower = (name: string) =>
    start(fx.borrower, name, perp, { policy, durable: true, ...(p.auction ? { auction: p.auction } : {}) });

  return {
    lenders,
    lenderAddresses: lenderParties.map((l) => l.address),
    activity,
    startBorrower,
    /** The process dies: its journal writes so far land, nothing of it runs afterwards. */
    async kill(b: Running) {
      await b.agent.stop();
      await b.transport.close();
    },
    /** Settled events on the arbiter, since this world started, of agreements in `sessionId`. */
    settledEvents: async (sessionId: Hex) =>
      (
        await fx.deployer.clients.public.getContractEvents({
          address: fx.arbiter,
          abi: liquidityArbiterAbi,
          eventName: "Settled",
          fromBlock,
        })
      ).filter((e) => e.args.agreement?.sessionId.toLowerCase() === sessionId.toLowerCase()),
    /** The lenders' own view of how their session `sessionId` ended, by lender name. */
    lenderEnds(sessionId: Hex) {
      const out: Record<string, Extract<Activity, { type: "session" }>["outcome"]> = {};
      for (const a of activity)
        if (a.type === "session" && a.side === "lender" && a.sessionId === sessionId) out[a.who] = a.outcome;
      return out;
    },
    async stopAll(extra: Running[]) {
      await Promise.all([...lenders, ...extra].map((r) => r.agent.stop()));
    },
    /** Waits until the auction's admission window (as journaled) has passed. */
    async afterAdmission(journal: { startedAt: number; admissionMs: number }) {
      await new Promise((r) =>
        setTimeout(r, Math.max(0, journal.startedAt + journal.admissionMs - Date.now()) + 20),
      );
    },
  };
}

/** Resolves (in a microtask, so the message on its way still leaves) once `agent` has sent a
 *  message that matches; the caller kills it then. */
function killPoint(agent: Agent, match: (a: Extract<Activity, { type: "sent" }>) => boolean) {
  return new Promise<void>((resolve) => {
    const off = agent.onActivity((a) => {
      if (a.type !== "sent" || !match(a)) return;
      off();
      queueMicrotask(resolve);
    });
  });
}

/** Once `agent` has sent an offer to each of `lenders`. */
function counteredAll(agent: Agent, lenders: Address[]) {
  const countered = new Set<string>();
  return killPoint(agent, (a) => {
    if (a.kind === "offer" && a.to !== "broadcast") countered.add(a.to.toLowerCase());
    return lenders.every((l) => countered.has(l.toLowerCase()));
  });
}

const signatures = (activity: Logged[], who: string) =>
  activity.filter(
    (a): a is Extract<Logged, { type: "sent" }> =>
      a.who === who && a.type === "sent" && (a.kind === "accept" || a.kind === "confirm"),
  );

describe("borrower crash and restart mid-auction (JetStream KV)", () => {
  it("killed after offers were exchanged: resumes, closes with the best lender, settles once; the others are told they lost", async () => {
    const w = await world();
    const b1 = await w.startBorrower("B1");
    const crashed = counteredAll(b1.agent, w.lenderAddresses);
    await b1.agent.resume();
    await crashed;
    await w.kill(b1);
    expect(signatures(w.activity, "B1")).toEqual([]);
    // A new process of the borrower finds the auction in its journal.
    const b2 = await w.startBorrower("B2");
    const [journal] = await b2.durable!.auctions.list();
    expect(journal?.lenders.map((l) => l.lender).sort()).toEqual([...w.lenderAddresses].sort());
    expect(journal?.lenders.every((l) => l.round >= 1 && l.signed === undefined)).toBe(true);
    const sessionId = journal!.sessionId;
    // It comes back after the admission window (restarts take a while): it closes with the best
    // lender as soon as that one's offer is acceptable, while the others still negotiate.
    await w.afterAdmission(journal!);
    const settled = nextActivity(b2.agent, (a) => a.type === "report" && a.what === "settled");
    const ended = nextActivity(b2.agent, (a) => a.type === "session" && a.sessionId === sessionId);
    expect(await b2.agent.resume()).toMatchObject({ auctions: 1 });
    const end = await ended;
    if (end.type !== "session" || end.outcome.status !== "agreed")
      throw new Error(
        `the auction did not end agreed: ${end.type === "session" ? end.outcome.status : end.type}`,
      );
    expect(end.peer).toBe(fx.lender.address);
    await settled;

    // Once on chain, for this agreement.
    const events = await w.settledEvents(sessionId);
    expect(events).toHaveLength(1);
    expect(events[0]?.args.id).toBe(hashAgreement(fx.domain, end.outcome.agreement));
    // The winner holds both signatures; the others were told by our reject, not by a timeout.
    const ends = await until(() => {
      const e = w.lenderEnds(sessionId);
      return Object.keys(e).length === 3 ? e : undefined;
    }, "every lender's session to end");
    expect(ends.L1?.status).toBe("agreed");
    expect(ends.L2).toMatchObject({ status: "failed", reason: ABORTED });
    expect(ends.L3).toMatchObject({ status: "failed", reason: ABORTED });
    // The restarted borrower signed once, for L1; the auction's record is gone.
    expect(signatures(w.activity, "B2").map((a) => a.to)).toEqual([fx.lender.address]);
    await w.stopAll([b2]);
    expect(await b2.durable!.auctions.list()).toEqual([]);
  }, 30_000);

  it("killed after signing an accept: signs for no other lender after the restart, nothing settles twice", async () => {
    const w = await world();
    const b1 = await w.startBorrower("B1");
    const crashed = killPoint(b1.agent, (a) => a.kind === "accept");
    await b1.agent.resume();
    await crashed;
    // B1 dies with its accept on the way: L1 countersigns, but its confirm finds B1 dead.
    const confirmed = nextActivity(w.lenders[0]!.agent, (a) => a.type === "sent" && a.kind === "confirm");
    await b1.agent.stop();
    await confirmed;
    await b1.transport.close();
    const [accept] = signatures(w.activity, "B1");
    if (!accept) throw new Error("B1 sent no accept");
    expect(accept.to).toBe(fx.lender.address);
    // Our signature was journaled before it left.
    const b2 = await w.startBorrower("B2");
    const [journal] = await b2.durable!.auctions.list();
    const sessionId = journal!.sessionId;
    const signedFor = journal!.lenders.filter((l) => l.signed);
    expect(signedFor.map((l) => l.lender)).toEqual([fx.lender.address]);
    expect(signedFor[0]?.signed?.signature).toBe((accept.body as { signature: Hex }).signature);

    const ended = nextActivity(b2.agent, (a) => a.type === "session" && a.sessionId === sessionId);
    const settled = nextActivity(b2.agent, (a) => a.type === "report" && a.what === "settled");
    expect(await b2.agent.resume()).toMatchObject({ auctions: 1 });
    const end = await ended;
    if (end.type !== "session") throw new Error("expected the auction's end");
    // L1's session is over, agreed: it answers the accept sent again with the same confirm
    // (docs/PROTOCOL.md §7.1, ended sessions), so the restarted borrower holds both signatures.
    // (Before, the accept found no one and the borrower withdrew its signature.)
    expect(end.outcome.status).toBe("agreed");
    expect(end.peer).toBe(fx.lender.address);
    if (end.outcome.status !== "agreed") return;
    expect(end.outcome.agreement).toEqual((accept.body as { agreement: unknown }).agreement);
    // After the restart only the accept to L1 went out again, the same signed agreement.
    const again = signatures(w.activity, "B2");
    expect(again.map((a) => [a.to, a.kind])).toEqual([[fx.lender.address, "accept"]]);
    expect(again[0]?.body).toEqual(accept.body);
    // L1 holds both signatures; the others were told by a reject of ours (out of rounds before
    // the crash, or aborted after it) and hold none.
    const ends = await until(() => {
      const e = w.lenderEnds(sessionId);
      return Object.keys(e).length === 3 ? e : undefined;
    }, "every lender's session to end");
    expect(ends.L1?.status).toBe("agreed");
    for (const name of ["L2", "L3"])
      expect(ends[name]).toMatchObject({
        status: "failed",
        reason: expect.stringMatching(/^reject\.received: /),
      });
    // The borrower settles that agreement, once.
    await settled;
    const events = await w.settledEvents(sessionId);
    expect(events).toHaveLength(1);
    expect(events[0]?.args.id).toBe(hashAgreement(fx.domain, end.outcome.agreement));
    await w.stopAll([b2]);
    expect(await b2.durable!.auctions.list()).toEqual([]);
  }, 30_000);

  it("restarted after the auction's deadline: ends it at once, tells the lenders, keeps nothing open", async () => {
    const w = await world({ auction: { ...AUCTION, deadlineMs: 1_200 } });
    const b1 = await w.startBorrower("B1");
    const crashed = counteredAll(b1.agent, w.lenderAddresses);
    await b1.agent.resume();
    await crashed;
    await w.kill(b1);
    await new Promise((r) => setTimeout(r, 1_300));
    const b2 = await w.startBorrower("B2");
    const [journal] = await b2.durable!.auctions.list();
    const sessionId = journal!.sessionId;
    expect(journal!.startedAt + journal!.deadlineMs).toBeLessThan(Date.now());
    expect(await b2.agent.resume()).toMatchObject({ auctions: 0 });
    await until(async () => (await b2.durable!.auctions.get(sessionId)) === undefined, "the record to go");
    // The lenders (whose own deadline is later) heard it from us.
    const ends = await until(() => {
      const e = w.lenderEnds(sessionId);
      return Object.keys(e).length === 3 ? e : undefined;
    }, "every lender's session to end");
    for (const name of ["L1", "L2", "L3"])
      expect(ends[name]).toMatchObject({ status: "failed", reason: "reject.received: deadline" });
    expect(signatures(w.activity, "B2").filter((a) => a.sessionId === sessionId)).toEqual([]);
    await w.stopAll([b2]);
    expect(await b2.durable!.auctions.get(sessionId)).toBeUndefined();
  }, 30_000);

  it("a record whose RFQ may never have left, found past its deadline: ends without sending it", async () => {
    const w = await world();
    const b = await w.startBorrower("B1");
    // What a process that died between its auction's record and its RFQ's publish leaves behind.
    const sessionId = randomBytes32Hex();
    await b.durable!.auctions.put({
      sessionId,
      rfq: {
        principalToken: fx.usdc,
        principal: 1_000_000n,
        maxRateBps: 900,
        tenor: 86_400,
        collateralToken: fx.weth,
        collateral: 700n,
      },
      startedAt: Date.now() - 10_000,
      deadlineMs: 5_000,
      admissionMs: 300,
      admissionClosed: false,
      rfqSent: false,
      lenders: [],
    });
    const ended = nextActivity(b.agent, (a) => a.type === "session" && a.sessionId === sessionId);
    expect(await b.agent.resume()).toMatchObject({ auctions: 0 });
    expect(await ended).toMatchObject({ outcome: { status: "failed", reason: "no offers" } });
    await until(async () => (await b.durable!.auctions.get(sessionId)) === undefined, "the record to go");
    expect(w.activity.filter((a) => a.type === "sent" && a.sessionId === sessionId)).toEqual([]);
    expect(w.lenderEnds(sessionId)).toEqual({});
    await w.stopAll([b]);
  }, 30_000);
});
