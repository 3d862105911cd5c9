/**
 * The shipped agent with its risk loop on (createAgent's `risk`): two agents over the in-process
 * bus, the foundation protocols (the perp is short of cash, the lending market is sound), settling
 * on the in-process ledger. The perp's stress reaches the lending market through its signed
 * snapshots; the perp proposes, the market approves, both de-risk through their adapters, and both
 * unwind when the alert expires. Risk activity arrives through the agent's own onActivity.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { createRuleDetector } from "../agents/risk/rule-detector.ts";
import { createLogger } from "../core/log.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { testDomain as domain, newSigner, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import { foundationProtocols } from "../sims/foundation-scenario.ts";
import { createLedgerChain } from "./harness/fault-peers.ts";

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const is = (t: string, token: string) => t.toLowerCase() === token.toLowerCase();
const policy = createDefaultPolicy({
  decimals: (t) => (is(t, USDC) ? 6 : is(t, WETH) ? 18 : undefined),
  oracle: (t) => (is(t, USDC) ? 10n ** 8n : is(t, WETH) ? 3000n * 10n ** 8n : undefined),
});
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

describe("createAgent with the risk loop", () => {
  it("agents de-risk together on a quorum's alert and unwind when it expires", async () => {
    const bus = createInProcessBus({ log });
    const l = newSigner();
    const b = newSigner();
    const peers = createPeerRegistry([
      { address: l.address, name: "L", protocol: "lending" },
      { address: b.address, name: "B", protocol: "perp" },
    ]);
    const chain = createLedgerChain(domain, tokens, [l.address, b.address]);
    const { lendingMarket, perp } = foundationProtocols(tokens);
    const activity: Activity[] = [];
    for (const [name, signer, adapter] of [
      ["L", l, lendingMarket],
      ["B", b, perp],
    ] as const) {
      const transport = bus.createTransport({ name });
      const agent = createAgent({
        name,
        signer,
        domain,
        endpoint: createEndpoint({ transport, signer, domain, peers, log }),
        adapter,
        settlement: chain.portFor(signer.address),
        policy,
        pollMs: 100,
        risk: {
          transport,
          registered: peers,
          quorum: 2,
          detector: createRuleDetector({ intercept: -2 }),
          cadenceMs: 100,
          alertTtlSec: 2,
        },
        log,
      });
      agent.onActivity((a) => activity.push(a));
      agents.push(agent);
    }
    const stances = (agent: string) =>
      activity.flatMap((a) =>
        a.type === "risk" && a.agent === agent && a.event.type === "risk.stance" ? [a.event.level] : [],
      );
    await expect
      .poll(() => stances("L").includes(1) && stances("B").includes(1), { timeout: 10_000 })
      .toBe(true);
    expect((await lendingMarket.snapshot()).risk.riskLevel).toBe(1);
    const proposers = activity.flatMap((a) =>
      a.type === "risk" && a.event.type === "risk.sent" && a.event.kind === "risk.proposal" ? [a.agent] : [],
    );
    expect(proposers[0]).toBe("B");
    await expect
      .poll(() => stances("L").at(-1) === 0 && stances("B").at(-1) === 0, { timeout: 10_000 })
      .toBe(true);
    expect(agents.every((a) => a.risk !== undefined)).toBe(true);
  }, 20_000);
});
