/**
 * The reference numbers the backtest reads from the repo (no ../shared needed): the slice file
 * sims/market-data/slices/reported-outcomes.json, written by `npm run data:slices` from the raw
 * market data (sims/market-data/reported-outcomes.ts). Validated here because a clone may carry
 * an edited or stale copy.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { BacktestError } from "./errors.ts";

export const SHIPPED_OUTCOMES_FILE = fileURLToPath(
  new URL("../market-data/slices/reported-outcomes.json", import.meta.url),
);

const Extreme = z.object({ value: z.number(), at: z.string() });
const PriceOutcome = z.object({
  source: z.string(),
  start: z.number(),
  low: z.object({ value: z.number(), candleOpenedAt: z.string() }),
  lowestClose: Extreme,
});
const MarketHours = z.object({
  totalUsd: z.number(),
  byDayUtc: z.record(z.string(), z.number()),
});

export const ShippedOutcomesSchema = z.object({
  windows: z.record(
    z.string(),
    z.object({
      start: z.string(),
      end: z.string(),
      prices: z.record(z.string(), PriceOutcome),
      pegs: z.record(z.string(), z.object({ min: Extreme, max: Extreme })),
    }),
  ),
  aaveV2Liquidations: z.object({
    window: z.string(),
    source: z.record(z.string(), z.string()),
    markets: z.record(z.string(), MarketHours),
  }),
  aaveV2SeizedByCollateral: z.object({
    day: z.string(),
    source: z.string(),
    byReserve: z.record(z.string(), z.object({ usd: z.number(), events: z.number() })),
  }),
});
export type ShippedOutcomes = z.infer<typeof ShippedOutcomesSchema>;

export function loadShippedOutcomes(file = SHIPPED_OUTCOMES_FILE): ShippedOutcomes {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new BacktestError({ problem: `cannot read ${file}`, fix: "run npm run data:slices", cause });
  }
  const parsed = ShippedOutcomesSchema.safeParse(json);
  if (!parsed.success)
    throw new BacktestError({
      problem: `${file} is not a reported-outcomes file: ${z.prettifyError(parsed.error)}`,
      fix: "regenerate it with npm run data:slices",
    });
  return parsed.data;
}
