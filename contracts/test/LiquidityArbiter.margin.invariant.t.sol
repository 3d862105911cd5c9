// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {AggregatorV3Interface, MarginOracle} from "../src/MarginOracle.sol";
import {TestPriceFeed} from "../src/test/TestPriceFeed.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {Test} from "./utils/Test.sol";

/// @dev Drives margined loans through random open / price move / top-up / liquidate / partial repay /
/// repay / time passing sequences, and counts every breach of the margin rules: a healthy loan
/// liquidated, a liquidation that leaves a loan less healthy without closing it. Conservation is
/// checked by the invariant contract from the arbiter's own state.
contract MarginHandler is Test {
    LiquidityArbiter public immutable arbiter;
    MarginOracle public immutable oracle;
    TestToken public immutable usdc;
    TestToken public immutable weth;
    TestPriceFeed public immutable usdcFeed;
    TestPriceFeed public immutable wethFeed;

    uint256 internal constant LENDER_PK = 0xA11CE;
    uint256 internal constant BORROWER_PK = 0xB0B;
    address public immutable lender = vm.addr(LENDER_PK);
    address public immutable borrower = vm.addr(BORROWER_PK);
    address public immutable keeper = vm.addr(0x5EE);

    LiquidityArbiter.Agreement[] internal _loans;
    uint256 internal nextNonce = 1;
    int256 public wethPrice = 3_000e8;

    uint256 public healthyLiquidated;
    uint256 public lessHealthy;
    uint256 public liquidations;
    uint256 public topUps;
    uint256 public unhealthySeen;

    constructor(
        LiquidityArbiter arbiter_,
        MarginOracle oracle_,
        TestToken usdc_,
        TestToken weth_,
        TestPriceFeed usdcFeed_,
        TestPriceFeed wethFeed_
    ) {
        (arbiter, oracle, usdc, weth, usdcFeed, wethFeed) = (arbiter_, oracle_, usdc_, weth_, usdcFeed_, wethFeed_);
        address[3] memory who = [lender, borrower, keeper];
        for (uint256 i; i < 3; ++i) {
            vm.startPrank(who[i]);
            usdc.approve(address(arbiter), type(uint256).max);
            weth.approve(address(arbiter), type(uint256).max);
            vm.stopPrank();
        }
    }

    function loanCount() external view returns (uint256) {
        return _loans.length;
    }

    function loan(uint256 i) external view returns (LiquidityArbiter.Agreement memory) {
        return _loans[i];
    }

    function open(uint256 principal, uint256 collateral, uint256 threshold, uint256 bonus) external {
        LiquidityArbiter.Agreement memory a = LiquidityArbiter.Agreement({
            sessionId: keccak256(abi.encode("margin", nextNonce)),
            lender: lender,
            borrower: borrower,
            principalToken: address(usdc),
            principal: bound(principal, 1e6, 5_000_000e6),
            collateralToken: address(weth),
            collateral: 0,
            rateBps: 800,
            tenor: 30 days,
            nonce: nextNonce << 128 | nextNonce,
            deadline: uint64(block.timestamp + 1 hours),
            callRiskLevel: 0,
            liquidationThresholdBps: uint32(bound(threshold, 5_000, 9_000)),
            liquidationBonusBps: 0,
            tighteningPerLevelBps: 0
        });
        ++nextNonce;
        // Open 1..25 % above the threshold (by collateral value), so price moves make loans liquidatable.
        a.collateral = a.principal * 1e12 * 1e8 / uint256(wethPrice) * 10_000 / a.liquidationThresholdBps
            * bound(collateral, 101, 125) / 100;
        a.liquidationBonusBps = uint32(bound(bonus, 0, 100_000_000 / a.liquidationThresholdBps - 10_000));
        usdc.mint(lender, a.principal);
        weth.mint(borrower, a.collateral);
        bytes32 digest = arbiter.hashAgreement(a);
        bytes memory ls = _sign(LENDER_PK, digest);
        bytes memory bs = _sign(BORROWER_PK, digest);
        vm.prank(borrower);
        try arbiter.settle(a, ls, bs) {
            _loans.push(a);
        } catch {}
    }

    /// @dev WETH moves by up to ±30 % per step, kept inside the feed's sanity band.
    function movePrice(uint256 seed) external {
        int256 move = int256(bound(seed, 7_000, 13_000));
        int256 next = wethPrice * move / 10_000;
        if (next < 20e8) next = 20e8;
        if (next > 900_000e8) next = 900_000e8;
        wethPrice = next;
        wethFeed.setAnswer(next);
        usdcFeed.setAnswer(1e8);
    }

    function pass(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 2 hours));
        wethFeed.setAnswer(wethPrice);
        usdcFeed.setAnswer(1e8);
    }

    function topUp(uint256 index, uint256 amount) external {
        if (_loans.length == 0) return;
        LiquidityArbiter.Agreement memory a = _loans[index % _loans.length];
        amount = bound(amount, 1, 1_000e18);
        weth.mint(borrower, amount);
        vm.prank(borrower);
        try arbiter.topUp(a, amount) {
            ++topUps;
        } catch {}
    }

    function liquidate(uint256 index, uint256 amount, bool max) external {
        if (_loans.length == 0) return;
        LiquidityArbiter.Agreement memory a = _loans[index % _loans.length];
        (uint256 owed, uint256 escrowed) = arbiter.outstanding(a);
        if (owed == 0) return;
        uint256 before;
        try oracle.health(a.principalToken, owed, a.collateralToken, escrowed, arbiter.liquidationThreshold(a))
        returns (uint256 h) {
            before = h;
        } catch {
            return;
        }
        if (before < 1e18) ++unhealthySeen;
        amount = max ? type(uint256).max : bound(amount, 1, owed);
        usdc.mint(keeper, owed);
        vm.prank(keeper);
        try arbiter.liquidate(a, amount) {
            ++liquidations;
            if (before >= 1e18) ++healthyLiquidated;
            (uint256 owedAfter, uint256 escrowAfter) = arbiter.outstanding(a);
            if (owedAfter != 0 && escrowAfter != 0) {
                uint256 afterHealth = oracle.health(
                    a.principalToken, owedAfter, a.collateralToken, escrowAfter, arbiter.liquidationThreshold(a)
                );
                if (afterHealth < before) ++lessHealthy;
            }
        } catch {}
    }

    function repayPartial(uint256 index, uint256 amount) external {
        if (_loans.length == 0) return;
        LiquidityArbiter.Agreement memory a = _loans[index % _loans.length];
        (uint256 owed,) = arbiter.outstanding(a);
        if (owed == 0) return;
        amount = bound(amount, 1, owed);
        usdc.mint(borrower, amount);
        vm.prank(borrower);
        try arbiter.repayPartial(a, amount) {} catch {}
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }
}

