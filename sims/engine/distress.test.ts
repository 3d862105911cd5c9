import { describe, expect, it } from "vitest";
import { clearingVectorBaseUnits } from "../contagion/clearing-vector-base-units.ts";
import { parseScenario } from "../scenarios/load-scenario.ts";
import type { ScenarioJson } from "../scenarios/scenario-schema.ts";
import type { EnginePolicy } from "./engine-policy.ts";
import { type RunResult, runEngine } from "./run-engine.ts";
import { chainOfFunds, creditLine, deepOutside, vault } from "./testing/fixtures.ts";
import type { World } from "./world.ts";

const USD8 = 100_000_000n;
const M = (x: number) => BigInt(x) * 1_000_000n * USD8;

/** Runs a scenario and keeps the world as the policy last saw it (each step, before payouts). */
async function run(json: ScenarioJson): Promise<{ result: RunResult; world: World; runShares: number[][] }> {
  let world: World | undefined;
  const runShares: number[][] = [];
  const watcher: EnginePolicy = {
    name: "watcher",
    onStep(ctx) {
      world = ctx.world;
      runShares.push([...ctx.world.distress.runSharePerStep]);
    },
  };
  const result = await runEngine({ scenario: parseScenario(json), policy: watcher });
  return { result, world: world!, runShares };
}

const haltHour = (r: RunResult, id: string) => r.end.find((e) => e.id === id)!.haltedHour;
const writeDowns = (r: RunResult) =>
  r.contagion.flatMap((e) => (e.type === "write-down" ? [{ ...e, lossUsd8: e.lossUsd8 }] : []));

describe("endogenous contagion: a chain A -> B -> C where only A is shocked", () => {
  it("B and C default, are written down and halt through the network, within the run", async () => {
    // A owes B 50M, B owes C 40M; C holds 20M in cash and 70M locked (equity 30M). XA halves at
    // hour 2: A's backing (160M) falls to 80M against 100M owed to its depositors, so it pays B
    // nothing; B, left with 100M for 100M of deposits, pays C nothing; C is left with 90M for 100M.
    const { result } = await run(chainOfFunds({ bOwesC: 40, cLocked: 70 }));
    const defaults = result.contagion.flatMap((e) => (e.type === "default" ? [e.protocol] : []));
    expect(defaults).toEqual(["a", "b"]);
    expect(result.end.map((e) => e.insolvent)).toEqual([true, true, true]);
    // Claims are marked at the clearing recovery rate (0 here) the step after.
    expect(
      writeDowns(result).map(({ creditor, debtor, lossUsd8, step }) => ({
        creditor,
        debtor,
        lossUsd8,
        step,
      })),
    ).toEqual([
      { creditor: "b", debtor: "a", lossUsd8: M(50), step: 3 },
      { creditor: "c", debtor: "b", lossUsd8: M(40), step: 3 },
    ]);
    // Each crosses its equity threshold (zero) and halts withdrawals from hour 3.
    expect(haltHour(result, "a")).toBe(3);
    expect(haltHour(result, "b")).toBe(3);
    expect(haltHour(result, "c")).toBe(3);
    expect(result.totals.halts).toBe(3);
    expect(result.totals.insolvencies).toBe(3);
    expect(result.totals.writeDownUsd8).toBe(M(90));
    // Their depositors, running on the losses, are frozen by the halts: their unpaid withdrawals count.
    expect(result.totals.unpaidWithdrawalUsd8Hours).toBeGreaterThan(0n);
  });

  it("a solvent C halts anyway when its depositors run on it (its loss, its exposure to halted B) and its cash runs out", async () => {
    // C holds 85M locked: after losing its 40M claim on B it is still solvent (equity 5M of 45M),
    // but its depositors, seeing the loss, withdraw 5% an hour; 20M of cash lasts four hours, then
    // unpaid withdrawals pile up past a quarter of its starting deposits and it halts.
    const { result, runShares } = await run(chainOfFunds({ bOwesC: 40, cLocked: 85 }));
    const c = 2;
    expect(result.contagion.some((e) => e.type === "default" && e.protocol === "c")).toBe(false);
    expect(result.end[c]!.insolvent).toBe(false);
    // No one ran on C before A's shock reached it; after, they run at the rule's cap of 5% an hour.
    expect(runShares[2]![c]).toBe(0);
    expect(runShares[4]![c]).toBeCloseTo(0.05, 12);
    const halt = result.contagion.find((e) => e.type === "halt" && e.protocol === "c");
    expect(halt).toMatchObject({
      reason: expect.stringMatching(/unpaid withdrawals .* above 25% of its starting deposits/),
    });
    expect(haltHour(result, "c")).toBeGreaterThan(4);
    expect(haltHour(result, "c")).toBeLessThan(48);
  });

  it("no exposures, no feedback: B and C are untouched when only A fails", async () => {
    const { result, runShares } = await run(chainOfFunds({ bOwesC: 40, cLocked: 70, linked: false }));
    expect(haltHour(result, "a")).toBe(3); // A's own loss halts it
    expect(haltHour(result, "b")).toBeNull();
    expect(haltHour(result, "c")).toBeNull();
    expect(writeDowns(result)).toEqual([]);
    expect(result.totals.writeDownUsd8).toBe(0n);
    for (const shares of runShares) {
      expect(shares[1]).toBe(0);
      expect(shares[2]).toBe(0);
    }
    expect(result.end[1]!.insolvent || result.end[2]!.insolvent).toBe(false);
  });
});

