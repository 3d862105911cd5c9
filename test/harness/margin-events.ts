/** A margined loan's ToppedUp and Liquidated events on the arbiter, for the agent margin tests. */
import type { Hex } from "viem";
import { liquidityArbiterAbi } from "../../arbitration/index.ts";
import type { ArbiterFixture } from "./anvil.ts";

const query = (fx: ArbiterFixture, id: Hex) =>
  ({ address: fx.arbiter, abi: liquidityArbiterAbi, args: { id }, fromBlock: 0n }) as const;

export const toppedUpEvents = (fx: ArbiterFixture, id: Hex) =>
  fx.deployer.clients.public.getContractEvents({ ...query(fx, id), eventName: "ToppedUp" });

export const liquidatedEvents = (fx: ArbiterFixture, id: Hex) =>
  fx.deployer.clients.public.getContractEvents({ ...query(fx, id), eventName: "Liquidated" });
