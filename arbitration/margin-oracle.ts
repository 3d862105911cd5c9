/**
 * The margin oracle: deploy it, point the arbiter at it (arbiter governance), and set a token's
 * Chainlink-shaped feed with its staleness bound and sanity band (oracle governance).
 */
import { type Address, getAddress, type Hex, type TransactionReceipt } from "viem";
import { marginOracleAbi, marginOracleBytecode } from "../contracts/generated/MarginOracle.ts";
import type { ArbiterClients } from "./clients.ts";
import { parseArbiterError } from "./errors.ts";
import { confirm } from "./internal/confirm.ts";
import { writeArbiter } from "./internal/write.ts";

type Sent = { hash: Hex; receipt: TransactionReceipt };

export type DeployMarginOracleParameters = {
  clients: ArbiterClients;
  /** Who may set feeds (Ownable2Step owner). Default: the deploying account. */
  governance?: Address | undefined;
};

/** Deploys a MarginOracle. */
export async function deployMarginOracle(
  p: DeployMarginOracleParameters,
): Promise<Sent & { address: Address }> {
  const hash = await p.clients.wallet.deployContract({
    abi: marginOracleAbi,
    bytecode: marginOracleBytecode,
    args: [p.governance ?? p.clients.account.address],
    account: p.clients.account,
    chain: p.clients.wallet.chain,
  });
  const receipt = await confirm(p.clients, hash, "deployMarginOracle");
  return { address: getAddress(receipt.contractAddress!), hash, receipt };
}

export type SetMarginOracleParameters = { clients: ArbiterClients; arbiter: Address; oracle: Address };

/** Arbiter governance: margined loans are priced by `oracle` from now on. */
export async function setMarginOracle(p: SetMarginOracleParameters): Promise<Sent> {
  const { hash, receipt } = await writeArbiter(p.clients, p.arbiter, "setMarginOracle", [p.oracle]);
  return { hash, receipt };
}

export type SetPriceFeedParameters = {
  clients: ArbiterClients;
  oracle: Address;
  token: Address;
  /** An AggregatorV3Interface (Chainlink) feed of the token's price in the oracle's common quote. */
  feed: Address;
  /** Oldest answer accepted, seconds (1 .. 7 days). */
  maxAge: number;
  /** Sanity band of raw answers, in the feed's decimals, inclusive (0 < min <= max). */
  minAnswer: bigint;
  maxAnswer: bigint;
};

/** Oracle governance: prices `token` with `feed`. Reverts typed (ArbiterInvalidFeedError, ...). */
export async function setPriceFeed(p: SetPriceFeedParameters): Promise<Sent> {
  try {
    const { request } = await p.clients.public.simulateContract({
      address: p.oracle,
      abi: marginOracleAbi,
      functionName: "setFeed",
      args: [p.token, p.feed, p.maxAge, p.minAnswer, p.maxAnswer],
      account: p.clients.account,
    });
    const hash = await p.clients.wallet.writeContract(request);
    return { hash, receipt: await confirm(p.clients, hash, "setFeed") };
  } catch (error) {
    throw parseArbiterError(error);
  }
}
