/**
 * Chooses how a scenario's `market` assets move for a run or a study (replay, bootstrap or fitted;
 * see scenario-schema.ts `market.paths`) without touching anything else in it.
 */
import type { PricePathMode, Scenario } from "./scenario-schema.ts";

/**
 * What studies use unless told otherwise: seeded bootstrap draws from the scenario's own crisis
 * window. Under `replay` every seed sees the same prices and only the borrower book changes, so a
 * confidence interval over seeds says nothing about how the crisis could have gone; under the
 * bootstrap each seed is another path with the window's volatility, fat tails and cross-asset
 * moves, so 20 seeds give intervals that include price uncertainty. The bootstrap is preferred to
 * `fitted` because it invents nothing: every hourly move it uses happened in the window.
 */
export const STUDY_PRICE_PATHS: PricePathMode = "bootstrap";

export type WithPricePathsParameters = { scenario: Scenario; paths: PricePathMode };

/** The scenario with `market.paths` set; a scenario without market assets is returned as is. */
export function withPricePaths({ scenario, paths }: WithPricePathsParameters): Scenario {
  if (!scenario.market) return scenario;
  return { ...scenario, market: { ...scenario.market, paths } };
}
