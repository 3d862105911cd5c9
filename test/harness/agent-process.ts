/**
 * One durable borrower agent (the foundation scenario's perp exchange) in a process of its own,
 * for tests that kill it with SIGKILL: nothing of it runs after the signal, not even a pending
 * KV write, which an in-process "kill" cannot promise. Configuration comes in AGENT_PROCESS_CONFIG
 * (JSON); the agent's activity goes to the parent over IPC as JSON text (bigints as decimal
 * strings), then `{ type: "resumed" }` once `resume()` has looked for work left by an earlier
 * process of the same agent. Faults can be injected (`crash`, `auctionWriteDelayMs`): the process
 * then kills itself at a precise point of its first RFQ broadcast, which a signal from the parent
 * could not hit.
 *
 *   node --import tsx test/harness/agent-process.ts   (started by forkAgentProcess below)
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Address, Hex } from "viem";
import { createAgent } from "../../agents/agent.ts";
import { createChainSettlement } from "../../agents/chain-settlement.ts";
import { createArbiterClients } from "../../arbitration/clients.ts";
import { createLogger } from "../../core/log.ts";
import { createSigner } from "../../core/signer.ts";
import type { AuctionStore } from "../../negotiation/durable/auction-store.ts";
import { openDurableState } from "../../negotiation/durable/open-durable-state.ts";
import { createEndpoint } from "../../negotiation/endpoint.ts";
import { createPeerRegistry, type PeerInfo } from "../../negotiation/peers.ts";
import type { AuctionOptions } from "../../negotiation/protocols/rfq-auction-host.ts";
import type { SessionOptions } from "../../negotiation/protocols/session-host.ts";
import { createNatsTransport } from "../../negotiation/transport/nats.ts";
import type { Transport } from "../../negotiation/transport/transport.ts";
import { SUBJECT_PREFIX } from "../../negotiation/wire/subjects.ts";
import { foundationPolicy, foundationProtocols } from "../../sims/foundation-scenario.ts";

export type AgentProcessConfig = {
  name: string;
  privateKey: Hex;
  rpcUrl: string;
  arbiter: Address;
  usdc: Address;
  weth: Address;
  natsUrl: string;
  /** KV bucket prefix: the same across restarts of one agent. */
  prefix: string;
  peers: PeerInfo[];
  session?: Partial<SessionOptions>;
  auction?: Partial<AuctionOptions>;
  /** The process sends itself SIGKILL at its first RFQ broadcast:
   *  - "before-rfq": when the RFQ is about to be published (everything the agent does before
   *    publishing it is done);
   *  - "after-rfq": once the RFQ has reached the NATS server; the auction store stalls from the
   *    publish on, so nothing the agent journals after the RFQ lands;
   *  - "after-rfq-journaled": once the RFQ has reached the NATS server and every auction-store write
   *    begun by then has landed. */
  crash?: "before-rfq" | "after-rfq" | "after-rfq-journaled";
  /** Each write to the auction store starts this much later (a slow KV), ms. */
  auctionWriteDelayMs?: number;
};

/** What the child sends its parent. */
export type AgentProcessMessage =
  | { type: "activity"; activity: Record<string, unknown> }
  | { type: "resumed"; result: { loans: number; sessions: number; auctions: number } };

/** Starts the agent in a child process; `onMessage` sees what it reports. */
export function forkAgentProcess(
  config: AgentProcessConfig,
  onMessage: (m: AgentProcessMessage) => void,
): ChildProcess {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, AGENT_PROCESS_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.on("message", (text) => onMessage(JSON.parse(String(text)) as AgentProcessMessage));
  return child;
}

async function main(config: AgentProcessConfig): Promise<void> {
  const send = (m: AgentProcessMessage) =>
    process.send?.(JSON.stringify(m, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  const log = createLogger({ level: "error" });
  const signer = createSigner(config.privateKey);
  const domain = { chainId: 31337, verifyingContract: config.arbiter };
  const nats = await createNatsTransport({ servers: config.natsUrl, name: config.name, log });
  const durable = await openDurableState({
    connection: nats.connection,
    agent: signer.address,
    prefix: config.prefix,
  });
  const { transport, auctions } = withFaults(config, nats, durable.auctions);
  const endpoint = createEndpoint({
    transport,
    signer,
    domain,
    peers: createPeerRegistry(config.peers),
    log,
    sequencer: durable.sequencer,
    replayCache: durable.replayCache,
  });
  const { usdc, weth } = config;
  const agent = createAgent({
    name: config.name,
    signer,
    domain,
    endpoint,
    adapter: foundationProtocols({ usdc, weth }).perp,
    settlement: createChainSettlement({
      clients: createArbiterClients({ rpcUrl: config.rpcUrl, privateKey: config.privateKey }),
      arbiter: config.arbiter,
    }),
    policy: foundationPolicy({ usdc, weth }),
    pollMs: 60_000,
    ...(config.session ? { session: config.session } : {}),
    ...(config.auction ? { auction: config.auction } : {}),
    durable: {
      sessions: durable.sessions,
      agreements: durable.agreements,
      auctions,
      owner: `${config.name}:${randomUUID()}`,
    },
    log,
  });
  agent.onActivity((activity) => send({ type: "activity", activity }));
  await endpoint.flush();
  send({ type: "resumed", result: await agent.resume() });
}

const RFQ_SUBJECTS = `${SUBJECT_PREFIX}.rfq.`;

/** The transport and auction store of the agent, with the faults of `config` in them. */
function withFaults(
  config: AgentProcessConfig,
  nats: Transport,
  store: AuctionStore,
): { transport: Transport; auctions: AuctionStore } {
  const die = (): void => void process.kill(process.pid, "SIGKILL");
  let stalled = false;
  const writing = new Set<Promise<unknown>>();
  const write = <T>(run: () => Promise<T>): Promise<T> => {
    const w = (async () => {
      if (config.auctionWriteDelayMs) await new Promise((r) => setTimeout(r, config.auctionWriteDelayMs));
      if (stalled) await new Promise<never>(() => {});
      return run();
    })();
    writing.add(w);
    void w.catch(() => {}).finally(() => writing.delete(w));
    return w;
  };
  const auctions: AuctionStore = {
    put: (state) => write(() => store.put(state)),
    update: (sessionId, change) => write(() => store.update(sessionId, change)),
    remove: (sessionId) => write(() => store.remove(sessionId)),
    get: (sessionId) => store.get(sessionId),
    list: () => store.list(),
  };
  let crashed = false;
  const transport: Transport = {
    name: nats.name,
    get closed() {
      return nats.closed;
    },
    publish(subject, data) {
      if (!config.crash || crashed || !subject.startsWith(RFQ_SUBJECTS)) return nats.publish(subject, data);
      crashed = true;
      if (config.crash === "before-rfq") return die();
      if (config.crash === "after-rfq") stalled = true;
      const published = nats.publish(subject, data);
      void (async () => {
        await nats.flush();
        if (config.crash === "after-rfq-journaled") await Promise.allSettled([...writing]);
        die();
      })();
      return published;
    },
    subscribe: (subject, handler) => nats.subscribe(subject, handler),
    flush: () => nats.flush(),
    close: () => nats.close(),
  };
  return { transport, auctions };
}

const raw = process.env.AGENT_PROCESS_CONFIG;
if (raw && process.send) {
  main(JSON.parse(raw) as AgentProcessConfig).catch((err: unknown) => {
    process.stderr.write(`agent process failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
