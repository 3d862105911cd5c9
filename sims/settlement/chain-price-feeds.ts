/**
 * The chain backend's prices: a TestPriceFeed (USD, 8 decimals) per token behind the arbiter's
 * MarginOracle, set to the engine's prices so margined loans are judged on the step's prices, as
 * the ledger's oracle (engine-margin-oracle.ts) judges them.
 */
import type { Address } from "viem";
import type { ArbiterClients } from "../../arbitration/clients.ts";
import { setPriceFeed } from "../../arbitration/margin-oracle.ts";
import { deployTestPriceFeed, setTestPrice } from "../../arbitration/test-price-feed.ts";
import type { World } from "../engine/world.ts";
import type { SettlementStats } from "./settlement-backend.ts";

/** Staleness bound (the oracle's largest, 7 days) and sanity ceiling ($10^12 in 8 decimals). */
const FEED_MAX_AGE = 7 * 24 * 3600;
const FEED_MAX_ANSWER = 10n ** 20n;
/** A feed whose price did not move is refreshed this often (seconds), so it never goes stale. */
const FEED_REFRESH = 24n * 3600n;

/** Deploys `token`'s feed and sets it on the oracle; returns the feed. */
export async function deployTokenFeed(p: {
  deployer: ArbiterClients;
  oracle: Address;
  token: Address;
  symbol: string;
}): Promise<Address> {
  const { address: feed } = await deployTestPriceFeed({
    clients: p.deployer,
    decimals: 8,
    description: `${p.symbol} / USD`,
    answer: 10n ** 8n,
  });
  // The band only refuses a zero or absurd price.
  await setPriceFeed({
    clients: p.deployer,
    oracle: p.oracle,
    token: p.token,
    feed,
    maxAge: FEED_MAX_AGE,
    minAnswer: 1n,
    maxAnswer: FEED_MAX_ANSWER,
  });
  return feed;
}

/** One run's feed updates: `post(clock, tokens)` publishes the world's prices of `tokens` at chain
 *  time `clock`. The setup's rounds are dated at wall time, after the run's start: a feed gets a
 *  round when first posted, then when its price changes or its round is a day old. */
export function createFeedPoster(p: {
  deployer: ArbiterClients;
  /** Lower-case token -> its feed. */
  feeds: ReadonlyMap<string, Address>;
  world: Pick<World, "assets" | "price">;
  stats: SettlementStats;
}) {
  const posted = p.world.assets.map(() => ({ price: -1n, at: 0n }));
  const byToken = new Map(p.world.assets.map((a, i) => [a.address.toLowerCase(), i]));
  return async (clock: bigint, tokens: readonly Address[]): Promise<void> => {
    for (const token of tokens) {
      const i = byToken.get(token.toLowerCase());
      if (i === undefined) continue;
      const price = p.world.price[i]!;
      if (price === posted[i]!.price && clock - posted[i]!.at < FEED_REFRESH) continue;
      const feed = p.feeds.get(p.world.assets[i]!.address.toLowerCase())!;
      await setTestPrice({ clients: p.deployer, feed, answer: price });
      posted[i] = { price, at: clock };
      p.stats.priceUpdates++;
    }
  };
}
