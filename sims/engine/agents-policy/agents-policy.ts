/**
 * The real agents in the simulator (issue 13): an EnginePolicy that runs the shipped agents
 * (agents/agent.ts createAgent: the xstate lifecycle and negotiation machines, signed wire messages
 * over the in-process bus, EIP-712 agreements settled through each protocol's settlement port),
 * one per protocol, on one SimulatedClock set to the step's chain time.
 *
 * Each step: the clock moves to the step's time, which fires every agent's poll (pollMs is a step,
 * less a little slack); each agent looks at its protocol through its engine adapter, a borrower
 * with a need (the need the built-in policy computes: need-policy.ts) runs its RFQ auction, lenders
 * answer, the winner signs, the borrower settles; borrowers repay and lenders claim defaults on
 * their own polls. The step ends when the bus is empty and no adapter or settlement call is pending
 * (in-flight.ts); auctions that found nobody are closed by moving the clock past their admission
 * window, within the slack. Ids and nonces are seeded: the same seed gives the same transcript.
 *
 * De-risking is the agents' own risk loops (agents-risk.ts): each protocol's shipped risk agent
 * on the same bus, proposing, voting, holding, posting, renewing and unwinding alerts; it runs
 * before the negotiation each step, as the built-in policy's de-risking does.
 */
import { createHash } from "node:crypto";
import { type Hex, keccak256, toHex } from "viem";
import { SimulatedClock } from "xstate";
import { type Agent, createAgent } from "../../../agents/agent.ts";
import type { AgentPolicy } from "../../../agents/agent-policy.ts";
import { createNonceAllocator } from "../../../core/agreement-nonce.ts";
import { createLogger, type Logger } from "../../../core/log.ts";
import type { Signer } from "../../../core/signer.ts";
import { createEndpoint, type Endpoint } from "../../../negotiation/endpoint.ts";
import type { PeerRegistry } from "../../../negotiation/peers.ts";
import { createPeerRegistry } from "../../../negotiation/peers.ts";
import { PROTOCOL_PARAMETERS } from "../../../negotiation/protocol-parameters.ts";
import type { InProcessBus } from "../../../negotiation/transport/in-process.ts";
import { createInProcessBus } from "../../../negotiation/transport/in-process.ts";
import type { BuiltinPolicyParameters } from "../builtin-policy.ts";
import { createCollateralVolatility } from "../collateral-volatility.ts";
import { type EnginePolicy, modeOf, type PolicyContext } from "../engine-policy.ts";
import { createLoanResolutionFeed } from "../loan-resolutions.ts";
import { protocolSigner, usd8Of } from "../world.ts";
import { worldAgentPolicy } from "../world-agent-policy.ts";
import { type AgentsRisk, createAgentsRisk } from "./agents-risk.ts";
import { createInFlight, type InFlight } from "./in-flight.ts";
import { needPolicy, type StepView } from "./need-policy.ts";
import { createStepEvents, type StepEvents } from "./step-events.ts";

export type AgentsPolicyParameters = BuiltinPolicyParameters & {
  log?: Logger | undefined;
  /** Keep every wire message (subject and bytes, hex) for `transcript().lines`. Default false:
   *  only their count and digest. */
  keepWire?: boolean | undefined;
};

export type AgentsTranscript = { messages: number; sha256: string; lines: readonly string[] };

export interface AgentsPolicy extends EnginePolicy {
  /** The wire messages so far, in delivery order. */
  transcript(): AgentsTranscript;
  close(): Promise<void>;
}

/** Clock time a step may use beyond its start (closing auctions), ms: polls come this much
 *  earlier than a full step, so each fires once per step. */
const SLACK_MS = 60_000;

/** What the negotiating agents and the risk agents share: the bus, the signers, the registry. */
type Wiring = { bus: InProcessBus; inFlight: InFlight; signers: Signer[]; peers: PeerRegistry };

type Running = {
  clock: SimulatedClock;
  /** The policy every agent decides with (one instance, as the built-in's). */
  shared: AgentPolicy;
  agents: Agent[];
  endpoints: Endpoint[];
  inFlight: InFlight;
  events: StepEvents;
};

