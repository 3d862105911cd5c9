/**
 * The RiskFeed of the risk loop (issue 13): subscribes to the risk subjects of one chain and turns
 * each valid message into the dashboard's views. Every message is validated exactly as an agent
 * validates it (negotiation/risk/risk-codec.ts: schema, registered sender, expiry, signatures,
 * consistency, replay), so the panels show only what the agents themselves would count; a refused
 * message maps to nothing.
 */
import { zeroAddress } from "viem";
import type { ArbiterDomain } from "../core/agreement.ts";
import type { PeerRegistry } from "../negotiation/peers.ts";
import { decodeRiskMessage } from "../negotiation/risk/risk-codec.ts";
import type { ContagionEstimate } from "../negotiation/risk/risk-schemas.ts";
import { riskWildcard } from "../negotiation/risk/risk-subjects.ts";
import { createReplayCache } from "../negotiation/wire/replay-cache.ts";
import type { RiskFeed, RiskInput } from "./risk-feed.ts";

export type CreateRiskLoopFeedParameters = {
  domain: ArbiterDomain;
  /** The registered agents, whose messages count. */
  peers: PeerRegistry;
  /** Unix ms (default: wall clock). */
  now?: () => number;
};

/** ppm to a probability: the display boundary. */
const view = (e: ContagionEstimate) => ({
  horizonHours: e.horizonHours,
  probability: e.probabilityPpm / 1e6,
  low: e.lowPpm / 1e6,
  high: e.highPpm / 1e6,
});

export function createRiskLoopFeed(p: CreateRiskLoopFeedParameters): RiskFeed {
  const now = p.now ?? Date.now;
  const replay = createReplayCache({ maxEntries: 100_000 });
  return {
    subjects: [riskWildcard(p.domain.chainId)],
    decode(_subject, data): RiskInput[] {
      let m: ReturnType<typeof decodeRiskMessage>["message"];
      try {
        // The dashboard is no agent: nothing is its own echo.
        m = decodeRiskMessage(data, {
          domain: p.domain,
          me: zeroAddress,
          peers: p.peers,
          now: now(),
          replay,
        }).message;
      } catch {
        return [];
      }
      switch (m.kind) {
        case "risk.snapshot":
          return [
            {
              type: "risk.snapshot",
              agent: m.from,
              protocolId: m.body.protocolId,
              at: m.body.at,
              contagion: m.body.contagion.map(view),
            },
          ];
        case "risk.proposal":
          return [
            {
              type: "risk.proposal",
              proposalId: m.sessionId,
              proposer: m.from,
              level: m.body.alert.level,
              at: now(),
              expiresAt: Number(m.body.alert.expiresAt) * 1000,
            },
          ];
        case "risk.vote":
          return [
            {
              type: "risk.vote",
              proposalId: m.body.proposalId,
              voter: m.from,
              approve: m.body.approve,
              at: now(),
            },
          ];
      }
    },
  };
}
