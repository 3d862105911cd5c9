// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../../src/LiquidityArbiter.sol";
import {AggregatorV3Interface, MarginOracle} from "../../src/MarginOracle.sol";
import {TestPriceFeed} from "../../src/test/TestPriceFeed.sol";
import {ArbiterFixture} from "./ArbiterFixture.sol";

/// @dev ArbiterFixture plus a MarginOracle with Chainlink-shaped test feeds (8 decimals, as Chainlink's
/// USD feeds): USDC at $1 and WETH at $3,000, a one-hour staleness bound, and sanity bands of
/// $0.50..$2 and $10..$1,000,000. The standard margined loan lends 1M USDC against 500 WETH ($1.5M,
/// loan-to-value 66.9 % with interest) at an 80 % threshold, 5 % bonus, tightening 5 % per risk level:
/// it becomes liquidatable below WETH = $2,510.28.
abstract contract MarginFixture is ArbiterFixture {
    MarginOracle internal oracle;
    TestPriceFeed internal usdcFeed;
    TestPriceFeed internal wethFeed;

    int256 internal constant USD = 1e8;
    int256 internal constant WETH_PRICE = 3_000e8;
    uint32 internal constant MAX_AGE = 1 hours;
    uint32 internal constant THRESHOLD_BPS = 8_000;
    uint32 internal constant BONUS_BPS = 500;
    uint32 internal constant TIGHTENING_BPS = 500;

    function setUp() public virtual override {
        super.setUp();
        oracle = new MarginOracle(governance);
        usdcFeed = new TestPriceFeed(8, "USDC / USD", USD);
        wethFeed = new TestPriceFeed(8, "ETH / USD", WETH_PRICE);
        vm.startPrank(governance);
        oracle.setFeed(address(usdc), AggregatorV3Interface(address(usdcFeed)), MAX_AGE, 0.5e8, 2e8);
        oracle.setFeed(address(weth), AggregatorV3Interface(address(wethFeed)), MAX_AGE, 10e8, 1_000_000e8);
        arbiter.setMarginOracle(oracle);
        vm.stopPrank();
    }

    function _margined() internal view returns (LiquidityArbiter.Agreement memory a) {
        a = _agreement();
        a.liquidationThresholdBps = THRESHOLD_BPS;
        a.liquidationBonusBps = BONUS_BPS;
        a.tighteningPerLevelBps = TIGHTENING_BPS;
    }

    /// @dev Health of the loan of `a` now (WAD), from the contract's own views.
    function _health(LiquidityArbiter.Agreement memory a) internal view returns (uint256) {
        (uint256 owed, uint256 escrowed) = arbiter.outstanding(a);
        return oracle.health(a.principalToken, owed, a.collateralToken, escrowed, arbiter.liquidationThreshold(a));
    }

    function _escrow(LiquidityArbiter.Agreement memory a) internal view returns (uint256 escrowed) {
        (, escrowed) = arbiter.outstanding(a);
    }

    function _setWeth(int256 price) internal {
        wethFeed.setAnswer(price);
    }

    function _raise(uint8 level) internal {
        LiquidityArbiter.RiskAlert memory alert = _alert(level, 1 days);
        arbiter.raiseAlert(alert, _alertSigs(alert));
    }
}
