/**
 * A borrower agent takes a good offer (issue 13): real agents, lender A and borrower B, negotiate
 * over the in-process bus with real signatures and settle on the in-process ledger. A third peer is
 * registered but never answers, so B's auction keeps its admission window open for the whole
 * negotiation, as in the simulator. A lender that concedes fast offers B a rate below what B would
 * counter with next: B accepts it, instead of countering with a dearer rate that A would take.
 */
import { keccak256, toHex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { Activity } from "../agents/agent.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { createNonceAllocator } from "../core/agreement-nonce.ts";
import { createLogger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { testDomain as domain, newSigner, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import type { Terms } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { foundationProtocols } from "../sims/foundation-scenario.ts";
import { createLedgerChain, createTestAgent } from "./harness/fault-peers.ts";

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const usd8 = (dollars: bigint) => dollars * 10n ** 8n;
const is = (t: string, token: string) => t.toLowerCase() === token.toLowerCase();
/** The foundation policy; `lenderOpeningShare` sets how close to its floor a lender opens. */
const policy = (lenderOpeningShare?: number) =>
  createDefaultPolicy({
    decimals: (t) => (is(t, USDC) ? 6 : is(t, WETH) ? 18 : undefined),
    oracle: (t) => (is(t, USDC) ? usd8(1n) : is(t, WETH) ? usd8(3000n) : undefined),
    ...(lenderOpeningShare === undefined ? {} : { lenderOpeningShare }),
  });

describe("a borrower agent and a good offer", () => {
  it("accepts a lender's offer that its own next counter could not beat, while admission is open", async () => {
    const [a, b, c] = [newSigner(), newSigner(), newSigner()];
    const peers = createPeerRegistry([
      { address: a.address, name: "A", protocol: "lending" },
      { address: b.address, name: "B", protocol: "perp" },
      { address: c.address, name: "C", protocol: "lending" },
    ]);
    const chain = createLedgerChain(domain, tokens, [a.address, b.address]);
    const bus = createInProcessBus({ log });
    const clock = new SimulatedClock();
    clock.set(Date.now());
    const activity: Activity[] = [];
    const { lendingMarket, perp } = foundationProtocols(tokens);
    const start = async (name: string, signer: Signer, adapter: ProtocolAdapter, lenderShare?: number) => {
      let n = 0;
      const { agent, endpoint } = await createTestAgent({
        role: "borrower",
        name,
        signer,
        domain,
        transport: bus.createTransport({ name }),
        peers,
        settlement: chain.portFor(signer.address),
        tokens,
        adapter,
        policy: policy(lenderShare),
        // The window outlasts the negotiation: only the clock could close it, and it stands still.
        auction: { admissionMs: 600_000, deadlineMs: 3_600_000, confirmTimeoutMs: 600_000 },
        clock,
        newSessionId: () => keccak256(toHex(`${name}:${n++}`)),
        nonces: createNonceAllocator({ start: 1n << 8n }),
        log,
      });
      agent.onActivity((x) => activity.push(x));
      cleanups.push(async () => {
        await agent.stop();
        await endpoint.close();
      });
    };
    // A opens at 30% of the way from its floor to B's cap and concedes linearly: its second offer
    // is below the 1,333 bps B would counter with in its second round.
    await start("A", a, lendingMarket, 0.3);
    await start("B", b, perp);
    const startedAt = Date.now();
    while (chain.settlements.length === 0) {
      if (Date.now() - startedAt > 15_000) throw new Error("timed out waiting for the loan");
      await sleep(10);
    }
    const offersOf = (name: string) =>
      activity.flatMap((x) =>
        x.type === "sent" && x.agent === name && x.kind === "offer"
          ? [(x.body as { terms: Terms }).terms]
          : [],
      );
    const ended = activity.find((x) => x.type === "session" && x.agent === "B");
    if (ended?.type !== "session" || ended.outcome.status !== "agreed") throw new Error("B did not agree");
    const rate = ended.outcome.agreement.rateBps;
    const lenderOffers = offersOf("A");
    const borrowerOffers = offersOf("B");
    // B accepted A's last offer; it sent no counter at or above it.
    expect(activity.some((x) => x.type === "sent" && x.agent === "B" && x.kind === "accept")).toBe(true);
    expect(rate).toBe(lenderOffers.at(-1)!.rateBps);
    expect(borrowerOffers.every((o) => o.rateBps < rate)).toBe(true);
    expect(lenderOffers.map((o) => o.rateBps)).toEqual([1003, 789]);
    expect(clock.now()).toBeLessThan(startedAt + 600_000);
  }, 30_000);
});