describe("write-downs", () => {
  /** A owes B 50M; XA falls 80% at hour 2, leaving A 10M above what its depositors are owed. */
  const twoFunds = (): ScenarioJson => ({
    v: 1,
    name: "two-funds",
    title: "A owes B",
    kind: "synthetic",
    source: "hand-made test scenario",
    notes: "numbers chosen to be checked by hand",
    time: { horizonHours: 6, stepHours: 1 },
    assets: [
      { symbol: "XA", decimals: 18, priceUsd: 1, path: { model: "constant" } },
      { symbol: "USDC", decimals: 6, priceUsd: 1, path: { model: "constant" } },
    ],
    shocks: [{ asset: "XA", atHours: 2, magnitude: -0.8 }],
    protocols: [
      vault("a", "70000000", [
        { asset: "USDC", amount: "60000000", liquidity: "liquid" },
        { asset: "XA", amount: "100000000", liquidity: "illiquid" },
      ]),
      vault("b", "100000000", [{ asset: "USDC", amount: "100000000", liquidity: "liquid" }]),
    ],
    crossHoldings: [creditLine("b", "a", "50000000")],
    outsideMarkets: [deepOutside("XA")],
  });

  it("mark a creditor's claim at the Eisenberg-Noe recovery rate, exactly", async () => {
    const { result, world } = await run(twoFunds());
    // After the shock A holds 60M + 20M = 80M against 70M owed to its depositors (senior): 10M is
    // left for B's 50M claim. Eisenberg-Noe in USD-8 base units says the same:
    const cleared = clearingVectorBaseUnits({
      liabilities: [
        [0n, M(50)],
        [0n, 0n],
      ],
      externalAssets: [M(10), M(100) - M(100)],
    });
    expect(cleared.payments[0]).toBe(M(10));
    const recovery = Number((cleared.payments[0]! * 1_000_000n) / cleared.obligations[0]!);
    expect(writeDowns(result)).toEqual([
      expect.objectContaining({
        creditor: "b",
        debtor: "a",
        lossUsd8: M(40),
        recoveryPpm: recovery,
        step: 3,
      }),
    ]);
    // The claim on B's books is now what A can pay: 10M USDC, and it is paid in full afterwards.
    const line = world.cross.find((c) => c.form === "credit-line")!;
    expect(line.amount).toBe(10_000_000n * 1_000_000n);
    expect(line.writtenDown).toBe(40_000_000n * 1_000_000n);
    expect(result.end[1]!.writeDownLossUsd8).toBe(M(40));
    // What insolvent A could not pay is on record, though it owes B nothing more now.
    expect(result.totals.insolventDebtUsd8).toBe(M(40));
  });
});
