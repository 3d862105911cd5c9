import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import {
  blocklistTestTokenAbi,
  blocklistTestTokenBytecode,
} from "../contracts/generated/BlocklistTestToken.ts";
import { testTokenAbi, testTokenBytecode } from "../contracts/generated/TestToken.ts";
import type { ArbiterClients } from "./clients.ts";
import { confirm } from "./internal/confirm.ts";

export type DeployTestTokenParameters = {
  clients: ArbiterClients;
  name: string;
  symbol: string;
  decimals: number;
  /** A BlocklistTestToken: anyone may block an address from sending and receiving it (setTestTokenBlocked),
   *  as USDC's and USDT's issuers can. Default false. */
  blocklist?: boolean | undefined;
};
export type DeployTestTokenReturnType = { address: Address; hash: Hex; receipt: TransactionReceipt };

/** Deploys a TestToken: an ERC-20 anyone can mint (tests and simulations only). */
export async function deployTestToken(params: DeployTestTokenParameters): Promise<DeployTestTokenReturnType> {
  const { clients, name, symbol, decimals } = params;
  const hash = params.blocklist
    ? await clients.wallet.deployContract({
        abi: blocklistTestTokenAbi,
        bytecode: blocklistTestTokenBytecode,
        args: [name, symbol, decimals],
      })
    : await clients.wallet.deployContract({
        abi: testTokenAbi,
        bytecode: testTokenBytecode,
        args: [name, symbol, decimals],
      });
  const receipt = await confirm(clients, hash, "deployTestToken");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}

export type SetTestTokenBlockedParameters = {
  clients: ArbiterClients;
  /** A token deployed with `blocklist: true`. */
  token: Address;
  account: Address;
  blocked: boolean;
};

/** Blocks (or unblocks) `account` in a BlocklistTestToken: it can then neither send nor receive it. */
export async function setTestTokenBlocked(
  params: SetTestTokenBlockedParameters,
): Promise<{ hash: Hex; receipt: TransactionReceipt }> {
  const { clients, token, account, blocked } = params;
  const hash = await clients.wallet.writeContract({
    address: token,
    abi: blocklistTestTokenAbi,
    functionName: "setBlocked",
    args: [account, blocked],
  });
  return { hash, receipt: await confirm(clients, hash, "setBlocked") };
}
