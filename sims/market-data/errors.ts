import { BaseError } from "../../core/errors.ts";

/** The raw data folder is missing, a file is absent, or a file does not look as the README says. */
export class MarketDataError extends BaseError {
  override name = "MarketDataError";
  override readonly code = "MarketData";
  constructor({ problem, hint, cause }: { problem: string; hint?: string | undefined; cause?: unknown }) {
    super(problem, { metaMessages: hint ? [hint] : undefined, cause });
  }
}

/** A window, sample or series that the shipped market data do not have. */
export class UnknownMarketSeriesError extends BaseError {
  override name = "UnknownMarketSeriesError";
  override readonly code = "UnknownMarketSeries";
  constructor({ what, name, available }: { what: string; name: string; available: readonly string[] }) {
    super(`unknown ${what} "${name}"; available: ${available.join(", ")}`);
  }
}
