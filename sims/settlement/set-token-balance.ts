/**
 * Sets an account's on-chain token balance to a given figure. The engine moves money every step
 * (interest, withdrawals, liquidations, fire sales) that the chain never sees, so before the
 * contract takes tokens from a payer, the payer's balance is made equal to what the engine says it
 * can spend: the contract then pays, or refuses for want of funds, exactly when the ledger would.
 *
 * anvil_dealERC20 writes the balance in the token's storage (anvil finds the slot by tracing
 * balanceOf): one call, no transaction, exact in both directions. Minting the shortfall and sending
 * any excess to a burn address does the same with two to three times the wall time per loan and
 * gas that is not settlement's. totalSupply is left as it was; the arbiter never reads it.
 */
import { type Address, type EIP1193RequestFn, erc20Abi, type TestClient, toHex } from "viem";
import type { ArbiterReadClients } from "../../arbitration/clients.ts";
import { ChainBackendError } from "./errors.ts";

export type SetTokenBalanceParameters = {
  test: TestClient<"anvil">;
  token: Address;
  owner: Address;
  balance: bigint;
  /** Read the balance back and insist it is `balance` (done once per token). */
  verify?: ArbiterReadClients | undefined;
};

export async function setTokenBalance(p: SetTokenBalanceParameters): Promise<void> {
  const { test, token, owner, balance } = p;
  // Not in viem's typed test RPC schema, hence the untyped request.
  await (test.request as EIP1193RequestFn)({
    method: "anvil_dealERC20",
    params: [owner, token, toHex(balance)],
  });
  if (!p.verify) return;
  const now = await p.verify.public.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
  if (now !== balance)
    throw new ChainBackendError(
      `anvil_dealERC20 set ${owner}'s balance of ${token} to ${now}, not ${balance}`,
    );
}
