/**
 * A perp exchange's treasury view: settlement-token cash against pending trader withdrawals,
 * and an insurance fund held in a volatile asset it can pledge. When withdrawals exceed cash
 * plus its minimum float, the exchange is short and must borrow or start auto-deleveraging;
 * ADL is what a shortfall costs it, hence its ceiling rate.
 */
import type { Hex } from "viem";
import { type DeriskStance, deriskRow } from "../derisk-stance.ts";
import type { AdapterAction, ProtocolAdapter } from "../protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../protocol-state.ts";
import type { TokenInfo } from "./token-info.ts";

export type SimulatedPerpExchangeParameters = {
  protocolId: string;
  settlementToken: TokenInfo;
  insuranceToken: TokenInfo;
  cash: bigint;
  pendingWithdrawals: bigint;
  /** Cash the exchange keeps for margin calls and funding payments. */
  minFloat: bigint;
  insuranceFund: bigint;
  /** Annualised cost of deleveraging traders instead of paying them, bps. */
  adlCostBps: number;
  prices: { settlementUsd8: bigint; insuranceUsd8: bigint };
  now: () => number;
};

export class SimulatedPerpExchange implements ProtocolAdapter {
  readonly kind = "perp" as const;
  readonly protocolId: string;
  private cash: bigint;
  private pendingWithdrawals: bigint;
  private insuranceFund: bigint;
  private minFloat: bigint;
  private readonly debts = new Map<Hex, bigint>();
  private riskLevel = 0;

  /** The float kept back: the configured margin, raised by the alert stance's extra margin. */
  private floor(): bigint {
    const extra = BigInt(deriskRow("perp", this.riskLevel).extraMarginBps);
    return this.minFloat + (this.minFloat * extra) / 10_000n;
  }

  /** The alert stance (derisk-stance.ts): margins rise by the level's extra; level 0 restores them. */
  async derisk(stance: DeriskStance): Promise<void> {
    this.riskLevel = stance.level;
  }

  constructor(private readonly p: SimulatedPerpExchangeParameters) {
    this.protocolId = p.protocolId;
    this.cash = p.cash;
    this.pendingWithdrawals = p.pendingWithdrawals;
    this.insuranceFund = p.insuranceFund;
    this.minFloat = p.minFloat;
  }

  /** Traders ask for their money; a sim drives this. */
  requestWithdrawal(amount: bigint): void {
    this.pendingWithdrawals += amount;
  }

  /** Trading fees and deposits bring cash in; a sim drives this. */
  receive(amount: bigint): void {
    this.cash += amount;
  }

  async snapshot(): Promise<ProtocolState> {
    const net = this.cash - this.pendingWithdrawals - this.floor();
    const marginRatioBps =
      this.pendingWithdrawals === 0n ? 10_000 : Number((this.cash * 10_000n) / this.pendingWithdrawals);
    return {
      v: PROTOCOL_STATE_VERSION,
      protocolId: this.protocolId,
      kind: this.kind,
      timestamp: Math.floor(this.p.now() / 1000),
      liquidity: [
        {
          token: this.p.settlementToken.address,
          symbol: this.p.settlementToken.symbol,
          decimals: this.p.settlementToken.decimals,
          liquid: this.cash,
          net,
        },
      ],
      pledgeable: [{ token: this.p.insuranceToken.address, amount: this.insuranceFund }],
      prices: [
        { token: this.p.settlementToken.address, usd8: this.p.prices.settlementUsd8 },
        { token: this.p.insuranceToken.address, usd8: this.p.prices.insuranceUsd8 },
      ],
      opportunityRateBps: 0,
      shortfallCostBps: this.p.adlCostBps,
      risk: { cashCoverBps: Math.min(marginRatioBps, 1_000_000) },
    };
  }

  async apply(action: AdapterAction): Promise<void> {
    switch (action.type) {
      case "loan.borrowed":
        this.cash += action.principal;
        this.insuranceFund -= action.collateral;
        this.debts.set(action.agreementId, action.amountDue);
        return;
      case "loan.repaid":
        if (action.role !== "borrower" || !this.debts.has(action.agreementId)) return;
        this.debts.delete(action.agreementId);
        this.cash -= action.amountDue;
        this.insuranceFund += action.collateral;
        return;
      case "loan.topUp":
        this.insuranceFund -= action.amount;
        return;
      case "loan.liquidated":
        if (!this.debts.delete(action.agreementId)) return;
        this.insuranceFund += action.returned;
        return;
      case "loan.lent":
      case "loan.liquidate":
        return;
      case "derisk.tighten":
        // Higher margin means more float kept back.
        this.minFloat += (this.minFloat * BigInt(action.bps)) / 10_000n;
        return;
      case "derisk.pauseCredit":
        return;
    }
  }

  /** Pays out pending withdrawals from cash above the float; returns what was paid. */
  processWithdrawals(): bigint {
    const floor = this.floor();
    const available = this.cash > floor ? this.cash - floor : 0n;
    const paid = available < this.pendingWithdrawals ? available : this.pendingWithdrawals;
    this.cash -= paid;
    this.pendingWithdrawals -= paid;
    return paid;
  }

  get outstandingDebt(): bigint {
    let total = 0n;
    for (const d of this.debts.values()) total += d;
    return total;
  }
}
