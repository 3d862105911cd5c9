/**
 * De-risking by the real agents in the simulator (issue 13): each protocol runs the shipped risk
 * loop (agents/risk/risk-agent.ts createRiskAgent: signed snapshots, proposals and votes on the
 * in-process bus, the xstate loop with its alert expiry and renewal) on a SimulatedClock at the
 * step's chain time. Its detector is the voter detector (voter-detector.ts): each agent reads its
 * own protocol's level from the same voter the built-in policy counts (policy-voter.ts), so the two
 * policies can be held to the same alerts; who holds an alert, when it is renewed, posted or lapses
 * is the agents' own doing.
 *
 * Each step: the clock moves to the step's time (alert expiries fire; every loop assesses), the
 * bus runs until quiet, then the clock moves one millisecond so the first signer in turn posts the
 * held alert to the run's settlement backend (the contract's raiseAlert, or the ledger's
 * riskLevel) within the step, as the built-in policy posts it. Each agent's stance changes reach its
 * protocol as the engine's pre-committed actions (one `derisk.tighten` per level up, a
 * `derisk.release` per level down: engine-adapter.ts createDerisking), recorded as the built-in
 * policy records them.
 */
import { SimulatedClock } from "xstate";
import type { AlertChainPort } from "../../../agents/risk/alert-chain-port.ts";
import { DEFAULT_ALERT_THRESHOLDS } from "../../../agents/risk/alert-decision.ts";
import { createRiskAgent, type RiskAgent } from "../../../agents/risk/risk-agent.ts";
import type { RiskAlert } from "../../../arbitration/typed-data.ts";
import type { Logger } from "../../../core/log.ts";
import type { Signer } from "../../../core/signer.ts";
import type { PeerRegistry } from "../../../negotiation/peers.ts";
import type { InProcessBus } from "../../../negotiation/transport/in-process.ts";
import type { ProtocolAdapter } from "../../../protocol-adapters/protocol-adapter.ts";
import type { AlertVoter } from "../alert-votes.ts";
import { exposedAssets } from "../build-distress.ts";
import type { BuiltinPolicyParameters } from "../builtin-policy.ts";
import { applyDeriskAction } from "../derisk-coordination.ts";
import type { PolicyContext } from "../engine-policy.ts";
import { createPolicyVoter, deriskDefaults } from "../policy-voter.ts";
import type { StepObservation } from "../run-engine.ts";
import type { InFlight } from "./in-flight.ts";
import { createVoterDetector } from "./voter-detector.ts";

/** Settings of the built-in de-risking that the real agents do not play (the herding study's
 *  dampening and unilateral variants stay with the built-in policy). */
export class AgentsRiskUnsupportedError extends Error {
  constructor(readonly setting: string) {
    super(
      `--policy agents does not play "${setting}" (a built-in de-risking variant of the herding study); use --policy builtin for it`,
    );
    this.name = "AgentsRiskUnsupportedError";
  }
}

export type AgentsRisk = {
  observe(o: StepObservation): void;
  step(ctx: PolicyContext): Promise<void>;
  close(): void;
};

const NO_ALERT: RiskAlert = {
  level: 0,
  evidenceHash: `0x${"00".repeat(32)}`,
  issuedAt: 0n,
  expiresAt: 0n,
};

