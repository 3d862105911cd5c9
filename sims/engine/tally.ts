/** What one step did, in USD-8 (bigint) and counts; the metrics collector sums these. */
export type StepTally = {
  liquidationUsd8: bigint;
  liquidations: number;
  badDebtUsd8: bigint;
  adlUsd8: bigint;
  fireSaleUsd8: bigint;
  /** Collateral the liquidators and hedgers sold into venues, USD-8 at the sale. */
  soldUsd8: bigint;
};

export function emptyTally(): StepTally {
  return {
    liquidationUsd8: 0n,
    liquidations: 0,
    badDebtUsd8: 0n,
    adlUsd8: 0n,
    fireSaleUsd8: 0n,
    soldUsd8: 0n,
  };
}
