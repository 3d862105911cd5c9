import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deregisterAgent, registerAgent } from "../arbitration/governance.ts";
import { createLogger } from "../core/log.ts";
import { type ArbiterFixture, useAnvil } from "../test/harness/anvil.ts";
import { type ChainPeerRegistry, createChainPeerRegistry } from "./chain-peer-registry.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let registry: ChainPeerRegistry;

beforeAll(async () => {
  fx = await chain.deployFixture();
  registry = await createChainPeerRegistry({
    clients: fx.deployer.clients,
    arbiter: fx.arbiter,
    refreshMs: 60_000,
    kinds: { [fx.lender.address]: "lending" },
    log: createLogger({ level: "error" }),
  });
});
afterAll(() => registry?.stop());

describe("peers from the arbiter's registry", () => {
  it("knows the registered agents, with their protocol ids", () => {
    expect(registry.isKnown(fx.lender.address)).toBe(true);
    expect(registry.isKnown(fx.borrower.address.toLowerCase())).toBe(true);
    expect(registry.isKnown(fx.stranger.address)).toBe(false);
    expect(
      registry
        .registered()
        .map((r) => r.protocolId)
        .sort(),
    ).toEqual(["lending-market-A", "perp-exchange-B"]);
    // The chain has no kinds: only agents the config gives one are described.
    expect(registry.get(fx.lender.address)).toEqual({
      address: fx.lender.address,
      name: "lending-market-A",
      protocol: "lending",
    });
    expect(registry.get(fx.borrower.address)).toBeUndefined();
    expect(registry.list()).toHaveLength(1);
  });

  it("follows registrations and deregistrations", async () => {
    const { clients } = fx.deployer;
    await registerAgent({ clients, arbiter: fx.arbiter, agent: fx.stranger.address, protocolId: "newcomer" });
    await registry.refresh();
    expect(registry.isKnown(fx.stranger.address)).toBe(true);
    await deregisterAgent({ clients, arbiter: fx.arbiter, agent: fx.stranger.address });
    await registry.refresh();
    expect(registry.isKnown(fx.stranger.address)).toBe(false);
  });
});
