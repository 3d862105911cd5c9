/**
 * Whole scenario families held out, never random rows: a model is judged on crises of a kind it
 * has never seen. Test families differ in what drives the crisis (a ring of claims, shallow
 * markets, leveraged perps, a slow slide, two real crises); calibration families fit the
 * probability map; the rest train.
 */
export const TEST_FAMILIES = [
  "ring-contagion",
  "thin-markets",
  "perp-heavy",
  "slow-bleed-random",
  "historic-may-2022-terra",
  "historic-june-2022-steth-discount",
] as const;

export const CALIBRATION_FAMILIES = [
  "chain-contagion",
  "decorrelated-assets",
  "historic-november-2022-ftx",
] as const;

export type Split = "train" | "calibration" | "test";

export function splitOf(family: string): Split {
  if ((TEST_FAMILIES as readonly string[]).includes(family)) return "test";
  if ((CALIBRATION_FAMILIES as readonly string[]).includes(family)) return "calibration";
  return "train";
}
