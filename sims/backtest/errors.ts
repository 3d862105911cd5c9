import { BaseError } from "../../core/errors.ts";

/** The backtest cannot run: a reference file is missing or malformed, or options are invalid. */
export class BacktestError extends BaseError {
  override name = "BacktestError";
  override readonly code = "Backtest";
  constructor({ problem, fix, cause }: { problem: string; fix?: string | undefined; cause?: unknown }) {
    super(problem, { metaMessages: fix ? [fix] : undefined, cause });
  }
}
