import type { Address } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterReadClients } from "./clients.ts";

export type GetArbiterConfigParameters = { clients: ArbiterReadClients; arbiter: Address };
export type ArbiterConfig = {
  governance: Address;
  bondToken: Address;
  bondAmount: bigint;
  liveness: bigint;
  arbitrationWindow: bigint;
  arbiters: readonly Address[];
  threshold: number;
  alertQuorum: number;
};
export type GetArbiterConfigReturnType = ArbiterConfig;

/** Reads the arbiter's governance, dispute parameters, arbiter set and alert quorum. */
export async function getArbiterConfig(
  params: GetArbiterConfigParameters,
): Promise<GetArbiterConfigReturnType> {
  const { clients, arbiter } = params;
  const read = <name extends Parameters<typeof call>[0]>(functionName: name) => call(functionName);
  function call(
    functionName:
      | "governance"
      | "bondToken"
      | "bondAmount"
      | "liveness"
      | "arbitrationWindow"
      | "arbiters"
      | "threshold"
      | "alertQuorum",
  ) {
    return clients.public.readContract({ address: arbiter, abi: liquidityArbiterAbi, functionName });
  }
  const [governance, bondToken, bondAmount, liveness, arbitrationWindow, arbiters, threshold, alertQuorum] =
    await Promise.all([
      read("governance"),
      read("bondToken"),
      read("bondAmount"),
      read("liveness"),
      read("arbitrationWindow"),
      read("arbiters"),
      read("threshold"),
      read("alertQuorum"),
    ]);
  return {
    governance: governance as Address,
    bondToken: bondToken as Address,
    bondAmount: bondAmount as bigint,
    liveness: liveness as bigint,
    arbitrationWindow: arbitrationWindow as bigint,
    arbiters: arbiters as readonly Address[],
    threshold: Number(threshold),
    alertQuorum: Number(alertQuorum),
  };
}
