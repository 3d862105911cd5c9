/**
 * An agent's status for operators: published by the runner on `liq.ops.v0.status.<address>` every
 * few seconds and soon after anything happens, read by the dashboard. It is operations telemetry,
 * not part of the peer protocol (docs/PROTOCOL.md): unsigned, and peers never act on it. What it
 * carries about the protocol is the adapter's own snapshot (liquidity, rates, kind-specific risk
 * figures); signed risk snapshots and contagion probabilities are the risk loop's (issue 13).
 */
import type { Address } from "viem";
import { z } from "zod";
import type { Activity, Agent } from "../agents/agent.ts";
import type { Logger } from "../core/log.ts";
import { address, smallUint } from "../core/schema.ts";
import type { Endpoint } from "../negotiation/endpoint.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { ProtocolKind } from "../protocol-adapters/protocol-state.ts";

export const OPS_SUBJECT_PREFIX = "liq.ops.v0";
export const AGENT_STATUS_VERSION = 0;

/** Where agent `address` publishes its status. */
export function statusSubject(agent: Address): string {
  return `${OPS_SUBJECT_PREFIX}.status.${agent.toLowerCase()}`;
}
/** Every agent's status. */
export const STATUS_WILDCARD = `${OPS_SUBJECT_PREFIX}.status.*`;

const decimal = z.string().regex(/^-?(0|[1-9][0-9]*)$/);
const count = smallUint(2 ** 53 - 1);

export const AgentStatusSchema = z.strictObject({
  v: z.literal(AGENT_STATUS_VERSION),
  name: z.string().min(1).max(64),
  address,
  chainId: z.number().int().positive(),
  protocolId: z.string().min(1).max(64),
  protocolKind: ProtocolKind,
  /** "running", "degraded" (its protocol cannot be read), or "stopped" (the last message). */
  health: z.enum(["running", "degraded", "stopped"]),
  /** The agent machine's state, e.g. "monitoring" or "borrowing". */
  state: z.string().max(128),
  startedAt: count,
  at: count,
  protocol: z
    .strictObject({
      liquidity: z
        .array(
          z.strictObject({
            symbol: z.string().max(16),
            token: address,
            decimals: smallUint(36),
            liquid: decimal,
            net: decimal,
          }),
        )
        .max(64),
      opportunityRateBps: count,
      shortfallCostBps: count,
      risk: z.record(z.string().max(32), z.number().int()),
    })
    .nullable(),
  endpoint: z.strictObject({ received: count, accepted: count, rejected: count, sent: count }),
  sessions: z.strictObject({ agreed: count, failed: count, unconfirmed: count }),
  loans: z.strictObject({ settled: count, repaid: count }),
  lastError: z.string().max(512).optional(),
});
export type AgentStatus = z.output<typeof AgentStatusSchema>;

/** An xstate state value as text: "monitoring", or "borrow: servicing, lend: idle" for parallel states. */
export function stateText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return String(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => {
      const inner = stateText(v);
      return inner ? `${k}: ${inner}` : k;
    })
    .join(", ");
}

export type StartStatusPublisherParameters = {
  transport: Transport;
  agent: Agent;
  endpoint: Endpoint;
  adapter: ProtocolAdapter;
  chainId: number;
  intervalMs: number;
  log: Logger;
};

export type StatusPublisher = {
  /** Publishes a last status with health "stopped" and stops. */
  stop(): Promise<void>;
  /** The last status published. */
  last(): AgentStatus | undefined;
};

/** Publishes `agent`'s status every `intervalMs` and 100 ms after each activity (coalesced). */
export function startStatusPublisher(p: StartStatusPublisherParameters): StatusPublisher {
  const startedAt = Date.now();
  const subject = statusSubject(p.agent.address);
  const sessions = { agreed: 0, failed: 0, unconfirmed: 0 };
  const loans = { settled: 0, repaid: 0 };
  let last: AgentStatus | undefined;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const onActivity = (a: Activity) => {
    if (a.type === "session") sessions[a.outcome.status]++;
    else if (a.type === "report" && a.what === "settled") loans.settled++;
    else if (a.type === "report" && a.what === "repaid") loans.repaid++;
    soon ??= setTimeout(() => void publish("running"), 100);
  };
  const off = p.agent.onActivity(onActivity);

  const publish = async (health: AgentStatus["health"]) => {
    if (soon) clearTimeout(soon);
    soon = undefined;
    let protocol: AgentStatus["protocol"] = null;
    let lastError: string | undefined;
    try {
      const s = await p.adapter.snapshot();
      protocol = {
        liquidity: s.liquidity.map((l) => ({
          symbol: l.symbol,
          token: l.token,
          decimals: l.decimals,
          liquid: l.liquid.toString(),
          net: l.net.toString(),
        })),
        opportunityRateBps: s.opportunityRateBps,
        shortfallCostBps: s.shortfallCostBps,
        risk: s.risk,
      };
    } catch (err) {
      lastError = `snapshot failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 512);
      if (health === "running") health = "degraded";
    }
    const stats = p.endpoint.stats();
    const value = p.agent.actor.getSnapshot().value;
    const status: AgentStatus = {
      v: AGENT_STATUS_VERSION,
      name: p.agent.name,
      address: p.agent.address,
      chainId: p.chainId,
      protocolId: p.adapter.protocolId,
      protocolKind: p.adapter.kind,
      health,
      state: stateText(value).slice(0, 128),
      startedAt,
      at: Date.now(),
      protocol,
      endpoint: {
        received: stats.received,
        accepted: stats.accepted,
        rejected: stats.rejected,
        sent: stats.sent,
      },
      sessions: { ...sessions },
      loans: { ...loans },
      ...(lastError ? { lastError } : {}),
    };
    last = status;
    try {
      await p.transport.publish(subject, new TextEncoder().encode(JSON.stringify(status)));
    } catch (err) {
      p.log.debug("status not published", { error: String(err) });
    }
  };

  void publish("running");
  const timer = setInterval(() => {
    if (!stopped) void publish("running");
  }, p.intervalMs);
  timer.unref();
  return {
    last: () => last,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      off();
      await publish("stopped");
      await p.transport.flush().catch(() => {});
    },
  };
}
