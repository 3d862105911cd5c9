// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {AggregatorV3Interface, MarginOracle} from "../src/MarginOracle.sol";
import {MarginFixture} from "./utils/MarginFixture.sol";

/// @dev Margined loans: opening checks, the oracle's refusals, liquidation (close factor, bonus, closing,
/// bad debt), top-up, repayment, and thresholds tightened by the system risk level.
contract LiquidityArbiterMarginTest is MarginFixture {
    LiquidityArbiter.Agreement internal a;
    bytes32 internal id;
    address internal liquidator;

    function setUp() public override {
        super.setUp();
        a = _margined();
        id = _settle(a);
        liquidator = stranger;
    }

    /*//////////////////////////////////////////////////////////////
                                OPENING
    //////////////////////////////////////////////////////////////*/

    function test_settle_escrowsAndStartsHealthy() public view {
        assertEq(_escrow(a), COLLATERAL, "escrow");
        // 500 * 3000 * 0.8 / 1,004,109.59 = 1.195
        uint256 h = _health(a);
        assertGe(h, 1.19e18, "health low");
        assertLe(h, 1.20e18, "health high");
        assertEq(arbiter.liquidationThreshold(a), THRESHOLD_BPS, "threshold");
    }

    function test_settle_refusesThresholdAbove100Percent() public {
        LiquidityArbiter.Agreement memory b = _margined();
        b.nonce = _nonces(2, 2);
        b.liquidationThresholdBps = 10_001;
        b.liquidationBonusBps = 0;
        _expectSettleRevert(b, abi.encodeWithSelector(MarginOracle.ThresholdAboveMax.selector, 10_001));
    }

    function test_settle_refusesThresholdBelowOpeningLtv() public {
        LiquidityArbiter.Agreement memory b = _margined();
        b.nonce = _nonces(2, 2);
        b.liquidationThresholdBps = 6_000; // LTV is 66.94 %
        _expectSettleRevert(
            b, abi.encodeWithSelector(MarginOracle.ThresholdBelowOpeningLtv.selector, uint256(6_695), uint256(6_000))
        );
    }

    function test_settle_refusesBonusThatCannotBePaid() public {
        LiquidityArbiter.Agreement memory b = _margined();
        b.nonce = _nonces(2, 2);
        b.liquidationThresholdBps = 9_700;
        b.liquidationBonusBps = 500; // 0.97 * 1.05 > 1
        _expectSettleRevert(
            b, abi.encodeWithSelector(MarginOracle.InvalidLiquidationBonus.selector, uint256(500), uint256(9_700))
        );
    }

    function test_settle_refusesMarginWithoutCollateral() public {
        LiquidityArbiter.Agreement memory b = _margined();
        b.nonce = _nonces(2, 2);
        (b.collateral, b.collateralToken) = (0, address(0));
        _expectSettleRevert(b, abi.encodeWithSelector(LiquidityArbiter.MarginUnavailable.selector));
    }

    function test_settle_tightenedThresholdMustAlsoCoverOpening() public {
        _raise(3); // 80 % - 3 * 5 % = 65 % < 66.9 % LTV
        LiquidityArbiter.Agreement memory b = _margined();
        b.nonce = _nonces(2, 2);
        _expectSettleRevert(
            b, abi.encodeWithSelector(MarginOracle.ThresholdBelowOpeningLtv.selector, uint256(6_695), uint256(6_500))
        );
    }

    function test_settle_refusesStalePrice() public {
        vm.warp(block.timestamp + MAX_AGE + 1);
        LiquidityArbiter.Agreement memory b = _margined();
        b.nonce = _nonces(2, 2);
        b.deadline = uint64(block.timestamp + 1 hours);
        _expectSettleRevert(b, abi.encodeWithSelector(MarginOracle.StalePrice.selector, address(usdc), 1_700_000_000, MAX_AGE));
    }

    /*//////////////////////////////////////////////////////////////
                              LIQUIDATION
    //////////////////////////////////////////////////////////////*/

    function test_liquidate_refusesHealthyLoan() public {
        _setWeth(2_600e8);
        uint256 h = _health(a);
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(MarginOracle.HealthyLoan.selector, h));
        arbiter.liquidate(a, 1);
    }

    function test_liquidate_refusesUnmarginedLoan() public {
        LiquidityArbiter.Agreement memory b = _agreement();
        b.nonce = _nonces(2, 2);
        bytes32 bid = _settle(b);
        _setWeth(100e8);
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotMargined.selector, bid));
        arbiter.liquidate(b, 1);
    }

    function test_liquidate_halfAtMostWhileMildlyUnhealthy() public {
        _setWeth(2_450e8); // health 0.976
        uint256 due = _due(a);
        uint256 half = (due + 1) / 2;
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(MarginOracle.RepayAboveCloseFactor.selector, half + 1, half));
        arbiter.liquidate(a, half + 1);

        uint256 before = _health(a);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 liqWeth = weth.balanceOf(liquidator);
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = arbiter.liquidate(a, type(uint256).max);
        assertEq(repaid, half, "repaid the close factor");
        // value repaid * 1.05 / price: half * 1e12 * 1.05 / 2450
        assertEq(seized, half * 1e12 * 10_500 / 10_000 / 2_450, "seized = value + bonus");
        assertEq(usdc.balanceOf(lender), lenderUsdc + repaid, "lender paid");
        assertEq(weth.balanceOf(liquidator), liqWeth + seized, "liquidator got collateral");
        assertEq(_escrow(a), COLLATERAL - seized, "rest escrowed");
        assertGe(_health(a), before, "health did not improve");
        assertEq(uint8(_status(id)), uint8(LiquidityArbiter.LoanStatus.Active), "still active");
    }

    function test_liquidate_allBelowTheLowerHealthBound() public {
        _setWeth(2_300e8); // health 0.916 < 0.95; collateral $1.15M still covers debt + 5 %
        uint256 due = _due(a);
        uint256 borrowerWeth = weth.balanceOf(borrower);
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = arbiter.liquidate(a, due);
        assertEq(repaid, due, "repaid all");
        assertEq(uint8(_status(id)), uint8(LiquidityArbiter.LoanStatus.Liquidated), "closed");
        // The rest is the borrower's, credited (pull payment).
        assertEq(arbiter.credits(borrower, address(weth)), COLLATERAL - seized, "rest credited");
        vm.prank(borrower);
        arbiter.withdrawCredit(address(weth), borrower);
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL - seized, "borrower withdrew the rest");
        (,, uint256 held) = arbiter.tokenConfig(address(weth));
        assertEq(held, 0, "nothing left held");
    }

    function test_liquidate_underwaterMustTakeAllCollateral() public {
        _setWeth(2_000e8); // collateral $1M < debt $1.004M * 1.05
        vm.prank(liquidator);
        vm.expectRevert();
        arbiter.liquidate(a, 100_000e6);
        vm.prank(liquidator);
        (uint256 repaid, uint256 seized) = arbiter.liquidate(a, type(uint256).max);
        assertEq(seized, COLLATERAL, "all collateral");
        // $1M / 1.05 of debt, rounded up
        assertEq(repaid, (uint256(1_000_000e6) * 10_000 + 10_499) / 10_500, "fair repay");
        assertEq(_escrow(a), 0, "no escrow");
        (uint256 owed,) = arbiter.outstanding(a);
        assertEq(owed, _due(a) - repaid, "bad debt stays owed");
        vm.prank(liquidator);
        vm.expectRevert(MarginOracle.NothingToLiquidate.selector);
        arbiter.liquidate(a, 1);
        // Unsecured now: the lender may still claim the default at maturity (nothing to take).
        vm.warp(block.timestamp + TENOR + 1 days + 1);
        usdcFeed.setAnswer(USD);
        vm.prank(lender);
        arbiter.claimDefault(a);
    }

    function test_liquidate_badPricesStopLiquidation() public {
        _setWeth(1_000e8);
        // stale
        vm.warp(block.timestamp + MAX_AGE + 1);
        usdcFeed.setAnswer(USD);
        vm.prank(liquidator);
        vm.expectRevert(
            abi.encodeWithSelector(MarginOracle.StalePrice.selector, address(weth), block.timestamp - MAX_AGE - 1, MAX_AGE)
        );
        arbiter.liquidate(a, type(uint256).max);
        // zero, negative
        _setWeth(0);
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(MarginOracle.NonPositivePrice.selector, address(weth), int256(0)));
        arbiter.liquidate(a, type(uint256).max);
        _setWeth(-1);
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(MarginOracle.NonPositivePrice.selector, address(weth), int256(-1)));
        arbiter.liquidate(a, type(uint256).max);
        // out of the sanity band (an aggregator spike)
        _setWeth(9e8);
        vm.prank(liquidator);
        vm.expectRevert(
            abi.encodeWithSelector(
                MarginOracle.PriceOutOfBounds.selector, address(weth), int256(9e8), uint256(10e8), uint256(1_000_000e8)
            )
        );
        arbiter.liquidate(a, type(uint256).max);
        // future-dated
        wethFeed.setRound(1_000e8, block.timestamp + 1);
        vm.prank(liquidator);
        vm.expectRevert(
            abi.encodeWithSelector(MarginOracle.StalePrice.selector, address(weth), block.timestamp + 1, MAX_AGE)
        );
        arbiter.liquidate(a, type(uint256).max);
        // no feed
        vm.prank(governance);
        oracle.removeFeed(address(weth));
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(MarginOracle.NoPriceFeed.selector, address(weth)));
        arbiter.liquidate(a, type(uint256).max);
        assertEq(_escrow(a), COLLATERAL, "nothing moved");
    }

    function test_alertTightensThresholdWhileItHolds() public {
        _setWeth(2_600e8); // health 1.036 at 80 %
        vm.prank(liquidator);
        vm.expectRevert();
        arbiter.liquidate(a, 1);
        _raise(2); // 80 % - 10 % = 70 %: health 0.906
        usdcFeed.setAnswer(USD);
        _setWeth(2_600e8);
        assertEq(arbiter.liquidationThreshold(a), 7_000, "tightened");
        assertLe(_health(a), 0.91e18, "unhealthy under the alert");
        uint256 snapshot = _health(a);
        vm.prank(liquidator);
        (uint256 repaid,) = arbiter.liquidate(a, 1_000e6);
        assertEq(repaid, 1_000e6, "liquidated under the alert");
        assertGe(_health(a), snapshot, "not less healthy");
        // Once the alert expires the loan's own threshold is back.
        vm.warp(block.timestamp + 1 days);
        usdcFeed.setAnswer(USD);
        _setWeth(2_600e8);
        assertEq(arbiter.liquidationThreshold(a), THRESHOLD_BPS, "relaxed");
        vm.prank(liquidator);
        vm.expectRevert();
        arbiter.liquidate(a, 1);
    }

    /*//////////////////////////////////////////////////////////////
                          TOP-UP AND REPAYMENT
    //////////////////////////////////////////////////////////////*/

    function test_topUp_restoresHealth() public {
        _setWeth(2_450e8);
        assertLe(_health(a), 1e18, "unhealthy");
        vm.prank(borrower);
        vm.expectEmit();
        emit LiquidityArbiter.ToppedUp(id, borrower, 100e18, COLLATERAL + 100e18);
        arbiter.topUp(a, 100e18);
        assertGe(_health(a), 1e18, "healthy again");
        vm.prank(liquidator);
        vm.expectRevert(abi.encodeWithSelector(MarginOracle.HealthyLoan.selector, _health(a)));
        arbiter.liquidate(a, 1);
        (,, uint256 held) = arbiter.tokenConfig(address(weth));
        assertEq(held, COLLATERAL + 100e18, "held");
        assertEq(weth.balanceOf(address(arbiter)), held, "balance");
    }

    function test_topUp_refusesUnmarginedAndZero() public {
        vm.prank(borrower);
        vm.expectRevert(LiquidityArbiter.ZeroAmount.selector);
        arbiter.topUp(a, 0);
        LiquidityArbiter.Agreement memory b = _agreement();
        b.nonce = _nonces(2, 2);
        bytes32 bid = _settle(b);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotMargined.selector, bid));
        arbiter.topUp(b, 1);
    }

    function test_partialRepay_releasesNothingUntilTheLast() public {
        _setWeth(2_450e8);
        uint256 before = _health(a);
        vm.prank(borrower);
        arbiter.repayPartial(a, 200_000e6);
        assertEq(_escrow(a), COLLATERAL, "collateral kept");
        assertGe(_health(a), before, "repaying restores health");
        vm.prank(borrower);
        arbiter.topUp(a, 1e18);
        uint256 borrowerWeth = weth.balanceOf(borrower);
        vm.prank(borrower);
        arbiter.repay(a);
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL + 1e18, "all escrow back, top-up included");
        assertEq(_escrow(a), 0, "closed");
    }

    function test_claimDefault_paysTheEscrowLeftAfterALiquidation() public {
        _setWeth(2_450e8);
        vm.prank(liquidator);
        (, uint256 seized) = arbiter.liquidate(a, type(uint256).max);
        vm.warp(block.timestamp + TENOR + 1 days + 1);
        uint256 lenderWeth = weth.balanceOf(lender);
        vm.prank(lender);
        arbiter.claimDefault(a);
        assertEq(weth.balanceOf(lender), lenderWeth + COLLATERAL - seized, "lender got the rest");
        (,, uint256 held) = arbiter.tokenConfig(address(weth));
        assertEq(held, 0, "nothing held");
    }

    function test_oracleGovernance() public {
        vm.prank(stranger);
        vm.expectRevert();
        oracle.setFeed(address(weth), AggregatorV3Interface(address(wethFeed)), MAX_AGE, 1, 2);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotGovernance.selector, stranger));
        arbiter.setMarginOracle(oracle);
        vm.startPrank(governance);
        vm.expectRevert(MarginOracle.InvalidFeed.selector);
        oracle.setFeed(address(weth), AggregatorV3Interface(address(wethFeed)), 0, 1, 2);
        vm.expectRevert(MarginOracle.InvalidFeed.selector);
        oracle.setFeed(address(weth), AggregatorV3Interface(address(wethFeed)), MAX_AGE, 3, 2);
        vm.stopPrank();
    }

    function _expectSettleRevert(LiquidityArbiter.Agreement memory b, bytes memory err) internal {
        bytes memory lenderSig = _sign(LENDER_PK, b);
        bytes memory borrowerSig = _sign(BORROWER_PK, b);
        vm.prank(borrower);
        vm.expectRevert(err);
        arbiter.settle(b, lenderSig, borrowerSig);
    }
}
