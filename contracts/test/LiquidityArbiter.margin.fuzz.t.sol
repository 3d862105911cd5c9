// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {MarginFixture} from "./utils/MarginFixture.sol";

/// @dev Fuzzed margin properties over random terms, prices, amounts and risk levels: a healthy loan is
/// never liquidated; a liquidation never leaves a loan less healthy unless it closes it (debt or
/// collateral gone); tokens are conserved; stale, zero, negative or out-of-band prices stop
/// liquidations and move nothing.
contract LiquidityArbiterMarginFuzzTest is MarginFixture {
    address internal liquidator;

    function setUp() public override {
        super.setUp();
        liquidator = stranger;
        weth.mint(borrower, 20_000e18); // collateral plus top-ups
    }

    /// @dev Settles a margined loan on random terms (threshold 50..95 %, bonus 0..threshold's room,
    /// tightening 0..10 %, collateral 100..5,000 WETH); returns false if the terms do not open healthy.
    function _open(uint256 thresholdSeed, uint256 bonusSeed, uint256 tightenSeed, uint256 collateralSeed)
        internal
        returns (bool ok, LiquidityArbiter.Agreement memory a)
    {
        a = _margined();
        a.liquidationThresholdBps = uint32(bound(thresholdSeed, 5_000, 9_500));
        uint256 maxBonus = 100_000_000 / a.liquidationThresholdBps - 10_000;
        a.liquidationBonusBps = uint32(bound(bonusSeed, 0, maxBonus > 1_500 ? 1_500 : maxBonus));
        a.tighteningPerLevelBps = uint32(bound(tightenSeed, 0, 1_000));
        a.collateral = bound(collateralSeed, 100e18, 5_000e18);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        try arbiter.settle(a, lenderSig, borrowerSig) {
            ok = true;
        } catch {}
    }

    function _totalWeth() internal view returns (uint256) {
        return weth.balanceOf(lender) + weth.balanceOf(borrower) + weth.balanceOf(liquidator)
            + weth.balanceOf(address(arbiter));
    }

    function _totalUsdc() internal view returns (uint256) {
        return usdc.balanceOf(lender) + usdc.balanceOf(borrower) + usdc.balanceOf(liquidator)
            + usdc.balanceOf(address(arbiter));
    }

    function testFuzz_healthyLoanIsNeverLiquidated(
        uint256 thresholdSeed,
        uint256 bonusSeed,
        uint256 tightenSeed,
        uint256 collateralSeed,
        uint256 priceSeed,
        uint8 level,
        uint256 repay
    ) public {
        (bool ok, LiquidityArbiter.Agreement memory a) = _open(thresholdSeed, bonusSeed, tightenSeed, collateralSeed);
        vm.assume(ok);
        level = uint8(bound(level, 0, 4));
        if (level != 0) _raise(level);
        _setWeth(int256(bound(priceSeed, 10e8, 10_000e8)));
        uint256 h = _health(a);
        vm.assume(h >= 1e18);
        uint256 escrow = _escrow(a);
        vm.prank(liquidator);
        try arbiter.liquidate(a, bound(repay, 1, type(uint256).max)) {
            assertTrue(false, "a healthy loan was liquidated");
        } catch {}
        assertEq(_escrow(a), escrow, "escrow moved");
    }

    function testFuzz_liquidationNeverLeavesALoanLessHealthyUnlessItClosesIt(
        uint256 thresholdSeed,
        uint256 bonusSeed,
        uint256 collateralSeed,
        uint256 priceSeed,
        uint256 repay,
        bool max
    ) public {
        (bool ok, LiquidityArbiter.Agreement memory a) = _open(thresholdSeed, bonusSeed, 0, collateralSeed);
        vm.assume(ok);
        _setWeth(int256(bound(priceSeed, 10e8, 3_000e8)));
        uint256 before = _health(a);
        vm.assume(before < 1e18);
        uint256 weth0 = _totalWeth();
        uint256 usdc0 = _totalUsdc();
        uint256 amount = max ? type(uint256).max : bound(repay, 1, _due(a));
        vm.prank(liquidator);
        try arbiter.liquidate(a, amount) returns (uint256 repaid, uint256 seized) {
            (uint256 owed, uint256 escrowed) = arbiter.outstanding(a);
            bool closed = owed == 0 || escrowed == 0;
            if (!closed) assertGe(_health(a), before, "less healthy and not closed");
            assertLe(repaid, amount, "repaid more than asked");
            assertGe(seized, 0, "");
        } catch {}
        assertEq(_totalWeth(), weth0, "WETH not conserved");
        assertEq(_totalUsdc(), usdc0, "USDC not conserved");
        (,, uint256 held) = arbiter.tokenConfig(address(weth));
        assertEq(weth.balanceOf(address(arbiter)), held, "arbiter holds what it owes");
    }

    function testFuzz_topUpAndRepayConserveTokens(uint256 collateralSeed, uint256 topUp, uint256 part) public {
        (bool ok, LiquidityArbiter.Agreement memory a) = _open(8_000, 500, 500, collateralSeed);
        vm.assume(ok);
        uint256 weth0 = _totalWeth();
        uint256 usdc0 = _totalUsdc();
        topUp = bound(topUp, 1, 1_000e18);
        vm.prank(borrower);
        arbiter.topUp(a, topUp);
        assertEq(_escrow(a), a.collateral + topUp, "escrow");
        part = bound(part, 1, _due(a) - 1);
        vm.prank(borrower);
        arbiter.repayPartial(a, part);
        assertEq(_escrow(a), a.collateral + topUp, "a partial repayment releases nothing");
        vm.prank(borrower);
        arbiter.repay(a);
        assertEq(weth.balanceOf(address(arbiter)), 0, "all escrow returned");
        assertEq(_totalWeth(), weth0, "WETH not conserved");
        assertEq(_totalUsdc(), usdc0, "USDC not conserved");
    }

    /// @dev kind 0: stale; 1: future-dated; 2: zero or negative; 3: below the band; 4: above it.
    function testFuzz_badPricesStopLiquidations(uint8 kind, uint256 seed) public {
        (bool ok, LiquidityArbiter.Agreement memory a) = _open(8_000, 500, 0, 500e18);
        vm.assume(ok);
        kind = uint8(bound(kind, 0, 4));
        if (kind == 0) {
            _setWeth(1_000e8); // unhealthy if believed
            vm.warp(block.timestamp + MAX_AGE + bound(seed, 1, 365 days));
            usdcFeed.setAnswer(USD);
        } else if (kind == 1) {
            wethFeed.setRound(1_000e8, block.timestamp + bound(seed, 1, 365 days));
        } else if (kind == 2) {
            _setWeth(-int256(bound(seed, 0, uint256(uint128(type(int128).max)))));
        } else if (kind == 3) {
            _setWeth(int256(bound(seed, 1, 10e8 - 1)));
        } else {
            _setWeth(int256(bound(seed, 1_000_000e8 + 1, uint256(uint128(type(int128).max)))));
        }
        uint256 weth0 = weth.balanceOf(address(arbiter));
        vm.prank(liquidator);
        try arbiter.liquidate(a, type(uint256).max) {
            assertTrue(false, "liquidated on a bad price");
        } catch {}
        assertEq(weth.balanceOf(address(arbiter)), weth0, "collateral moved");
        assertEq(_escrow(a), a.collateral, "escrow moved");
    }
}
