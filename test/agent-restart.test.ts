/**
 * Crash and restart with durable state in JetStream KV, on a real NATS server and a real chain:
 * the borrower dies the moment it has countersigned (before it settles). A restarted borrower
 * finds the signed agreement, claims it and settles it once; a second, racing copy of the
 * restarted borrower is refused the claim, so the agreement is never settled twice.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAgent } from "../agents/agent.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { liquidityArbiterAbi } from "../arbitration/index.ts";
import { createLogger } from "../core/log.ts";
import { openDurableState } from "../negotiation/durable/open-durable-state.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createNatsTransport, type NatsTransport } from "../negotiation/transport/nats.ts";
import type { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import type { SimulatedPerpExchange } from "../protocol-adapters/simulated/simulated-perp-exchange.ts";
import { foundationPolicy, foundationProtocols } from "../sims/foundation-scenario.ts";
import { nextActivity } from "./harness/activity.ts";
import { type ArbiterFixture, type Party, useAnvil } from "./harness/anvil.ts";
import { useIsolatedNats } from "./harness/nats.ts";

// Agents on anvil's accounts and tokens use the inbox and RFQ subjects other agent test files use:
// a NATS server of this file's own.
const natsServer = useIsolatedNats();

const _USDC = 10n ** 6n;
const _WETH = 10n ** 18n;

describe("agent crash and restart (JetStream KV)", () => {
  it("a borrower that dies after countersigning settles the agreement exactly once after restart", async () => {
    const chain = await useAnvil();
    const fx: ArbiterFixture = await chain.deployFixture();
    const { usdc, weth, domain } = fx;
    const prefix = `t${randomUUID().slice(0, 8)}`; // fresh buckets for this run
    const log = createLogger({ level: "error" });
    const peers = createPeerRegistry([
      { address: fx.lender.address, name: "A", protocol: "lending" },
      { address: fx.borrower.address, name: "B", protocol: "perp" },
    ]);
    const policy = foundationPolicy({ usdc, weth });
    const transports: NatsTransport[] = [];
    const { lendingMarket: market, perp } = foundationProtocols({ usdc, weth });

    const start = async (
      party: Party,
      name: string,
      adapter: SimulatedLendingMarket | SimulatedPerpExchange,
    ) => {
      const transport = await createNatsTransport({ servers: natsServer.url, name });
      transports.push(transport);
      const durable = await openDurableState({
        connection: transport.connection,
        agent: party.address,
        prefix,
      });
      const endpoint = createEndpoint({
        transport,
        signer: party.signer,
        domain,
        peers,
        log,
        sequencer: durable.sequencer,
        replayCache: durable.replayCache,
      });
      const agent = createAgent({
        name,
        signer: party.signer,
        domain,
        endpoint,
        adapter,
        settlement: createChainSettlement({ clients: party.clients, arbiter: fx.arbiter }),
        policy,
        pollMs: 100,
        auction: { admissionMs: 300 },
        durable: {
          sessions: durable.sessions,
          agreements: durable.agreements,
          auctions: durable.auctions,
          owner: `${name}:${randomUUID()}`,
        },
        log,
      });
      await endpoint.flush();
      return { agent, endpoint, durable };
    };

    try {
      const a = await start(fx.lender, "A", market);
      // B crashes the instant its session ends agreed: its lifecycle never reaches settlement.
      const b1 = await start(fx.borrower, "B", perp);
      const agreedSoon = nextActivity(
        b1.agent,
        (x) => {
          if (x.type === "session" && x.outcome.status === "agreed") {
            void b1.agent.stop();
            return true;
          }
          return false;
        },
        40_000,
      );
      // A durable agent borrows once it has looked for what it had under way (nothing here).
      await Promise.all([a.agent.resume(), b1.agent.resume()]);
      const agreed = await agreedSoon;
      if (agreed.type !== "session" || agreed.outcome.status !== "agreed") throw new Error("no agreement");
      // B's countersignature goes out only after its record of the agreement is written; the
      // write was already in flight when B "died", so wait for it to land.
      let id: `0x${string}` | undefined;
      for (let i = 0; i < 50 && !id; i++) {
        id = (await b1.durable.agreements.pending())[0]?.agreementId;
        if (!id) await new Promise((r) => setTimeout(r, 50));
      }
      expect(id).toBeDefined();
      await new Promise((r) => setTimeout(r, 300));
      const settledBefore = await fx.deployer.clients.public.getContractEvents({
        address: fx.arbiter,
        abi: liquidityArbiterAbi,
        eventName: "Settled",
        fromBlock: 0n,
      });
      expect(settledBefore).toHaveLength(0);

      // Two copies of the restarted borrower race for the same agreement.
      const [b2, b3] = await Promise.all([start(fx.borrower, "B2", perp), start(fx.borrower, "B3", perp)]);
      const outcomes = Promise.all([
        nextActivity(
          b2.agent,
          (x) => x.type === "report" && (x.what === "settled" || x.what === "settlement failed"),
          40_000,
        ),
        nextActivity(
          b3.agent,
          (x) => x.type === "report" && (x.what === "settled" || x.what === "settlement failed"),
          40_000,
        ),
      ]);
      const resumed = await Promise.all([b2.agent.resume(), b3.agent.resume()]);
      expect(resumed.map((r) => r.loans)).toEqual([1, 1]);
      const reports = await outcomes;
      expect(reports.filter((r) => r.type === "report" && r.what === "settled")).toHaveLength(1);

      const settled = await fx.deployer.clients.public.getContractEvents({
        address: fx.arbiter,
        abi: liquidityArbiterAbi,
        eventName: "Settled",
        fromBlock: 0n,
      });
      expect(settled).toHaveLength(1);
      expect((await b2.durable.agreements.get(id!))?.status).toBe("settled");
      await Promise.all([a.agent.stop(), b2.agent.stop(), b3.agent.stop()]);
    } finally {
      await Promise.all(transports.map((t) => t.close()));
    }
    // Generous: on a loaded 2-core machine the auction and the chain's settlement took over 20 s.
  }, 150_000);
});
