/**
 * Who may negotiate with us: an allowlist of agent addresses with metadata. Config-driven today;
 * an on-chain registry (the arbitration contract's) can implement the same `PeerRegistry`.
 */
import { type Address, getAddress } from "viem";
import { z } from "zod";
import { address } from "../core/schema.ts";
import { ProtocolKind } from "../protocol-adapters/protocol-state.ts";

export const PeerInfoSchema = z.strictObject({
  address,
  name: z.string().min(1).max(64),
  protocol: ProtocolKind,
});
export type PeerInfo = z.output<typeof PeerInfoSchema>;

export interface PeerRegistry {
  isKnown(address: string): boolean;
  get(address: string): PeerInfo | undefined;
  list(): PeerInfo[];
}

export interface MutablePeerRegistry extends PeerRegistry {
  add(peer: PeerInfo): void;
  remove(address: string): boolean;
}

/** An in-memory allowlist; addresses compare case-insensitively. */
export function createPeerRegistry(peers: Iterable<PeerInfo> = []): MutablePeerRegistry {
  const byAddress = new Map<string, PeerInfo>();
  const add = (p: PeerInfo) => {
    byAddress.set(p.address.toLowerCase(), { ...p, address: getAddress(p.address) as Address });
  };
  for (const p of peers) add(p);
  return {
    isKnown: (a) => byAddress.has(a.toLowerCase()),
    get: (a) => byAddress.get(a.toLowerCase()),
    list: () => [...byAddress.values()],
    add,
    remove: (a) => byAddress.delete(a.toLowerCase()),
  };
}

/** Parses peers from configuration JSON (throws a ZodError with the offending entry). */
export function parsePeers(json: unknown): PeerInfo[] {
  return z.array(PeerInfoSchema).parse(json);
}
