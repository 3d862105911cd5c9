/**
 * Constant-product (x * y = k) pool arithmetic in token base units, shared by the simulated AMM
 * adapter and the contagion engine. Rounding always favours the pool (outputs round down,
 * required inputs round up), as in Uniswap v2.
 *
 * Stableswap pools are approximated by a constant-product pool on amplified virtual reserves
 * (A * x, A * y): near the peg Curve's invariant is about A times deeper than x * y = k, which is
 * what matters for the price impact of liquidation sales. Outputs are still capped by the real
 * reserve.
 */

/** Integer square root: the largest r with r * r <= n. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError(`isqrt of a negative number (${n})`);
  if (n < 2n) return n;
  // Newton from a power of two above the root.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export type SwapOutParameters = {
  reserveIn: bigint;
  reserveOut: bigint;
  amountIn: bigint;
  /** Swap fee, bps of the input. */
  feeBps: number;
  /** Stableswap amplification; 1 for a plain constant-product pool. */
  amplification?: number | undefined;
};

/** Tokens out for `amountIn` in: y * dx' / (x + dx'), dx' = dx * (1 - fee), rounded down. */
export function swapOut(p: SwapOutParameters): bigint {
  if (p.amountIn <= 0n || p.reserveIn <= 0n || p.reserveOut <= 0n) return 0n;
  const a = BigInt(Math.max(1, Math.round(p.amplification ?? 1)));
  const x = p.reserveIn * a;
  const y = p.reserveOut * a;
  const dx = (p.amountIn * BigInt(10_000 - p.feeBps)) / 10_000n;
  const out = (y * dx) / (x + dx);
  return out < p.reserveOut ? out : p.reserveOut - 1n;
}

/**
 * Reserves of a pool with invariant `k` that an arbitrageur has moved to the market prices:
 * x / y equals the price ratio and x * y = k. Prices are USD with 8 decimals; `decimalsX/Y` are
 * the tokens' decimals. Returns base units.
 */
export function equilibriumReserves(p: {
  k: bigint;
  priceXUsd8: bigint;
  priceYUsd8: bigint;
  decimalsX: number;
  decimalsY: number;
}): { x: bigint; y: bigint } {
  if (p.k === 0n || p.priceXUsd8 === 0n || p.priceYUsd8 === 0n) return { x: 0n, y: 0n };
  // y/x = (pX / 10^dX) / (pY / 10^dY)  =>  x^2 = k * pY * 10^dX / (pX * 10^dY)
  const x = isqrt(
    (p.k * p.priceYUsd8 * 10n ** BigInt(p.decimalsX)) / (p.priceXUsd8 * 10n ** BigInt(p.decimalsY)),
  );
  return x === 0n ? { x: 0n, y: 0n } : { x, y: p.k / x };
}

/**
 * The factor by which a sale of `amountIn` moves the marginal price of the input token
 * (new price / old price, in (0, 1]). A model quantity, hence a float.
 */
export function priceImpactFactor(p: SwapOutParameters): number {
  const out = swapOut(p);
  if (out === 0n) return 1;
  const a = BigInt(Math.max(1, Math.round(p.amplification ?? 1)));
  const x = p.reserveIn * a;
  const y = p.reserveOut * a;
  // price(in) = y / x before, (y - out) / (x + dx) after.
  const before = Number(y) / Number(x);
  const after = Number(y - out) / Number(x + p.amountIn);
  return Math.min(1, Math.max(0, after / before));
}
