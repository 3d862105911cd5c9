/**
 * A vault or stablecoin whose backing can lose value: it owes holders `liabilities` of its own
 * token, redeemable at par for backing assets, and holds backing that is liquid (pays
 * redemptions), illiquid (can be pledged or sold at a discount) or locked. Its shortfall is the
 * redemptions it cannot pay from liquid backing; it can borrow against its illiquid backing.
 * Coverage (backing value over liabilities at par) falls when backing prices fall.
 */
import type { Hex } from "viem";
import { type DeriskStance, deriskRow } from "../derisk-stance.ts";
import type { AdapterAction, ProtocolAdapter } from "../protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../protocol-state.ts";
import type { TokenInfo } from "./token-info.ts";

export type VaultBacking = {
  token: TokenInfo;
  amount: bigint;
  liquidity: "liquid" | "illiquid" | "locked";
  priceUsd8: bigint;
};

export type SimulatedVaultParameters = {
  protocolId: string;
  /** The vault's own token and how much of it is outstanding. */
  liability: TokenInfo;
  liabilities: bigint;
  /** USD value (8 decimals) one liability token is redeemable for. */
  parUsd8: bigint;
  /** The token redemptions are paid in (a liquid backing asset). */
  payout: TokenInfo;
  backing: VaultBacking[];
  /** What a shortfall costs (selling illiquid backing at a discount), bps a year. */
  shortfallCostBps: number;
  now: () => number;
};

export class SimulatedVault implements ProtocolAdapter {
  readonly kind = "vault" as const;
  readonly protocolId: string;
  liabilities: bigint;
  /** Redemptions requested and not yet paid, in liability tokens. */
  pendingRedemptions = 0n;
  /** Redemptions allowed per call of processRedemptions (de-risking gate); undefined = all. */
  redemptionCap: bigint | undefined;
  readonly backing: VaultBacking[];
  private readonly debts = new Map<Hex, bigint>();
  private riskLevel = 0;

  /** The alert stance (derisk-stance.ts): redemptions are paced (a share of liabilities per round,
   *  never zero) while the level holds; level 0 lifts the pacing. */
  async derisk(stance: DeriskStance): Promise<void> {
    this.riskLevel = stance.level;
  }

  /** Redemptions payable per round: the tightest of the configured cap and the alert's pace. */
  private cap(): bigint | undefined {
    const pace = deriskRow("vault", this.riskLevel).redemptionPaceBps;
    const paced = pace === undefined ? undefined : (this.liabilities * BigInt(pace)) / 10_000n;
    if (paced === undefined) return this.redemptionCap;
    if (this.redemptionCap === undefined) return paced > 0n ? paced : 1n;
    return paced < this.redemptionCap ? paced : this.redemptionCap;
  }

  constructor(private readonly p: SimulatedVaultParameters) {
    this.protocolId = p.protocolId;
    this.liabilities = p.liabilities;
    this.backing = p.backing.map((b) => ({ ...b }));
  }

  private scale = (t: TokenInfo) => 10n ** BigInt(t.decimals);
  private payoutBacking = () =>
    this.backing.find((b) => b.token.address === this.p.payout.address && b.liquidity === "liquid");

  /** Value of all backing, USD 8 decimals. */
  backingValueUsd8(): bigint {
    return this.backing.reduce((s, b) => s + (b.amount * b.priceUsd8) / this.scale(b.token), 0n);
  }

  /** Backing value over liabilities at par, bps (10,000 = fully backed). */
  coverageBps(): number {
    const owed = (this.liabilities * this.p.parUsd8) / this.scale(this.p.liability);
    return owed === 0n ? 10_000 : Number((this.backingValueUsd8() * 10_000n) / owed);
  }

  /** A backing asset's price moved (the sim drives this). */
  setPrice(token: TokenInfo["address"], priceUsd8: bigint): void {
    for (const b of this.backing) if (b.token.address === token) b.priceUsd8 = priceUsd8;
  }

  requestRedemption(amount: bigint): void {
    this.pendingRedemptions += amount;
  }

