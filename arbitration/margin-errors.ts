/**
 * Typed errors of margined loans: the arbiter's own (NotMargined, MarginUnavailable) and the
 * MarginOracle's, which bubble up through the arbiter's liquidate, settle and topUp unchanged. Each
 * says what was wrong and what to do; arbitration/errors.ts maps decoded reverts here.
 */
import type { Address, Hex } from "viem";
import { ArbiterRevertError } from "./errors-base.ts";

type Cause = { cause?: unknown };

const WAD = 10n ** 18n;

/** A health factor (WAD) as a decimal, e.g. 0.9761. */
export function formatHealth(health: bigint): string {
  if (health === 2n ** 256n - 1n) return "infinite (no debt)";
  const whole = health / WAD;
  const frac = ((health % WAD) * 10_000n) / WAD;
  return `${whole}.${frac.toString().padStart(4, "0")}`;
}

const pct = (bps: bigint) => `${Number(bps) / 100} %`;

export class ArbiterNotMarginedError extends ArbiterRevertError {
  override name = "ArbiterNotMarginedError";
  readonly id: Hex;
  constructor({ id, cause }: { id: Hex } & Cause) {
    super(`Loan ${id} has no liquidation threshold: it cannot be topped up or liquidated.`, {
      errorName: "NotMargined",
      args: [id],
      metaMessages: [
        "Only agreements with liquidationThresholdBps > 0 are margined. An unmargined loan ends by repay,",
        "claimDefault, a call (callRiskLevel) or a ruling.",
      ],
      cause,
    });
    this.id = id;
  }
}

export class ArbiterMarginUnavailableError extends ArbiterRevertError {
  override name = "ArbiterMarginUnavailableError";
  constructor({ cause }: Cause = {}) {
    super("A margined agreement needs collateral and the arbiter needs a margin oracle.", {
      errorName: "MarginUnavailable",
      metaMessages: [
        "Agree on collateral > 0, or drop the liquidation threshold; governance sets the oracle with",
        "setMarginOracle (arbitration/margin-oracle.ts).",
      ],
      cause,
    });
  }
}

export class ArbiterNoPriceFeedError extends ArbiterRevertError {
  override name = "ArbiterNoPriceFeedError";
  readonly token: Address;
  constructor({ token, cause }: { token: Address } & Cause) {
    super(`The margin oracle has no price feed for ${token}.`, {
      errorName: "NoPriceFeed",
      args: [token],
      metaMessages: [
        "Ask governance to set one (setPriceFeed), or use an unmargined agreement in this token.",
      ],
      cause,
    });
    this.token = token;
  }
}

export class ArbiterStalePriceError extends ArbiterRevertError {
  override name = "ArbiterStalePriceError";
  readonly token: Address;
  readonly updatedAt: bigint;
  readonly maxAge: bigint;
  constructor({
    token,
    updatedAt,
    maxAge,
    cause,
  }: { token: Address; updatedAt: bigint; maxAge: bigint } & Cause) {
    super(`${token}'s price (updated at ${updatedAt}) is older than ${maxAge} s or dated in the future.`, {
      errorName: "StalePrice",
      args: [token, updatedAt, maxAge],
      metaMessages: [
        "Margined loans neither open nor liquidate on a stale price. Wait for the feed's next round and",
        "retry; if the feed has stopped, governance must replace it.",
      ],
      cause,
    });
    this.token = token;
    this.updatedAt = updatedAt;
    this.maxAge = maxAge;
  }
}

export class ArbiterNonPositivePriceError extends ArbiterRevertError {
  override name = "ArbiterNonPositivePriceError";
  readonly token: Address;
  readonly answer: bigint;
  constructor({ token, answer, cause }: { token: Address; answer: bigint } & Cause) {
    super(`${token}'s feed answered ${answer}: a price must be positive.`, {
      errorName: "NonPositivePrice",
      args: [token, answer],
      metaMessages: ["The feed is broken; nothing is liquidated on it. Retry after a sane round."],
      cause,
    });
    this.token = token;
    this.answer = answer;
  }
}

