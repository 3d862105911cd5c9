/**
 * Test helpers for the durable stores: throwaway KV buckets on the test run's NATS server. Their
 * names are random (`uniqueName`), so files sharing the server never open each other's.
 */
import { randomBytes } from "node:crypto";
import { type KV, Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Hex } from "viem";
import { natsUrl } from "../../test/harness/nats.ts";

export function uniqueName(label: string): string {
  return `t-${label}-${randomBytes(6).toString("hex")}`;
}

export function randomBytes32(): Hex {
  return `0x${randomBytes(32).toString("hex")}`;
}

/** Connections and buckets opened through it are closed/destroyed by `cleanup()`. */
export function createKvScope(url: () => string = natsUrl) {
  const connections: NatsConnection[] = [];
  const buckets = new Set<string>();
  return {
    /** A new client connection (a "process"). */
    async connect(): Promise<NatsConnection> {
      const nc = await connect({ servers: url(), reconnectTimeWait: 100, maxReconnectAttempts: -1 });
      connections.push(nc);
      return nc;
    },
    /** Opens (creating if needed) a bucket on `nc`. */
    async bucket(nc: NatsConnection, name: string, opts: { ttl?: number } = {}): Promise<KV> {
      buckets.add(name);
      return new Kvm(nc).create(name, { history: 1, ...opts });
    },
    async cleanup(): Promise<void> {
      for (const c of connections) if (!c.isClosed()) await c.close();
      if (buckets.size > 0) {
        const nc = await connect({ servers: url() });
        for (const b of buckets) await (await new Kvm(nc).open(b)).destroy().catch(() => {});
        await nc.close();
      }
      connections.length = 0;
      buckets.clear();
    },
  };
}