  /** Payout tokens owed for `tokens` liability tokens at par. */
  private payoutFor(tokens: bigint): bigint {
    const b = this.payoutBacking();
    if (!b || b.priceUsd8 === 0n) return 0n;
    return (tokens * this.p.parUsd8 * this.scale(b.token)) / (this.scale(this.p.liability) * b.priceUsd8);
  }

  /** Pays pending redemptions from liquid payout backing, up to the cap; returns tokens redeemed. */
  processRedemptions(): bigint {
    const b = this.payoutBacking();
    if (!b) return 0n;
    let tokens = this.pendingRedemptions;
    const cap = this.cap();
    if (cap !== undefined && tokens > cap) tokens = cap;
    let pay = this.payoutFor(tokens);
    if (pay > b.amount) {
      pay = b.amount;
      tokens = (pay * this.scale(this.p.liability) * b.priceUsd8) / (this.p.parUsd8 * this.scale(b.token));
    }
    b.amount -= pay;
    this.pendingRedemptions -= tokens;
    this.liabilities -= tokens;
    return tokens;
  }

  async snapshot(): Promise<ProtocolState> {
    const b = this.payoutBacking();
    const liquid = b?.amount ?? 0n;
    let due = this.pendingRedemptions;
    const cap = this.cap();
    if (cap !== undefined && due > cap) due = cap;
    return {
      v: PROTOCOL_STATE_VERSION,
      protocolId: this.protocolId,
      kind: this.kind,
      timestamp: Math.floor(this.p.now() / 1000),
      liquidity: [
        {
          token: this.p.payout.address,
          symbol: this.p.payout.symbol,
          decimals: this.p.payout.decimals,
          liquid,
          net: liquid - this.payoutFor(due),
        },
      ],
      pledgeable: this.backing
        .filter((x) => x.liquidity === "illiquid" && x.amount > 0n)
        .map((x) => ({ token: x.token.address, amount: x.amount })),
      prices: this.backing.map((x) => ({ token: x.token.address, usd8: x.priceUsd8 })),
      opportunityRateBps: 0,
      shortfallCostBps: this.p.shortfallCostBps,
      risk: { coverageBps: Math.min(this.coverageBps(), 1_000_000) },
    };
  }

  async apply(action: AdapterAction): Promise<void> {
    switch (action.type) {
      case "loan.borrowed": {
        const b = this.payoutBacking();
        if (b && b.token.address === action.token) b.amount += action.principal;
        this.takeCollateral(action.collateralToken, action.collateral);
        this.debts.set(action.agreementId, action.amountDue);
        return;
      }
      case "loan.topUp":
        this.takeCollateral(action.collateralToken, action.amount);
        return;
      case "loan.liquidated": {
        if (!this.debts.delete(action.agreementId)) return;
        this.returnCollateral(action.collateralToken, action.returned);
        return;
      }
      case "loan.repaid": {
        if (action.role !== "borrower" || !this.debts.has(action.agreementId)) return;
        this.debts.delete(action.agreementId);
        const b = this.payoutBacking();
        if (b && b.token.address === action.token) b.amount -= action.amountDue;
        this.returnCollateral(action.collateralToken, action.collateral);
        return;
      }
      case "derisk.tighten":
        // Gate redemptions: at most `bps` of liabilities per processing round.
        this.redemptionCap = (this.liabilities * BigInt(action.bps)) / 10_000n;
        return;
      case "derisk.pauseCredit":
      case "loan.lent":
      case "loan.liquidate":
        return;
    }
  }

  /** Collateral leaves illiquid backing of `token` for an escrow. */
  private takeCollateral(token: TokenInfo["address"], amount: bigint): void {
    let rest = amount;
    for (const x of this.backing) {
      if (x.token.address !== token || x.liquidity !== "illiquid" || rest === 0n) continue;
      let take = rest;
      if (x.amount < take) take = x.amount;
      x.amount -= take;
      rest -= take;
    }
  }

  private returnCollateral(token: TokenInfo["address"], amount: bigint): void {
    const x = this.backing.find((y) => y.token.address === token && y.liquidity === "illiquid");
    if (x) x.amount += amount;
  }

  get outstandingDebt(): bigint {
    let total = 0n;
    for (const d of this.debts.values()) total += d;
    return total;
  }
}
