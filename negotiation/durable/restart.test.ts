/**
 * Restarts on a private nats-server with a file store: the server restarting keeps every store,
 * and a restarted agent "process" (new connection, new store objects) resumes its seq numbers,
 * refuses replays of what it accepted before, and finds its sessions and pending agreements.
 */
import { randomBytes } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Address, getAddress, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashAgreement, signAgreement } from "../../core/agreement.ts";
import { createLogger } from "../../core/log.ts";
import type { Signer } from "../../core/signer.ts";
import { type NatsServer, startNatsServer } from "../../test/harness/nats.ts";
import { until } from "../../test/harness/until.ts";
import { createEndpoint, createMemorySequencer, type Endpoint, type Sequencer } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import { createNatsTransport, type NatsTransport } from "../transport/index.ts";
import type { ReplayError, WireError } from "../wire/errors.ts";
import { newSigner, sampleAgreement, sampleTerms, sessionIdOf, testDomain } from "../wire/fixtures.ts";
import type { SessionMessage } from "../wire/schemas.ts";
import { createKvScope, randomBytes32 } from "./fixtures.ts";
import { type DurableState, openDurableState } from "./open-durable-state.ts";

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer({ jetstream: true });
});
afterAll(async () => {
  await server?.stop();
});

/** Waits until the client has reconnected after a server restart. Until it notices the old socket
 *  is gone, requests go into it and time out (5 s), so tests wait for a round trip first. */
