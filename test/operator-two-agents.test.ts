/**
 * Two agents as an operator runs them: separate processes started by the CLI from two config files
 * (the shipped examples, pointed at this test's chain and NATS), over a real anvil and a real
 * nats-server secured as shipped (deploy/nats: an NKey identity per agent, subject permissions).
 * The lender is the INTEGRATING.md example adapter over a real lending pool, its key in a keystore;
 * the borrower is the simulated perp exchange, its key in an environment variable. They negotiate,
 * sign and settle a loan on the LiquidityArbiter. SIGTERM stops each gracefully (exit 0, "stopped"),
 * a restarted lender resumes the loan it watches from JetStream, and no secret (keys, keystore
 * password, NKey seeds) shows in any output.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect, nkeyAuthenticator } from "@nats-io/transport-node";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anvilAccounts, type StartAnvilReturnType, startAnvil } from "../arbitration/anvil.ts";
import { createArbiterReadClients } from "../arbitration/clients.ts";
import { getArbiterEvents } from "../arbitration/events.ts";
import { getLoan } from "../arbitration/get-loan.ts";
import { createLogger } from "../core/log.ts";
import { createRiskLoopFeed } from "../dashboard/risk-loop-feed.ts";
import { setupNats } from "../deploy/nats/setup.ts";
import { type DemoChain, deployDemoChain } from "../examples/demo-chain.ts";
import { riskWildcard } from "../negotiation/risk/risk-subjects.ts";
import { createChainPeerRegistry } from "../operator/chain-peer-registry.ts";
import { type AgentCli, spawnAgentCli } from "./harness/agent-cli.ts";
import { type NatsServer, startNatsServer } from "./harness/nats.ts";

const EXAMPLES = resolve(import.meta.dirname, "../examples/agents");
const PASSWORD = readFileSync(join(EXAMPLES, "keys/demo-password.txt"), "utf8").trim();
const BORROWER_KEY = anvilAccounts[2];
const LENDER_KEY = anvilAccounts[3];

const PREFIX = `t${Date.now().toString(36)}`;
let anvil: StartAnvilReturnType;
let nats: NatsServer;
let seeds: Record<string, string>;
let demo: DemoChain;
let dir: string;
const running: AgentCli[] = [];

/** The example config `name`, pointed at this test's chain, NATS and a fresh bucket prefix. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON document edited in place
type Json = Record<string, any>;

function writeConfig(name: string, change: (c: Json) => void = () => {}): string {
  const config = JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), "utf8")) as Json;
  config.chain.rpcUrl = demo.rpcUrl;
  config.nats.servers = nats.url;
  config.nats.auth = { nkeySeedFile: seeds[name] };
  config.durable.prefix = PREFIX;
  config.negotiation.pollMs = 200;
  config.risk = { cadenceMs: 500 };
  if (config.key.keystore) {
    config.key.keystore = join(EXAMPLES, config.key.keystore);
    config.key.passwordFile = join(EXAMPLES, config.key.passwordFile);
  }
  if (config.adapter.type === "module") config.adapter.path = resolve(EXAMPLES, config.adapter.path);
  delete config.$schema;
  change(config);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "two-agents-"));
  anvil = await startAnvil();
  demo = await deployDemoChain(anvil.rpcUrl);
  // The shipped server config, with an identity per agent and a read-only dashboard.
  copyFileSync(
    resolve(import.meta.dirname, "../deploy/nats/nats-server.conf"),
    join(dir, "nats-server.conf"),
  );
  ({ seedFiles: seeds } = setupNats({
    out: join(dir, "generated"),
    chainId: demo.chainId,
    agents: demo.agents.map((a) => ({ name: a.name, address: a.address, bucketPrefix: PREFIX })),
  }));
  nats = await startNatsServer({ config: join(dir, "nats-server.conf") });
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((a) => a.stop("SIGKILL")));
  await anvil?.stop();
  await nats?.stop();
});

describe("two agent processes from config files", () => {
  let lenderConfig: string;
  let lender: AgentCli;
  let borrower: AgentCli;
  let loanId: Hex;

  it("negotiate over NATS and settle a loan on the arbiter", async () => {
    lenderConfig = writeConfig("my-lending-market");
    const borrowerConfig = writeConfig("perp-exchange-B", (c) => {
      c.key = { env: "PERP_AGENT_KEY" };
    });
    // The risk loop runs by default: watch it as the dashboard does (its read-only identity, the
    // agents' signatures checked against the arbiter's registry).
    const riskWatch = await connect({
      servers: nats.url,
      authenticator: nkeyAuthenticator(
        new TextEncoder().encode(readFileSync(seeds.dashboard!, "utf8").trim()),
      ),
    });
    const feed = createRiskLoopFeed({
      domain: { chainId: demo.chainId, verifyingContract: demo.arbiter },
      peers: await createChainPeerRegistry({
        clients: createArbiterReadClients({ rpcUrl: demo.rpcUrl }),
        arbiter: demo.arbiter,
        refreshMs: 1_000,
        log: createLogger({ level: "silent" }),
      }),
    });
    const snapshotsFrom = new Set<string>();
    riskWatch.subscribe(riskWildcard(demo.chainId), {
      callback: (_err, msg) => {
        for (const view of feed.decode(msg.subject, msg.data))
          if (view.type === "risk.snapshot") snapshotsFrom.add(view.agent.toLowerCase());
      },
    });
    lender = spawnAgentCli({ config: lenderConfig });
    running.push(lender);
    await lender.waitFor((l) => l.msg === "agent started", "the lender to start", 60_000);
    borrower = spawnAgentCli({ config: borrowerConfig, env: { PERP_AGENT_KEY: BORROWER_KEY } });
    running.push(borrower);

    const settled = await borrower.waitFor((l) => l.msg === "settled", "the borrower to settle", 60_000);
    loanId = settled.id as Hex;
    const lenderSession = await lender.waitFor(
      (l) => l.msg === "session ended" && l.status === "agreed",
      "the lender's agreed session",
    );

    const clients = createArbiterReadClients({ rpcUrl: demo.rpcUrl });
    const loan = await getLoan({ clients, arbiter: demo.arbiter, id: loanId });
    expect(loan.status).toBe("Active");
    const events = await getArbiterEvents({ clients, arbiter: demo.arbiter, eventName: "Settled" });
    expect(events).toHaveLength(1);
    const args = events[0]!.args as {
      lender: string;
      borrower: string;
      agreement: { sessionId: Hex; principal: bigint };
    };
    expect(args.lender).toBe(demo.agents[2]!.address);
    expect(args.borrower).toBe(demo.agents[1]!.address);
    expect(args.agreement.sessionId).toBe(lenderSession.sessionId);
    // The perp exchange was short 600k USDC (1.5M owed, 1M held, 100k float).
    expect(args.agreement.principal).toBe(600_000n * 10n ** 6n);
    // Both agents' risk loops publish signed snapshots that a registry-checking reader accepts.
    const expected = [demo.agents[1]!.address, demo.agents[2]!.address].map((a) => a.toLowerCase());
    for (let i = 0; i < 200 && !expected.every((a) => snapshotsFrom.has(a)); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect([...snapshotsFrom].sort()).toEqual(expected.sort());
    await riskWatch.close();
  });

  it("stop gracefully on SIGTERM, and a restarted lender resumes the loan it watches", async () => {
    const [lenderExit, borrowerExit] = await Promise.all([lender.stop("SIGTERM"), borrower.stop("SIGTERM")]);
    expect(lenderExit).toBe(0);
    expect(borrowerExit).toBe(0);
    for (const a of [lender, borrower]) {
      const msgs = a.lines.map((l) => l.msg);
      expect(msgs).toContain("stopping");
      expect(msgs.at(-1)).toBe("stopped");
    }

    const again = spawnAgentCli({ config: lenderConfig });
    running.push(again);
    const started = await again.waitFor((l) => l.msg === "agent started", "the restarted lender", 60_000);
    // The lender's signed agreement waits in JetStream until its loan closes: resume() picks it up.
    expect(started.resumed).toEqual({ loans: 1, sessions: 0, auctions: 0 });
    expect(await again.stop("SIGTERM")).toBe(0);

    const clients = createArbiterReadClients({ rpcUrl: demo.rpcUrl });
    expect(await getArbiterEvents({ clients, arbiter: demo.arbiter, eventName: "Settled" })).toHaveLength(1);
  });

  it("log no error: the permissions they were given are all they need", () => {
    for (const a of running)
      expect(a.lines.filter((l) => l.level === "error" || l.level === "text")).toEqual([]);
  });

  it("never write a key or password to their output", () => {
    const nkeySeeds = Object.values(seeds).map((f) => readFileSync(f, "utf8").trim());
    const secrets = [
      PASSWORD,
      LENDER_KEY,
      LENDER_KEY.slice(2),
      BORROWER_KEY,
      BORROWER_KEY.slice(2),
      ...nkeySeeds,
    ];
    for (const a of running) {
      const out = a.output().toLowerCase();
      expect(out.length).toBeGreaterThan(0);
      for (const s of secrets) expect(out).not.toContain(s.toLowerCase());
    }
  });
});
