/**
 * Runs one agent from its config: reads the key (keystore or environment), checks the chain
 * (chain id, a contract at the arbiter address, the agent registered on it), connects to NATS with
 * the agent's credentials, builds the adapter, peers and policy, starts the agent through
 * `startAgent` (which resumes durable work left by an earlier process of the same agent) and
 * publishes its status for dashboards. `stop()` is the graceful shutdown: the status says
 * "stopped", the agent's journal writes land, then NATS is drained and closed.
 */
import type { Address } from "viem";
import type { Activity, Agent } from "../agents/agent.ts";
import { createDefaultPolicy } from "../agents/agent-policy.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { createArbiterAlertPort } from "../agents/risk/alert-chain-port.ts";
import { type StartAgentReturnType, startAgent } from "../agents/start-agent.ts";
import { createArbiterClients } from "../arbitration/clients.ts";
import { getArbiterConfig } from "../arbitration/get-arbiter-config.ts";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { BaseError } from "../core/errors.ts";
import { createSigner } from "../core/signer.ts";
import { createPeerRegistry, type PeerRegistry } from "../negotiation/peers.ts";
import { createNatsTransport, type NatsTransport } from "../negotiation/transport/nats.ts";
import { type StatusPublisher, startStatusPublisher } from "./agent-status.ts";
import { type ChainPeerRegistry, createChainPeerRegistry } from "./chain-peer-registry.ts";
import { createAdapter } from "./create-adapter.ts";
import type { LoadedAgentConfig } from "./load-agent-config.ts";
import { natsConnectOptions } from "./nats-options.ts";
import { createOperatorLogger, type OperatorLogger } from "./operator-log.ts";
import { createConfiguredDetector } from "./risk-detector.ts";
import { readAgentKey, type SecretContext } from "./secrets.ts";

export class AgentStartError extends BaseError {
  override name = "AgentStartError";
  override readonly code = "AgentStart";
  constructor(params: { reason: string; hint: string; cause?: unknown }) {
    super(`The agent cannot start: ${params.reason}.`, { metaMessages: [params.hint], cause: params.cause });
  }
}

export type RunAgentParameters = {
  loaded: LoadedAgentConfig;
  /** Where secrets named by the config are read from. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Default: JSON lines on stdout at the config's level, secrets scrubbed. */
  log?: OperatorLogger;
};

export type RunningAgent = {
  agent: Agent;
  address: Address;
  transport: NatsTransport;
  resumed: StartAgentReturnType["resumed"];
  /** Graceful shutdown; idempotent. */
  stop(): Promise<void>;
};

/** Alerts' issuedAt must not be ahead of the block that includes them (the contract refuses those),
 *  and a chain's newest block trails the wall clock by up to a slot or two: issue them this far back. */
const CHAIN_CLOCK_MARGIN_SEC = 15;
const chainClockSec = () => BigInt(Math.floor(Date.now() / 1000) - CHAIN_CLOCK_MARGIN_SEC);

/** `o` without its undefined fields (zod's optional outputs meet exactOptionalPropertyTypes). */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** One log line per thing an agent did; wire traffic at debug. */
function logActivity(log: OperatorLogger, a: Activity): void {
  switch (a.type) {
    case "sent":
    case "received":
      log.debug(`${a.type} ${a.kind}`, {
        sessionId: a.sessionId,
        ...(a.type === "sent" ? { to: a.to } : { from: a.from }),
      });
      return;
    case "session": {
      const o = a.outcome;
      const fields = {
        sessionId: a.sessionId,
        side: a.side,
        peer: a.peer,
        status: o.status,
        rounds: o.rounds,
      };
      if (o.status === "failed") log.info("session ended", { ...fields, reason: o.reason });
      else
        log.info("session ended", {
          ...fields,
          principal: o.agreement.principal,
          rateBps: o.agreement.rateBps,
          tenor: o.agreement.tenor,
        });
      return;
    }
    case "report":
      log.info(a.what, a.data);
      return;
    case "risk":
      if (a.event.type === "risk.sent" || a.event.type === "risk.received")
        log.debug(a.event.type, { kind: a.event.kind });
      else log.info(a.event.type, { ...a.event, agent: undefined });
      return;
  }
}

