/**
 * ArbiterClients (arbitration/clients.ts) tuned for a local anvil that one program drives alone,
 * one transaction after another (a simulated study sends thousands):
 *   - one WebSocket instead of HTTP: a JSON-RPC call takes a fraction of a millisecond instead of
 *     1-3 ms;
 *   - a transaction is sent with eth_sendRawTransactionSync, which answers once it is mined. anvil
 *     answers eth_sendRawTransaction before mining, and viem's receipt wait can then see the new
 *     block number before the receipt exists and wait for a next block that, on a chain nobody
 *     else uses, never comes (seen a few times per thousand transactions with fast polling).
 */
import { type Chain, type Hex, type Transport, webSocket } from "viem";
import { type ArbiterClients, createArbiterClients } from "../../arbitration/clients.ts";

export type LocalChainTransport = { transport: Transport; close(): Promise<void> };

/** One socket to `rpcUrl` (http:// is read as ws:// on the same port: anvil serves both). */
export function createLocalChainTransport(rpcUrl: string): LocalChainTransport {
  // No keep-alive pings or reconnects: the chain is local, and either would keep the process alive.
  const socket = webSocket(rpcUrl.replace(/^http/, "ws"), { keepAlive: false, reconnect: false });
  const transport: Transport = (options) => {
    const t = socket(options);
    const request = (async (args, requestOptions) => {
      if (args.method !== "eth_sendRawTransaction") return t.request(args, requestOptions);
      const receipt = (await t.request(
        { method: "eth_sendRawTransactionSync", params: args.params },
        requestOptions,
      )) as { transactionHash: Hex };
      return receipt.transactionHash;
    }) as typeof t.request;
    return { ...t, request };
  };
  return {
    transport,
    close: async () => {
      try {
        (await socket({}).value?.getRpcClient())?.close();
      } catch {
        // Never connected: nothing to close.
      }
    },
  };
}

/** createArbiterClients on the socket: same accounts and nonce manager, so every arbitration/
 *  action takes these clients unchanged. */
export function createLocalChainClients(p: {
  transport: Transport;
  chain: Chain;
  privateKey: Hex;
}): ArbiterClients {
  const rpcUrl = p.chain.rpcUrls.default.http[0]!;
  return createArbiterClients({ rpcUrl, chain: p.chain, privateKey: p.privateKey, transport: p.transport });
}
