/**
 * The borrower agent runs in a process of its own and is killed with SIGKILL in the middle of a
 * negotiation, then started again as a new process with the same key and the same JetStream KV
 * buckets. Nothing of the first process runs after the signal (no pending KV write lands, unlike
 * an in-process stop). The second process must pick the negotiation up from KV, not start a new
 * one, and the loan must settle on the contract exactly once, on the terms the lender signed.
 * Real NATS, real anvil chain, real signatures; the lender is an agent in this process.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { getAddress, type Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { liquidityArbiterAbi } from "../arbitration/index.ts";
import { withDefaults } from "../core/agreement.ts";
import { createLogger } from "../core/log.ts";
import { openDurableState } from "../negotiation/durable/open-durable-state.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry, type PeerInfo } from "../negotiation/peers.ts";
import { createNatsTransport } from "../negotiation/transport/nats.ts";
import { SUBJECT_PREFIX } from "../negotiation/wire/subjects.ts";
import { foundationPolicy, foundationProtocols } from "../sims/foundation-scenario.ts";
import {
  type AgentProcessConfig,
  type AgentProcessMessage,
  forkAgentProcess,
} from "./harness/agent-process.ts";
import { useAnvil } from "./harness/anvil.ts";
import { holdDeliveries } from "./harness/held-transport.ts";
import { useIsolatedNats } from "./harness/nats.ts";

// Agents on anvil's accounts and tokens use the inbox and RFQ subjects other agent test files use:
// a NATS server of this file's own (the borrower processes get its URL in their config).
const natsServer = useIsolatedNats();

const log = createLogger({ level: "silent" });
const RFQ_SUBJECTS = `${SUBJECT_PREFIX}.rfq.`;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type ChildActivity = {
  type: string;
  kind?: string;
  what?: string;
  sessionId?: Hex;
  data?: Record<string, unknown>;
};

/** A borrower process and what it reported. */
function startBorrower(config: AgentProcessConfig) {
  const activity: ChildActivity[] = [];
  const waiters = new Set<() => void>();
  let resumed: Extract<AgentProcessMessage, { type: "resumed" }>["result"] | undefined;
  const child: ChildProcess = forkAgentProcess(config, (m) => {
    if (m.type === "activity") activity.push(m.activity as ChildActivity);
    else resumed = m.result;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  const until = (match: () => boolean, what: string, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!match()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for the borrower process: ${what}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    child,
    activity,
    exited,
    get resumed() {
      return resumed;
    },
    until,
  };
}

/** The `from` of an envelope, unchecked (the endpoint checks it). */
function senderOf(data: Uint8Array): string | undefined {
  try {
    const from = (JSON.parse(new TextDecoder().decode(data)) as { from?: unknown }).from;
    return typeof from === "string" ? getAddress(from) : undefined;
  } catch {
    return undefined;
  }
}

/** One test's world: a chain with the arbiter, lender A as an agent in this process, and the
 *  configuration of borrower B's processes (fresh KV buckets). With `holdRfqs`, A receives RFQs
 *  at once but acts on them only once `held.release()` is called (a slow lender). */
async function world(p: { holdRfqs?: boolean; borrower?: Partial<AgentProcessConfig> } = {}) {
  const chain = await useAnvil();
  const fx = await chain.deployFixture();
  const fromBlock = await fx.deployer.clients.public.getBlockNumber();
  const peers: PeerInfo[] = [
    { address: fx.lender.address, name: "A", protocol: "lending" },
    { address: fx.borrower.address, name: "B", protocol: "perp" },
  ];
  const { usdc, weth, domain } = fx;

  // Lender A in this process: it keeps its session open long enough for B to come back.
  const nats = await createNatsTransport({ servers: natsServer.url, name: "A", log });
  // Only B's RFQs: others may be about on the shared NATS server if this file falls back to it
  // (they are refused as unknown peers).
  const held = holdDeliveries(
    nats,
    (subject, data) =>
      p.holdRfqs === true && subject.startsWith(RFQ_SUBJECTS) && senderOf(data) === fx.borrower.address,
  );
  const endpoint = createEndpoint({
    transport: held.transport,
    signer: fx.lender.signer,
    domain,
    peers: createPeerRegistry(peers),
    log,
  });
  const lender: Agent = createAgent({
    name: "A",
    signer: fx.lender.signer,
    domain,
    endpoint,
    adapter: foundationProtocols({ usdc, weth }).lendingMarket,
    settlement: createChainSettlement({ clients: fx.lender.clients, arbiter: fx.arbiter }),
    policy: foundationPolicy({ usdc, weth }),
    pollMs: 100,
    session: { deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
    log,
  });
  const lenderActivity: Activity[] = [];
  lender.onActivity((a) => lenderActivity.push(a));
  await endpoint.flush();
  cleanups.push(async () => {
    await lender.stop();
    await nats.close();
  });

  const config: AgentProcessConfig = {
    name: "B",
    privateKey: fx.borrower.privateKey,
    rpcUrl: chain.rpcUrl,
    arbiter: fx.arbiter,
    usdc,
    weth,
    natsUrl: natsServer.url,
    prefix: `k${randomUUID().slice(0, 8)}`,
    peers,
    session: { deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
    auction: { admissionMs: 200, deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
    ...p.borrower,
  };
  // B's buckets, read as its next process will find them.
  const borrowerState = await openDurableState({
    connection: nats.connection,
    agent: fx.borrower.address,
    prefix: config.prefix,
  });

  return {
    fx,
    config,
    lender,
    lenderEndpoint: endpoint,
    lenderActivity,
    held,
    /** B's journaled auctions. */
    auctions: () => borrowerState.auctions.list(),
    /** The session ids of the RFQs A received (and accepted as valid), in order. */
    lenderRfqs: () =>
      lenderActivity.flatMap((a) => (a.type === "received" && a.kind === "rfq" ? [a.sessionId] : [])),
    /** Settled events on the arbiter since this world started, of any session. */
    settled: async () =>
      await fx.deployer.clients.public.getContractEvents({
        address: fx.arbiter,
        abi: liquidityArbiterAbi,
        eventName: "Settled",
        fromBlock,
      }),
    /** How A's session `sessionId` ended. */
    lenderEnd: (sessionId: Hex | undefined) => {
      const end = lenderActivity.find((a) => a.type === "session" && a.sessionId === sessionId);
      return end?.type === "session" ? end.outcome : undefined;
    },
  };
}

const sentRfqs = (activity: ChildActivity[]) =>
  activity.filter((a) => a.type === "sent" && a.kind === "rfq").map((a) => a.sessionId);
const settledReport = (activity: ChildActivity[]) =>
  activity.some((a) => a.type === "report" && a.what === "settled");

describe("a borrower process killed with SIGKILL mid-negotiation", () => {
  it("a new process resumes the negotiation from KV and the loan settles exactly once", async () => {
    const w = await world();

    // First process: killed the moment its first counter-offer reaches the lender. A durable
    // agent journals before it sends (write-ahead), so the auction's state is in KV by then.
    const counterReceived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no counter-offer reached the lender")), 20_000);
      const off = w.lender.onActivity((a) => {
        if (a.type !== "received" || a.kind !== "offer") return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
    const first = startBorrower(w.config);
    await counterReceived;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    // From the lender's side: what the killed process reported over IPC may not have arrived.
    const [sessionId] = w.lenderRfqs();
    expect(sessionId).toBeDefined();
    expect(settledReport(first.activity)).toBe(false);

    // Second process, same key and buckets: it resumes the auction instead of asking again.
    const second = startBorrower(w.config);
    await second.until(() => second.resumed !== undefined, "resume()");
    expect(second.resumed?.auctions).toBe(1);
    await second.until(() => settledReport(second.activity), "settlement");
    expect(sentRfqs(second.activity)).toEqual([]);

    // Exactly one settlement on the contract, of the agreement the lender ended with.
    const settled = (await w.settled()).filter(
      (e) => e.args.agreement?.sessionId.toLowerCase() === sessionId?.toLowerCase(),
    );
    expect(settled).toHaveLength(1);
    const lenderEnd = w.lenderEnd(sessionId);
    expect(lenderEnd?.status).toBe("agreed");
    if (lenderEnd?.status === "agreed") {
      expect(settled[0]?.args.agreement).toEqual(withDefaults(lenderEnd.agreement));
    }
  }, 90_000);
});

/**
 * The RFQ broadcast is write-ahead too: the auction's record lands in KV before the RFQ is
 * published, and says so once it has been. The borrower kills itself at a precise point of that
 * broadcast (test/harness/agent-process.ts), with a slow auction bucket (each write starts 300 ms
 * late), which is what used to let the RFQ leave before the auction was on disk. In every case the
 * second process carries on with the one auction, in the session the lender knows: nothing settles
 * in another session, and the loan settles once.
 */
describe("a borrower process killed with SIGKILL around its RFQ broadcast", () => {
  const slowKv = { auctionWriteDelayMs: 300 };
  const withoutCrash = (c: AgentProcessConfig): AgentProcessConfig => {
    const { crash: _, ...rest } = c;
    return rest;
  };
  /** The one settlement, in `sessionId`, of the agreement the lender ended with. */
  async function settledOnceIn(w: Awaited<ReturnType<typeof world>>, sessionId: Hex) {
    const settled = await w.settled();
    expect(settled.map((e) => e.args.agreement?.sessionId.toLowerCase())).toEqual([sessionId.toLowerCase()]);
    await expect.poll(() => w.lenderEnd(sessionId)?.status, { timeout: 10_000 }).toBe("agreed");
  }

  it("killed right after its RFQ left, before that was journaled: it sends the same RFQ again in the same session; the lender sends its offer again, which the borrower already has", async () => {
    const w = await world({
      holdRfqs: true,
      borrower: {
        crash: "after-rfq",
        ...slowKv,
        auction: { admissionMs: 2_000, deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
      },
    });
    const first = startBorrower(w.config);
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    expect(w.held.held).toHaveLength(1); // the RFQ reached the lender
    // The auction was on disk before its RFQ left; that it left was not (the process was gone).
    const records = await w.auctions();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ rfqSent: false, lenders: [] });
    const sessionId = records[0]!.sessionId;

    const second = startBorrower(withoutCrash(w.config));
    await second.until(() => second.resumed !== undefined, "resume()");
    expect(second.resumed?.auctions).toBe(1);
    // It cannot tell whether the RFQ left, so it sends it again, in the same session.
    await expect.poll(() => w.held.held.length, { timeout: 20_000 }).toBe(2);
    expect(sentRfqs(second.activity)).toEqual([sessionId]);
    // The lender acts on both now: it answers the first, and answers the repeat of an RFQ it is
    // already negotiating by sending its offer again (marked resent), which the borrower, already
    // holding that offer, ignores; its replay protection accepted the repeat (a seq above the
    // first's).
    await w.held.release();
    await second.until(() => settledReport(second.activity), "settlement");
    expect(w.lenderRfqs()).toEqual([sessionId, sessionId]);
    expect(
      w.lenderActivity.filter(
        (a) => a.type === "report" && a.what === "rfq declined" && a.data.sessionId === sessionId,
      ),
    ).toEqual([]);
    const offers = w.lenderActivity.filter(
      (a) => a.type === "sent" && a.kind === "offer" && a.sessionId === sessionId,
    );
    expect(offers.map((a) => (a.type === "sent" ? (a.body as { resent?: true }).resent : undefined))).toEqual(
      expect.arrayContaining([undefined, true]),
    );
    expect(w.lenderEndpoint.stats().rejectedByCode.Replay).toBeUndefined();
    await settledOnceIn(w, sessionId);
  }, 90_000);

  it("killed with its record on disk but its RFQ not yet published: it sends the RFQ in the same session and closes there", async () => {
    const w = await world({
      borrower: {
        crash: "before-rfq",
        ...slowKv,
        auction: { admissionMs: 2_000, deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
      },
    });
    const first = startBorrower(w.config);
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    const records = await w.auctions();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ rfqSent: false, lenders: [] });
    const sessionId = records[0]!.sessionId;
    expect(w.lenderRfqs()).toEqual([]); // nobody saw it

    const second = startBorrower(withoutCrash(w.config));
    await second.until(() => second.resumed !== undefined, "resume()");
    expect(second.resumed?.auctions).toBe(1);
    await second.until(() => settledReport(second.activity), "settlement");
    expect(sentRfqs(second.activity)).toEqual([sessionId]);
    expect(w.lenderRfqs()).toEqual([sessionId]);
    expect(w.lenderEndpoint.stats().rejectedByCode.Replay).toBeUndefined();
    await settledOnceIn(w, sessionId);
  }, 90_000);

  it("killed right after its RFQ left and that was journaled: it resumes the auction without a second RFQ and admits the lender's late offer", async () => {
    const w = await world({
      holdRfqs: true,
      borrower: {
        crash: "after-rfq-journaled",
        ...slowKv,
        // The lender answers only after the restart, inside the auction's admission window.
        auction: { admissionMs: 10_000, deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
      },
    });
    const first = startBorrower(w.config);
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    expect(w.held.held).toHaveLength(1);
    const records = await w.auctions();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ rfqSent: true, lenders: [] });
    const sessionId = records[0]!.sessionId;

    const second = startBorrower(withoutCrash(w.config));
    await second.until(() => second.resumed !== undefined, "resume()");
    expect(second.resumed?.auctions).toBe(1);
    await w.held.release();
    await second.until(() => settledReport(second.activity), "settlement");
    expect(sentRfqs(second.activity)).toEqual([]);
    expect(w.lenderRfqs()).toEqual([sessionId]);
    await settledOnceIn(w, sessionId);
  }, 90_000);
});