export function createAgentsPolicy(p: AgentsPolicyParameters): AgentsPolicy {
  const log = p.log ?? createLogger({ level: "silent" });
  const resolutions = createLoanResolutionFeed();
  const tenorSeconds = Math.round((p.tenorHours ?? 24) * 3600);
  const request = {
    minLoanUsd8: usd8Of(p.minLoanUsd ?? 1_000_000),
    tenorSeconds,
    illiquidTenorSeconds: Math.round((p.illiquidTenorHours ?? 336) * 3600),
  };
  const maxRounds = p.maxRounds ?? PROTOCOL_PARAMETERS.maxRounds;
  let wiring: Wiring | undefined;
  let risk: AgentsRisk | undefined;
  const wire = createHash("sha256");
  const lines: string[] = [];
  let messages = 0;
  let view: StepView | undefined;
  let running: Running | undefined;
  // What lenders know of each collateral's volatility, as in the built-in policy (margins).
  const volatility = createCollateralVolatility(p.marginVolatility);

  const connect = (ctx: PolicyContext): Wiring => {
    const { world } = ctx;
    const bus = createInProcessBus({ log });
    const tap = bus.createTransport({ name: "transcript" });
    tap.subscribe(">", (data, subject) => {
      messages++;
      wire.update(subject).update(data);
      if (p.keepWire) lines.push(`${subject} ${Buffer.from(data).toString("hex")}`);
    });
    const signers = world.protocols.map((_, i) => protocolSigner(i));
    const peers = createPeerRegistry(
      world.protocols.map((x, i) => ({ address: signers[i]!.address, name: x.id, protocol: x.kind })),
    );
    return { bus, inFlight: createInFlight(bus), signers, peers };
  };

  const start = (ctx: PolicyContext, w: Wiring): Running => {
    const { world } = ctx;
    const { bus, inFlight, signers, peers } = w;
    const clock = new SimulatedClock();
    clock.set(Number(ctx.nowSec) * 1000);
    const shared = worldAgentPolicy(world, {
      ...p,
      tenorSeconds,
      margin: (p.margins ?? true) ? { volatility, horizonHours: p.marginHorizonHours } : undefined,
    });
    const coverageSteps = Math.round((p.coverageHours ?? 12) / world.stepHours);
    const events = createStepEvents(ctx.domain, ctx.addresses);
    const pollMs = Math.round(world.stepHours * 3_600_000) - SLACK_MS;
    const endpoints: Endpoint[] = [];
    const agents = world.protocols.map((x, i) => {
      const seeded = (what: string) => {
        let n = 0;
        return (): Hex => keccak256(toHex(`agents-policy:${world.seed}:${i}:${what}:${n++}`));
      };
      const endpoint = createEndpoint({
        transport: bus.createTransport({ name: x.id }),
        signer: signers[i]!,
        domain: ctx.domain,
        peers,
        clock,
        newNonce: seeded("envelope"),
        log,
      });
      endpoints.push(endpoint);
      const agent = createAgent({
        name: x.id,
        signer: signers[i]!,
        domain: ctx.domain,
        endpoint,
        adapter: inFlight.track(ctx.adapters[i]!),
        settlement: inFlight.track(ctx.settlement(i)),
        policy: needPolicy(shared, i, () => view, { ...request, coverageSteps }),
        pollMs,
        session: { maxRounds },
        auction: { maxRounds },
        clock,
        newSessionId: seeded("session"),
        nonces: createNonceAllocator({ start: 1n }),
        log,
      });
      agent.onActivity((a) => events.add(i, a));
      return agent;
    });
    return { clock, shared, agents, endpoints, inFlight, events };
  };

  const negotiating = (agents: readonly Agent[]) =>
    agents.some((a) => {
      const v = a.actor.getSnapshot().value as { borrow?: string };
      return v.borrow === "negotiating" || v.borrow === "requesting";
    });

  const negotiate = async (ctx: PolicyContext) => {
    view = { world: ctx.world, halted: [...ctx.risk.halted] };
    const stepStart = Number(ctx.nowSec) * 1000;
    if (!running) running = start(ctx, wiring!);
    else running.clock.set(Math.max(running.clock.now(), stepStart));
    const r = running;
    await r.inFlight.quiet();
    // Auctions that found no deal wait out their admission window: move the clock past it.
    while (negotiating(r.agents) && r.clock.now() - stepStart < SLACK_MS) {
      r.clock.increment(PROTOCOL_PARAMETERS.admissionMs + 1);
      await r.inFlight.quiet();
    }
    r.events.flush({ world: ctx.world, step: ctx.step, record: ctx.record });
  };

  return {
    name: modeOf(p),
    onObserve: (o) => risk?.observe(o),
    async onStep(ctx) {
      volatility.observe(ctx.world);
      // How lenders' loans ended, before anyone negotiates (as the built-in does).
      if (running) resolutions(ctx.world, running.shared);
      wiring ??= connect(ctx);
      if (p.derisking) {
        risk ??= createAgentsRisk({ params: p, ...wiring, log });
        await risk.step(ctx);
      }
      if (p.negotiation) await negotiate(ctx);
    },
    transcript: () => ({ messages, sha256: wire.copy().digest("hex"), lines }),
    async close() {
      risk?.close();
      risk = undefined;
      const r = running;
      running = undefined;
      if (!r) return;
      for (const a of r.agents) await a.stop();
      for (const e of r.endpoints) await e.close();
    },
  };
}
