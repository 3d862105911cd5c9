/**
 * Checks the arbiter CLI makes on the chain before it acts, so a wrong address gets an explanation
 * instead of an opaque revert: the arbiter address must hold a LiquidityArbiter, a token address a
 * contract.
 */
import type { Address } from "viem";
import { liquidityArbiterAbi } from "../../contracts/generated/LiquidityArbiter.ts";
import { DOMAIN_NAME } from "../../core/agreement.ts";
import type { ArbiterReadClients } from "../clients.ts";
import { ArbiterTokenWithoutCodeError } from "../errors.ts";
import { asRpcUnreachable } from "../rpc-unreachable.ts";
import { CliInputError } from "./input.ts";

/** Throws CliInputError unless `arbiter` is a LiquidityArbiter on the chain at `rpcUrl`. */
export async function requireArbiter(clients: ArbiterReadClients, arbiter: Address, rpcUrl: string) {
  const code = await clients.public.getCode({ address: arbiter });
  if (code === undefined || code === "0x") {
    throw new CliInputError(
      `${arbiter} is not an arbiter: there is no contract at that address on ${rpcUrl}.`,
      "Check --arbiter / $ARBITER_ADDRESS and --rpc / $ARBITER_RPC_URL (the chain may have been restarted), or deploy one with `arbiter deploy`.",
    );
  }
  let name: string | undefined;
  try {
    [, name] = await clients.public.readContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "eip712Domain",
    });
  } catch (error) {
    const unreachable = asRpcUnreachable(error, rpcUrl);
    if (unreachable) throw unreachable;
  }
  if (name !== DOMAIN_NAME) {
    throw new CliInputError(
      `${arbiter} is not an arbiter: the contract at that address on ${rpcUrl} is not a LiquidityArbiter (its EIP-712 domain name is ${name === undefined ? "unreadable" : `"${name}"`}).`,
      "It may be a token or another contract: pass the address `arbiter deploy` printed.",
    );
  }
}

/** Throws ArbiterTokenWithoutCodeError for a token address without code. */
export async function requireCode(clients: ArbiterReadClients, token: Address) {
  const code = await clients.public.getCode({ address: token });
  if (code === undefined || code === "0x") throw new ArbiterTokenWithoutCodeError({ token });
}
