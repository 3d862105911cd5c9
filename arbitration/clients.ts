/**
 * The viem clients every arbitration action takes: one public client for reads and one wallet
 * client for writes, sharing a chain and an account whose nonces are managed locally so several
 * transactions sent at once from one account do not collide.
 */
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  nonceManager,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { anvil } from "viem/chains";

export type ArbiterClients = {
  public: PublicClient<Transport, Chain>;
  wallet: WalletClient<Transport, Chain, Account>;
  account: Account;
  chain: Chain;
};

/** The read side is enough for view actions (getLoan); callers may pass full ArbiterClients. */
export type ArbiterReadClients = Pick<ArbiterClients, "public">;

export type CreateArbiterClientsParameters = {
  rpcUrl: string;
  privateKey: Hex;
  /** Chain to talk to; anvil (31337) at `rpcUrl` when omitted. */
  chain?: Chain;
  /** How often to poll for receipts and blocks. Default 50 ms: anvil mines at once, and viem's 4 s
   *  default would dominate every test and simulation step. Raise it for remote nodes. */
  pollingInterval?: number;
  /** The JSON-RPC transport; `http(rpcUrl)` when omitted (a simulation passes one WebSocket). */
  transport?: Transport;
};

export type CreateArbiterClientsReturnType = ArbiterClients;

function chainAt(rpcUrl: string): Chain {
  return defineChain({
    ...anvil,
    rpcUrls: { default: { http: [rpcUrl] }, public: { http: [rpcUrl] } },
  });
}

export type CreateArbiterReadClientsParameters = Pick<
  CreateArbiterClientsParameters,
  "rpcUrl" | "chain" | "pollingInterval"
>;

/** Read-only clients (no key): enough for getLoan, getDispute, events and the other views. */
export function createArbiterReadClients(params: CreateArbiterReadClientsParameters): ArbiterReadClients {
  const chain = params.chain ?? chainAt(params.rpcUrl);
  return {
    public: createPublicClient({
      chain,
      transport: http(params.rpcUrl),
      pollingInterval: params.pollingInterval ?? 50,
    }),
  };
}

export function createArbiterClients(params: CreateArbiterClientsParameters): CreateArbiterClientsReturnType {
  const chain = params.chain ?? chainAt(params.rpcUrl);
  const transport = params.transport ?? http(params.rpcUrl);
  const pollingInterval = params.pollingInterval ?? 50;
  // viem's shared nonceManager hands out nonces per (address, chain) across all clients in this
  // process, and resyncs from the node after a failed send.
  const account = privateKeyToAccount(params.privateKey, { nonceManager });
  return {
    public: createPublicClient({ chain, transport, pollingInterval }),
    wallet: createWalletClient({ chain, transport, account, pollingInterval }),
    account,
    chain,
  };
}
