/**
 * Margined loans on both settlement backends: a negotiated loan whose collateral gaps down is
 * liquidated with the same results on the LiquidityArbiter (anvil, the margin oracle fed from the
 * engine's prices) as on the ledger, and the engine's alert, once posted, tightens margined
 * thresholds on both until it expires. Real anvil, contract, signatures and price feeds.
 */
import { keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArbiterReadClients } from "../../arbitration/clients.ts";
import { getArbiterEvents } from "../../arbitration/events.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { createSigner } from "../../core/signer.ts";
import { createBuiltinPolicy } from "../engine/builtin-policy.ts";
import { runEngine } from "../engine/run-engine.ts";
import { bank } from "../engine/testing/fixtures.ts";
import { buildWorld, protocolKey } from "../engine/world.ts";
import { parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
import { type ChainBackend, createChainBackend } from "./chain-backend.ts";
import { createLedgerBackend } from "./ledger-backend.ts";
import type { SettlementBackend } from "./settlement-backend.ts";

let chain: ChainBackend;
let read: ReturnType<typeof createArbiterReadClients>;

beforeAll(async () => {
  chain = await createChainBackend();
  read = createArbiterReadClients({ rpcUrl: chain.chain().rpcUrl });
}, 30_000);
afterAll(async () => {
  await chain?.close();
});

/** The bank fixture: ETH (the bank's collateral) holds 7 hours, then falls 30% within the 8th. */
function gap(): ScenarioJson {
  const s = bank(false);
  const keyframes = [
    { hours: 7, change: 0 },
    { hours: 8, change: -0.3 },
  ];
  return {
    ...s,
    assets: s.assets.map((a) => (a.symbol === "ETH" ? { ...a, path: { model: "scripted", keyframes } } : a)),
  } as ScenarioJson;
}

describe("margined negotiated loans on the chain equal the ledger", () => {
  it("a collateral gap: the same liquidation on both, by a real liquidate transaction at the feeds' prices", async () => {
    const run = (settlement: SettlementBackend) =>
      runEngine({
        scenario: parseScenario(gap()),
        options: { positionsPerLending: 20 },
        policy: createBuiltinPolicy({ negotiation: true, derisking: true }),
        settlement,
      });
    const ledger = createLedgerBackend();
    const onLedger = await run(ledger);
    const before = chain.stats();
    const onChain = await run(chain);
    expect(onChain).toEqual(onLedger);
    expect(onChain.totals.loansLiquidated).toBe(1);
    const liquidated = await getArbiterEvents({
      clients: read,
      arbiter: chain.chain().arbiter,
      eventName: "Liquidated",
    });
    expect(liquidated.length).toBe(onChain.events.filter((e) => e.type === "liquidated").length);
    const cost = chain.stats();
    expect(cost.liquidate - before.liquidate).toBe(liquidated.length);
    expect(cost.liquidate - before.liquidate).toBe(ledger.stats().liquidate);
    expect(cost.priceUpdates - before.priceUpdates).toBeGreaterThan(0);
    // The 30% fall raised the de-risking alert; both backends were told.
    expect(onChain.events.some((e) => e.type === "alert" && e.level > 0)).toBe(true);
    expect(cost.alerts - before.alerts).toBe(ledger.stats().alerts);
    expect(ledger.stats().alerts).toBeGreaterThan(0);
  }, 120_000);

  it("a posted alert tightens a margined loan's threshold by its tightening per level until it expires", async () => {
    const scenario = parseScenario(bank(false));
    for (const settlement of [createLedgerBackend(), chain] as SettlementBackend[]) {
      const world = buildWorld({ scenario, assetAddresses: await settlement.tokens(scenario.assets) });
      let now = world.startTime;
      const run = await settlement.openRun({ world, now: () => now });
      try {
        const eth = world.assets[world.assetIndex.get("ETH")!]!;
        const usdc = world.assets[world.assetIndex.get("USDC")!]!;
        const [borrower, lender] = [0, 1];
        const agreement: Agreement = {
          sessionId: keccak256(toHex("alert-tightens")),
          lender: world.protocols[lender]!.address,
          borrower: world.protocols[borrower]!.address,
          principalToken: usdc.address,
          principal: 1_000_000n * usdc.scale,
          collateralToken: eth.address,
          collateral: 1_000n * eth.scale,
          rateBps: 500,
          tenor: 24 * 3600,
          nonce: 1n,
          deadline: now + 3600n,
          liquidationThresholdBps: 8_000,
          liquidationBonusBps: 500,
          tighteningPerLevelBps: 1_000,
        };
        const sign = (i: number) => signAgreement(run.domain, agreement, createSigner(protocolKey(i)));
        await run
          .port(borrower)
          .settle({ agreement, lenderSignature: sign(lender), borrowerSignature: sign(borrower) });
        const threshold = async () => (await run.port(lender).loanHealth({ agreement })).thresholdBps;
        expect(await threshold(), settlement.kind).toBe(8_000);
        await run.postAlert({ level: 2, expiresSec: now + 3_600n });
        expect(await threshold(), settlement.kind).toBe(6_000);
        now += 1_800n;
        expect(await threshold(), settlement.kind).toBe(6_000);
        now += 1_800n; // at expiry: the level in force is 0 again
        expect(await threshold(), settlement.kind).toBe(8_000);
        const health = await run.port(lender).loanHealth({ agreement });
        // $2M of ETH at an 80% threshold against $1M and a day's interest: about 1.6.
        expect(Number(health.health) / 1e18).toBeCloseTo(1.6, 2);
        expect(health.liquidatable).toBe(false);
      } finally {
        await run.close();
      }
    }
  }, 60_000);
});
