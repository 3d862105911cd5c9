/**
 * One agent's risk loop wired to the world: its adapter (observations, de-risking), the risk
 * subjects (signed snapshots, proposals, votes), and optionally the chain (the standing level, and
 * posting the quorum's signatures with raiseAlert). The decisions live in pure units (features,
 * detector, alert-decision, alert-tally) and the timers in risk-loop-machine.ts; this file only
 * connects them.
 *
 * Who posts on chain: the approving signers, ordered by address, take turns `submitStaggerMs`
 * apart; each first reads the chain and posts only if the alert is not there yet, and the contract
 * refuses a second post of the same alert (StaleAlert), so an alert is posted once even if the first
 * in turn crashed.
 *
 * Lost messages (a NATS restart): while an open proposal is not held, its proposer sends it again
 * and every voter its ballot again at each assessment (a higher seq, so replay protection passes);
 * the tally keeps one ballot per voter, so repeats change nothing.
 */
import type { Hex } from "viem";
import { type Actor, createActor } from "xstate";
import type { RiskAlert } from "../../arbitration/typed-data.ts";
import { signRiskAlert } from "../../arbitration/typed-data.ts";
import type { ArbiterDomain } from "../../core/agreement.ts";
import type { Logger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import type { PeerRegistry } from "../../negotiation/peers.ts";
import {
  decodeRiskMessage,
  encodeRiskMessage,
  riskEvidenceHash,
  riskProposalId,
} from "../../negotiation/risk/risk-codec.ts";
import type { RiskBodyOf, RiskEvidence, RiskKind, RiskMessage } from "../../negotiation/risk/risk-schemas.ts";
import {
  RISK_SNAPSHOT_SESSION,
  riskAlertSubject,
  riskSnapshotSubject,
  riskWildcard,
} from "../../negotiation/risk/risk-subjects.ts";
import type { Transport } from "../../negotiation/transport/transport.ts";
import { WireError } from "../../negotiation/wire/errors.ts";
import { createReplayCache } from "../../negotiation/wire/replay-cache.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import { type AlertChainPort, sameAlert } from "./alert-chain-port.ts";
import { type AlertThresholds, approvesLevel, DEFAULT_ALERT_THRESHOLDS } from "./alert-decision.ts";
import { AlertTally } from "./alert-tally.ts";
import type { ContagionDetector } from "./contagion-detector.ts";
import type { LoopClock, RiskActivity } from "./risk-activity.ts";
import {
  type Assessment,
  type HeldAlert,
  type RiskLoopEffect,
  riskLoopMachine,
} from "./risk-loop-machine.ts";
import { createRiskView } from "./risk-view.ts";

export type CreateRiskAgentParameters = {
  name: string;
  signer: Signer;
  domain: ArbiterDomain;
  transport: Transport;
  adapter: ProtocolAdapter;
  /** The registered agents (the contract's registry): only they may propose and vote. */
  registered: PeerRegistry;
  /** Distinct registered approvals an alert needs (the contract's alertQuorum). */
  quorum: number;
  detector: ContagionDetector;
  thresholds?: AlertThresholds;
  /** How often the loop assesses, ms. */
  cadenceMs: number;
  /** How long a proposed alert lasts, seconds. */
  alertTtlSec: number;
  /** Take turns to propose (default: propose at once). Registered agents in address order wait
   *  `rank x proposeStaggerMs`; at its turn an agent proposes only if nobody proposed the same
   *  level since it decided to, and votes on that proposal instead. One proposal and a round of
   *  votes where every agent seeing the danger would otherwise propose its own (n proposals, n^2
   *  votes). */
  proposeStaggerMs?: number;
  /** How long a proposal stays open for votes, seconds (default: until its alert would expire).
   *  A proposal that missed its quorum then lapses, and whoever still sees the danger proposes
   *  anew: an alert held long after it was proposed would end early, its expiry counted from
   *  then. */
  proposalWindowSec?: number;
  /** Publish a signed snapshot at each assessment (default true). Peers' detectors read them (the
   *  rule detector their features, the contagion model their books); a simulation whose detectors
   *  read nothing from peers (sims/engine/agents-policy/voter-detector.ts) may leave them out:
   *  proposals and votes carry their own estimates. */
  publishSnapshots?: boolean;
  /** Renew a held alert this agent's view still supports once it would expire within this many
   *  seconds (risk-loop-machine.ts). Default: no renewal (the alert lapses and is proposed again). */
  renewWithinSec?: number;
  /** Between two agents' turns to post an alert on chain, ms. */
  submitStaggerMs?: number;
  /** Messages' time to live, ms. */
  messageTtlMs?: number;
  /** Our exposure to each peer, weights for neighbour stress (default: equal). */
  exposures?: Record<string, number>;
  chain?: AlertChainPort;
  /** The loop's clock (a SimulatedClock in tests); wall time by default. */
  clock?: LoopClock;
  /** Unix seconds on the chain, for alerts' issuedAt and expiry (default: the loop's clock). An
   *  alert issued ahead of the chain's time is refused by the contract. */
  nowSec?: () => bigint;
  log: Logger;
};

export interface RiskAgent {
  readonly actor: Actor<typeof riskLoopMachine>;
  /** Assess now instead of at the next cadence. */
  poke(): void;
  onActivity(listener: (a: RiskActivity) => void): () => void;
  /** The stance level applied to the adapter now. */
  readonly stanceLevel: number;
  /** Proposals waiting for this agent's turn (proposeStaggerMs). */
  readonly proposalsWaiting: number;
  stop(): void;
}

export type { LoopClock, RiskActivity } from "./risk-activity.ts";

export function createRiskAgent(p: CreateRiskAgentParameters): RiskAgent {
  const me = p.signer.address;
  const thresholds = p.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
  const nowMs = () => (p.clock ? p.clock.now() : Date.now());
  const nowSec = p.nowSec ?? (() => BigInt(Math.floor(nowMs() / 1000)));
  const ttl = p.messageTtlMs ?? 60_000;
  const listeners = new Set<(a: RiskActivity) => void>();
  const report = (a: RiskActivity) => {
    for (const l of listeners) l(a);
  };
  const replay = createReplayCache({ maxEntries: 100_000 });
  const tally = new AlertTally({ isRegistered: (a) => p.registered.isKnown(a), quorum: p.quorum });
  const view = createRiskView({ ...p, me, thresholds });
  let stanceLevel = 0;
  let snapshotSeq = 0;
  /** Our ballots and proposals still open: what we send again until they are held. */
  const mine = new Map<
    Hex,
    { kind: "risk.proposal" | "risk.vote"; body: RiskBodyOf<"risk.proposal" | "risk.vote">; seq: number }
  >();
  const heldIds = new Set<Hex>();

  const publish = async <K extends RiskKind>(kind: K, sessionId: Hex, seq: number, body: RiskBodyOf<K>) => {
    const { bytes } = encodeRiskMessage({
      domain: p.domain,
      signer: p.signer,
      kind,
      sessionId,
      seq,
      expiry: nowMs() + ttl,
      body,
    });
    const subject =
      kind === "risk.snapshot" ? riskSnapshotSubject(p.domain.chainId) : riskAlertSubject(p.domain.chainId);
    try {
      await p.transport.publish(subject, bytes);
      report({ type: "risk.sent", agent: p.name, kind, sessionId, body });
    } catch (err) {
      p.log.warn("risk message not sent", { kind, error: String(err) });
    }
  };

  const assess = async (): Promise<Assessment> => {
    const assessment = await view.assess();
    if (p.chain) {
      const c = await p.chain.riskLevel();
      assessment.chain = {
        level: c.level,
        expiresAtSec: c.expiresAt,
        ...(c.level > 0 ? { alert: c.lastAlert, id: riskProposalId(p.domain, c.lastAlert) } : {}),
      };
    }
    return assessment;
  };

  const submit = async (held: HeldAlert) => {
    if (!p.chain) return { posted: false };
    const c = await p.chain.riskLevel();
    if (sameAlert(c.lastAlert, held.alert)) return { posted: false };
    return p.chain.raiseAlert(held.alert, held.signatures);
  };

  const actor = createActor(riskLoopMachine, {
    input: {
      cadenceMs: p.cadenceMs,
      nowSec,
      // Alerts' times are the loop's clock unless the host gave the chain's: then seconds only.
      ...(p.nowSec ? {} : { nowMs }),
      assess,
      submit,
      ...(p.renewWithinSec !== undefined ? { renewWithinSec: p.renewWithinSec } : {}),
    },
    ...(p.clock ? { clock: p.clock } : {}),
  });

  const onEffect = (e: RiskLoopEffect) => {
    switch (e.type) {
      case "effect.riskSnapshot": {
        if (p.publishSnapshots === false) {
          resendOpen();
          return;
        }
        snapshotSeq = Math.max(snapshotSeq + 1, Math.floor(nowMs() / 100) % 0xffffffff);
        void publish("risk.snapshot", RISK_SNAPSHOT_SESSION, snapshotSeq, {
          protocolId: p.adapter.protocolId,
          at: nowMs(),
          features: e.assessment.features,
          contagion: e.assessment.estimates,
          detector: p.detector.id,
          ...(e.assessment.book ? { book: e.assessment.book } : {}),
        });
        resendOpen();
        return;
      }
      case "effect.proposeAlert":
        propose(e.level);
        return;
      case "effect.stance":
        // A renewal re-enters the same level: nothing to apply again.
        if (e.level === stanceLevel) return;
        stanceLevel = e.level;
        report({ type: "risk.stance", agent: p.name, level: e.level, ...(e.id ? { id: e.id } : {}) });
        p.adapter
          .derisk?.({ level: e.level })
          .catch((err: unknown) =>
            p.log.error("de-risking stance not applied", { level: e.level, error: String(err) }),
          );
        return;
      case "effect.alertPosted":
        report({
          type: "risk.posted",
          agent: p.name,
          id: e.id,
          posted: e.posted,
          ...(e.hash ? { hash: e.hash } : {}),
        });
        return;
      case "effect.alertSubmitFailed":
        p.log.warn("posting the alert failed", { id: e.id, error: e.error });
        report({ type: "risk.submitFailed", agent: p.name, id: e.id, error: e.error });
        return;
    }
  };
  actor.on("*", onEffect);

  /** Our place in the proposing order: registered agents by address. */
  const rank = () =>
    p.registered
      .list()
      .map((x) => x.address.toLowerCase())
      .sort()
      .indexOf(me.toLowerCase());
  let proposalsWaiting = 0;
  let stopped = false;
  const timers = p.clock ?? { setTimeout: (f: () => void, ms: number) => setTimeout(f, ms) };

  const propose = (level: number) => {
    // Higher levels first: a lower alert held and posted in the same second as a higher one would
    // keep the higher one off the chain (the contract takes only a strictly newer issuedAt).
    const levelsAbove = thresholds.proposePpm.length - level;
    const turn = p.proposeStaggerMs
      ? (levelsAbove * p.registered.list().length + Math.max(0, rank())) * p.proposeStaggerMs
      : 0;
    if (turn === 0) return proposeNow(level);
    const decidedAt = nowSec();
    // A renewal proposes the level in force; a raise is moot once that level holds anyway.
    const renewal = level <= stanceLevel;
    proposalsWaiting++;
    timers.setTimeout(() => {
      proposalsWaiting--;
      if (stopped || (!renewal && stanceLevel >= level)) return;
      const taken = tally
        .proposalsOpen()
        .some((x) => x.alert.level === level && x.alert.issuedAt >= decidedAt);
      if (!taken) proposeNow(level);
    }, turn);
  };

  const proposeNow = (level: number) => {
    const latest = view.latest();
    if (!latest) return;
    const evidence: RiskEvidence = {
      protocolId: p.adapter.protocolId,
      estimate: latest,
      threshold: { proposePpm: thresholds.proposePpm[level - 1]!, holdPpm: thresholds.holdPpm[level - 1]! },
      snapshots: view.evidenceDigests(),
    };
    const issuedAt = nowSec();
    const alert: RiskAlert = {
      level,
      evidenceHash: riskEvidenceHash(evidence),
      issuedAt,
      expiresAt: issuedAt + BigInt(p.alertTtlSec),
    };
    const id = riskProposalId(p.domain, alert);
    const { signature } = signRiskAlert(p.domain, alert, p.signer);
    const body = { alert, evidence, alertSignature: signature };
    tally.propose({ id, alert, proposer: me }, signature);
    mine.set(id, { kind: "risk.proposal", body, seq: 0 });
    void publish("risk.proposal", id, 0, body);
    checkHeld(id);
  };

  /** Our ballot on a proposal from our latest view (recorded in the tally as we cast it). */
  const ballot = (id: Hex, alert: RiskAlert): RiskBodyOf<"risk.vote"> => {
    const estimate = view.latest()!;
    const approve = approvesLevel(estimate, alert.level, thresholds);
    if (!approve) {
      tally.vote(id, me, { approve });
      return { proposalId: id, approve, estimate };
    }
    const { signature } = signRiskAlert(p.domain, alert, p.signer);
    tally.vote(id, me, { approve, signature });
    return { proposalId: id, approve, estimate, alertSignature: signature };
  };

  const vote = (id: Hex, alert: RiskAlert) => {
    if (!view.latest() || mine.has(id)) return;
    const body = ballot(id, alert);
    mine.set(id, { kind: "risk.vote", body, seq: 0 });
    void publish("risk.vote", id, 0, body);
    checkHeld(id);
  };

  const resendOpen = () => {
    const now = nowSec();
    tally.prune(now, p.proposalWindowSec !== undefined ? now - BigInt(p.proposalWindowSec) : undefined);
    for (const [id, m] of mine) {
      if (!tally.has(id)) {
        mine.delete(id);
        // Our proposal expired unheld: the loop may propose again if its view still says so.
        if (m.kind === "risk.proposal" && !heldIds.has(id)) actor.send({ type: "proposal.lapsed" });
        continue;
      }
      if (heldIds.has(id)) continue;
      if (m.kind === "risk.vote") m.body = ballot(id, tally.status(id)!.proposal.alert);
      m.seq++;
      void publish(m.kind, id, m.seq, m.body as RiskBodyOf<typeof m.kind>);
      checkHeld(id);
    }
    // Proposals that arrived before we had a view of our own: vote now.
    for (const proposal of tally.proposalsOpen())
      if (!mine.has(proposal.id)) vote(proposal.id, proposal.alert);
  };

  const checkHeld = (id: Hex) => {
    const s = tally.status(id);
    if (!s?.held || heldIds.has(id)) return;
    // Only a signer takes a turn to post: it holds the quorum's signatures and has a stake in them.
    const turn = s.approvals.findIndex((a) => a.signer.toLowerCase() === me.toLowerCase());
    heldIds.add(id);
    report({
      type: "risk.held",
      agent: p.name,
      id,
      level: s.proposal.alert.level,
      signers: s.approvals.map((a) => a.signer),
    });
    actor.send({
      type: "alert.held",
      id,
      alert: s.proposal.alert,
      signatures: s.approvals,
      ...(p.chain && turn >= 0 ? { submitAfterMs: turn * (p.submitStaggerMs ?? 2_000) } : {}),
    });
  };

  const onMessage = (m: RiskMessage, digest: Hex) => {
    report({ type: "risk.received", agent: p.name, kind: m.kind, from: m.from, sessionId: m.sessionId });
    switch (m.kind) {
      case "risk.snapshot": {
        const refused = view.onSnapshot(m, digest);
        if (refused) {
          p.log.warn("risk snapshot's book refused", { from: m.from, reason: refused });
          report({ type: "risk.refused", agent: p.name, code: "BookOwner", reason: refused });
        }
        return;
      }
      case "risk.proposal": {
        const id = m.sessionId;
        if (m.body.alert.expiresAt <= nowSec()) return;
        if (
          p.proposalWindowSec !== undefined &&
          m.body.alert.issuedAt + BigInt(p.proposalWindowSec) <= nowSec()
        )
          return;
        tally.propose({ id, alert: m.body.alert, proposer: m.from }, m.body.alertSignature);
        vote(id, m.body.alert);
        checkHeld(id);
        return;
      }
      case "risk.vote": {
        const b = m.body;
        tally.vote(
          b.proposalId,
          m.from,
          b.alertSignature ? { approve: b.approve, signature: b.alertSignature } : { approve: b.approve },
        );
        checkHeld(b.proposalId);
        return;
      }
    }
  };

  const sub = p.transport.subscribe(riskWildcard(p.domain.chainId), (data) => {
    try {
      const { message, digest } = decodeRiskMessage(data, {
        domain: p.domain,
        me,
        peers: p.registered,
        now: nowMs(),
        replay,
      });
      onMessage(message, digest);
    } catch (err) {
      if (err instanceof WireError) {
        if (err.code === "OwnMessage") return;
        p.log.warn("risk message refused", { code: err.code, reason: err.shortMessage });
        report({ type: "risk.refused", agent: p.name, code: err.code, reason: err.shortMessage });
        return;
      }
      throw err;
    }
  });

  actor.start();
  return {
    actor,
    poke: () => actor.send({ type: "risk.poke" }),
    onActivity: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get stanceLevel() {
      return stanceLevel;
    },
    get proposalsWaiting() {
      return proposalsWaiting;
    },
    stop: () => {
      stopped = true;
      sub.unsubscribe();
      actor.stop();
    },
  };
}
