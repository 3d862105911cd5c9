/** What the agent margin tests share on anvil: a margin oracle with USDC and ETH feeds (USD, 8
 *  decimals, a one-hour staleness bound) set on the arbiter, and a loan's ToppedUp and Liquidated
 *  events. */
import type { Address, Hex } from "viem";
import {
  deployMarginOracle,
  liquidityArbiterAbi,
  setMarginOracle,
  setPriceFeed,
} from "../../arbitration/index.ts";
import { deployTestPriceFeed } from "../../arbitration/test-price-feed.ts";
import type { ArbiterFixture } from "./anvil.ts";

const USD = 10n ** 8n;

/** Deploys the oracle and its feeds (USDC at $1, ETH at $3,000); returns the ETH feed to move. */
export async function deployMarginFeeds(fx: ArbiterFixture): Promise<{ wethFeed: Address }> {
  const clients = fx.deployer.clients;
  const { address: oracle } = await deployMarginOracle({ clients });
  const feed = (description: string, answer: bigint) =>
    deployTestPriceFeed({ clients, decimals: 8, description, answer }).then((d) => d.address);
  const usdcFeed = await feed("USDC / USD", USD);
  const wethFeed = await feed("ETH / USD", 3_000n * USD);
  const band = { maxAge: 3600, minAnswer: 1n, maxAnswer: 1_000_000n * USD };
  await setPriceFeed({ clients, oracle, token: fx.usdc, feed: usdcFeed, ...band });
  await setPriceFeed({ clients, oracle, token: fx.weth, feed: wethFeed, ...band });
  await setMarginOracle({ clients, arbiter: fx.arbiter, oracle });
  return { wethFeed };
}

const query = (fx: ArbiterFixture, id: Hex) =>
  ({ address: fx.arbiter, abi: liquidityArbiterAbi, args: { id }, fromBlock: 0n }) as const;

export const toppedUpEvents = (fx: ArbiterFixture, id: Hex) =>
  fx.deployer.clients.public.getContractEvents({ ...query(fx, id), eventName: "ToppedUp" });

export const liquidatedEvents = (fx: ArbiterFixture, id: Hex) =>
  fx.deployer.clients.public.getContractEvents({ ...query(fx, id), eventName: "Liquidated" });
