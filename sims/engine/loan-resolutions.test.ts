/**
 * The loan-resolution feed: each loan that left "active" is told to the policy once, with what
 * was due, the collateral, whether the lender claimed it, and the principal's value when lent.
 */
import { describe, expect, it } from "vitest";
import type { AgentPolicy, ResolvedLoan } from "../../agents/agent-policy.ts";
import { parseScenario } from "../scenarios/load-scenario.ts";
import { createLoanResolutionFeed } from "./loan-resolutions.ts";
import { oneBorrower } from "./testing/fixtures.ts";
import { buildWorld, type InterProtocolLoan, usd8Of, type World } from "./world.ts";

const E6 = 10n ** 6n;
const E18 = 10n ** 18n;

function world(): World {
  return buildWorld({ scenario: parseScenario(oneBorrower()), options: { positionsPerLending: 1 } });
}

/** A $1M USDC loan against `eth` ETH (ETH at $2,000), due $1.01M. */
function loan(w: World, id: string, status: InterProtocolLoan["status"], eth: bigint): InterProtocolLoan {
  const usdc = w.assetIndex.get("USDC")!;
  return {
    id: `0x${id.padStart(64, "0")}`,
    lender: 0,
    borrower: 0,
    asset: usdc,
    principal: 1_000_000n * E6,
    due: 1_010_000n * E6,
    collateralAsset: w.assetIndex.get("ETH")!,
    collateral: eth * E18,
    rateBps: 1000,
    openedStep: 0,
    maturitySec: w.startTime + 86_400n,
    tenor: 86_400,
    principalUsd8AtOpen: usd8Of(1_000_000),
    status,
    margined: false,
    liquidated: false,
    toppedUp: false,
    writtenDown: 0n,
  };
}

describe("loan resolutions", () => {
  it("tells each ended loan once, at the first step it is seen ended, and never an active one", () => {
    const w = world();
    const told: ResolvedLoan[] = [];
    const policy = { loanResolved: (l: ResolvedLoan) => told.push(l) } as unknown as AgentPolicy;
    const feed = createLoanResolutionFeed();
    w.loans.push(loan(w, "1", "active", 300n), loan(w, "2", "repaid", 0n));
    expect(feed(w, policy).length).toBe(1);
    w.loans[0]!.status = "defaulted";
    feed(w, policy);
    feed(w, policy);
    expect(told.map((l) => l.defaulted)).toEqual([false, true]);
    expect(told[1]).toEqual({
      lenderProtocolId: w.protocols[0]!.id,
      principalToken: w.assets[w.assetIndex.get("USDC")!]!.address,
      collateralToken: w.assets[w.assetIndex.get("ETH")!]!.address,
      tenor: 86_400,
      principal: 1_000_000n * E6,
      due: 1_010_000n * E6,
      collateral: 300n * E18,
      defaulted: true,
      principalUsd8AtOpen: usd8Of(1_000_000),
    });
    // A liquidated loan was paid by its collateral: not a default.
    w.loans.push(loan(w, "3", "liquidated", 0n));
    expect(feed(w, policy)[0]!.defaulted).toBe(false);
    // A policy that does not listen (the rule policy) is fine.
    expect(() => createLoanResolutionFeed()(w, {} as AgentPolicy)).not.toThrow();
  });
});
