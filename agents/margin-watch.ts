/**
 * Margin watch: the pure decision an agent takes about one margined loan each time it reads the
 * loan's health (arbitration/get-loan-health.ts). A lender's agent liquidates an unhealthy loan and
 * asks the borrower to top up one that is close; a borrower's agent tops up before its loan becomes
 * liquidatable, when it holds the collateral to. No I/O: the agent's hook reads, decides here, acts.
 *
 * Health is the contract's WAD (1e18 = at the threshold). Health is proportional to the escrow, so
 * the top-up that lifts health h to a target H is escrow * (H - h) / h, rounded up.
 */

export const HEALTH_ONE = 10n ** 18n;

export type LoanMargin = {
  /** Health now (WAD); 2^256 - 1 once nothing is owed. */
  health: bigint;
  /** Collateral in escrow, base units. */
  escrowed: bigint;
  /** Debt still owed, base units of the principal token. */
  owed: bigint;
};

export type MarginWatchParameters = {
  /** A borrower tops up when health falls below this (WAD). Default 1.10. */
  borrowerTopUpBelow: bigint;
  /** ... back up to this (WAD). Default 1.25. */
  borrowerTarget: bigint;
  /** A lender asks for a top-up below this (WAD). Default 1.05. */
  lenderAskBelow: bigint;
};

export const defaultMarginWatchParameters: MarginWatchParameters = {
  borrowerTopUpBelow: 1_100_000_000_000_000_000n,
  borrowerTarget: 1_250_000_000_000_000_000n,
  lenderAskBelow: 1_050_000_000_000_000_000n,
};

export type MarginDecision =
  | { action: "none" }
  /** Lender: the loan is liquidatable; repay as much as allowed (the contract's close factor). */
  | { action: "liquidate" }
  /** Lender: ask the borrower for `amount` more collateral (brings health to the borrower's target). */
  | { action: "ask-top-up"; amount: bigint }
  /** Borrower: add `amount` collateral; `partial` when it holds less than the target needs. */
  | { action: "top-up"; amount: bigint; partial: boolean }
  /** Borrower: its loan is below the target and it holds no collateral to add. */
  | { action: "cannot-top-up"; needed: bigint };

/** Collateral to add so health reaches `target` (0 if it already has). */
export function topUpFor(m: LoanMargin, target: bigint): bigint {
  if (m.health >= target || m.owed === 0n) return 0n;
  if (m.health === 0n) return m.escrowed === 0n ? 0n : m.escrowed; // price unknown in amounts: double it
  return (m.escrowed * (target - m.health) + m.health - 1n) / m.health;
}

export function lenderDecision(
  m: LoanMargin,
  p: MarginWatchParameters = defaultMarginWatchParameters,
): MarginDecision {
  if (m.owed === 0n) return { action: "none" };
  if (m.health < HEALTH_ONE && m.escrowed > 0n) return { action: "liquidate" };
  if (m.health < p.lenderAskBelow) return { action: "ask-top-up", amount: topUpFor(m, p.borrowerTarget) };
  return { action: "none" };
}

export function borrowerDecision(
  m: LoanMargin,
  /** Collateral the borrower holds and may post, base units. */
  available: bigint,
  p: MarginWatchParameters = defaultMarginWatchParameters,
  /** Its lender sent a margin call (agents/loans/margin-call.ts): top up to the target from
   *  anywhere below it, not only below the borrower's own top-up line. */
  called = false,
): MarginDecision {
  const line = called ? p.borrowerTarget : p.borrowerTopUpBelow;
  if (m.owed === 0n || m.health >= line) return { action: "none" };
  const needed = topUpFor(m, p.borrowerTarget);
  if (needed === 0n) return { action: "none" };
  if (available <= 0n) return { action: "cannot-top-up", needed };
  return available >= needed
    ? { action: "top-up", amount: needed, partial: false }
    : { action: "top-up", amount: available, partial: true };
}
