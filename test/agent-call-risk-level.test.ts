/**
 * The early-call level (the Agreement's callRiskLevel) as a negotiated term between real agents
 * (issue 10, item 8): a lender whose policy asks for loans callable at system risk level 2 offers
 * it in its Terms; a borrower that agrees to level 2 signs and settles exactly that, one that does
 * not never signs it. Over the in-process bus, settled on the in-process ledger (the contract's
 * rules, kept equal to it by a differential test), in an open auction and in a sealed one.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import { createDefaultPolicy, type DefaultPolicyParameters } from "../agents/agent-policy.ts";
import { createLogger } from "../core/log.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { testDomain as domain, newSigner, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import type { Terms } from "../negotiation/wire/schemas.ts";
import { foundationProtocols } from "../sims/foundation-scenario.ts";
import { createLedgerChain } from "./harness/fault-peers.ts";

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const is = (t: string, token: string) => t.toLowerCase() === token.toLowerCase();
const policy = (p: Partial<DefaultPolicyParameters> = {}) =>
  createDefaultPolicy({
    ...p,
    decimals: (t) => (is(t, USDC) ? 6 : is(t, WETH) ? 18 : undefined),
    oracle: (t) => (is(t, USDC) ? 10n ** 8n : is(t, WETH) ? 3000n * 10n ** 8n : undefined),
  });

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

async function pair(p: {
  lender: Partial<DefaultPolicyParameters>;
  borrower: Partial<DefaultPolicyParameters>;
  auctionMode?: "open" | "sealed";
}) {
  const bus = createInProcessBus({ log });
  const l = newSigner();
  const b = newSigner();
  const peers = createPeerRegistry([
    { address: l.address, name: "L", protocol: "lending" },
    { address: b.address, name: "B", protocol: "perp" },
  ]);
  const chain = createLedgerChain(domain, tokens, [l.address, b.address]);
  const logs: Record<string, Activity[]> = { L: [], B: [] };
  const settledOnChain: Array<{ callRiskLevel?: number | undefined }> = [];
  chain.ledger.onEvent((e) => {
    if (e.type === "Settled") settledOnChain.push(e.agreement);
  });
  const start = (
    name: "L" | "B",
    signer: typeof l,
    extra: { policy: ReturnType<typeof policy>; auctionMode?: "open" | "sealed" },
  ) => {
    const agent = createAgent({
      name,
      signer,
      domain,
      endpoint: createEndpoint({ transport: bus.createTransport({ name }), signer, domain, peers, log }),
      adapter: name === "L" ? foundationProtocols(tokens).lendingMarket : foundationProtocols(tokens).perp,
      settlement: chain.portFor(signer.address),
      pollMs: 100,
      session: { deadlineMs: 2_000, confirmTimeoutMs: 1_000 },
      auction: { deadlineMs: 2_000, admissionMs: 100, confirmTimeoutMs: 1_000 },
      sealedBid: { commitMs: 300, revealMs: 300, confirmTimeoutMs: 1_000, awardTimeoutMs: 1_000 },
      log,
      ...extra,
    });
    agent.onActivity((a) => logs[name]!.push(a));
    agents.push(agent);
    return agent;
  };
  start("L", l, { policy: policy(p.lender) });
  await bus.flush();
  start("B", b, { policy: policy(p.borrower), ...(p.auctionMode ? { auctionMode: p.auctionMode } : {}) });
  const offered = () =>
    logs.L!.flatMap((a) =>
      a.type === "sent" && (a.kind === "offer" || a.kind === "reveal")
        ? [(a.body as { terms: Terms }).terms]
        : [],
    );
  return { chain, logs, offered, settledOnChain };
}

describe("callRiskLevel, negotiated between agents", () => {
  it.each(["open", "sealed"] as const)(
    "a borrower that agrees to level 2 signs and settles a loan callable at 2 (%s auction)",
    async (auctionMode) => {
      const w = await pair({
        lender: { callRiskLevel: 2 },
        borrower: { acceptedCallRiskLevels: [0, 2] },
        auctionMode,
      });
      await expect.poll(() => w.chain.settlements.length, { timeout: 10_000 }).toBe(1);
      expect(w.offered().length).toBeGreaterThan(0);
      for (const t of w.offered()) expect(t.callRiskLevel).toBe(2);
      const settled = w.logs.B!.find((a) => a.type === "session" && a.outcome.status === "agreed");
      if (settled?.type !== "session" || settled.outcome.status !== "agreed") throw new Error("no agreement");
      expect(settled.outcome.agreement.callRiskLevel).toBe(2);
      expect(w.settledOnChain.map((a) => a.callRiskLevel)).toEqual([2]);
    },
    20_000,
  );

  it.each(["open", "sealed"] as const)(
    "a borrower that agrees only to never-callable loans never signs one callable at 2 (%s auction)",
    async (auctionMode) => {
      const w = await pair({ lender: { callRiskLevel: 2 }, borrower: {}, auctionMode });
      // Its auctions end without a deal, again and again; nothing is ever signed or settled.
      await expect
        .poll(() => w.logs.B!.filter((a) => a.type === "session" && a.outcome.status === "failed").length, {
          timeout: 10_000,
        })
        .toBeGreaterThanOrEqual(2);
      expect(w.logs.B!.some((a) => a.type === "sent" && (a.kind === "accept" || a.kind === "confirm"))).toBe(
        false,
      );
      expect(w.chain.settlements).toHaveLength(0);
      for (const t of w.offered()) expect(t.callRiskLevel).toBe(2);
    },
    20_000,
  );
});
