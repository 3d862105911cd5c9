/**
 * A constant-product AMM pool (x * y = k) with LP shares, as an adapter. Swaps pay a fee to the
 * LPs and move the price (price impact grows with trade size against depth); LPs add and remove
 * liquidity pro rata. The pool never lends, so its liquidity is never short or spare for
 * negotiation; it reports its reserves, its LP share value and its price so that peers (and
 * contagion models) can value LP tokens held as collateral.
 */
import type { AdapterAction, ProtocolAdapter } from "../protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../protocol-state.ts";
import { isqrt, swapOut } from "./constant-product.ts";
import type { TokenInfo } from "./token-info.ts";

export type SimulatedAmmParameters = {
  protocolId: string;
  tokenX: TokenInfo;
  tokenY: TokenInfo;
  reserveX: bigint;
  reserveY: bigint;
  feeBps: number;
  /** USD price of Y (8 decimals); X's price follows from the pool. */
  priceYUsd8: bigint;
  now: () => number;
};

export class SimulatedAmm implements ProtocolAdapter {
  readonly kind = "amm" as const;
  readonly protocolId: string;
  reserveX: bigint;
  reserveY: bigint;
  /** LP shares outstanding; the first deposit mints sqrt(x * y). */
  totalShares: bigint;
  private readonly shares = new Map<string, bigint>();

  constructor(private readonly p: SimulatedAmmParameters) {
    this.protocolId = p.protocolId;
    this.reserveX = p.reserveX;
    this.reserveY = p.reserveY;
    this.totalShares = isqrt(p.reserveX * p.reserveY);
    this.shares.set("genesis", this.totalShares);
  }

  /** Price of X in units of Y, as a fraction (numerator, denominator) of base units. */
  get spot(): { y: bigint; x: bigint } {
    return { y: this.reserveY, x: this.reserveX };
  }

  /** USD price of X, 8 decimals, from the pool's reserves. */
  priceXUsd8(): bigint {
    if (this.reserveX === 0n) return 0n;
    const scaleX = 10n ** BigInt(this.p.tokenX.decimals);
    const scaleY = 10n ** BigInt(this.p.tokenY.decimals);
    return (this.reserveY * scaleX * this.p.priceYUsd8) / (this.reserveX * scaleY);
  }

  /** Sells `amountIn` of X (or Y) into the pool; returns what came out. */
  swap(p: { sell: "x" | "y"; amountIn: bigint }): bigint {
    const xIn = p.sell === "x";
    const out = swapOut({
      reserveIn: xIn ? this.reserveX : this.reserveY,
      reserveOut: xIn ? this.reserveY : this.reserveX,
      amountIn: p.amountIn,
      feeBps: this.p.feeBps,
    });
    if (xIn) {
      this.reserveX += p.amountIn;
      this.reserveY -= out;
    } else {
      this.reserveY += p.amountIn;
      this.reserveX -= out;
    }
    return out;
  }

  /** Adds liquidity at the pool's ratio (the excess of one side is not taken); returns shares minted. */
  addLiquidity(p: { owner: string; x: bigint; y: bigint }): { shares: bigint; x: bigint; y: bigint } {
    const byX = (p.x * this.totalShares) / this.reserveX;
    const byY = (p.y * this.totalShares) / this.reserveY;
    let shares = byX;
    if (byY < shares) shares = byY;
    const x = (shares * this.reserveX + this.totalShares - 1n) / this.totalShares;
    const y = (shares * this.reserveY + this.totalShares - 1n) / this.totalShares;
    this.reserveX += x;
    this.reserveY += y;
    this.totalShares += shares;
    this.shares.set(p.owner, (this.shares.get(p.owner) ?? 0n) + shares);
    return { shares, x, y };
  }

  /** Burns `shares` for a pro-rata part of both reserves (rounded down, in the pool's favour). */
  removeLiquidity(p: { owner: string; shares: bigint }): { x: bigint; y: bigint } {
    const held = this.shares.get(p.owner) ?? 0n;
    if (p.shares > held) throw new RangeError(`${p.owner} holds ${held} shares, cannot burn ${p.shares}`);
    const x = (p.shares * this.reserveX) / this.totalShares;
    const y = (p.shares * this.reserveY) / this.totalShares;
    this.reserveX -= x;
    this.reserveY -= y;
    this.totalShares -= p.shares;
    this.shares.set(p.owner, held - p.shares);
    return { x, y };
  }

  /** USD value (8 decimals) of `shares` LP shares at the pool's own prices. */
  shareValueUsd8(shares: bigint): bigint {
    if (this.totalShares === 0n) return 0n;
    const scaleY = 10n ** BigInt(this.p.tokenY.decimals);
    // Both sides are worth the same at the pool's price: 2 * y.
    return (2n * this.reserveY * this.p.priceYUsd8 * shares) / (scaleY * this.totalShares);
  }

  async snapshot(): Promise<ProtocolState> {
    const entry = (t: TokenInfo, r: bigint) => ({
      token: t.address,
      symbol: t.symbol,
      decimals: t.decimals,
      liquid: r,
      net: 0n,
    });
    return {
      v: PROTOCOL_STATE_VERSION,
      protocolId: this.protocolId,
      kind: this.kind,
      timestamp: Math.floor(this.p.now() / 1000),
      liquidity: [entry(this.p.tokenX, this.reserveX), entry(this.p.tokenY, this.reserveY)],
      pledgeable: [],
      prices: [
        { token: this.p.tokenX.address, usd8: this.priceXUsd8() },
        { token: this.p.tokenY.address, usd8: this.p.priceYUsd8 },
      ],
      opportunityRateBps: 0,
      shortfallCostBps: 0,
      risk: { feeBps: this.p.feeBps },
    };
  }

  async apply(_action: AdapterAction): Promise<void> {
    // A pool neither borrows, lends nor de-risks.
  }
}
