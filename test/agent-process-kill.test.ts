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
import type { Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { type Activity, type Agent, createAgent } from "../agents/agent.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { liquidityArbiterAbi } from "../arbitration/index.ts";
import { createLogger } from "../core/log.ts";
import { createEndpoint } from "../negotiation/endpoint.ts";
import { createPeerRegistry, type PeerInfo } from "../negotiation/peers.ts";
import { createNatsTransport } from "../negotiation/transport/nats.ts";
import { foundationPolicy, foundationProtocols } from "../sims/foundation-scenario.ts";
import {
  type AgentProcessConfig,
  type AgentProcessMessage,
  forkAgentProcess,
} from "./harness/agent-process.ts";
import { useAnvil } from "./harness/anvil.ts";
import { natsUrl } from "./harness/nats.ts";

const log = createLogger({ level: "silent" });
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

describe("a borrower process killed with SIGKILL mid-negotiation", () => {
  it("a new process resumes the negotiation from KV and the loan settles exactly once", async () => {
    const chain = await useAnvil();
    const fx = await chain.deployFixture();
    const fromBlock = await fx.deployer.clients.public.getBlockNumber();
    const peers: PeerInfo[] = [
      { address: fx.lender.address, name: "A", protocol: "lending" },
      { address: fx.borrower.address, name: "B", protocol: "perp" },
    ];
    const { usdc, weth, domain } = fx;

    // Lender A in this process: it keeps its session open long enough for B to come back.
    const transport = await createNatsTransport({ servers: natsUrl(), name: "A", log });
    const endpoint = createEndpoint({
      transport,
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
      await transport.close();
    });

    const config: AgentProcessConfig = {
      name: "B",
      privateKey: fx.borrower.privateKey,
      rpcUrl: chain.rpcUrl,
      arbiter: fx.arbiter,
      usdc,
      weth,
      natsUrl: natsUrl(),
      prefix: `k${randomUUID().slice(0, 8)}`,
      peers,
      session: { deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
      auction: { admissionMs: 200, deadlineMs: 30_000, confirmTimeoutMs: 10_000 },
    };

    // First process: killed the moment its first counter-offer reaches the lender. A durable
    // agent journals before it sends (write-ahead), so the auction's state is in KV by then.
    const counterReceived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no counter-offer reached the lender")), 20_000);
      const off = lender.onActivity((a) => {
        if (a.type !== "received" || a.kind !== "offer") return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
    const first = startBorrower(config);
    await counterReceived;
    first.child.kill("SIGKILL");
    await first.exited;
    expect(first.child.signalCode).toBe("SIGKILL");
    const rfq = first.activity.find((a) => a.type === "sent" && a.kind === "rfq");
    const sessionId = rfq?.sessionId;
    expect(sessionId).toBeDefined();
    expect(first.activity.some((a) => a.type === "report" && a.what === "settled")).toBe(false);

    // Second process, same key and buckets: it resumes the auction instead of asking again.
    const second = startBorrower(config);
    await second.until(() => second.resumed !== undefined, "resume()");
    expect(second.resumed?.auctions).toBe(1);
    await second.until(
      () => second.activity.some((a) => a.type === "report" && a.what === "settled"),
      "settlement",
    );
    expect(second.activity.filter((a) => a.type === "sent" && a.kind === "rfq")).toHaveLength(0);

    // Exactly one settlement on the contract, of the agreement the lender ended with.
    const settled = (
      await fx.deployer.clients.public.getContractEvents({
        address: fx.arbiter,
        abi: liquidityArbiterAbi,
        eventName: "Settled",
        fromBlock,
      })
    ).filter((e) => e.args.agreement?.sessionId.toLowerCase() === sessionId?.toLowerCase());
    expect(settled).toHaveLength(1);
    const lenderEnd = lenderActivity.find((a) => a.type === "session" && a.sessionId === sessionId);
    expect(lenderEnd?.type === "session" && lenderEnd.outcome.status).toBe("agreed");
    if (lenderEnd?.type === "session" && lenderEnd.outcome.status === "agreed") {
      expect(settled[0]?.args.agreement).toEqual({ callRiskLevel: 0, ...lenderEnd.outcome.agreement });
    }
  }, 90_000);
});
