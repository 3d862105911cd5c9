/** Token balances in memory: the bank a stand-alone ledger settles against. */
import type { Address } from "viem";
import { LedgerRevertError } from "./errors.ts";

export interface LedgerBank {
  balanceOf(token: Address, owner: Address): bigint;
  /** Moves tokens; throws LedgerRevertError("ERC20InsufficientBalance") if `from` lacks them. */
  transfer(token: Address, from: Address, to: Address, amount: bigint): void;
}

export type MemoryBank = LedgerBank & {
  mint(token: Address, to: Address, amount: bigint): void;
};

const key = (token: Address, owner: Address) => `${token.toLowerCase()}:${owner.toLowerCase()}`;

export function createMemoryBank(): MemoryBank {
  const balances = new Map<string, bigint>();
  const balanceOf = (token: Address, owner: Address) => balances.get(key(token, owner)) ?? 0n;
  return {
    balanceOf,
    mint(token, to, amount) {
      balances.set(key(token, to), balanceOf(token, to) + amount);
    },
    transfer(token, from, to, amount) {
      const have = balanceOf(token, from);
      if (have < amount) throw new LedgerRevertError("ERC20InsufficientBalance", [from, have, amount]);
      balances.set(key(token, from), have - amount);
      balances.set(key(token, to), balanceOf(token, to) + amount);
    },
  };
}
