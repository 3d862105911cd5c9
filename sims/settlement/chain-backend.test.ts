/**
 * The chain backend against the ledger: the same runs settle on the LiquidityArbiter on anvil and
 * on the in-process ledger and must give equal results, field for field. Real anvil, real
 * contract, real signatures; the policies are the engine's own or a script of real calls.
 */
import { fileURLToPath } from "node:url";
import { type Hex, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArbiterReadClients } from "../../arbitration/clients.ts";
import { getArbiterEvents } from "../../arbitration/events.ts";
import { getLoan } from "../../arbitration/get-loan.ts";
import { type Agreement, signAgreement } from "../../core/agreement.ts";
import { createSigner } from "../../core/signer.ts";
import { createBuiltinPolicy } from "../engine/builtin-policy.ts";
import type { EnginePolicy, PolicyContext } from "../engine/engine-policy.ts";
import { runEngine } from "../engine/run-engine.ts";
import { buildWorld, protocolKey, type World } from "../engine/world.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import { modeFlags } from "../monte-carlo/run-monte-carlo.ts";
import { loadScenario } from "../scenarios/load-scenario.ts";
import { type ChainBackend, createChainBackend } from "./chain-backend.ts";
import { createLedgerBackend } from "./ledger-backend.ts";
import type { SettlementBackend, SettlementRun } from "./settlement-backend.ts";

const demo = loadScenario(fileURLToPath(new URL("../engine/scenarios/contagion-demo.json", import.meta.url)));
let chain: ChainBackend;
let read: ReturnType<typeof createArbiterReadClients>;

beforeAll(async () => {
  chain = await createChainBackend();
  read = createArbiterReadClients({ rpcUrl: chain.chain().rpcUrl });
}, 30_000);
afterAll(async () => {
  await chain?.close();
});

/** What the arbiter emitted in the chain's current run (each run starts from a clean chain). */
const chainEvents = (eventName: "Settled" | "Repaid" | "DefaultClaimed") =>
  getArbiterEvents({ clients: read, arbiter: chain.chain().arbiter, eventName });

describe("chain settlement equals the ledger", () => {
  it("the demo study: same results in negotiation and both modes, settled by real transactions", async () => {
    const ledger = createLedgerBackend();
    let settledOnChain = 0;
    for (const mode of ["negotiation", "both"] as const) {
      for (const seed of [1, 2]) {
        const run = (settlement: SettlementBackend) =>
          runEngine({ scenario: demo, seed, policy: createBuiltinPolicy(modeFlags(mode)), settlement });
        const onLedger = await run(ledger);
        const onChain = await run(chain);
        expect(onChain, `${mode} seed ${seed}`).toEqual(onLedger);
        // Every loan of the run is a Settled event of the contract.
        const settled = await chainEvents("Settled");
        expect(settled).toHaveLength(onChain.totals.loans);
        settledOnChain += settled.length;
      }
    }
    expect(settledOnChain).toBeGreaterThan(0);
    expect(chain.stats().settle).toBe(settledOnChain);
    expect(chain.stats().arbiterGas).toBeGreaterThan(0n);
    expect(ledger.stats().settle).toBe(settledOnChain);
  }, 60_000);

  it("repayments, refusals and default claims inside a run: same results, and the contract agrees", async () => {
    const onLedger = await runEngine({
      scenario: demo,
      policy: scriptedPolicy().policy,
      settlement: createLedgerBackend(),
    });
    const script = scriptedPolicy();
    const before = chain.stats();
    const onChain = await runEngine({ scenario: demo, policy: script.policy, settlement: chain });
    expect(onChain).toEqual(onLedger);
    expect(
      onChain.events.filter((e) => e.type === "no-deal").map((e) => e.type === "no-deal" && e.reason),
    ).toEqual([
      "expired: Expired",
      "forged: InvalidSignature",
      "too big: ERC20InsufficientBalance",
      "early claim: GracePeriodActive",
      "repay again: NotActive",
    ]);
    expect(onChain.events.map((e) => e.type)).toEqual(expect.arrayContaining(["repaid", "defaulted"]));
    expect(onChain.totals.defaults).toBe(1);

    const cost = chain.stats();
    expect(cost.repay - before.repay).toBe(1);
    expect(cost.claimDefault - before.claimDefault).toBe(1);
    expect(cost.refused - before.refused).toBe(5);
    const [repaid, defaulted] = script.ids;
    const status = async (id: Hex | undefined) =>
      (await getLoan({ clients: read, arbiter: chain.chain().arbiter, id: id! })).status;
    expect(await status(repaid)).toBe("Repaid");
    expect(await status(defaulted)).toBe("Defaulted");
    expect(await chainEvents("Repaid")).toHaveLength(1);
    expect(await chainEvents("DefaultClaimed")).toHaveLength(1);
  }, 30_000);
});

