/**
 * The contract's bounds on dispute parameters and token minimum bonds, checked before a transaction
 * is sent (the contract refuses the same values with a bare InvalidParameter), and the defaults
 * deployArbiter and the CLI use. There is no zero-bond default anywhere: bonds are `bondBps` of the
 * principal, at least the principal token's minimum bond, and both must be positive.
 */
import { BaseError } from "../core/errors.ts";

/** LiquidityArbiter's MIN_WINDOW / MAX_WINDOW (seconds) and MIN_BOND_BPS / MAX_BOND_BPS. */
export const MIN_WINDOW = 12n * 3600n;
export const MAX_WINDOW = 30n * 86_400n;
export const MIN_BOND_BPS = 10;
export const MAX_BOND_BPS = 10_000;

/** Deploy defaults: bonds of 1 % of the principal; a day to counter-bond; three days to rule. */
export const DEFAULT_BOND_BPS = 100;
export const DEFAULT_LIVENESS = 86_400n;
export const DEFAULT_ARBITRATION_WINDOW = 3n * 86_400n;
export const DEFAULT_ALERT_QUORUM = 2;

export class ArbiterDisputeParamsError extends BaseError {
  override name = "ArbiterDisputeParamsError";
  override readonly code = "DisputeParams";
  constructor(problem: string) {
    super(`Invalid dispute parameters: ${problem}.`, {
      metaMessages: [
        `Bonds are ${MIN_BOND_BPS}..${MAX_BOND_BPS} basis points of the principal; liveness and arbitration`,
        `window are ${MIN_WINDOW / 3600n} hours .. ${MAX_WINDOW / 86_400n} days (in seconds).`,
      ],
    });
  }
}

export type DisputeParams = { bondBps: number; liveness: bigint; arbitrationWindow: bigint };

/** Throws ArbiterDisputeParamsError unless the contract would accept these parameters. */
export function checkDisputeParams(p: DisputeParams): void {
  if (!Number.isInteger(p.bondBps) || p.bondBps < MIN_BOND_BPS || p.bondBps > MAX_BOND_BPS)
    throw new ArbiterDisputeParamsError(`bondBps ${p.bondBps} is outside ${MIN_BOND_BPS}..${MAX_BOND_BPS}`);
  for (const [name, v] of [
    ["liveness", p.liveness],
    ["arbitrationWindow", p.arbitrationWindow],
  ] as const) {
    if (v < MIN_WINDOW || v > MAX_WINDOW)
      throw new ArbiterDisputeParamsError(`${name} ${v} s is outside ${MIN_WINDOW}..${MAX_WINDOW} s`);
  }
}

export class ArbiterMinBondError extends BaseError {
  override name = "ArbiterMinBondError";
  override readonly code = "MinBond";
  constructor(minBond: bigint) {
    super(`A token's minimum bond of ${minBond} base units cannot be stored exactly.`, {
      metaMessages: [
        "The minimum bond must be positive, below 2^128, and m * 10^e with m < 2^24 (at most 7",
        "significant digits, any number of trailing zeros): e.g. 100000000 (100 USDC), 50000000000000000.",
      ],
    });
  }
}

/** The contract's 32-bit form of a minimum bond (m << 8 | e); throws ArbiterMinBondError for an
 *  amount it would refuse. */
export function packMinBond(minBond: bigint): number {
  if (minBond <= 0n || minBond >= 1n << 128n) throw new ArbiterMinBondError(minBond);
  let m = minBond;
  let e = 0;
  while (m >= 1n << 24n) {
    if (m % 10n !== 0n) throw new ArbiterMinBondError(minBond);
    m /= 10n;
    e++;
  }
  return Number((m << 8n) | BigInt(e));
}

/** A loan's bond: max(ceil(principal * bondBps / 10,000), minBond), in the principal token. */
export function bondOf(p: { principal: bigint; bondBps: number; minBond: bigint }): bigint {
  const bps = (p.principal * BigInt(p.bondBps) + 9_999n) / 10_000n;
  return bps > p.minBond ? bps : p.minBond;
}
