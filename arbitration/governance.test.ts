import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { type ArbiterFixture, rejection, useAnvil } from "../test/harness/anvil.ts";
import { deployArbiter } from "./deploy-arbiter.ts";
import {
  ArbiterDisputeParamsError,
  ArbiterMinBondError,
  DEFAULT_ALERT_QUORUM,
  DEFAULT_ARBITRATION_WINDOW,
  DEFAULT_BOND_BPS,
  DEFAULT_LIVENESS,
} from "./dispute-params.ts";
import {
  ArbiterInvalidParameterError,
  ArbiterInvalidThresholdError,
  ArbiterNotGovernanceError,
  ArbiterTokenWithoutCodeError,
} from "./errors.ts";
import { getArbiterEvents } from "./events.ts";
import { getArbiterConfig } from "./get-arbiter-config.ts";
import { getTokenConfig } from "./get-token-config.ts";
import {
  allowToken,
  deregisterAgent,
  disallowToken,
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
      disputeParamsIndex: 0,
      bondBps: fx.bondBps,
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
      bondBps: 250,
      liveness: 43_200n,
      arbitrationWindow: 86_400n,
    });
    expect(await getArbiterConfig({ clients, arbiter: fx.arbiter })).toMatchObject({
      arbiters: set,
      threshold: 1,
      alertQuorum: 3,
      disputeParamsIndex: 1,
      bondBps: 250,
      liveness: 43_200n,
      arbitrationWindow: 86_400n,
    });
    // Windows of seconds and zero bonds are refused before anything is sent.
    for (const bad of [
      { bondBps: 250, liveness: 60n, arbitrationWindow: 86_400n },
      { bondBps: 0, liveness: 86_400n, arbitrationWindow: 86_400n },
      { bondBps: 250, liveness: 86_400n, arbitrationWindow: 31n * 86_400n },
    ]) {
      expect(
        await rejection(() => setDisputeParams({ clients, arbiter: fx.arbiter, ...bad })),
      ).toBeInstanceOf(ArbiterDisputeParamsError);
    }
    expect(await rejection(() => setAlertQuorum({ clients, arbiter: fx.arbiter, quorum: 0 }))).toBeInstanceOf(
      ArbiterInvalidParameterError,
    );
  });

  test("token allowlist: listed with a minimum bond, refused without code, delisted", async () => {
    const { clients } = fx.deployer;
    expect(await getTokenConfig({ clients, arbiter: fx.arbiter, token: fx.usdc })).toEqual({
      allowed: true,
      minBond: fx.minBond.usdc,
      held: 0n,
    });
    const noCode = "0x000000000000000000000000000000000000c0de";
    const error = await rejection(() =>
      allowToken({ clients, arbiter: fx.arbiter, token: noCode, minBond: 1n }),
    );
    expect(error).toBeInstanceOf(ArbiterTokenWithoutCodeError);
    expect((error as Error).message).toMatch(/has no code/);
    expect(
      await rejection(() =>
        allowToken({ clients, arbiter: fx.arbiter, token: fx.usdc, minBond: 123_456_789n }),
      ),
    ).toBeInstanceOf(ArbiterMinBondError);
    expect(
      await rejection(() => allowToken({ clients, arbiter: fx.arbiter, token: fx.usdc, minBond: 0n })),
    ).toBeInstanceOf(ArbiterMinBondError);
    await allowToken({ clients, arbiter: fx.arbiter, token: fx.usdc, minBond: 250n * 10n ** 6n });
    expect((await getTokenConfig({ clients, arbiter: fx.arbiter, token: fx.usdc })).minBond).toBe(
      250n * 10n ** 6n,
    );
    await disallowToken({ clients, arbiter: fx.arbiter, token: fx.usdc });
    expect((await getTokenConfig({ clients, arbiter: fx.arbiter, token: fx.usdc })).allowed).toBe(false);
  });

  test("deploy defaults: no zero bond, windows in hours", async () => {
    const { address } = await deployArbiter({ clients: fx.deployer.clients });
    expect(await getArbiterConfig({ clients: fx.deployer.clients, arbiter: address })).toMatchObject({
      bondBps: DEFAULT_BOND_BPS,
      liveness: DEFAULT_LIVENESS,
      arbitrationWindow: DEFAULT_ARBITRATION_WINDOW,
      alertQuorum: DEFAULT_ALERT_QUORUM,
    });
    expect(DEFAULT_BOND_BPS).toBeGreaterThan(0);
    expect(await rejection(() => deployArbiter({ clients: fx.deployer.clients, bondBps: 0 }))).toBeInstanceOf(
      ArbiterDisputeParamsError,
    );
    expect(
      await rejection(() => deployArbiter({ clients: fx.deployer.clients, liveness: 1n })),
    ).toBeInstanceOf(ArbiterDisputeParamsError);
  });

  test("protocol ids: text up to 32 bytes or 32-byte hex", () => {
    expect(toProtocolId("lending-market-A")).toMatch(/^0x6c656e64696e672d6d61726b65742d41(00)+$/);
    expect(toProtocolId(`0x${"AB".repeat(32)}`)).toBe(`0x${"ab".repeat(32)}`);
    expect(() => toProtocolId("x".repeat(33))).toThrow(/1 to 32 bytes/);
    expect(() => toProtocolId("")).toThrow(/1 to 32 bytes/);
  });
});
