/**
 * What the units createAgent wires together share: its parameters, clock, log, the activity
 * reporter, the machine's inbox and the durable records and journals (absent in simulations).
 */
import { type Address, type Hex, zeroAddress } from "viem";
import type { Logger } from "../core/log.ts";
import type { TimerClock } from "../negotiation/timer-clock.ts";
import type { AgentEvent } from "./agent-machine.ts";
import type { Activity, CreateAgentParameters } from "./agent-types.ts";
import type { AgreementRecords } from "./agreement-records.ts";
import type { AuctionJournal } from "./auction-journal.ts";
import type { SessionJournal } from "./session-journal.ts";

export type AgentWiring = {
  p: CreateAgentParameters;
  log: Logger;
  clock: TimerClock | undefined;
  nowSec: () => bigint;
  report: (a: Activity) => void;
  /** The lifecycle machine's events. */
  send: (e: AgentEvent) => void;
  records: AgreementRecords;
  journal: SessionJournal | undefined;
  auctionJournal: AuctionJournal | undefined;
};

/** The options every negotiation host of the agent takes alike. */
export const hostBase = (w: AgentWiring) => ({
  endpoint: w.p.endpoint,
  signer: w.p.signer,
  domain: w.p.domain,
  nowSec: w.nowSec,
  ...(w.clock ? { clock: w.clock } : {}),
  ...(w.p.nonces ? { nonces: w.p.nonces } : {}),
  log: w.log,
});

/** Reports a message an auction host sent (an RFQ is sent to the zero address: a broadcast). */
export const reportAuctionSent =
  (name: string, report: (a: Activity) => void) =>
  (to: Address, sessionId: Hex, m: { kind: string; body: unknown }) =>
    report({
      type: "sent",
      agent: name,
      to: to === zeroAddress ? "broadcast" : to,
      kind: m.kind,
      sessionId,
      body: m.body,
    });
