/**
 * Hostile input at the agent level: malformed, unsigned, wrongly signed, expired, replayed and
 * unknown-peer RFQs reach a lending agent. Each is refused with a typed error code and a log
 * line, and none changes the agent: no session opens, nothing is reserved, nothing is sent.
 * A valid RFQ, as a control, does open a session.
 */
import { type Hex, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { type Activity, createAgent } from "../agents/agent.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { createMemoryLogger } from "../core/log.ts";
import { toJson } from "../core/schema.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { encodeMessage, randomNonce } from "../negotiation/wire/encode-message.ts";
import { newSigner, sessionIdOf, signRaw } from "../negotiation/wire/fixtures.ts";
import { rfqSubject } from "../negotiation/wire/subjects.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { foundationPolicy } from "../sims/foundation-scenario.ts";
import { useAnvil } from "./harness/anvil.ts";

describe("an agent under hostile input", () => {
  it("refuses each bad RFQ with a typed error and a log line, and changes nothing", async () => {
    const chain = await useAnvil();
    const fx = await chain.deployFixture();
    const { usdc, weth, domain } = fx;
    const lender = fx.lender;
    const borrower = newSigner();
    const mallory = newSigner();
    const peers = createPeerRegistry([
      { address: lender.address, name: "A", protocol: "lending" },
      { address: borrower.address, name: "B", protocol: "perp" },
    ]);
    const bus = createInProcessBus();
    const log = createMemoryLogger("warn");
    const endpoint = createEndpoint({
      transport: bus.createTransport({ name: "A" }),
      signer: lender.signer,
      domain,
      peers,
      log,
    });
    const market = new SimulatedLendingMarket({
      protocolId: "A",
      asset: { address: usdc, symbol: "USDC", decimals: 6 },
      deposits: 10_000_000n * 10n ** 6n,
      borrows: 6_000_000n * 10n ** 6n,
      bufferBps: 1000,
      rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
      priceUsd8: 10n ** 8n,
      now: () => Date.now(),
    });
    const agent = createAgent({
      name: "A",
      signer: lender.signer,
      domain,
      endpoint,
      adapter: market,
      settlement: createChainSettlement({ clients: lender.clients, arbiter: fx.arbiter }),
      policy: foundationPolicy({ usdc, weth }),
      log,
    });
    const activity: Activity[] = [];
    agent.onActivity((a) => activity.push(a));
    // Let the agent take its first look at its protocol.
    await new Promise((r) => setTimeout(r, 100));

    const raw = bus.createTransport({ name: "attacker" });
    const subject = rfqSubject(domain.chainId, usdc);
    const rfq = {
      principalToken: usdc,
      principal: 500_000n * 10n ** 6n,
      maxRateBps: 2000,
      tenor: 86_400,
      collateralToken: weth,
      collateral: 300n * 10n ** 18n,
    };
    const envelope = (from: string, overrides: Record<string, unknown> = {}) =>
      JSON.parse(
        toJson({
          v: 0,
          kind: "rfq",
          sessionId: sessionIdOf("bad"),
          seq: 0,
          from,
          to: zeroAddress,
          expiry: Date.now() + 30_000,
          nonce: randomNonce(),
          body: rfq,
          ...overrides,
        }),
      ) as Record<string, unknown>;
    const enc = (s: string) => new TextEncoder().encode(s);
    const valid = () =>
      encodeMessage({
        domain,
        signer: borrower,
        kind: "rfq",
        sessionId: sessionIdOf("ok") as Hex,
        seq: 0,
        expiry: Date.now() + 30_000,
        body: rfq,
      });

    const replayed = valid();
    const attacks: Array<[string, Uint8Array]> = [
      ["MalformedMessage", enc("{not json")],
      ["SchemaViolation", enc(JSON.stringify(envelope(borrower.address)))], // no signature at all
      ["BadSignature", enc(signRaw(envelope(borrower.address), mallory, domain))], // claims to be B
      [
        "ExpiredMessage",
        enc(signRaw(envelope(borrower.address, { expiry: Date.now() - 1 }), borrower, domain)),
      ],
      ["UnknownPeer", enc(signRaw(envelope(mallory.address), mallory, domain))],
    ];
    for (const [, bytes] of attacks) await raw.publish(subject, bytes);
    await bus.flush();
    await new Promise((r) => setTimeout(r, 50));

    const stats = endpoint.stats();
    for (const [code] of attacks) {
      expect(stats.rejectedByCode[code as keyof typeof stats.rejectedByCode], code).toBe(1);
      expect(
        log.lines.some((l) => l.code === code && l.level === "warn"),
        `log line for ${code}`,
      ).toBe(true);
    }
    expect(activity).toEqual([]);
    expect(agent.actor.getSnapshot().context.reserved).toEqual({});

    // Control: a valid RFQ opens a session (and an offer goes out); its replay changes nothing.
    await raw.publish(subject, replayed.bytes);
    await bus.flush();
    await new Promise((r) => setTimeout(r, 50));
    const offersAfterValid = activity.filter((a) => a.type === "sent" && a.kind === "offer").length;
    expect(offersAfterValid).toBe(1);
    const reservedAfterValid = agent.actor.getSnapshot().context.reserved;
    await raw.publish(subject, replayed.bytes);
    await bus.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(endpoint.stats().rejectedByCode.Replay).toBe(1);
    expect(activity.filter((a) => a.type === "sent" && a.kind === "offer").length).toBe(offersAfterValid);
    expect(agent.actor.getSnapshot().context.reserved).toEqual(reservedAfterValid);

    await agent.stop();
    await endpoint.close();
  });
});
