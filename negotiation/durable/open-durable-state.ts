/**
 * Opens (creating when missing) an agent's five durable buckets on JetStream and the stores over
 * them, with the replay memory already loaded. One set of buckets per agent address:
 *
 *   <prefix>-<address>-seq         seq leases per session          (createKvSequencer)
 *   <prefix>-<address>-replay      last accepted seq per peer/session (createKvReplayCache), max age 2 x maxTtlMs
 *   <prefix>-<address>-sessions    open sessions                   (createSessionStore)
 *   <prefix>-<address>-agreements  agreements awaiting settlement  (createAgreementStore)
 *   <prefix>-<address>-auctions    running RFQ auctions            (createAuctionStore)
 *
 * Buckets use file storage and keep one revision per key. A restarted agent calls this again and
 * gets its state back; pass `sequencer` and `replayCache` to createEndpoint.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Address } from "viem";
import { DEFAULT_MAX_TTL_MS } from "../wire/decode-message.ts";
import { type AgreementStore, createAgreementStore } from "./agreement-store.ts";
import { type AuctionStore, createAuctionStore } from "./auction-store.ts";
import { createKvReplayCache, type KvReplayCache } from "./kv-replay-cache.ts";
import { createKvSequencer, type KvSequencer } from "./kv-sequencer.ts";
import { createSessionStore, type SessionStore } from "./session-store.ts";

export type OpenDurableStateParameters = {
  connection: NatsConnection | JetStreamClient;
  agent: Address;
  /** Bucket name prefix. Default "liq-v0". */
  prefix?: string;
  /** The endpoint's maxTtlMs (inbound expiry cap); replay entries live twice as long. Default 5 min. */
  maxTtlMs?: number;
  /** JetStream replicas of each bucket (1, 3 or 5). Default 1. */
  replicas?: number;
  clock?: { now(): number };
  /** Seq numbers leased per KV write. Default 16. */
  seqBlockSize?: number;
  claimLeaseMs?: number;
};

export type DurableState = {
  sequencer: KvSequencer;
  replayCache: KvReplayCache;
  sessions: SessionStore;
  agreements: AgreementStore;
  auctions: AuctionStore;
  buckets: { seq: KV; replay: KV; sessions: KV; agreements: KV; auctions: KV };
};

export function durableBucketNames(agent: Address, prefix = "liq-v0") {
  const base = `${prefix}-${agent.toLowerCase().slice(2)}`;
  return {
    seq: `${base}-seq`,
    replay: `${base}-replay`,
    sessions: `${base}-sessions`,
    agreements: `${base}-agreements`,
    auctions: `${base}-auctions`,
  };
}

export async function openDurableState(params: OpenDurableStateParameters): Promise<DurableState> {
  const kvm = new Kvm(params.connection);
  const names = durableBucketNames(params.agent, params.prefix);
  const maxTtlMs = params.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
  const common = { history: 1, replicas: params.replicas ?? 1, storage: "file" as const };
  const [seq, replay, sessions, agreements, auctions] = await Promise.all([
    kvm.create(names.seq, common),
    kvm.create(names.replay, { ...common, ttl: 2 * maxTtlMs }),
    kvm.create(names.sessions, common),
    kvm.create(names.agreements, common),
    kvm.create(names.auctions, common),
  ]);
  const clock = params.clock ?? { now: () => Date.now() };
  const replayCache = createKvReplayCache({ kv: replay });
  await replayCache.load(clock.now());
  return {
    sequencer: createKvSequencer({
      kv: seq,
      ...(params.seqBlockSize === undefined ? {} : { blockSize: params.seqBlockSize }),
    }),
    replayCache,
    sessions: createSessionStore({ kv: sessions, clock }),
    agreements: createAgreementStore({
      kv: agreements,
      clock,
      ...(params.claimLeaseMs === undefined ? {} : { claimLeaseMs: params.claimLeaseMs }),
    }),
    auctions: createAuctionStore({ kv: auctions, clock }),
    buckets: { seq, replay, sessions, agreements, auctions },
  };
}
