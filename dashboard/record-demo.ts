/**
 * `npm run dashboard:record-demo [-- --out dashboard/recordings/demo-study.jsonl]`: records a short
 * study for `npm run dashboard -- --replay`: the demo chain on a private anvil, a private
 * nats-server, the three example agents run from their configs (examples/agents) plus their
 * negotiations and the loans they settle, then a risk alert raised on chain by two of them. The
 * dashboard records every input it gets (JSON lines), exactly as `--record` does in a live run.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { anvilAccounts, startAnvil } from "../arbitration/anvil.ts";
import { createArbiterClients } from "../arbitration/clients.ts";
import { raiseAlert } from "../arbitration/raise-alert.ts";
import { type RiskAlert, signRiskAlert } from "../arbitration/typed-data.ts";
import { createLogger } from "../core/log.ts";
import { createSigner } from "../core/signer.ts";
import { deployDemoChain } from "../examples/demo-chain.ts";
import { parseAgentConfig } from "../operator/load-agent-config.ts";
import { createOperatorLogger } from "../operator/operator-log.ts";
import { runAgent } from "../operator/run-agent.ts";
import { startNatsServer } from "../test/harness/nats.ts";
import { startDashboard } from "./server.ts";

const EXAMPLES = resolve(import.meta.dirname, "../examples/agents");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: "string", default: "dashboard/recordings/demo-study.jsonl" } },
  });
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const anvil = await startAnvil();
  const nats = await startNatsServer({ jetstream: true });
  const log = createLogger({ level: "error" });
  try {
    const demo = await deployDemoChain(anvil.rpcUrl);
    const dashboard = await startDashboard({
      nats: { servers: nats.url },
      chain: { rpcUrl: demo.rpcUrl, arbiter: demo.arbiter, pollMs: 200 },
      record: out,
      log,
    });
    const agents = [];
    for (const name of ["lending-market-A", "my-lending-market", "perp-exchange-B"]) {
      const file = join(EXAMPLES, `${name}.json`);
      const json = JSON.parse(readFileSync(file, "utf8"));
      json.chain.rpcUrl = demo.rpcUrl;
      json.nats.servers = nats.url;
      json.status = { enabled: true, intervalMs: 500 };
      json.negotiation.pollMs = 300;
      const loaded = parseAgentConfig({ text: JSON.stringify(json), file });
      agents.push(await runAgent({ loaded, log: createOperatorLogger({ level: "error" }) }));
      await sleep(1_500);
    }
    await sleep(4_000);
    // Two registered agents sign a level-2 alert; anyone may post it.
    const gov = createArbiterClients({ rpcUrl: demo.rpcUrl, privateKey: anvilAccounts[0] });
    const issuedAt = (await gov.public.getBlock()).timestamp;
    const alert: RiskAlert = {
      level: 2,
      evidenceHash: `0x${"5e".repeat(32)}`,
      issuedAt,
      expiresAt: issuedAt + 3600n,
    };
    const domain = { chainId: demo.chainId, verifyingContract: demo.arbiter };
    await raiseAlert({
      clients: gov,
      arbiter: demo.arbiter,
      alert,
      signatures: [anvilAccounts[1], anvilAccounts[2]].map((k) =>
        signRiskAlert(domain, alert, createSigner(k)),
      ),
    });
    await sleep(3_000);
    for (const a of agents) await a.stop();
    await sleep(500);
    await dashboard.stop();
    const s = dashboard.state.snapshot(Date.now(), "live");
    process.stdout.write(
      `${JSON.stringify({ recording: out, agents: s.agents.length, negotiations: s.negotiations.length, loans: s.loans.length, alerts: s.alerts.length })}\n`,
    );
  } finally {
    await nats.stop();
    await anvil.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
