/** Simulate, send, confirm: every write action of the arbiter goes through here, so a revert is
 *  decoded into its typed error before any gas is spent. */
import type { Address, ContractFunctionArgs, ContractFunctionName, Hex, TransactionReceipt } from "viem";
import { liquidityArbiterAbi } from "../../contracts/generated/LiquidityArbiter.ts";
import type { ArbiterClients } from "../clients.ts";
import { parseArbiterError } from "../errors.ts";
import { confirm } from "./confirm.ts";

type Abi = typeof liquidityArbiterAbi;
type WriteName = ContractFunctionName<Abi, "nonpayable">;

export type WriteReturnType<result = unknown> = { hash: Hex; receipt: TransactionReceipt; result: result };

export async function writeArbiter<name extends WriteName>(
  clients: ArbiterClients,
  arbiter: Address,
  functionName: name,
  args: ContractFunctionArgs<Abi, "nonpayable", name>,
): Promise<WriteReturnType> {
  try {
    // viem cannot follow the generic `name` through simulateContract; callers' args are typed above.
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const params: any = {
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName,
      args,
      account: clients.account,
    };
    const { request, result } = await clients.public.simulateContract(params);
    const hash = await clients.wallet.writeContract(request);
    return { hash, receipt: await confirm(clients, hash, functionName), result };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
