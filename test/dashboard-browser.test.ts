/**
 * The dashboard as a person sees it, in Debian's Chromium driven by playwright-core: a real
 * nats-server and anvil, the dashboard server following both, and two real agents (the foundation
 * scenario's lending market and perp exchange, publishing their status) negotiating over NATS and
 * settling on the arbiter. The page loads, shows the agents, the negotiation and its offers as they
 * move, the loan on chain, and the alert when a quorum raises one. The same run is recorded and
 * replayed into a second dashboard. Risk panels light up when the risk loop's views arrive.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { createRiskAgent } from "../agents/risk/risk-agent.ts";
import { createRuleDetector } from "../agents/risk/rule-detector.ts";
import { startAgent } from "../agents/start-agent.ts";
import { raiseAlert } from "../arbitration/raise-alert.ts";
import { type RiskAlert, signRiskAlert } from "../arbitration/typed-data.ts";
import { createLogger } from "../core/log.ts";
import { type Dashboard, startDashboard } from "../dashboard/server.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createNatsTransport, type NatsTransport } from "../negotiation/transport/nats.ts";
import { startStatusPublisher } from "../operator/agent-status.ts";
import { foundationPolicy, foundationProtocols } from "../sims/foundation-scenario.ts";
import { type ArbiterFixture, useAnvil } from "./harness/anvil.ts";
import { useIsolatedNats } from "./harness/nats.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const have = existsSync(CHROMIUM);
if (!have) {
  const msg = `Chromium not found at ${CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`dashboard-browser.test.ts skipped: ${msg}`);
}
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

const nats = useIsolatedNats();
let registeredAgents: ReturnType<typeof createPeerRegistry> | undefined;
/** The arbiter's registered agents (the fixture registers the lender and the borrower). */
const registered = () => registeredAgents!;
const log = createLogger({ level: "error" });

