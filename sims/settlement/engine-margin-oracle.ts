/**
 * The ledger's margin oracle fed from the engine's market prices (USD, 8 decimals, as the chain
 * backend's test feeds): read live, so each step's prices are what a liquidation or opening sees.
 * Tokens the world does not price have no feed (NoPriceFeed), as on the contract.
 */
import type { Address } from "viem";
import type { World } from "../engine/world.ts";
import { createLedgerMarginOracle, type LedgerMarginOracle } from "../ledger/ledger-margin-oracle.ts";

/** USD 8-decimal price -> 18-decimal WAD (the MarginOracle's scaling of an 8-decimal feed). */
const USD8_TO_WAD = 10n ** 10n;

export function createEngineMarginOracle(world: Pick<World, "assets" | "price">): LedgerMarginOracle {
  const index = new Map(world.assets.map((a, i) => [a.address.toLowerCase(), i]));
  return createLedgerMarginOracle((token: Address) => {
    const i = index.get(token.toLowerCase());
    if (i === undefined) return undefined;
    return { wad: world.price[i]! * USD8_TO_WAD, decimals: world.assets[i]!.decimals };
  });
}
