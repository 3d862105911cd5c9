/**
 * The ledger's copy of contracts/src/MarginOracle.sol's views: value, health, checkOpening and
 * quoteLiquidation, with the same checks in the same order, the same errors and the same rounding.
 * Prices come from `priceOf` (an 18-decimal WAD price per whole token and the token's decimals),
 * which a simulation feeds from the engine's prices, as the chain backend feeds the oracle's feeds.
 */
import type { Address } from "viem";
import { LedgerRevertError } from "./errors.ts";

export const WAD = 10n ** 18n;
const BPS = 10_000n;
export const CLOSE_FACTOR_BPS = 5_000n;
export const FULL_LIQUIDATION_HEALTH = 95n * 10n ** 16n;
const MAX_UINT256 = (1n << 256n) - 1n;

export type LedgerPrice = { wad: bigint; decimals: number };

export type LedgerMarginOracle = {
  value(token: Address, amount: bigint): bigint;
  health(
    debtToken: Address,
    debt: bigint,
    collateralToken: Address,
    collateral: bigint,
    thresholdBps: bigint,
  ): bigint;
  checkOpening(p: {
    debtToken: Address;
    debt: bigint;
    collateralToken: Address;
    collateral: bigint;
    thresholdBps: bigint;
    bonusBps: bigint;
    currentThresholdBps: bigint;
  }): void;
  quoteLiquidation(p: {
    debtToken: Address;
    debt: bigint;
    collateralToken: Address;
    collateral: bigint;
    thresholdBps: bigint;
    bonusBps: bigint;
    /** undefined: as much as allowed (the contract's type(uint256).max). */
    repayAmount: bigint | undefined;
  }): { repaid: bigint; seized: bigint; healthBefore: bigint };
};

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** `priceOf` returns undefined for a token without a feed (NoPriceFeed). */
export function createLedgerMarginOracle(
  priceOf: (token: Address) => LedgerPrice | undefined,
): LedgerMarginOracle {
  const value = (token: Address, amount: bigint) => {
    const price = priceOf(token);
    if (!price) throw new LedgerRevertError("NoPriceFeed", [token]);
    return (amount * price.wad) / 10n ** BigInt(price.decimals);
  };
  const health = (debtValue: bigint, collateralValue: bigint, thresholdBps: bigint) =>
    debtValue === 0n ? MAX_UINT256 : (collateralValue * thresholdBps * WAD) / (BPS * debtValue);
  return {
    value,
    health: (debtToken, debt, collateralToken, collateral, thresholdBps) =>
      health(value(debtToken, debt), value(collateralToken, collateral), thresholdBps),
    checkOpening(p) {
      if (p.thresholdBps > BPS) throw new LedgerRevertError("ThresholdAboveMax", [p.thresholdBps]);
      if (p.thresholdBps * (BPS + p.bonusBps) > BPS * BPS)
        throw new LedgerRevertError("InvalidLiquidationBonus", [p.bonusBps, p.thresholdBps]);
      const threshold = p.currentThresholdBps;
      const debtValue = value(p.debtToken, p.debt);
      const collateralValue = value(p.collateralToken, p.collateral);
      if (debtValue * BPS >= collateralValue * threshold) {
        const ltvBps = collateralValue === 0n ? MAX_UINT256 : ceilDiv(debtValue * BPS, collateralValue);
        throw new LedgerRevertError("ThresholdBelowOpeningLtv", [ltvBps, threshold]);
      }
    },
    quoteLiquidation(p) {
      const { debt, collateral, bonusBps } = p;
      if (collateral === 0n) throw new LedgerRevertError("NothingToLiquidate");
      const debtValue = value(p.debtToken, debt);
      const collateralValue = value(p.collateralToken, collateral);
      const healthBefore = health(debtValue, collateralValue, p.thresholdBps);
      if (healthBefore >= WAD) throw new LedgerRevertError("HealthyLoan", [healthBefore]);
      let closing =
        debtValue === 0n ? debt : ceilDiv(((collateralValue * BPS) / (BPS + bonusBps)) * debt, debtValue);
      if (closing > debt) closing = debt;
      const underwater = collateralValue * BPS < debtValue * (BPS + bonusBps);
      let maxRepay =
        underwater || healthBefore < FULL_LIQUIDATION_HEALTH ? debt : ceilDiv(debt * CLOSE_FACTOR_BPS, BPS);
      if (maxRepay > closing) maxRepay = closing;
      const repay = p.repayAmount === undefined || p.repayAmount === MAX_UINT256 ? maxRepay : p.repayAmount;
      if (repay > maxRepay) throw new LedgerRevertError("RepayAboveCloseFactor", [repay, maxRepay]);
      if (underwater && repay < closing)
        throw new LedgerRevertError("LiquidationMustClose", [repay, closing]);
      let seized =
        debtValue === 0n
          ? collateral
          : (((debtValue * repay) / debt) * ((BPS + bonusBps) * collateral)) / (BPS * collateralValue);
      if (seized > collateral || (repay === closing && closing < debt)) seized = collateral;
      if (repay < debt && seized < collateral && collateral * repay < seized * debt)
        throw new LedgerRevertError("LiquidationMustClose", [repay, closing]);
      return { repaid: repay, seized, healthBefore };
    },
  };
}