describe.skipIf(!have)("dashboard in Chromium", () => {
  let fx: ArbiterFixture;
  let rpcUrl: string;
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "dashboard-"));
  const recording = join(dir, "recording.jsonl");
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    const chain = await useAnvil();
    rpcUrl = chain.rpcUrl;
    fx = await chain.deployFixture();
    registeredAgents = createPeerRegistry([
      { address: fx.lender.address, name: "lending-market-A", protocol: "lending" },
      { address: fx.borrower.address, name: "perp-exchange-B", protocol: "perp" },
    ]);
    dashboard = await startDashboard({
      nats: { servers: nats.url },
      chain: { rpcUrl, arbiter: fx.arbiter, pollMs: 200 },
      // No riskFeeds: with a chain the dashboard follows the risk subjects itself, counting the
      // agents registered on the arbiter (the fixture registers the lender and the borrower).
      record: recording,
      log,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await browser?.close();
    await dashboard?.stop();
  });

  it("loads: tables, charts, connected to its server", async () => {
    await page.goto(dashboard.url);
    await page.locator("#connection", { hasText: "connected" }).waitFor();
    expect(await page.title()).toContain("Liquidity negotiation");
    for (const id of ["#agents", "#negotiations", "#loans"]) {
      await page.locator(`${id} .tabulator-header`).waitFor();
    }
    expect(await page.locator("#chart-activity canvas").count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator("#risk-waiting").isVisible()).toBe(true);
    expect(await page.locator("#alert-banner").isHidden()).toBe(true);
  });

  it("updates when two agents negotiate and settle a loan", async () => {
    const { lendingMarket, perp } = foundationProtocols({ usdc: fx.usdc, weth: fx.weth });
    const peers = createPeerRegistry([
      { address: fx.lender.address, name: "lending-market-A", protocol: "lending" },
      { address: fx.borrower.address, name: "perp-exchange-B", protocol: "perp" },
    ]);
    const policy = foundationPolicy({ usdc: fx.usdc, weth: fx.weth });
    const start = async (
      name: string,
      party: typeof fx.lender,
      adapter: typeof lendingMarket | typeof perp,
    ) => {
      const transport: NatsTransport = await createNatsTransport({ servers: nats.url, name, log });
      const started = await startAgent({
        name,
        signer: party.signer,
        domain: fx.domain,
        transport,
        peers,
        adapter,
        settlement: createChainSettlement({ clients: party.clients, arbiter: fx.arbiter }),
        policy,
        pollMs: 200,
        auction: { admissionMs: 250 },
        log,
      });
      const status = startStatusPublisher({
        transport,
        agent: started.agent,
        endpoint: started.endpoint,
        adapter,
        chainId: fx.domain.chainId,
        intervalMs: 500,
        log,
      });
      stops.push(async () => {
        await status.stop();
        await started.stop();
        await transport.close();
      });
      return started;
    };
    await start("lending-market-A", fx.lender, lendingMarket);
    await start("perp-exchange-B", fx.borrower, perp);

    const agentsRows = page.locator("#agents .tabulator-row");
    await agentsRows.filter({ hasText: "lending-market-A" }).waitFor({ timeout: 20_000 });
    await agentsRows.filter({ hasText: "perp-exchange-B" }).waitFor();
    // The negotiation, its offers as they moved, then the loan the arbiter settled.
    const settledRow = page.locator("#negotiations .tabulator-row", { hasText: "settled" });
    await settledRow.waitFor({ timeout: 30_000 });
    expect(await settledRow.textContent()).toContain("600,000 USDC");
    expect(await page.locator("#ticker li", { hasText: "offer" }).count()).toBeGreaterThan(0);
    expect(await page.locator("#ticker li", { hasText: "confirm" }).count()).toBe(1);
    const loanRow = page.locator("#loans .tabulator-row", { hasText: "Active" });
    await loanRow.waitFor({ timeout: 15_000 });
    expect(await loanRow.textContent()).toContain("lending-market-A");
    await expect.poll(() => page.locator("#kpi-loans").textContent()).toBe("1");
    await expect.poll(() => page.locator("#kpi-agents").textContent()).toBe("2");
  });

  it("shows an alert when a quorum raises one on chain", async () => {
    // Chain time: the contract refuses alerts issued in its future.
    const issuedAt = (await fx.deployer.clients.public.getBlock()).timestamp;
    const alert: RiskAlert = {
      level: 3,
      evidenceHash: `0x${"ab".repeat(32)}`,
      issuedAt,
      expiresAt: issuedAt + 3600n,
    };
    await raiseAlert({
      clients: fx.stranger.clients,
      arbiter: fx.arbiter,
      alert,
      signatures: [fx.lender, fx.borrower].map((p) => signRiskAlert(fx.domain, alert, p.signer)),
    });
    // The level (read from the contract) and the alert's signers (from its event) arrive
    // separately; the banner names the signers once the event is in.
    const banner = page.locator("#alert-banner", { hasText: "System risk level 3" });
    await banner.filter({ hasText: "raised by 2 agents" }).waitFor({ state: "visible", timeout: 15_000 });
    expect(await page.locator("#kpi-risk").textContent()).toBe("3");
    await page.locator("#alerts li", { hasText: "level 3" }).waitFor();
    await page.screenshot({
      path: process.env.DASHBOARD_SCREENSHOT ?? join(dir, "dashboard.png"),
      fullPage: true,
    });
    expect(errors).toEqual([]);
  });

  it("lights up the risk panels when the risk loop's views arrive", async () => {
    const at = Date.now();
    dashboard.feed({
      type: "risk.snapshot",
      agent: fx.lender.address,
      protocolId: "lending-market-A",
      at,
      contagion: [
        { horizonHours: 6, probability: 0.05 },
        { horizonHours: 24, probability: 0.12 },
        { horizonHours: 72, probability: 0.3 },
      ],
    });
    dashboard.feed({ type: "risk.proposal", proposalId: "0xp1", proposer: fx.lender.address, level: 2, at });
    dashboard.feed({ type: "risk.vote", proposalId: "0xp1", voter: fx.borrower.address, approve: true, at });
    await page.locator("#votes li", { hasText: "1 for, 0 against" }).waitFor();
    expect(await page.locator("#risk-waiting").isHidden()).toBe(true);
    expect(await page.locator("#chart-contagion canvas").count()).toBeGreaterThan(0);
  });

  it("shows the risk loop's own signed messages: a peer's snapshot and a real vote", async () => {
    const { lendingMarket, perp } = foundationProtocols({ usdc: fx.usdc, weth: fx.weth });
    // The lender's market is drained below its buffer: its detector sees stress and proposes.
    await lendingMarket.apply({
      type: "loan.lent",
      agreementId: `0x${"77".repeat(32)}`,
      token: fx.usdc,
      principal: (await lendingMarket.snapshot()).liquidity[0]!.liquid,
      amountDue: 0n,
    });
    const proposals: string[] = [];
    for (const [name, party, adapter] of [
      ["risk-A", fx.lender, lendingMarket],
      ["risk-B", fx.borrower, perp],
    ] as const) {
      const transport = await createNatsTransport({ servers: nats.url, name, log });
      const risk = createRiskAgent({
        name,
        signer: party.signer,
        domain: fx.domain,
        transport,
        adapter,
        registered: registered(),
        quorum: 2,
        detector: createRuleDetector({ intercept: -2 }),
        cadenceMs: 300,
        alertTtlSec: 600,
        log,
      });
      risk.onActivity((a) => {
        if (a.type === "risk.sent" && a.kind === "risk.proposal") proposals.push(a.sessionId);
      });
      stops.push(async () => {
        risk.stop();
        await transport.close();
      });
    }
    // The perp's snapshot joins the lender's in the contagion chart (x, lender, perp).
    await expect.poll(() => page.locator("#chart-contagion .u-series").count(), { timeout: 15_000 }).toBe(3);
    await expect.poll(() => proposals.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await page
      .locator("#votes li", { hasText: `proposal ${proposals[0]!.slice(0, 10)}` })
      .filter({ hasText: "1 for, 0 against" })
      .waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it("replays the recording of this run in a second dashboard", async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    const replayed = await startDashboard({ replay: { file: recording, speed: 50 }, log });
    try {
      const second = await browser.newPage();
      await second.goto(replayed.url);
      await replayed.replayed;
      await second.locator("#source", { hasText: "replay" }).waitFor();
      await second
        .locator("#negotiations .tabulator-row", { hasText: "settled" })
        .waitFor({ timeout: 15_000 });
      await second.locator("#loans .tabulator-row", { hasText: "Active" }).waitFor();
      await second.locator("#alert-banner", { hasText: "System risk level 3" }).waitFor();
      await second.close();
    } finally {
      await replayed.stop();
    }
  });
});
