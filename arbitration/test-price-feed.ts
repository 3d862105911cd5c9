/** TestPriceFeed: a Chainlink-shaped feed anyone may set, standing in for an external oracle in tests
 *  and simulations (exported from the `testing` entry, never for production). */
import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import { testPriceFeedAbi, testPriceFeedBytecode } from "../contracts/generated/TestPriceFeed.ts";
import type { ArbiterClients } from "./clients.ts";
import { confirm } from "./internal/confirm.ts";

type Sent = { hash: Hex; receipt: TransactionReceipt };

export type DeployTestPriceFeedParameters = {
  clients: ArbiterClients;
  /** Feed decimals (Chainlink's USD feeds use 8). */
  decimals: number;
  description: string;
  /** First answer, in the feed's decimals. */
  answer: bigint;
};

export async function deployTestPriceFeed(
  p: DeployTestPriceFeedParameters,
): Promise<Sent & { address: Address }> {
  const hash = await p.clients.wallet.deployContract({
    abi: testPriceFeedAbi,
    bytecode: testPriceFeedBytecode,
    args: [p.decimals, p.description, p.answer],
    account: p.clients.account,
    chain: p.clients.wallet.chain,
  });
  const receipt = await confirm(p.clients, hash, "deployTestPriceFeed");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}

export type SetTestPriceParameters = {
  clients: ArbiterClients;
  feed: Address;
  answer: bigint;
  /** Unix seconds the round is dated (default: the block's time). */
  updatedAt?: bigint | undefined;
};

/** Publishes a new round on a TestPriceFeed. */
export async function setTestPrice(p: SetTestPriceParameters): Promise<Sent> {
  const hash =
    p.updatedAt === undefined
      ? await p.clients.wallet.writeContract({
          address: p.feed,
          abi: testPriceFeedAbi,
          functionName: "setAnswer",
          args: [p.answer],
          account: p.clients.account,
          chain: p.clients.wallet.chain,
        })
      : await p.clients.wallet.writeContract({
          address: p.feed,
          abi: testPriceFeedAbi,
          functionName: "setRound",
          args: [p.answer, p.updatedAt],
          account: p.clients.account,
          chain: p.clients.wallet.chain,
        });
  return { hash, receipt: await confirm(p.clients, hash, "setTestPrice") };
}
