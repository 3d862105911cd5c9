/**
 * One durable borrower agent (the foundation scenario's perp exchange) in a process of its own,
 * for tests that kill it with SIGKILL: nothing of it runs after the signal, not even a pending
 * KV write, which an in-process "kill" cannot promise. Configuration comes in AGENT_PROCESS_CONFIG
 * (JSON); the agent's activity goes to the parent over IPC as JSON text (bigints as decimal
 * strings), then `{ type: "resumed" }` once `resume()` has looked for work left by an earlier
 * process of the same agent.
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
import { openDurableState } from "../../negotiation/durable/open-durable-state.ts";
import { createEndpoint } from "../../negotiation/endpoint.ts";
import { createPeerRegistry, type PeerInfo } from "../../negotiation/peers.ts";
import type { AuctionOptions } from "../../negotiation/protocols/rfq-auction-host.ts";
import type { SessionOptions } from "../../negotiation/protocols/session-host.ts";
import { createNatsTransport } from "../../negotiation/transport/nats.ts";
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
  const transport = await createNatsTransport({ servers: config.natsUrl, name: config.name, log });
  const durable = await openDurableState({
    connection: transport.connection,
    agent: signer.address,
    prefix: config.prefix,
  });
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
      auctions: durable.auctions,
      owner: `${config.name}:${randomUUID()}`,
    },
    log,
  });
  agent.onActivity((activity) => send({ type: "activity", activity }));
  await endpoint.flush();
  send({ type: "resumed", result: await agent.resume() });
}

const raw = process.env.AGENT_PROCESS_CONFIG;
if (raw && process.send) {
  main(JSON.parse(raw) as AgentProcessConfig).catch((err: unknown) => {
    process.stderr.write(`agent process failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
