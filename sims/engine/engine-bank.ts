/**
 * The engine's books as a settlement bank: token balances are the protocols' own books (what they
 * can spend, plus a vault's illiquid backing, which it may pledge) and the engine's escrow. The
 * ledger settles against it; the chain backend sets payers' on-chain balances from it and books
 * the contract's transfers on it. Settlement therefore moves the engine's money directly; adapters
 * only record.
 */
import type { Address } from "viem";
import { LedgerRevertError } from "../ledger/errors.ts";
import type { LedgerBank } from "../ledger/memory-bank.ts";
import { spendable } from "./liquidity.ts";
import { minBig, type World } from "./world.ts";

export function createEngineBank(world: World, escrowAddress: Address): LedgerBank {
  const assetOf = new Map(world.assets.map((a, i) => [a.address.toLowerCase(), i]));
  const protocolOf = new Map(world.protocols.map((p, i) => [p.address.toLowerCase(), i]));
  const escrow = escrowAddress.toLowerCase();
  const asset = (token: Address) => {
    const a = assetOf.get(token.toLowerCase());
    if (a === undefined) throw new LedgerRevertError("UnknownToken", [token]);
    return a;
  };
  const pledgeableHeld = (p: number, a: number) => {
    const v = world.vaultOf[p]!;
    if (v < 0) return 0n;
    let s = 0n;
    for (const h of world.vaults[v]!.held) if (h.asset === a && h.liquidity === "illiquid") s += h.amount;
    return s;
  };
  const balanceOf = (token: Address, owner: Address): bigint => {
    const a = asset(token);
    if (owner.toLowerCase() === escrow) return world.escrow[a]!;
    const p = protocolOf.get(owner.toLowerCase());
    return p === undefined ? 0n : spendable(world, p, a) + pledgeableHeld(p, a);
  };
  const debit = (owner: Address, a: number, amount: bigint) => {
    if (owner.toLowerCase() === escrow) {
      world.escrow[a] = world.escrow[a]! - amount;
      return;
    }
    const p = protocolOf.get(owner.toLowerCase())!;
    const fromCash = spendable(world, p, a) < amount ? spendable(world, p, a) : amount;
    world.balance[p * world.assetCount + a] = world.balance[p * world.assetCount + a]! - fromCash;
    let rest = amount - fromCash;
    const v = world.vaultOf[p]!;
    if (rest > 0n && v >= 0) {
      for (const h of world.vaults[v]!.held) {
        if (h.asset !== a || h.liquidity !== "illiquid" || rest === 0n) continue;
        const x = minBig(h.amount, rest);
        h.amount -= x;
        rest -= x;
      }
    }
  };
  const credit = (owner: Address, a: number, amount: bigint) => {
    if (owner.toLowerCase() === escrow) {
      world.escrow[a] = world.escrow[a]! + amount;
      return;
    }
    const p = protocolOf.get(owner.toLowerCase());
    if (p === undefined) throw new LedgerRevertError("UnknownAccount", [owner]);
    world.balance[p * world.assetCount + a] = world.balance[p * world.assetCount + a]! + amount;
  };
  return {
    balanceOf,
    transfer(token, from, to, amount) {
      const a = asset(token);
      const have = balanceOf(token, from);
      if (have < amount) throw new LedgerRevertError("ERC20InsufficientBalance", [from, have, amount]);
      debit(from, a, amount);
      credit(to, a, amount);
    },
  };
}