export class ArbiterPriceOutOfBoundsError extends ArbiterRevertError {
  override name = "ArbiterPriceOutOfBoundsError";
  readonly token: Address;
  readonly answer: bigint;
  readonly minAnswer: bigint;
  readonly maxAnswer: bigint;
  constructor({
    token,
    answer,
    minAnswer,
    maxAnswer,
    cause,
  }: { token: Address; answer: bigint; minAnswer: bigint; maxAnswer: bigint } & Cause) {
    super(`${token}'s feed answered ${answer}, outside its sanity band ${minAnswer}..${maxAnswer}.`, {
      errorName: "PriceOutOfBounds",
      args: [token, answer, minAnswer, maxAnswer],
      metaMessages: [
        "An extreme answer (an aggregator spike) stops liquidations rather than triggering them. Retry",
        "after the feed returns to its band; governance widens the band if the market really moved.",
      ],
      cause,
    });
    this.token = token;
    this.answer = answer;
    this.minAnswer = minAnswer;
    this.maxAnswer = maxAnswer;
  }
}

export class ArbiterHealthyLoanError extends ArbiterRevertError {
  override name = "ArbiterHealthyLoanError";
  /** Health factor, WAD (1e18 = at the threshold). */
  readonly health: bigint;
  constructor({ health, cause }: { health: bigint } & Cause) {
    super(`The loan is healthy (health ${formatHealth(health)} >= 1): it cannot be liquidated.`, {
      errorName: "HealthyLoan",
      args: [health],
      metaMessages: ["Read getLoanHealth before liquidating; only a loan below health 1 can be liquidated."],
      cause,
    });
    this.health = health;
  }
}

export class ArbiterRepayAboveCloseFactorError extends ArbiterRevertError {
  override name = "ArbiterRepayAboveCloseFactorError";
  readonly amount: bigint;
  readonly maxRepay: bigint;
  constructor({ amount, maxRepay, cause }: { amount: bigint; maxRepay: bigint } & Cause) {
    super(`A liquidation may repay at most ${maxRepay} now; ${amount} was asked.`, {
      errorName: "RepayAboveCloseFactor",
      args: [amount, maxRepay],
      metaMessages: [
        "While health is at least 0.95 one liquidation repays at most half the debt (the close factor).",
        "Repay at most that, or pass no amount (the most allowed).",
      ],
      cause,
    });
    this.amount = amount;
    this.maxRepay = maxRepay;
  }
}

export class ArbiterLiquidationMustCloseError extends ArbiterRevertError {
  override name = "ArbiterLiquidationMustCloseError";
  readonly amount: bigint;
  readonly required: bigint;
  constructor({ amount, required, cause }: { amount: bigint; required: bigint } & Cause) {
    super(`This liquidation must repay ${required}; ${amount} would leave the loan less healthy.`, {
      errorName: "LiquidationMustClose",
      args: [amount, required],
      metaMessages: [
        "The collateral no longer covers the debt plus the bonus: a partial liquidation would lower the",
        "health. Repay the required amount (it takes all the collateral or all the debt), or pass no amount.",
      ],
      cause,
    });
    this.amount = amount;
    this.required = required;
  }
}

export class ArbiterThresholdBelowOpeningLtvError extends ArbiterRevertError {
  override name = "ArbiterThresholdBelowOpeningLtvError";
  readonly ltvBps: bigint;
  readonly thresholdBps: bigint;
  constructor({ ltvBps, thresholdBps, cause }: { ltvBps: bigint; thresholdBps: bigint } & Cause) {
    super(
      `The loan would open at ${pct(ltvBps)} loan-to-value, not below its liquidation threshold ${pct(thresholdBps)}.`,
      {
        errorName: "ThresholdBelowOpeningLtv",
        args: [ltvBps, thresholdBps],
        metaMessages: [
          "It would be liquidatable at once. Renegotiate: more collateral, a smaller principal, or a",
          "higher threshold (the threshold in force is tightened while a risk alert holds).",
        ],
        cause,
      },
    );
    this.ltvBps = ltvBps;
    this.thresholdBps = thresholdBps;
  }
}

