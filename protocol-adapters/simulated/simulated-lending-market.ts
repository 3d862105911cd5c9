/**
 * A lending market's treasury view: deposits, borrows and the cash in between. It keeps a
 * liquidity buffer (a share of deposits) for withdrawals; cash above it is surplus it can lend
 * to other protocols, at no less than what that cash would earn at home (its supply rate).
 */
import type { Address, Hex } from "viem";
import { type DeriskStance, deriskRow } from "../derisk-stance.ts";
import type { AdapterAction, ProtocolAdapter } from "../protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../protocol-state.ts";
import { type KinkedRateModel, supplyRateBps, utilizationBps } from "./interest-rate-model.ts";
import type { TokenInfo } from "./token-info.ts";

export type SimulatedLendingMarketParameters = {
  protocolId: string;
  asset: TokenInfo;
  deposits: bigint;
  borrows: bigint;
  /** Share of deposits kept liquid for withdrawals, bps. */
  bufferBps: number;
  rateModel: KinkedRateModel;
  /** Oracle price of the asset, USD 8 decimals. */
  priceUsd8: bigint;
  now: () => number;
};

export class SimulatedLendingMarket implements ProtocolAdapter {
  readonly kind = "lending" as const;
  readonly protocolId: string;
  private deposits: bigint;
  private borrows: bigint;
  /** Principal lent to other protocols and not yet repaid. */
  private lentOut = 0n;
  private creditPaused = false;
  private riskLevel = 0;
  /** Each open inter-protocol loan, by agreement id: its principal, and the debt we recovered by
   *  liquidating it (paid in collateral, not cash). */
  private readonly loans = new Map<Hex, { principal: bigint; liquidated: bigint }>();
  /** Principal that came back as seized collateral instead of cash. */
  private inCollateral = 0n;
  /** Collateral seized by our liquidations, by token: held, not lendable. */
  readonly seized = new Map<Address, bigint>();
  private bufferBps: number;

  constructor(private readonly p: SimulatedLendingMarketParameters) {
    this.protocolId = p.protocolId;
    this.deposits = p.deposits;
    this.borrows = p.borrows;
    this.bufferBps = p.bufferBps;
  }

  get cash(): bigint {
    return this.deposits - this.borrows - this.lentOut - this.inCollateral;
  }

  async snapshot(): Promise<ProtocolState> {
    const u = utilizationBps(this.borrows, this.deposits);
    const row = deriskRow("lending", this.riskLevel);
    const bufferBps = Math.min(10_000, this.bufferBps + row.extraBufferBps);
    const buffer = (this.deposits * BigInt(bufferBps)) / 10_000n;
    const net = this.creditPaused || row.pauseNewCredit ? 0n : this.cash - buffer;
    return {
      v: PROTOCOL_STATE_VERSION,
      protocolId: this.protocolId,
      kind: this.kind,
      timestamp: Math.floor(this.p.now() / 1000),
      liquidity: [
        {
          token: this.p.asset.address,
          symbol: this.p.asset.symbol,
          decimals: this.p.asset.decimals,
          liquid: this.cash,
          net,
        },
      ],
      pledgeable: [],
      prices: [{ token: this.p.asset.address, usd8: this.p.priceUsd8 }],
      opportunityRateBps: supplyRateBps(this.p.rateModel, u),
      shortfallCostBps: 0,
      risk: { utilizationBps: u, bufferBps, riskLevel: this.riskLevel },
    };
  }

  /** The alert stance (derisk-stance.ts): a buffer on top of the configured one, and new credit
   *  paused at the top level; repayments and withdrawals are never stopped. */
  async derisk(stance: DeriskStance): Promise<void> {
    this.riskLevel = stance.level;
  }

  async apply(action: AdapterAction): Promise<void> {
    switch (action.type) {
      case "loan.lent":
        if (this.loans.has(action.agreementId)) return;
        this.lentOut += action.principal;
        this.loans.set(action.agreementId, { principal: action.principal, liquidated: 0n });
        return;
      case "loan.repaid": {
        const loan = this.loans.get(action.agreementId);
        if (action.role !== "lender" || loan === undefined) return;
        this.loans.delete(action.agreementId);
        this.lentOut -= loan.principal;
        // What our liquidations recovered came as collateral; the rest came as cash.
        this.inCollateral += loan.liquidated;
        // Interest belongs to depositors.
        this.deposits += action.amountDue - loan.principal;
        return;
      }
      case "loan.liquidate": {
        const loan = this.loans.get(action.agreementId);
        if (loan === undefined) return;
        this.seized.set(
          action.collateralToken,
          (this.seized.get(action.collateralToken) ?? 0n) + action.seized,
        );
        loan.liquidated += action.repaid;
        if (action.outstanding > 0n) return;
        // Closed: the whole principal now sits in seized collateral.
        this.loans.delete(action.agreementId);
        this.lentOut -= loan.principal;
        this.inCollateral += loan.principal;
        return;
      }
      case "loan.topUp":
      case "loan.liquidated":
      case "loan.borrowed":
        return;
      case "derisk.tighten":
        this.bufferBps = Math.min(10_000, this.bufferBps + action.bps);
        return;
      case "derisk.pauseCredit":
        this.creditPaused = action.paused;
        return;
    }
  }
}
