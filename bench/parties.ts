/**
 * Lenders and borrowers built from the real components only: an Endpoint on a Transport and a
 * SessionHost running the alternating-offers machine. The borrower broadcasts an RFQ with
 * `endpoint.sendRfq`; a lender opens a lender session on receipt (which sends its opening offer);
 * the borrower opens its session on that first offer. A negotiation is concluded when both sides'
 * sessions have finished; `Tracker` records when and how.
 *
 * This is what agents/agent.ts does minus its lifecycle machine, adapter polling, RFQ window and
 * on-chain settlement, which are not what the performance target is about.
 */
import type { Address, Hex } from "viem";
import { createLogger, type Logger } from "../core/log.ts";
import type { Signer } from "../core/signer.ts";
import { createEndpoint, type Endpoint } from "../negotiation/endpoint.ts";
import type { PeerRegistry } from "../negotiation/peers.ts";
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import { createSessionHost, type SessionHost } from "../negotiation/protocols/session-host.ts";
import type { Side } from "../negotiation/strategies/strategy.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import type { RfqBody } from "../negotiation/wire/schemas.ts";
import {
  benchDomain,
  benchSessionOptions,
  borrowerStrategy,
  lenderStrategy,
  nextSessionId,
} from "./fixtures.ts";

export type Concluded = {
  sessionId: Hex;
  startedAt: number;
  finishedAt: number;
  /** Both sides agreed. */
  agreed: boolean;
  /** One-way messages of this negotiation, both directions, RFQ included. */
  messages: number;
  /** Offers made, lender + borrower. */
  offers: number;
  lender: SessionOutcome;
  borrower: SessionOutcome;
};

type Pending = {
  startedAt: number;
  messages: number;
  lender?: SessionOutcome;
  borrower?: SessionOutcome;
  resolve: (c: Concluded) => void;
};

/** Follows negotiations from sendRfq until both sessions finished. */
export class Tracker {
  private readonly pending = new Map<string, Pending>();

  start(sessionId: Hex): Promise<Concluded> {
    return new Promise((resolve) => {
      this.pending.set(sessionId.toLowerCase(), { startedAt: performance.now(), messages: 1, resolve });
    });
  }

  sent(sessionId: Hex): void {
    const p = this.pending.get(sessionId.toLowerCase());
    if (p) p.messages++;
  }

  finished(side: Side, sessionId: Hex, outcome: SessionOutcome): void {
    const key = sessionId.toLowerCase();
    const p = this.pending.get(key);
    if (!p) return;
    p[side] = outcome;
    if (!p.lender || !p.borrower) return;
    this.pending.delete(key);
    p.resolve({
      sessionId,
      startedAt: p.startedAt,
      finishedAt: performance.now(),
      agreed: p.lender.status === "agreed" && p.borrower.status === "agreed",
      messages: p.messages,
      offers: p.lender.rounds + p.borrower.rounds,
      lender: p.lender,
      borrower: p.borrower,
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }
}

export type Party = {
  address: Address;
  endpoint: Endpoint;
  host: SessionHost;
  close(): Promise<void>;
};

export type CreatePartyParameters = {
  transport: Transport;
  signer: Signer;
  peers: PeerRegistry;
  tracker: Tracker;
  log?: Logger;
};

const quietLog = () => createLogger({ level: "error" });

function party(p: CreatePartyParameters, side: Side): Party {
  const log = p.log ?? quietLog();
  const endpoint = createEndpoint({
    transport: p.transport,
    signer: p.signer,
    domain: benchDomain,
    peers: p.peers,
    log,
    // Two parties negotiating back to back as fast as they can exceed any sensible per-peer
    // limit; the bench measures the protocol, and a throttled message would stall the run.
    rateLimit: false,
  });
  const host = createSessionHost({
    endpoint,
    signer: p.signer,
    domain: benchDomain,
    options: benchSessionOptions,
    nowSec: () => BigInt(Math.floor(Date.now() / 1000)),
    log,
    onSent: (_to, sessionId) => p.tracker.sent(sessionId),
    onFinished: (f) => p.tracker.finished(side, f.sessionId, f.outcome),
  });
  return {
    address: p.signer.address,
    endpoint,
    host,
    async close() {
      host.stop();
      await endpoint.close();
    },
  };
}

/** A lender that answers every RFQ for `tokens` with a lender session. */
export function createLender(p: CreatePartyParameters & { tokens: readonly Address[] }): Party {
  const lender = party(p, "lender");
  lender.endpoint.onRfq((msg) => {
    lender.host.open({
      side: "lender",
      sessionId: msg.sessionId,
      peer: msg.from,
      rfq: msg.body,
      strategy: lenderStrategy,
    });
  });
  lender.endpoint.onMessage((msg) => {
    lender.host.route(msg);
  });
  lender.endpoint.listenRfqs(p.tokens);
  return lender;
}

export type Borrower = Party & {
  /** Broadcasts an RFQ in a new session; resolves when both sides finished. */
  negotiate(rfq: RfqBody): Promise<Concluded>;
};

/** A borrower that negotiates with the first lender that offers on each of its RFQs. */
export function createBorrower(p: CreatePartyParameters): Borrower {
  const borrower = party(p, "borrower");
  const rfqs = new Map<string, RfqBody>();
  borrower.endpoint.onMessage((msg) => {
    if (borrower.host.route(msg)) return;
    const key = msg.sessionId.toLowerCase();
    const rfq = rfqs.get(key);
    if (msg.kind !== "offer" || !rfq) return;
    rfqs.delete(key);
    borrower.host.open({
      side: "borrower",
      sessionId: msg.sessionId,
      peer: msg.from,
      rfq,
      strategy: borrowerStrategy,
      openingOffer: msg.body.terms,
    });
  });
  return {
    ...borrower,
    negotiate(rfq) {
      const sessionId = nextSessionId();
      rfqs.set(sessionId.toLowerCase(), rfq);
      const done = p.tracker.start(sessionId);
      borrower.endpoint.sendRfq(sessionId, rfq).catch((err: unknown) => {
        process.stderr.write(`bench: sendRfq failed: ${String(err)}\n`);
      });
      return done;
    },
  };
}