describe("a refusal on chain is the ledger's refusal", () => {
  it("gives the same LedgerRevertError name and arguments", async () => {
    const open = async (settlement: SettlementBackend) => {
      const world = buildWorld({ scenario: demo, assetAddresses: await settlement.tokens(demo.assets) });
      return { world, run: await settlement.openRun({ world, now: () => world.startTime }) };
    };
    const refusal = async ({ world, run }: { world: World; run: SettlementRun }, flaw: string) => {
      const lender = 0;
      const borrower = 2;
      const a = agreementOf(world, { lender, borrower, now: world.startTime, nonce: 1n });
      const agreement =
        flaw === "expired"
          ? { ...a, deadline: world.startTime - 1n }
          : flaw === "too big"
            ? { ...a, principal: 10n ** 18n, collateral: 0n }
            : a;
      const signer = (i: number) => createSigner(protocolKey(i));
      try {
        await run.port(borrower).settle({
          agreement,
          lenderSignature: signAgreement(run.domain, agreement, signer(lender)),
          borrowerSignature: signAgreement(run.domain, agreement, signer(flaw === "forged" ? 3 : borrower)),
        });
      } catch (error) {
        if (error instanceof LedgerRevertError) return { reason: error.reason, args: error.args };
        throw error;
      }
      return { reason: "ok", args: [] };
    };
    const ledgerSide = await open(createLedgerBackend());
    const chainSide = await open(chain);
    try {
      for (const flaw of ["expired", "forged", "too big"]) {
        const onChain = await refusal(chainSide, flaw);
        expect(onChain, flaw).toEqual(await refusal(ledgerSide, flaw));
        expect(onChain.reason).not.toBe("ok");
      }
    } finally {
      await chainSide.run.close();
      await ledgerSide.run.close();
    }
  }, 30_000);
});

/** 1,000,000 USDC from `lender` to `borrower` at 5% for 2 hours, against 1,200,000 USDC (or
 *  `collateral`), settleable for an hour. */
function agreementOf(
  w: World,
  p: {
    lender: number;
    borrower: number;
    now: bigint;
    nonce: bigint;
    tenor?: number;
    collateral?: { symbol: string; amount: bigint };
  },
): Agreement {
  const usdc = w.assets[w.assetIndex.get("USDC")!]!;
  const coll = w.assets[w.assetIndex.get(p.collateral?.symbol ?? "USDC")!]!;
  return {
    sessionId: keccak256(toHex(`scripted:${p.nonce}`)),
    lender: w.protocols[p.lender]!.address,
    borrower: w.protocols[p.borrower]!.address,
    principalToken: usdc.address,
    principal: 1_000_000n * usdc.scale,
    collateralToken: coll.address,
    collateral: (p.collateral?.amount ?? 1_200_000n) * coll.scale,
    rateBps: 500,
    tenor: p.tenor ?? 2 * 3600,
    nonce: p.nonce,
    deadline: p.now + 3600n,
  };
}

/**
 * A script of real settlement calls through the engine's ports, each outcome recorded: the lending
 * market lends USDC to the perp exchange against USDC (repaid two hours later) and to the fund
 * against ETH (never repaid: the lender claims the ETH once maturity plus the day of grace has
 * passed), with refusals
 * on the way (an expired agreement, a forged signature, more than the lender has, a claim before
 * its time, a second repayment).
 */
function scriptedPolicy(): { policy: EnginePolicy; ids: (Hex | undefined)[] } {
  const ids: (Hex | undefined)[] = [undefined, undefined];
  const agreements: Agreement[] = [];
  const [lender, perp, fund] = [0, 2, 3];
  const signer = (i: number) => createSigner(protocolKey(i));
  const attempt = async (ctx: PolicyContext, label: string, call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (error) {
      if (!(error instanceof LedgerRevertError)) throw error;
      ctx.record({ type: "no-deal", step: ctx.step, borrower: label, reason: `${label}: ${error.reason}` });
    }
  };
  const settle = (ctx: PolicyContext, borrower: number, a: Agreement, forger?: number) =>
    ctx.settlement(borrower).settle({
      agreement: a,
      lenderSignature: signAgreement(ctx.domain, a, signer(lender)),
      borrowerSignature: signAgreement(ctx.domain, a, signer(forger ?? borrower)),
    });
  const policy: EnginePolicy = {
    name: "scripted",
    async onStep(ctx) {
      const w = ctx.world;
      const at = (k: number) => ctx.step === k;
      if (at(1)) {
        for (const [slot, borrower, tenor, collateral] of [
          [0, perp, 2 * 3600, undefined],
          [1, fund, 3600, { symbol: "ETH", amount: 1000n }],
        ] as const) {
          const a = agreementOf(w, {
            lender,
            borrower,
            now: ctx.nowSec,
            nonce: BigInt(slot + 1),
            tenor,
            ...(collateral ? { collateral } : {}),
          });
          ids[slot] = (await settle(ctx, borrower, a)).id;
          agreements[slot] = a;
        }
      }
      if (at(2)) {
        const a = agreementOf(w, { lender, borrower: perp, now: ctx.nowSec, nonce: 10n });
        await attempt(ctx, "expired", () => settle(ctx, perp, { ...a, deadline: ctx.nowSec - 1n }));
        await attempt(ctx, "forged", () => settle(ctx, perp, { ...a, nonce: 11n }, fund));
        await attempt(ctx, "too big", () => settle(ctx, perp, { ...a, nonce: 12n, principal: 10n ** 18n }));
      }
      if (at(3)) await ctx.settlement(perp).repay({ id: ids[0]!, agreement: agreements[0]! });
      if (at(4)) {
        await attempt(ctx, "early claim", () =>
          ctx.settlement(lender).claimDefault({ agreement: agreements[1]! }),
        );
        await attempt(ctx, "repay again", () =>
          ctx.settlement(perp).repay({ id: ids[0]!, agreement: agreements[0]! }),
        );
      }
      if (at(30)) await ctx.settlement(lender).claimDefault({ agreement: agreements[1]! });
    },
  };
  return { policy, ids };
}
