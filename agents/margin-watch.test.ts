import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { borrowerDecision, HEALTH_ONE, lenderDecision, topUpFor } from "./margin-watch.ts";

const WAD = HEALTH_ONE;
const h = (x: number) => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
const loan = (health: bigint) => ({ health, escrowed: 500n * WAD, owed: 1_000_000n * 10n ** 6n });

describe("margin watch: lender", () => {
  it("liquidates below 1, asks for a top-up below 1.05, else waits", () => {
    expect(lenderDecision(loan(h(0.97)))).toEqual({ action: "liquidate" });
    const ask = lenderDecision(loan(h(1.02)));
    expect(ask.action).toBe("ask-top-up");
    expect(lenderDecision(loan(h(1.2)))).toEqual({ action: "none" });
    expect(lenderDecision({ ...loan(h(0.5)), owed: 0n })).toEqual({ action: "none" });
    // No collateral left: nothing to liquidate (the rest is claimed as a default).
    expect(lenderDecision({ ...loan(0n), escrowed: 0n }).action).not.toBe("liquidate");
  });
});

describe("margin watch: borrower", () => {
  it("tops up to the target before the loan becomes liquidatable", () => {
    // health 1.05 -> 1.25 needs 500 * 0.20 / 1.05 = 95.238... WETH, rounded up
    const d = borrowerDecision(loan(h(1.05)), 1_000n * WAD);
    expect(d).toEqual({
      action: "top-up",
      amount: (500n * WAD * h(0.2) + h(1.05) - 1n) / h(1.05),
      partial: false,
    });
    expect(borrowerDecision(loan(h(1.15)), 1_000n * WAD)).toEqual({ action: "none" });
  });

  it("tops up what it has when it has less, and says when it has nothing", () => {
    expect(borrowerDecision(loan(h(1.0)), 10n * WAD)).toEqual({
      action: "top-up",
      amount: 10n * WAD,
      partial: true,
    });
    expect(borrowerDecision(loan(h(1.0)), 0n)).toEqual({
      action: "cannot-top-up",
      needed: topUpFor(loan(h(1.0)), h(1.25)),
    });
  });

  it("the top-up reaches the target exactly (health is proportional to escrow)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 2n * WAD }),
        fc.bigInt({ min: WAD, max: 3n * WAD }),
        (escrowed, health, target) => {
          const add = topUpFor({ health, escrowed, owed: 1n }, target);
          if (health >= target) {
            expect(add).toBe(0n);
          } else {
            // health after = health * (escrowed + add) / escrowed >= target, and add is the least such
            expect(health * (escrowed + add)).toBeGreaterThanOrEqual(target * escrowed);
            expect(health * (escrowed + add - 1n)).toBeLessThan(target * escrowed);
          }
        },
      ),
    );
  });
});