contract LiquidityArbiterMarginInvariantTest is Test {
    LiquidityArbiter internal arbiter;
    MarginOracle internal oracle;
    TestToken internal usdc;
    TestToken internal weth;
    MarginHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        usdc = new TestToken("USD Coin", "USDC", 6);
        weth = new TestToken("Wrapped Ether", "WETH", 18);
        arbiter = new LiquidityArbiter(address(this), 100, 1 days, 2 days, 2);
        arbiter.allowToken(address(usdc), 1e6);
        arbiter.allowToken(address(weth), 1e15);
        oracle = new MarginOracle(address(this));
        TestPriceFeed usdcFeed = new TestPriceFeed(8, "USDC / USD", 1e8);
        TestPriceFeed wethFeed = new TestPriceFeed(8, "ETH / USD", 3_000e8);
        oracle.setFeed(address(usdc), AggregatorV3Interface(address(usdcFeed)), 1 hours, 0.5e8, 2e8);
        oracle.setFeed(address(weth), AggregatorV3Interface(address(wethFeed)), 1 hours, 10e8, 1_000_000e8);
        arbiter.setMarginOracle(oracle);
        handler = new MarginHandler(arbiter, oracle, usdc, weth, usdcFeed, wethFeed);
        arbiter.registerAgent(vm.addr(0xA11CE), "A");
        arbiter.registerAgent(vm.addr(0xB0B), "B");
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev The handler's paths work (extreme seeds open loans; a 20 % drop lets a keeper liquidate), so
    /// the invariants below see liquidations (a probe showed several per 100-call sequence).
    function test_handlerOpensAndLiquidates() public {
        handler.open(type(uint256).max, type(uint256).max, type(uint256).max, type(uint256).max);
        handler.open(0, 0, 0, 0);
        handler.pass(3 hours);
        handler.open(1_000_000e6, 110, 8_000, 500);
        assertEq(handler.loanCount(), 3, "opened");
        handler.movePrice(8_000);
        handler.liquidate(2, 0, true);
        assertEq(handler.liquidations(), 1, "liquidated");
    }

    function invariant_healthyLoansAreNeverLiquidated() public view {
        assertEq(handler.healthyLiquidated(), 0, "a healthy loan was liquidated");
    }

    function invariant_liquidationNeverLeavesALoanLessHealthyUnlessItClosesIt() public view {
        assertEq(handler.lessHealthy(), 0, "a liquidation left a loan less healthy without closing it");
    }

    /// @dev From the contract's own state: the arbiter holds exactly the stored escrows of its loans plus
    /// what it credited to the borrower (the rest of fully liquidated loans).
    function invariant_collateralHeldEqualsEscrowPlusCredits() public view {
        uint256 escrow;
        for (uint256 i; i < handler.loanCount(); ++i) {
            (, uint256 e) = arbiter.outstanding(handler.loan(i));
            escrow += e;
        }
        uint256 credits = arbiter.credits(handler.borrower(), address(weth));
        (,, uint256 held) = arbiter.tokenConfig(address(weth));
        assertEq(held, escrow + credits, "held != escrow + credits");
        assertEq(weth.balanceOf(address(arbiter)), held, "balance != held");
        assertEq(usdc.balanceOf(address(arbiter)), 0, "the arbiter kept principal tokens");
    }
}

