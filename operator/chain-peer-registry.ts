/**
 * Peers from the arbiter's on-chain registry: every agent governance registered (AgentRegistered)
 * and did not deregister since, refreshed by polling the contract's events. The chain knows an
 * agent's address and protocol id, not its kind (lending, perp, ...): `isKnown` answers for every
 * registered agent, while `get` and `list` describe it with the kind given in `kinds` (a config
 * hint), and leave out agents whose kind nobody stated.
 */
import { type Address, getAddress, type Hex, hexToString } from "viem";
import type { ArbiterReadClients } from "../arbitration/clients.ts";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { Logger } from "../core/log.ts";
import type { PeerInfo, PeerRegistry } from "../negotiation/peers.ts";
import type { ProtocolKind } from "../protocol-adapters/protocol-state.ts";

export type ChainPeerRegistry = PeerRegistry & {
  /** Registered agents and their protocol ids (text when it is text). */
  registered(): Array<{ address: Address; protocolId: string }>;
  /** Reads new registry events now. */
  refresh(): Promise<void>;
  stop(): void;
};

export type CreateChainPeerRegistryParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  refreshMs: number;
  kinds?: Record<string, ProtocolKind>;
  log: Logger;
};

function protocolIdText(id: Hex): string {
  try {
    const text = hexToString(id, { size: 32 }).replace(/\0+$/, "");
    if (/^[\x20-\x7e]{1,32}$/.test(text)) return text;
  } catch {
    // not text: fall through
  }
  return id;
}

/** Loads the registry once, then keeps it current every `refreshMs`. */
export async function createChainPeerRegistry(
  p: CreateChainPeerRegistryParameters,
): Promise<ChainPeerRegistry> {
  const agents = new Map<string, { address: Address; protocolId: string }>();
  const kinds = new Map(Object.entries(p.kinds ?? {}).map(([a, k]) => [a.toLowerCase(), k]));
  let fromBlock = 0n;
  let refreshing: Promise<void> | undefined;

  const read = async () => {
    const toBlock = await p.clients.public.getBlockNumber({ cacheTime: 0 });
    if (toBlock < fromBlock) return;
    const logs = await p.clients.public.getContractEvents({
      address: p.arbiter,
      abi: liquidityArbiterAbi,
      fromBlock,
      toBlock,
    });
    for (const log of logs) {
      if (log.eventName === "AgentRegistered") {
        const { agent, protocolId } = log.args as { agent: Address; protocolId: Hex };
        agents.set(agent.toLowerCase(), {
          address: getAddress(agent),
          protocolId: protocolIdText(protocolId),
        });
      } else if (log.eventName === "AgentDeregistered") {
        agents.delete((log.args as { agent: Address }).agent.toLowerCase());
      }
    }
    fromBlock = toBlock + 1n;
  };
  const refresh = () => {
    refreshing ??= read().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  await refresh();
  const timer = setInterval(() => {
    refresh().catch((err: unknown) => p.log.warn("peer registry refresh failed", { error: String(err) }));
  }, p.refreshMs);
  timer.unref();

  const info = (key: string): PeerInfo | undefined => {
    const a = agents.get(key);
    const kind = kinds.get(key);
    return a && kind ? { address: a.address, name: a.protocolId.slice(0, 64), protocol: kind } : undefined;
  };
  return {
    isKnown: (address) => agents.has(address.toLowerCase()),
    get: (address) => info(address.toLowerCase()),
    list: () => [...agents.keys()].map(info).filter((x): x is PeerInfo => x !== undefined),
    registered: () => [...agents.values()],
    refresh,
    stop: () => clearInterval(timer),
  };
}