export async function runAgent(p: RunAgentParameters): Promise<RunningAgent> {
  const { config, resolvePath } = p.loaded;
  const log = p.log ?? createOperatorLogger({ level: config.log.level, fields: { agent: config.name } });
  const secrets: SecretContext = {
    env: p.env ?? process.env,
    resolvePath,
    remember: (s) => log.addSecret(s),
  };

  const privateKey = await readAgentKey(config.key, secrets);
  const signer = createSigner(privateKey);
  log.info("key loaded", { address: signer.address, from: "keystore" in config.key ? "keystore" : "env" });

  const clients = createArbiterClients({ rpcUrl: config.chain.rpcUrl, privateKey });
  const arbiter = config.chain.arbiter;
  let chainId: number;
  try {
    chainId = await clients.public.getChainId();
  } catch (cause) {
    throw new AgentStartError({
      reason: `no JSON-RPC node answers at ${config.chain.rpcUrl}`,
      hint: "Start the chain (for the demo: `npm run demo:chain`) or fix chain.rpcUrl.",
      cause,
    });
  }
  if (config.chain.chainId !== undefined && config.chain.chainId !== chainId) {
    throw new AgentStartError({
      reason: `the node at ${config.chain.rpcUrl} is chain ${chainId}, the config says ${config.chain.chainId}`,
      hint: "Point chain.rpcUrl at the arbiter's chain, or fix chain.chainId.",
    });
  }
  const code = await clients.public.getCode({ address: arbiter });
  if (!code || code === "0x") {
    throw new AgentStartError({
      reason: `there is no contract at chain.arbiter ${arbiter} on chain ${chainId}`,
      hint: "Deploy it (`npm run arbiter -- deploy ...`, or `npm run demo:chain` for the demo) and put its address in the config.",
    });
  }
  const protocolId = await clients.public.readContract({
    address: arbiter,
    abi: liquidityArbiterAbi,
    functionName: "agentProtocol",
    args: [signer.address],
  });
  if (/^0x0+$/.test(protocolId)) {
    log.warn("agent not registered on the arbiter: settlements will revert until governance registers it", {
      address: signer.address,
      hint: `npm run arbiter -- register --agent ${signer.address} --protocol <id> (from the governance key)`,
    });
  }

  const transport = await createNatsTransport({
    servers: config.nats.servers,
    name: config.name,
    log,
    waitOnFirstConnect: false,
    connectOptions: await natsConnectOptions(config, signer.address, secrets),
  });
  const closers: Array<() => Promise<void> | void> = [() => transport.close()];
  try {
    let peers: PeerRegistry;
    if (config.peers.source === "static") peers = createPeerRegistry(config.peers.list);
    else {
      const registry: ChainPeerRegistry = await createChainPeerRegistry({
        clients,
        arbiter,
        refreshMs: config.peers.refreshMs,
        log,
      });
      closers.unshift(() => registry.stop());
      peers = registry;
    }
    const adapter = await createAdapter({ config, clients, resolvePath, log });
    const tokens = new Map(config.tokens.map((t) => [t.address.toLowerCase(), t]));
    const policy = createDefaultPolicy({
      ...defined(config.policy),
      decimals: (t) => tokens.get(t.toLowerCase())?.decimals,
      oracle: (t) => tokens.get(t.toLowerCase())?.priceUsd8,
    });
    const domain = { chainId, verifyingContract: arbiter };
    const started = await startAgent({
      name: config.name,
      signer,
      domain,
      transport,
      peers,
      adapter,
      settlement: createChainSettlement({ clients, arbiter }),
      policy,
      pollMs: config.negotiation.pollMs,
      session: defined(config.negotiation.session),
      auction: defined(config.negotiation.auction),
      ...(config.durable.enabled
        ? {
            durable: {
              connection: transport.connection,
              prefix: config.durable.prefix,
              replicas: config.durable.replicas,
            },
          }
        : {}),
      ...(config.risk.enabled
        ? {
            risk: {
              registered: peers,
              quorum: config.risk.quorum ?? (await getArbiterConfig({ clients, arbiter })).alertQuorum,
              detector: createConfiguredDetector(config.risk, adapter),
              cadenceMs: config.risk.cadenceMs,
              alertTtlSec: config.risk.alertTtlSec,
              submitStaggerMs: config.risk.submitStaggerMs,
              chain: createArbiterAlertPort({ clients, arbiter }),
              nowSec: chainClockSec,
            },
            callLoans: config.risk.callLoans,
          }
        : {}),
      onActivity: (a) => logActivity(log, a),
      log,
    });
    closers.unshift(() => started.stop());
    let status: StatusPublisher | undefined;
    if (config.status.enabled) {
      status = startStatusPublisher({
        transport,
        agent: started.agent,
        endpoint: started.endpoint,
        adapter,
        chainId,
        intervalMs: config.status.intervalMs,
        log,
      });
      const publisher = status;
      closers.unshift(() => publisher.stop());
    }
    log.info("agent started", {
      address: signer.address,
      protocolId: adapter.protocolId,
      kind: adapter.kind,
      chainId,
      arbiter,
      nats: [config.nats.servers].flat(),
      durable: config.durable.enabled,
      risk: config.risk.enabled ? config.risk.detector : "off",
      resumed: started.resumed,
    });
    let stopping: Promise<void> | undefined;
    return {
      agent: started.agent,
      address: signer.address,
      transport,
      resumed: started.resumed,
      stop: () => {
        stopping ??= (async () => {
          for (const close of closers) await close();
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const close of closers) await Promise.resolve(close()).catch(() => {});
    throw err;
  }
}
