/**
 * Engine knobs that are modelling assumptions rather than scenario facts. Every default is
 * stated here once, so a report can print what a run assumed. (Depths, sizes, liquidators and
 * distress rules are scenario facts with their own source or assumption: see
 * sims/scenarios/scenario-engine-schema.ts and ./engine-defaults.ts.)
 */
import { z } from "zod";
import type { KinkedRateModel } from "../../protocol-adapters/simulated/interest-rate-model.ts";

export type EngineOptions = {
  /** Borrowers modelled per lending protocol (their debts add up to the scenario's borrowed). */
  positionsPerLending: number;
  /** Traders per side per perp market. */
  tradersPerSide: number;
  /** Own funds of a lending protocol (safety module, surplus buffer), share of its deposits. */
  lendingTreasuryShare: number;
  /** Share of deposits a lending protocol keeps liquid; cash above it can be lent to peers. */
  lendingBufferShare: number;
  /** Rate model for every reserve (scenarios do not specify one). */
  rateModel: KinkedRateModel;
  /** Share of a pool's remaining deviation from the outside price, inside the arbitrage band,
   *  that ordinary flow removes per hour. */
  arbitrageRecoveryPerHour: number;
  /** Largest dislocation the engine's own selling can cause on an outside market (the square-root
   *  law is only measured up to a few times the quoted depth). */
  maxOutsideDislocation: number;
  /** Multiplies every pool's reserves and every outside market's depth and arbitrage capacity: a
   *  sensitivity knob (1 = the scenario as written). */
  depthScale: number;
  /** Share of a liquidated perp long the exchange (or its hedgers) sells spot. */
  perpHedgeShare: number;
  /** Funding per hour at full long/short imbalance, bps of notional. */
  fundingBpsPerHour: number;
  /** Liquidation rounds per step (each round sees the prices the previous one moved). */
  liquidationRounds: number;
  /** Share of trader collateral kept as margin in open positions (the rest is idle). */
  perpMarginShare: number;
  /** Clear the network exactly (USD-8) every step instead of when the float solvency screen finds a
   *  protocol at or near a default or its halt threshold (solvency-screen.ts). Same results;
   *  slower. */
  exactClearingEveryStep: boolean;
  /** Unix seconds of step 0 (the episode start for historical scenarios, when given). */
  startTime: bigint | undefined;
};

export const defaultEngineOptions: EngineOptions = {
  positionsPerLending: 400,
  tradersPerSide: 40,
  lendingTreasuryShare: 0.01,
  lendingBufferShare: 0.1,
  rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
  arbitrageRecoveryPerHour: 0.25,
  maxOutsideDislocation: 0.5,
  depthScale: 1,
  perpHedgeShare: 0.5,
  fundingBpsPerHour: 5,
  liquidationRounds: 4,
  perpMarginShare: 0.6,
  exactClearingEveryStep: false,
  startTime: undefined,
};

/** The engine options that hold a single number (the ones `--sweep` can vary). */
export type NumericEngineOption = {
  [K in keyof EngineOptions]: EngineOptions[K] extends number ? K : never;
}[keyof EngineOptions];

const wholeNumber = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.number(message).int(message).min(min, message).max(max, message);
};
const share = () => {
  const message = "expected a share from 0 to 1";
  return z.number(message).min(0, message).max(1, message);
};
const positive = () => z.number("expected a number above 0").positive("expected a number above 0");

/**
 * What each numeric option may be, stated once: the command line's --positions and --sweep check
 * values against these before any run starts (a value outside them would fail mid-run or give a
 * meaningless world: a fractional borrower count, a negative depth).
 */
export const ENGINE_OPTION_VALUES = {
  positionsPerLending: wholeNumber(1, 10_000_000),
  tradersPerSide: wholeNumber(1, 1_000_000),
  lendingTreasuryShare: share(),
  lendingBufferShare: share(),
  arbitrageRecoveryPerHour: share(),
  maxOutsideDislocation: z
    .number("expected a share above 0 and at most 1")
    .positive("expected a share above 0 and at most 1")
    .max(1, "expected a share above 0 and at most 1"),
  depthScale: positive(),
  perpHedgeShare: share(),
  fundingBpsPerHour: z.number("expected a number >= 0").min(0, "expected a number >= 0"),
  liquidationRounds: wholeNumber(1, 1_000),
  perpMarginShare: share(),
} satisfies Record<NumericEngineOption, z.ZodType<number>>;

export const NUMERIC_ENGINE_OPTIONS = Object.keys(ENGINE_OPTION_VALUES) as [
  NumericEngineOption,
  ...NumericEngineOption[],
];