async function reconnected(nc: NatsConnection, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await nc.flush();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const lenderSigner = newSigner();
const borrowerSigner = newSigner();
const peers = createPeerRegistry([
  { address: lenderSigner.address, name: "lender", protocol: "lending" },
  { address: borrowerSigner.address, name: "borrower", protocol: "amm" },
]);
const quiet = createLogger({ level: "silent" });

type Proc = {
  transport: NatsTransport;
  state: DurableState | undefined;
  endpoint: Endpoint;
  messages: SessionMessage[];
  rejected: WireError[];
  stop(): Promise<void>;
};

/** Starts an agent "process": its own connection, durable state (unless `memory`) and endpoint. */
async function startProcess(signer: Signer, opts: { memory?: boolean; prefix: string }): Promise<Proc> {
  const transport = await createNatsTransport({
    servers: server.url,
    name: `proc-${signer.address.slice(2, 8)}`,
    log: quiet,
    // The transport's backoff grows per call of nats.js's delay handler, which is called on every
    // wait loop too, so it reaches its cap at once; keep the cap short for the restart test.
    maxReconnectDelayMs: 250,
  });
  const state = opts.memory
    ? undefined
    : await openDurableState({
        connection: transport.connection,
        agent: signer.address,
        prefix: opts.prefix,
      });
  const sequencer: Sequencer = state?.sequencer ?? createMemorySequencer();
  const endpoint = createEndpoint({
    transport,
    signer,
    domain: testDomain,
    peers,
    log: quiet,
    sequencer,
    ...(state ? { replayCache: state.replayCache } : {}),
  });
  const proc: Proc = {
    transport,
    state,
    endpoint,
    messages: [],
    rejected: [],
    async stop() {
      await endpoint.close();
      await transport.close();
    },
  };
  endpoint.onMessage((m) => void proc.messages.push(m));
  endpoint.onRejected((e) => void proc.rejected.push(e));
  await endpoint.flush();
  return proc;
}

const offer = (from: Proc, to: Address, sessionId: Hex, rateBps: number) =>
  from.endpoint.send(to, sessionId, "offer", { terms: { ...sampleTerms, rateBps } });

describe("durable state across restarts", () => {
  it("survives a nats-server restart (file store) and a restarted process resumes from it", async () => {
    const prefix = `t${randomBytes(4).toString("hex")}`;
    const scope = createKvScope(() => server.url);
    const nc = await scope.connect();
    const agent = getAddress(`0x${randomBytes(20).toString("hex")}`);
    const s1 = await openDurableState({ connection: nc, agent, prefix, seqBlockSize: 4 });
    const sessionId = randomBytes32();
    const seqs = [await s1.sequencer.next(sessionId), await s1.sequencer.next(sessionId)];
    const agreement = sampleAgreement({
      sessionId,
      lender: lenderSigner.address,
      borrower: borrowerSigner.address,
    });
    const agreementId = hashAgreement(testDomain, agreement);
    await s1.agreements.put(agreementId, {
      role: "borrower",
      agreement,
      lenderSignature: signAgreement(testDomain, agreement, lenderSigner),
      borrowerSignature: signAgreement(testDomain, agreement, borrowerSigner),
    });
    await s1.sessions.put({
      sessionId,
      role: "borrower",
      peer: lenderSigner.address,
      principalToken: agreement.principalToken,
      round: 2,
      lastOfferReceived: sampleTerms,
    });
    const now = Date.now();
    const m = { from: lenderSigner.address, sessionId, seq: 5, nonce: randomBytes32(), expiry: now + 60_000 };
    s1.replayCache.check(m, now);
    s1.replayCache.record(m, now);
    await s1.replayCache.commit(m, now);

    await server.restart();

    // The old connection reconnects and sees everything.
    await reconnected(nc);
    expect((await s1.agreements.get(agreementId))?.status).toBe("pending");
    // A restarted process: new connection, new store objects.
    await nc.close();
    const s2 = await openDurableState({ connection: await scope.connect(), agent, prefix, seqBlockSize: 4 });
    expect(await s2.sequencer.next(sessionId)).toBeGreaterThan(Math.max(...seqs));
    expect(() => s2.replayCache.check({ ...m, nonce: randomBytes32() }, Date.now())).toThrow(/not above/);
    expect(() => s2.replayCache.check(m, Date.now())).toThrow(/nonce was already seen/);
    expect((await s2.agreements.pending()).map((r) => r.agreementId)).toEqual([agreementId]);
    expect(await s2.sessions.list()).toMatchObject([{ sessionId, round: 2, lastOfferReceived: sampleTerms }]);
    expect((await s2.agreements.claimForSettlement(agreementId, "restarted")).claimed).toBe(true);
    await scope.cleanup();
  });

  it("a restarted agent continues its seq numbers and refuses replays of what it accepted before", async () => {
    const prefix = `t${randomBytes(4).toString("hex")}`;
    const procs: Proc[] = [];
    const start = async (signer: Signer, memory = false) => {
      const p = await startProcess(signer, { prefix, memory });
      procs.push(p);
      return p;
    };
    try {
      let lender = await start(lenderSigner);
      let borrower = await start(borrowerSigner);
      const sessionId = sessionIdOf("restart");
      const sent = [
        await offer(lender, borrowerSigner.address, sessionId, 600),
        await offer(lender, borrowerSigner.address, sessionId, 610),
      ];
      await until(() => borrower.messages.length === 2, "two offers");
      expect(borrower.messages.map((m) => m.seq)).toEqual([0, 1]);

      // The borrower crashes and restarts. An attacker replays both offers it accepted.
      await borrower.stop();
      borrower = await start(borrowerSigner);
      const attacker = await createNatsTransport({ servers: server.url, name: "attacker", log: quiet });
      for (const s of sent) attacker.publish(borrower.endpoint.inbox, s.bytes);
      await attacker.close();
      await until(() => borrower.rejected.length === 2, "both replays refused");
      expect(borrower.rejected.map((e) => [e.code, (e as ReplayError).reason])).toEqual([
        ["Replay", "stale-seq"],
        ["Replay", "duplicate-nonce"],
      ]);
      expect(borrower.messages).toEqual([]);

      // The lender crashes and restarts: its next offer in the session gets a higher seq.
      await lender.stop();
      lender = await start(lenderSigner);
      const third = await offer(lender, borrowerSigner.address, sessionId, 620);
      expect(third.message.seq).toBeGreaterThan(1);
      await until(() => borrower.messages.length === 1, "offer after the lender's restart");
      expect(borrower.messages[0]).toEqual(third.message);

      // Without durable seq numbers the restarted lender would start again at 0: refused.
      await lender.stop();
      const forgetful = await start(lenderSigner, true);
      await offer(forgetful, borrowerSigner.address, sessionId, 630);
      await until(() => borrower.rejected.length === 3, "stale seq refused");
      expect((borrower.rejected[2] as ReplayError).reason).toBe("stale-seq");
    } finally {
      for (const p of procs) await p.stop();
    }
  });

  it("when the old and the restarted process both receive a message, exactly one accepts it", async () => {
    const prefix = `t${randomBytes(4).toString("hex")}`;
    const procs = [
      await startProcess(lenderSigner, { prefix }),
      await startProcess(borrowerSigner, { prefix }),
      await startProcess(borrowerSigner, { prefix }),
    ];
    const [lender, oldBorrower, newBorrower] = procs as [Proc, Proc, Proc];
    try {
      const sessionId = sessionIdOf("twins");
      for (let i = 0; i < 10; i++) await offer(lender, borrowerSigner.address, sessionId, 600 + i);
      await until(
        () => oldBorrower.endpoint.stats().received === 10 && newBorrower.endpoint.stats().received === 10,
        "deliveries",
      );
      await until(
        () =>
          oldBorrower.messages.length + oldBorrower.rejected.length === 10 &&
          newBorrower.messages.length + newBorrower.rejected.length === 10,
        "verdicts",
      );
      const accepted = [...oldBorrower.messages, ...newBorrower.messages]
        .map((m) => m.seq)
        .sort((a, b) => a - b);
      expect(accepted).toEqual([...new Set(accepted)]); // never accepted twice
      expect([...oldBorrower.rejected, ...newBorrower.rejected].every((e) => e.code === "Replay")).toBe(true);
      // Every message is accepted by at most one of them (a loser may also refuse, as stale, a
      // later message its twin committed first), and the two together accept some.
      expect(accepted.length).toBeGreaterThan(0);
    } finally {
      for (const p of procs) await p.stop();
    }
  });

  it("keeps negotiating across a nats-server restart mid-session", async () => {
    const prefix = `t${randomBytes(4).toString("hex")}`;
    const lender = await startProcess(lenderSigner, { prefix });
    const borrower = await startProcess(borrowerSigner, { prefix });
    try {
      const sessionId = sessionIdOf("mid");
      await offer(lender, borrowerSigner.address, sessionId, 600);
      await until(() => borrower.messages.length === 1, "first offer");
      await server.restart();
      await Promise.all([
        reconnected(lender.transport.connection),
        reconnected(borrower.transport.connection),
      ]);
      for (let i = 1; i <= 20; i++) await offer(lender, borrowerSigner.address, sessionId, 600 + i);
      await until(() => borrower.messages.length === 21, "offers after the server restart");
      expect(borrower.messages.map((m) => m.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      expect(borrower.rejected).toEqual([]);
      // The replay memory written before the restart is still there.
      const loaded = await openDurableState({
        connection: borrower.transport.connection,
        agent: borrowerSigner.address,
        prefix,
      });
      expect(loaded.replayCache.size).toBe(2); // one session: last nonce + last seq
    } finally {
      await lender.stop();
      await borrower.stop();
    }
  });
});
