/**
 * The agent's public types: what createAgent takes (agent.ts), what it reports (Activity) and the
 * handle it returns. Apart from the wiring so each unit that reports can name them.
 */

import type { Address, Hex } from "viem";
import type { Actor } from "xstate";
import type { ArbiterDomain } from "../core/agreement.ts";
import type { NonceAllocator } from "../core/agreement-nonce.ts";
import type { Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import type { AgreementStore } from "../negotiation/durable/agreement-store.ts";
import type { AuctionStore } from "../negotiation/durable/auction-store.ts";
import type { SessionStore } from "../negotiation/durable/session-store.ts";
import type { Endpoint } from "../negotiation/endpoint.ts";
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import type { AuctionOptions } from "../negotiation/protocols/rfq-auction-host.ts";
import type { SealedBidLenderOptions, SealedBidOptions } from "../negotiation/protocols/sealed-bid-host.ts";
import type { SessionOptions } from "../negotiation/protocols/session-host.ts";
import type { Side } from "../negotiation/strategies/strategy.ts";
import type { TimerClock } from "../negotiation/timer-clock.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import type { agentMachine } from "./agent-machine.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import type { CreateRiskAgentParameters, RiskActivity, RiskAgent } from "./risk/risk-agent.ts";
import type { SettlementPort } from "./settlement-port.ts";

export type CreateAgentParameters = {
  name: string;
  signer: Signer;
  domain: ArbiterDomain;
  endpoint: Endpoint;
  adapter: ProtocolAdapter;
  settlement: SettlementPort;
  policy: AgentPolicy;
  pollMs?: number;
  /** Bilateral session limits (lender side, and resumed sessions). */
  session?: Partial<SessionOptions>;
  /** RFQ auction limits (borrower side): admission window, rounds, deadline, lenders. */
  auction?: Partial<AuctionOptions>;
  /** How this agent borrows: an open RFQ auction (default) or sealed bids. */
  auctionMode?: "open" | "sealed";
  /** Sealed-bid limits, as borrower (commit and reveal windows) and as lender (reveal delay). */
  sealedBid?: Partial<SealedBidOptions & SealedBidLenderOptions>;
  /** Unix seconds on the settlement chain. Defaults to `clock`'s seconds. */
  nowSec?: () => bigint;
  /** The clock every timer and timestamp of the agent runs on: its machines' xstate delays, its
   *  negotiations' deadlines, retries, the risk loop (unless `risk.clock` is given). The
   *  simulator passes a SimulatedClock to drive the agent step by step. Default: the wall clock. */
  clock?: TimerClock;
  /** New session ids (32 bytes). Default: random. The simulator passes a seeded source so a
   *  study's transcript repeats byte for byte. */
  newSessionId?: () => Hex;
  /** Our agreement nonces. Default: this process's allocator for our address (seeded from the
   *  wall clock); the simulator passes one per run. */
  nonces?: NonceAllocator;
  /** Durable state (JetStream KV, see negotiation/durable): with it, signed agreements are
   *  claimed before settlement and open sessions are journaled, and `resume()` picks them up
   *  after a restart. Without it, state lives and dies with the process (simulations). */
  durable?: {
    sessions: SessionStore;
    agreements: AgreementStore;
    /** Running RFQ auctions (borrower side), journaled as they move and resumed by `resume()`.
     *  A durable agent starts borrowing only once `resume()` has run (a restarted borrower must
     *  not open a new auction beside the one it resumes): call it right after createAgent. */
    auctions: AuctionStore;
    /** Unique per process, e.g. `${address}:${randomUUID()}`. */
    owner: string;
  };
  /** As lender, call loans whose callRiskLevel the on-chain risk level reaches. Default false. */
  callLoans?: boolean;
  /** The risk loop (agents/risk): signed snapshots, alert proposals and votes on the risk
   *  subjects, de-risking through the adapter's stance. Off when absent. */
  risk?: AgentRiskParameters;
  log?: Logger;
};

export type AgentRiskParameters = Omit<
  CreateRiskAgentParameters,
  "name" | "signer" | "domain" | "adapter" | "log"
>;

export type Activity =
  | { type: "sent"; agent: string; to: Address | "broadcast"; kind: string; sessionId: Hex; body: unknown }
  | { type: "received"; agent: string; from: Address; kind: string; sessionId: Hex; body: unknown }
  | { type: "session"; agent: string; side: Side; sessionId: Hex; peer: Address; outcome: SessionOutcome }
  | { type: "report"; agent: string; what: string; data: Record<string, unknown> }
  | { type: "risk"; agent: string; event: RiskActivity };

export interface Agent {
  readonly name: string;
  readonly address: Address;
  readonly actor: Actor<typeof agentMachine>;
  /** The risk loop, when created with `risk`. */
  readonly risk: RiskAgent | undefined;
  /** Looks at the protocol now instead of at the next poll. */
  poke(): void;
  onActivity(listener: (a: Activity) => void): () => void;
  /** After a restart: resumes settling or watching stored agreements and reopens journaled
   *  sessions and auctions (auctions past their deadline are ended; one whose RFQ may not have
   *  left starts again in its session, sending that RFQ again). Call once, right after
   *  createAgent. A no-op without `durable`. */
  resume(): Promise<{ loans: number; sessions: number; auctions: number }>;
  stop(): Promise<void>;
}
