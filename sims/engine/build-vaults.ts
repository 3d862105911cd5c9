/**
 * Vaults from the scenario: liabilities (their own token, or deposits taken), backing by
 * liquidity class (liquid backing sits in the protocol's balances; illiquid can be sold or
 * pledged; locked cannot move), and how redemptions work (instant, queued, paused; capped; an
 * algorithmic vault pays in its mint asset).
 */
import type { World } from "./world.ts";

export type VaultBacking = { asset: number; amount: bigint; liquidity: "liquid" | "illiquid" | "locked" };
export type Vault = {
  protocol: number;
  liabilityAsset: number;
  liabilities: bigint;
  /** Illiquid and locked backing; liquid backing sits in the protocol's balances. */
  held: VaultBacking[];
  algorithmic: boolean;
  mintAsset: number;
  mode: "instant" | "queued" | "paused";
  delaySteps: number;
  feeBps: number;
  capPerStep: bigint | undefined;
  /** The cap before any de-risking (de-risking caps redemptions; an expired alert restores this). */
  baseCapPerStep: bigint | undefined;
  /** Par asset (first backing asset), or -1 for a fixed USD par. */
  parAsset: number;
  parUsd8: bigint;
  queue: { due: number; amount: bigint }[];
  gated: boolean;
  minted: bigint;
};

export function buildVaults(world: World, assetOf: (s: string, where: string) => number): void {
  world.scenario.protocols.forEach((x, p) => {
    if (x.kind !== "vault") return;
    const held: VaultBacking[] = [];
    for (const b of x.backing) {
      const a = assetOf(b.asset, `${x.id}.backing`);
      const at = p * world.assetCount + a;
      if (b.liquidity === "liquid") world.balance[at] = world.balance[at]! + b.amount;
      else held.push({ asset: a, amount: b.amount, liquidity: b.liquidity });
    }
    const liabilityAsset = assetOf(x.liabilities.asset, `${x.id}.liabilities.asset`);
    const algorithmic = x.mechanism === "algorithmic";
    const parAsset =
      algorithmic || x.backing.length === 0 ? -1 : assetOf(x.backing[0]!.asset, `${x.id}.backing`);
    const capPerStep =
      x.redemption.capPerDay === undefined
        ? undefined
        : (x.redemption.capPerDay * BigInt(Math.round(world.stepHours * 1e6))) / 24_000_000n;
    world.vaultOf[p] = world.vaults.length;
    world.vaults.push({
      protocol: p,
      liabilityAsset,
      liabilities: x.liabilities.amount,
      held,
      algorithmic,
      mintAsset: x.mintAsset ? assetOf(x.mintAsset, `${x.id}.mintAsset`) : -1,
      mode: x.redemption.mode,
      delaySteps: Math.ceil((x.redemption.delayHours ?? 0) / world.stepHours),
      feeBps: Math.round(x.redemption.fee * 10_000),
      capPerStep,
      baseCapPerStep: capPerStep,
      parAsset,
      parUsd8: world.price[liabilityAsset]!,
      queue: [],
      gated: false,
      minted: 0n,
    });
  });
}