export class ArbiterThresholdAboveMaxError extends ArbiterRevertError {
  override name = "ArbiterThresholdAboveMaxError";
  readonly thresholdBps: bigint;
  constructor({ thresholdBps, cause }: { thresholdBps: bigint } & Cause) {
    super(`A liquidation threshold of ${pct(thresholdBps)} is above 100 %.`, {
      errorName: "ThresholdAboveMax",
      args: [thresholdBps],
      metaMessages: ["Renegotiate with liquidationThresholdBps <= 10000."],
      cause,
    });
    this.thresholdBps = thresholdBps;
  }
}

export class ArbiterInvalidLiquidationBonusError extends ArbiterRevertError {
  override name = "ArbiterInvalidLiquidationBonusError";
  readonly bonusBps: bigint;
  readonly thresholdBps: bigint;
  constructor({ bonusBps, thresholdBps, cause }: { bonusBps: bigint; thresholdBps: bigint } & Cause) {
    super(
      `Threshold ${pct(thresholdBps)} with bonus ${pct(bonusBps)} exceeds 100 %: the collateral could not pay the bonus.`,
      {
        errorName: "InvalidLiquidationBonus",
        args: [bonusBps, thresholdBps],
        metaMessages: ["Renegotiate so that threshold * (1 + bonus) <= 100 %."],
        cause,
      },
    );
    this.bonusBps = bonusBps;
    this.thresholdBps = thresholdBps;
  }
}

export class ArbiterNothingToLiquidateError extends ArbiterRevertError {
  override name = "ArbiterNothingToLiquidateError";
  constructor({ cause }: Cause = {}) {
    super("The loan has no collateral left in escrow: there is nothing to liquidate.", {
      errorName: "NothingToLiquidate",
      metaMessages: [
        "The remaining debt is unsecured: the lender claims the default after maturity plus grace.",
      ],
      cause,
    });
  }
}

export class ArbiterInvalidFeedError extends ArbiterRevertError {
  override name = "ArbiterInvalidFeedError";
  constructor({ cause }: Cause = {}) {
    super("The price feed settings are invalid.", {
      errorName: "InvalidFeed",
      metaMessages: [
        "The feed must be a contract with <= 18 decimals, the token must report decimals, the band must be",
        "0 < minAnswer <= maxAnswer, and maxAge between 1 s and 7 days.",
      ],
      cause,
    });
  }
}

/** The typed error of a margin revert, or undefined if `errorName` is not one. */
export function marginErrorFromRevert(
  errorName: string,
  args: readonly unknown[],
  cause?: unknown,
): ArbiterRevertError | undefined {
  const a = args as unknown as [never, never, never, never];
  switch (errorName) {
    case "NotMargined":
      return new ArbiterNotMarginedError({ id: a[0], cause });
    case "MarginUnavailable":
      return new ArbiterMarginUnavailableError({ cause });
    case "NoPriceFeed":
      return new ArbiterNoPriceFeedError({ token: a[0], cause });
    case "StalePrice":
      return new ArbiterStalePriceError({ token: a[0], updatedAt: a[1], maxAge: a[2], cause });
    case "NonPositivePrice":
      return new ArbiterNonPositivePriceError({ token: a[0], answer: a[1], cause });
    case "PriceOutOfBounds":
      return new ArbiterPriceOutOfBoundsError({
        token: a[0],
        answer: a[1],
        minAnswer: a[2],
        maxAnswer: a[3],
        cause,
      });
    case "HealthyLoan":
      return new ArbiterHealthyLoanError({ health: a[0], cause });
    case "RepayAboveCloseFactor":
      return new ArbiterRepayAboveCloseFactorError({ amount: a[0], maxRepay: a[1], cause });
    case "LiquidationMustClose":
      return new ArbiterLiquidationMustCloseError({ amount: a[0], required: a[1], cause });
    case "ThresholdBelowOpeningLtv":
      return new ArbiterThresholdBelowOpeningLtvError({ ltvBps: a[0], thresholdBps: a[1], cause });
    case "ThresholdAboveMax":
      return new ArbiterThresholdAboveMaxError({ thresholdBps: a[0], cause });
    case "InvalidLiquidationBonus":
      return new ArbiterInvalidLiquidationBonusError({ bonusBps: a[0], thresholdBps: a[1], cause });
    case "NothingToLiquidate":
      return new ArbiterNothingToLiquidateError({ cause });
    case "InvalidFeed":
      return new ArbiterInvalidFeedError({ cause });
    default:
      return undefined;
  }
}