export function createAgentsRisk(p: {
  params: BuiltinPolicyParameters;
  bus: InProcessBus;
  inFlight: InFlight;
  signers: readonly Signer[];
  peers: PeerRegistry;
  log: Logger;
}): AgentsRisk {
  const { params } = p;
  if ((params.coordination ?? "quorum") !== "quorum") throw new AgentsRiskUnsupportedError("coordination");
  if (params.minHoursBetweenRaises) throw new AgentsRiskUnsupportedError("minHoursBetweenRaises");
  if (params.paceHours) throw new AgentsRiskUnsupportedError("paceHours");
  const { quorumShare, tightenBps, alertTtlHours } = deriskDefaults(params);
  let exposure: number[][] = [];
  const voter: AlertVoter = createPolicyVoter(params, () => exposure);
  const clock = new SimulatedClock();
  let levels: number[] = [];
  /** Each protocol's level when its agent last assessed. */
  let seen: number[] = [];
  let renewWithinSec = 0n;
  let turnMs = 1;
  /** An alert was held since the clock last moved: the first signer's turn to post is due. */
  let heldSinceTick = false;
  let ctx: PolicyContext | undefined;
  let agents: RiskAgent[] = [];
  /** Stance changes each agent asked of its protocol this step, in order. */
  let stances: number[][] = [];
  /** The stance each protocol's actions stand at. */
  let applied: number[] = [];
  /** Whether an alert was held (raised or renewed) this step. */
  let heldThisStep = false;
  let systemLevel = 0;

  // The run's settlement backend as the agents' chain: the contract's raiseAlert rule (an alert
  // newer than the last one replaces it; the level falls to 0 at expiry).
  let posted: RiskAlert = NO_ALERT;
  const nowSec = () => BigInt(Math.floor(clock.now() / 1000));
  const chain: AlertChainPort = {
    async riskLevel() {
      const live = posted.level > 0 && posted.expiresAt > nowSec();
      return { level: live ? posted.level : 0, expiresAt: live ? posted.expiresAt : 0n, lastAlert: posted };
    },
    async raiseAlert(alert) {
      if (alert.issuedAt <= posted.issuedAt || alert.expiresAt <= nowSec()) return { posted: false };
      posted = alert;
      await ctx!.postAlert({ level: alert.level, expiresSec: alert.expiresAt });
      return { posted: true };
    },
  };

  const start = (first: PolicyContext) => {
    const { world } = first;
    const stepMs = Math.round(world.stepHours * 3_600_000);
    // Every proposer's turn (levels x agents) and the posting turns within the step's first second.
    turnMs = Math.max(
      1,
      Math.floor(999 / ((DEFAULT_ALERT_THRESHOLDS.proposePpm.length + 1) * world.protocolCount)),
    );
    clock.set(Number(first.nowSec) * 1000);
    stances = world.protocols.map(() => []);
    seen = [...levels];
    renewWithinSec = BigInt(Math.round(stepMs / 1000));
    applied = world.protocols.map(() => 0);
    agents = world.protocols.map((x, i) => {
      const adapter: ProtocolAdapter = {
        protocolId: x.id,
        kind: x.kind,
        snapshot: () => ctx!.adapters[i]!.snapshot(),
        apply: (a) => ctx!.adapters[i]!.apply(a),
        derisk: async ({ level }) => {
          stances[i]!.push(level);
        },
      };
      const agent = createRiskAgent({
        name: x.id,
        signer: p.signers[i]!,
        domain: first.domain,
        transport: p.bus.createTransport({ name: `${x.id}/risk` }),
        adapter: p.inFlight.track(adapter),
        registered: p.peers,
        quorum: Math.ceil(quorumShare * world.protocolCount),
        detector: createVoterDetector({ level: () => levels[i] ?? 0 }),
        // Assessments on events (below): the cadence only as a backstop, once an alert's life.
        cadenceMs: Math.round(alertTtlHours * 3_600_000),
        alertTtlSec: Math.round(alertTtlHours * 3600),
        renewWithinSec: Math.round(stepMs / 1000),
        // A proposal is voted on within its step; one that missed the quorum lapses by the next.
        proposalWindowSec: Math.round(stepMs / 1000) - 1,
        // The voter detector reads nothing from peers' snapshots: leave them out (a signature per
        // agent per step, and four verifications of each, for nothing the decisions use).
        publishSnapshots: false,
        // Turns within the step's first second, so alerts' times are the step's (as the built-in's).
        proposeStaggerMs: turnMs,
        submitStaggerMs: turnMs,
        clock,
        chain: p.inFlight.track(chain),
        log: p.log,
      });
      agent.onActivity((a) => {
        if (a.type === "risk.held") {
          heldThisStep = true;
          heldSinceTick = true;
        }
      });
      return agent;
    });
  };

  /**
   * An agent assesses when something it sees could change a decision: its own view changed, its
   * alert is due for renewal, or an alert lapsed (a quorum that still sees danger proposes anew).
   * Between those its voter detector would answer the same, so a step with nothing of the kind
   * costs no assessment, no xstate transition and no message.
   */
  const pokeWhoMustAssess = (expiriesBefore: readonly (bigint | undefined)[]): boolean => {
    const now = nowSec();
    const lapsed = expiriesBefore.some((e) => e !== undefined && e <= now);
    let poked = false;
    agents.forEach((a, i) => {
      const level = levels[i] ?? 0;
      const held = a.actor.getSnapshot().context.held;
      const renewDue =
        held !== undefined && level >= held.alert.level && held.alert.expiresAt - now <= renewWithinSec;
      if (level !== seen[i] || (lapsed && level > 0) || renewDue) {
        a.poke();
        poked = true;
      }
    });
    seen = [...levels];
    return poked || lapsed;
  };

  /**
   * Each protocol's stance changes as the engine's actions, one level at a time. Recorded level by
   * level across protocols (the k-th action of every protocol, then the k+1-th), as the built-in
   * policy applies a level to every protocol before the next.
   */
  const applyStances = async (c: PolicyContext) => {
    const moves = stances.map((targets, i) => {
      const out: ("derisk.tighten" | "derisk.release")[] = [];
      for (const target of targets)
        while (applied[i]! !== target) {
          const up = target > applied[i]!;
          applied[i] = applied[i]! + (up ? 1 : -1);
          out.push(up ? "derisk.tighten" : "derisk.release");
        }
      return out;
    });
    stances = stances.map(() => []);
    const rounds = Math.max(0, ...moves.map((m) => m.length));
    for (let k = 0; k < rounds; k++)
      for (let i = 0; i < moves.length; i++) {
        const type = moves[i]![k];
        const kind = c.world.protocols[i]!.kind;
        if (!type || kind === "amm") continue;
        await applyDeriskAction(c, i, type, tightenBps[kind as "lending" | "perp" | "vault"]);
      }
  };

  /** The system alert's change this step, recorded as the built-in policy records it. */
  const recordAlert = (c: PolicyContext, votesByLevel: readonly number[]) => {
    const level = Math.max(0, ...agents.map((a) => a.stanceLevel));
    if (level === systemLevel) return;
    const need = Math.ceil(quorumShare * c.world.protocolCount);
    let votes = 0;
    votesByLevel.forEach((v) => {
      if (v >= need) votes = v;
    });
    let expiresAt: bigint | undefined;
    for (const a of agents) {
      const held = a.actor.getSnapshot().context.held;
      if (held?.alert.level === level && (expiresAt === undefined || held.alert.expiresAt > expiresAt))
        expiresAt = held.alert.expiresAt;
    }
    c.record({
      type: "alert",
      step: c.step,
      level,
      votes: level > 0 ? votes : 0,
      of: c.world.protocolCount,
      reason: heldThisStep
        ? (voter.reason?.(c.world, level) ??
          `${c.risk.drawdownAsset} down ${(c.risk.maxDrawdown * 100).toFixed(1)}%`)
        : `expired without a quorum for level ${systemLevel}`,
      expiresHour: level > 0 && expiresAt !== undefined ? Number(expiresAt - c.world.startTime) / 3600 : 0,
    });
    systemLevel = level;
  };

  return {
    observe: (o) => voter.observe(o),
    async step(c) {
      ctx = c;
      if (exposure.length === 0) exposure = c.world.protocols.map((_, i) => exposedAssets(c.world, i));
      levels = voter.levels(c.world);
      const votesByLevel = voter.votes(c.world);
      heldThisStep = false;
      let busy = true;
      if (agents.length === 0) {
        // Until some protocol sees danger no agent would propose, vote or act: they start then,
        // as if they had assessed every quiet step before (nothing to say at level 0).
        if (levels.every((l) => l === 0)) return;
        start(c);
      } else {
        const expiries = agents.map((a) => a.actor.getSnapshot().context.held?.alert.expiresAt);
        clock.set(Math.max(clock.now(), Number(c.nowSec) * 1000));
        busy = pokeWhoMustAssess(expiries);
      }
      // A step in which no agent assesses and no alert lapses puts nothing on the bus and calls
      // nothing: the agents are quiet already (their only other timers are the turns below).
      if (busy) await p.inFlight.quiet();
      // Proposers' turns, and the first signer's turn to post a held alert, come as the clock moves
      // on within the step's first second.
      const turns = (DEFAULT_ALERT_THRESHOLDS.proposePpm.length + 1) * agents.length;
      for (let turn = 0; turn <= turns; turn++) {
        if (!heldSinceTick && !agents.some((a) => a.proposalsWaiting > 0)) break;
        heldSinceTick = false;
        clock.increment(turnMs);
        await p.inFlight.quiet();
      }
      recordAlert(c, votesByLevel);
      await applyStances(c);
    },
    close() {
      for (const a of agents) a.stop();
      agents = [];
    },
  };
}
