/**
 * One agent wired up: signer, endpoint on a transport, durable state (optional), agent. The
 * foundation scenario, the config-driven runner (operator/run-agent.ts) and the test harnesses
 * all start agents through this one function, so the wiring an integrator runs is the wiring the
 * tests exercise.
 *
 * With `durable`, the endpoint's seq numbers and replay memory live in JetStream KV and the
 * agent journals its sessions, auctions and signed agreements there; `startAgent` then calls
 * `resume()` before returning (a durable agent borrows only once it has looked for work left by
 * an earlier process of the same agent).
 */
import { randomUUID } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ArbiterDomain } from "../core/agreement.ts";
import { createLogger, type Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { type DurableState, openDurableState } from "../negotiation/durable/open-durable-state.ts";
import { type CreateEndpointParameters, createEndpoint, type Endpoint } from "../negotiation/endpoint.ts";
import type { PeerRegistry } from "../negotiation/peers.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { type Activity, type Agent, type CreateAgentParameters, createAgent } from "./agent.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import type { SettlementPort } from "./settlement-port.ts";

export type StartAgentDurableParameters = {
  /** The JetStream connection holding the agent's buckets (usually the transport's own). */
  connection: NatsConnection | JetStreamClient;
  /** Bucket name prefix; the same across restarts of one agent. Default "liq-v0". */
  prefix?: string;
  /** JetStream replicas per bucket. Default 1. */
  replicas?: number;
  /** Unique per process; default `<name>:<random uuid>`. */
  owner?: string;
};

export type StartAgentParameters = {
  name: string;
  signer: Signer;
  domain: ArbiterDomain;
  transport: Transport;
  peers: PeerRegistry;
  adapter: ProtocolAdapter;
  settlement: SettlementPort;
  policy: AgentPolicy;
  /** Journal to JetStream KV and resume after a restart. Omitted: state lives with the process. */
  durable?: StartAgentDurableParameters;
  pollMs?: number;
  session?: CreateAgentParameters["session"];
  auction?: CreateAgentParameters["auction"];
  nowSec?: CreateAgentParameters["nowSec"];
  /** The risk loop (agents/risk) on the agent's transport; off when absent. */
  risk?: Omit<NonNullable<CreateAgentParameters["risk"]>, "transport">;
  /** As lender, call loans whose callRiskLevel the on-chain risk level reaches. */
  callLoans?: boolean;
  /** Endpoint options beyond transport, signer, domain and peers (message TTL, rate limit, ...). */
  endpoint?: Omit<CreateEndpointParameters, "transport" | "signer" | "domain" | "peers" | "log">;
  /** Subscribed before anything can happen (before resume), so no activity is missed. */
  onActivity?: (a: Activity) => void;
  log?: Logger;
};

export type StartAgentReturnType = {
  agent: Agent;
  endpoint: Endpoint;
  /** The agent's durable state, when `durable` was given. */
  durable: DurableState | undefined;
  /** What `resume()` found (all zero without `durable`). */
  resumed: { loans: number; sessions: number; auctions: number };
  /** Stops the agent (its journal writes land first) and closes the endpoint. The transport
   *  stays open: its owner closes it. Idempotent. */
  stop(): Promise<void>;
};

export async function startAgent(p: StartAgentParameters): Promise<StartAgentReturnType> {
  const log = p.log ?? createLogger();
  const durable = p.durable
    ? await openDurableState({
        connection: p.durable.connection,
        agent: p.signer.address,
        ...(p.durable.prefix === undefined ? {} : { prefix: p.durable.prefix }),
        ...(p.durable.replicas === undefined ? {} : { replicas: p.durable.replicas }),
      })
    : undefined;
  const endpoint = createEndpoint({
    ...p.endpoint,
    transport: p.transport,
    signer: p.signer,
    domain: p.domain,
    peers: p.peers,
    log,
    ...(durable ? { sequencer: durable.sequencer, replayCache: durable.replayCache } : {}),
  });
  const agent = createAgent({
    name: p.name,
    signer: p.signer,
    domain: p.domain,
    endpoint,
    adapter: p.adapter,
    settlement: p.settlement,
    policy: p.policy,
    log,
    ...(p.pollMs === undefined ? {} : { pollMs: p.pollMs }),
    ...(p.session ? { session: p.session } : {}),
    ...(p.auction ? { auction: p.auction } : {}),
    ...(p.nowSec ? { nowSec: p.nowSec } : {}),
    ...(p.risk ? { risk: { ...p.risk, transport: p.transport } } : {}),
    ...(p.callLoans === undefined ? {} : { callLoans: p.callLoans }),
    ...(durable
      ? {
          durable: {
            sessions: durable.sessions,
            agreements: durable.agreements,
            auctions: durable.auctions,
            owner: p.durable?.owner ?? `${p.name}:${randomUUID()}`,
          },
        }
      : {}),
  });
  if (p.onActivity) agent.onActivity(p.onActivity);
  let resumed = { loans: 0, sessions: 0, auctions: 0 };
  if (durable) {
    // Subscriptions first: a peer's answer to a resumed session must find us listening.
    await endpoint.flush();
    resumed = await agent.resume();
  }
  let stopping: Promise<void> | undefined;
  return {
    agent,
    endpoint,
    durable,
    resumed,
    stop: () => {
      stopping ??= (async () => {
        await agent.stop();
        await endpoint.close();
      })();
      return stopping;
    },
  };
}
