import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { type ArbiterFixture, rejection, useAnvil } from "../test/harness/anvil.ts";
import {
  ArbiterInvalidParameterError,
  ArbiterInvalidThresholdError,
  ArbiterNotGovernanceError,
} from "./errors.ts";
import { getArbiterEvents } from "./events.ts";
import { getArbiterConfig } from "./get-arbiter-config.ts";
import {
  deregisterAgent,
  registerAgent,
  setAlertQuorum,
  setArbiters,
  setDisputeParams,
  toProtocolId,
} from "./governance.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let snap: Hex;

beforeAll(async () => {
  fx = await chain.deployFixture({ approve: false });
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

const protocolOf = (agent: Hex) =>
  fx.deployer.clients.public.readContract({
    address: fx.arbiter,
    abi: liquidityArbiterAbi,
    functionName: "agentProtocol",
    args: [agent],
  });

describe("governance", () => {
  test("config reads what the fixture deployed", async () => {
    expect(await getArbiterConfig({ clients: fx.stranger.clients, arbiter: fx.arbiter })).toEqual({
      governance: fx.deployer.address,
      bondToken: fx.usdc,
      bondAmount: fx.bond,
      liveness: fx.liveness,
      arbitrationWindow: fx.arbitrationWindow,
      arbiters: fx.arbiters.map((p) => p.address),
      threshold: 2,
      alertQuorum: 2,
    });
  });

  test("registers and deregisters agents with a protocol id", async () => {
    const { clients } = fx.deployer;
    await registerAgent({
      clients,
      arbiter: fx.arbiter,
      agent: fx.stranger.address,
      protocolId: "options-vault-C",
    });
    expect(await protocolOf(fx.stranger.address)).toBe(toProtocolId("options-vault-C"));
    const registered = await getArbiterEvents({ clients, arbiter: fx.arbiter, eventName: "AgentRegistered" });
    expect(new Set(registered.map((e) => e.args.agent))).toEqual(
      new Set([fx.lender.address, fx.borrower.address, fx.stranger.address]),
    );
    await deregisterAgent({ clients, arbiter: fx.arbiter, agent: fx.stranger.address });
    expect(await protocolOf(fx.stranger.address)).toBe(`0x${"0".repeat(64)}`);
  });

  test("only governance", async () => {
    const error = await rejection(() =>
      registerAgent({
        clients: fx.stranger.clients,
        arbiter: fx.arbiter,
        agent: fx.stranger.address,
        protocolId: "x",
      }),
    );
    expect(error).toBeInstanceOf(ArbiterNotGovernanceError);
    expect(error).toMatchObject({ caller: fx.stranger.address });
  });

  test("arbiter set, quorum and dispute parameters are validated", async () => {
    const { clients } = fx.deployer;
    const set = [fx.stranger.address, fx.lender.address];
    expect(
      await rejection(() => setArbiters({ clients, arbiter: fx.arbiter, arbiters: set, threshold: 3 })),
    ).toBeInstanceOf(ArbiterInvalidThresholdError);
    await setArbiters({ clients, arbiter: fx.arbiter, arbiters: set, threshold: 1 });
    await setAlertQuorum({ clients, arbiter: fx.arbiter, quorum: 3 });
    await setDisputeParams({
      clients,
      arbiter: fx.arbiter,
      bondAmount: 5n,
      liveness: 60n,
      arbitrationWindow: 120n,
    });
    expect(await getArbiterConfig({ clients, arbiter: fx.arbiter })).toMatchObject({
      arbiters: set,
      threshold: 1,
      alertQuorum: 3,
      bondAmount: 5n,
      liveness: 60n,
      arbitrationWindow: 120n,
    });
    expect(await rejection(() => setAlertQuorum({ clients, arbiter: fx.arbiter, quorum: 0 }))).toBeInstanceOf(
      ArbiterInvalidParameterError,
    );
  });

  test("protocol ids: text up to 32 bytes or 32-byte hex", () => {
    expect(toProtocolId("lending-market-A")).toMatch(/^0x6c656e64696e672d6d61726b65742d41(00)+$/);
    expect(toProtocolId(`0x${"AB".repeat(32)}`)).toBe(`0x${"ab".repeat(32)}`);
    expect(() => toProtocolId("x".repeat(33))).toThrow(/1 to 32 bytes/);
    expect(() => toProtocolId("")).toThrow(/1 to 32 bytes/);
  });
});
