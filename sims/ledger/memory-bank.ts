/** Token balances in memory: the bank a stand-alone ledger settles against. */
import type { Address } from "viem";
import { LedgerRevertError } from "./errors.ts";

export interface LedgerBank {
  balanceOf(token: Address, owner: Address): bigint;
  /** Moves tokens; throws LedgerRevertError("ERC20InsufficientBalance") if `from` lacks them. */
  transfer(token: Address, from: Address, to: Address, amount: bigint): void;
  /** Why the token would refuse this transfer for a reason other than the balance (a blocklist), or
   *  undefined. Banks that never refuse leave it out. */
  refusal?(token: Address, from: Address, to: Address, amount: bigint): LedgerRevertError | undefined;
}

export type MemoryBank = LedgerBank & {
  mint(token: Address, to: Address, amount: bigint): void;
  /** Blocks or unblocks `who` in `token`, as contracts/src/test/BlocklistTestToken.sol does: a
   *  blocked address can neither send nor receive (LedgerRevertError "Blocked"). */
  setBlocked(token: Address, who: Address, blocked: boolean): void;
};

const key = (token: Address, owner: Address) => `${token.toLowerCase()}:${owner.toLowerCase()}`;

export function createMemoryBank(): MemoryBank {
  const balances = new Map<string, bigint>();
  const blocked = new Set<string>();
  const balanceOf = (token: Address, owner: Address) => balances.get(key(token, owner)) ?? 0n;
  const refusal = (token: Address, from: Address, to: Address) => {
    if (blocked.has(key(token, from))) return new LedgerRevertError("Blocked", [from]);
    if (blocked.has(key(token, to))) return new LedgerRevertError("Blocked", [to]);
    return undefined;
  };
  return {
    balanceOf,
    refusal,
    setBlocked(token, who, isBlocked) {
      if (isBlocked) blocked.add(key(token, who));
      else blocked.delete(key(token, who));
    },
    mint(token, to, amount) {
      balances.set(key(token, to), balanceOf(token, to) + amount);
    },
    transfer(token, from, to, amount) {
      const refused = refusal(token, from, to);
      if (refused) throw refused;
      const have = balanceOf(token, from);
      if (have < amount) throw new LedgerRevertError("ERC20InsufficientBalance", [from, have, amount]);
      balances.set(key(token, from), have - amount);
      balances.set(key(token, to), balanceOf(token, to) + amount);
    },
  };
}
