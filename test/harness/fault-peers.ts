/**
 * Peers that misbehave, for fault tests. A hostile peer validates what it receives like any
 * endpoint (createEndpoint), but sends by hand (encodeMessage + a raw publish), so it can choose
 * its seq numbers and nonces, resend exact bytes, go silent, answer late, or accept terms nobody
 * offered. Also a ledger "chain" (the in-process copy of the contract) for tests that are about
 * the protocol, not the contract, and agents wired for these tests.
 */

import { type Address, type Hex, keccak256, toHex } from "viem";
import { type Agent, createAgent } from "../../agents/agent.ts";
import type { AgentPolicy } from "../../agents/agent-policy.ts";
import type { SettlementPort } from "../../agents/settlement-port.ts";
import { type Agreement, type ArbiterDomain, buildAgreement, signAgreement } from "../../core/agreement.ts";
import type { NonceAllocator } from "../../core/agreement-nonce.ts";
import { packNonce } from "../../core/agreement-nonce.ts";
import type { Logger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import { createEndpoint, type Endpoint } from "../../negotiation/endpoint.ts";
import type { PeerRegistry } from "../../negotiation/peers.ts";
import type { AuctionOptions } from "../../negotiation/protocols/rfq-auction-host.ts";
import type { SessionOptions } from "../../negotiation/protocols/session-host.ts";
import type { TimerClock } from "../../negotiation/timer-clock.ts";
import type { Transport } from "../../negotiation/transport/transport.ts";
import { encodeMessage } from "../../negotiation/wire/encode-message.ts";
import type { BodyOf, Message, RfqBody, SessionKind, Terms } from "../../negotiation/wire/schemas.ts";
import { inboxSubject, rfqSubject } from "../../negotiation/wire/subjects.ts";
import type { ProtocolAdapter } from "../../protocol-adapters/protocol-adapter.ts";
import { foundationPolicy, foundationProtocols } from "../../sims/foundation-scenario.ts";
import { createLedger } from "../../sims/ledger/ledger.ts";
import { createLedgerSettlementPort } from "../../sims/ledger/ledger-settlement-port.ts";
import { createMemoryBank } from "../../sims/ledger/memory-bank.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type HostilePeer = {
  readonly address: Address;
  readonly signer: Signer;
  /** Every valid message it received, in order. */
  readonly received: Message[];
  /** Resolves with the next received message (from now on) that matches. */
  next(match: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
  /** Signs and sends a message to `to`'s inbox. `seq` defaults to this peer's next number in the
   *  session; `nonce` to a fresh one. Returns the bytes, so they can be sent again verbatim. */
  send<K extends SessionKind | "rfq">(
    to: Address | "broadcast",
    sessionId: Hex,
    kind: K,
    body: BodyOf<K>,
    opts?: { seq?: number; nonce?: Hex },
  ): Promise<Uint8Array>;
  /** Publishes bytes as they are to `to`'s inbox. */
  resend(to: Address, bytes: Uint8Array): Promise<void>;
  /** An agreement for `terms` in `sessionId`, signed by this peer in `role`. */
  signAgreementFor(p: {
    sessionId: Hex;
    terms: Terms;
    counterparty: Address;
    role: "lender" | "borrower";
    principalToken: Address;
    deadlineSec?: bigint;
    /** Fields set (or changed) on top of the agreement of `terms`, before it is signed. */
    override?: Partial<Agreement>;
  }): { agreement: Agreement; signature: Hex };
  /** Waits until its subscriptions reached the transport. */
  flush(): Promise<void>;
  close(): Promise<void>;
};

export type CreateHostilePeerParameters = {
  transport: Transport;
  signer: Signer;
  domain: ArbiterDomain;
  peers: PeerRegistry;
  log?: Logger;
};

export function createHostilePeer(p: CreateHostilePeerParameters): HostilePeer {
  const { transport, signer, domain } = p;
  const endpoint: Endpoint = createEndpoint({
    transport,
    signer,
    domain,
    peers: p.peers,
    rfqTokens: "all",
    ...(p.log ? { log: p.log } : {}),
  });
  const received: Message[] = [];
  const waiters = new Set<(m: Message) => void>();
  const deliver = (m: Message) => {
    received.push(m);
    for (const w of [...waiters]) w(m);
  };
  endpoint.onRfq(deliver);
  endpoint.onMessage(deliver);
  const seqs = new Map<string, number>();

  return {
    address: signer.address,
    signer,
    received,
    next(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`hostile peer: timed out after ${timeoutMs} ms waiting for a message`));
        }, timeoutMs);
        const w = (m: Message) => {
          if (!match(m)) return;
          clearTimeout(timer);
          waiters.delete(w);
          resolve(m);
        };
        waiters.add(w);
      });
    },
    async send(to, sessionId, kind, body, opts = {}) {
      const key = sessionId.toLowerCase();
      const seq = opts.seq ?? seqs.get(key) ?? 0;
      seqs.set(key, Math.max(seqs.get(key) ?? 0, seq + 1));
      const { bytes } = encodeMessage({
        domain,
        signer,
        kind,
        sessionId,
        seq,
        ...(to === "broadcast" ? {} : { to }),
        expiry: Date.now() + 30_000,
        ...(opts.nonce ? { nonce: opts.nonce } : {}),
        body,
      });
      const subject =
        to === "broadcast" ? rfqSubject(domain.chainId, (body as RfqBody).principalToken) : inboxSubject(to);
      await transport.publish(subject, bytes);
      return bytes;
    },
    async resend(to, bytes) {
      await transport.publish(inboxSubject(to), bytes);
    },
    signAgreementFor(a) {
      const agreement: Agreement = {
        ...buildAgreement({
          session: {
            sessionId: a.sessionId,
            lender: a.role === "lender" ? signer.address : a.counterparty,
            borrower: a.role === "borrower" ? signer.address : a.counterparty,
            principalToken: a.principalToken,
          },
          terms: a.terms,
          // The accepter's own nonce in its half only (core/agreement-nonce.ts), as our agents expect.
          nonce: packNonce({ [a.role]: BigInt(keccak256(toHex(`${Math.random()}`))) >> 128n }),
          deadline: a.deadlineSec ?? BigInt(Math.floor(Date.now() / 1000) + 300),
        }),
        ...a.override,
      };
      return { agreement, signature: signAgreement(domain, agreement, signer) };
    },
    flush: () => endpoint.flush(),
    async close() {
      await endpoint.close();
    },
  };
}

