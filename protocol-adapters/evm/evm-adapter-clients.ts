import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";

/**
 * The viem clients an EVM adapter takes: a public client for reads and a wallet client whose
 * account is the protocol's treasury (the agent's address on the arbiter) and the owner of the
 * contracts it de-risks. arbitration/clients.ts `createArbiterClients` returns a compatible value.
 */
export type EvmAdapterClients = {
  public: PublicClient<Transport, Chain>;
  wallet: WalletClient<Transport, Chain, Account>;
};