/** A chain for tests that are about the protocol, not the contract: the in-process ledger
 *  (sims/ledger: the contract's settle/repay rules, kept equal to it by a differential test) over
 *  a memory bank where `parties` (and any `fund`ed later) hold plenty of both tokens. `portFor(agent)` is that agent's
 *  SettlementPort (the agent as caller); `settlements` lists the ids settled, in order. */
export function createLedgerChain(
  domain: ArbiterDomain,
  tokens: { usdc: Address; weth: Address },
  parties: readonly Address[],
) {
  const bank = createMemoryBank();
  const fund = (party: Address) => {
    bank.mint(tokens.usdc, party, 10n ** 30n);
    bank.mint(tokens.weth, party, 10n ** 30n);
  };
  for (const party of parties) fund(party);
  const ledger = createLedger({
    address: domain.verifyingContract,
    bank,
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    domain,
  });
  const settlements: Hex[] = [];
  ledger.onEvent((e) => {
    if (e.type === "Settled") settlements.push(e.id);
  });
  const portFor = (agent: Address): SettlementPort => createLedgerSettlementPort({ ledger, caller: agent });
  return { portFor, fund, settlements, ledger };
}

export type CreateTestAgentParameters = {
  role: "lender" | "borrower";
  name: string;
  signer: Signer;
  domain: ArbiterDomain;
  transport: Transport;
  peers: PeerRegistry;
  settlement: SettlementPort;
  tokens: { usdc: Address; weth: Address };
  /** Instead of the role's foundation protocol (A's lending market or B's perp exchange). */
  adapter?: ProtocolAdapter;
  /** Instead of the foundation policy. */
  policy?: AgentPolicy;
  session?: Partial<SessionOptions>;
  auction?: Partial<AuctionOptions>;
  pollMs?: number;
  /** The clock of the agent's timers and its endpoint's timestamps (SimulatedClock in tests that
   *  drive it). Default: the wall clock. */
  clock?: TimerClock;
  newSessionId?: () => Hex;
  /** Envelope nonces (endpoint) and agreement nonces, for seeded runs. Default: random / wall clock. */
  newNonce?: () => Hex;
  nonces?: NonceAllocator;
  log?: Logger;
};

/** A foundation-scenario agent (A's lending market or B's perp exchange) on `transport`. Its
 *  endpoint is returned too, for its stats. */
export async function createTestAgent(
  p: CreateTestAgentParameters,
): Promise<{ agent: Agent; endpoint: Endpoint }> {
  const { usdc, weth } = p.tokens;
  const { lendingMarket, perp } = foundationProtocols({ usdc, weth });
  const endpoint = createEndpoint({
    transport: p.transport,
    signer: p.signer,
    domain: p.domain,
    peers: p.peers,
    ...(p.clock ? { clock: p.clock } : {}),
    ...(p.newNonce ? { newNonce: p.newNonce } : {}),
    ...(p.log ? { log: p.log } : {}),
  });
  const agent = createAgent({
    name: p.name,
    signer: p.signer,
    domain: p.domain,
    endpoint,
    adapter: p.adapter ?? (p.role === "lender" ? lendingMarket : perp),
    settlement: p.settlement,
    policy: p.policy ?? foundationPolicy({ usdc, weth }),
    pollMs: p.pollMs ?? 60_000,
    ...(p.session ? { session: p.session } : {}),
    ...(p.auction ? { auction: p.auction } : {}),
    ...(p.clock ? { clock: p.clock } : {}),
    ...(p.newSessionId ? { newSessionId: p.newSessionId } : {}),
    ...(p.nonces ? { nonces: p.nonces } : {}),
    ...(p.log ? { log: p.log } : {}),
  });
  await endpoint.flush();
  return { agent, endpoint };
}

/** Waits until nothing more happens on `agent` for `quietMs` (its reaction to a message). */
export async function quiet(agent: Agent, quietMs = 100): Promise<void> {
  let last = Date.now();
  const off = agent.onActivity(() => {
    last = Date.now();
  });
  try {
    while (Date.now() - last < quietMs) await sleep(20);
  } finally {
    off();
  }
}
