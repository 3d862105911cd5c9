// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {Test} from "./utils/Test.sol";

/// @dev Drives the arbiter through random settle / repay / claimDefault sequences among a few agents
/// and keeps a ghost copy of what must be in escrow.
contract ArbiterHandler is Test {
    LiquidityArbiter public immutable arbiter;
    TestToken public immutable usdc;
    TestToken public immutable weth;

    uint256[3] internal keys = [uint256(0xA11CE), 0xB0B, 0xCA401];
    bytes32[] public ids;
    uint256 public nextNonce;
    /// @dev Sum of collateral of loans the handler believes active.
    uint256 public ghostEscrowed;
    uint256 public settledCount;
    uint256 public repaidCount;
    uint256 public defaultedCount;

    constructor(LiquidityArbiter arbiter_, TestToken usdc_, TestToken weth_) {
        (arbiter, usdc, weth) = (arbiter_, usdc_, weth_);
        for (uint256 i; i < keys.length; ++i) {
            address who = vm.addr(keys[i]);
            vm.startPrank(who);
            usdc.approve(address(arbiter), type(uint256).max);
            weth.approve(address(arbiter), type(uint256).max);
            vm.stopPrank();
        }
    }

    function loanCount() external view returns (uint256) {
        return ids.length;
    }

    function settle(uint256 lenderSeed, uint256 offset, uint256 principal, uint256 collateral, uint32 rate, uint32 tenor)
        external
    {
        uint256 lenderIndex = lenderSeed % 3;
        uint256 lenderPk = keys[lenderIndex];
        uint256 borrowerPk = keys[(lenderIndex + 1 + offset % 2) % 3];
        principal = bound(principal, 1, 1e30);
        collateral = bound(collateral, 0, 1e30);
        tenor = uint32(bound(tenor, 0, 730 days));
        LiquidityArbiter.Agreement memory a = LiquidityArbiter.Agreement({
            sessionId: keccak256(abi.encode(nextNonce)),
            lender: vm.addr(lenderPk),
            borrower: vm.addr(borrowerPk),
            principalToken: address(usdc),
            principal: principal,
            collateralToken: address(weth),
            collateral: collateral,
            rateBps: uint32(bound(rate, 0, 100_000)),
            tenor: tenor,
            nonce: nextNonce++,
            deadline: uint64(block.timestamp + 1 hours)
        });
        usdc.mint(a.lender, principal);
        weth.mint(a.borrower, collateral);
        bytes32 digest = arbiter.hashAgreement(a);
        bytes memory lenderSig = _sign(lenderPk, digest);
        bytes memory borrowerSig = _sign(borrowerPk, digest);
        vm.prank(a.borrower);
        ids.push(arbiter.settle(a, lenderSig, borrowerSig));
        ghostEscrowed += collateral;
        ++settledCount;
    }

    function repay(uint256 index, uint256 delay) external {
        if (ids.length == 0) return;
        bytes32 id = ids[index % ids.length];
        LiquidityArbiter.Loan memory loan = arbiter.getLoan(id);
        if (loan.status != LiquidityArbiter.LoanStatus.Active) return;
        vm.warp(block.timestamp + bound(delay, 0, 30 days));
        usdc.mint(loan.borrower, arbiter.amountDue(id));
        vm.prank(loan.borrower);
        arbiter.repay(id);
        ghostEscrowed -= loan.collateral;
        ++repaidCount;
    }

    function claimDefault(uint256 index) external {
        if (ids.length == 0) return;
        bytes32 id = ids[index % ids.length];
        LiquidityArbiter.Loan memory loan = arbiter.getLoan(id);
        if (loan.status != LiquidityArbiter.LoanStatus.Active) return;
        uint256 after_ = uint256(loan.maturity) + arbiter.GRACE_PERIOD() + 1;
        if (block.timestamp < after_) vm.warp(after_);
        vm.prank(loan.lender);
        arbiter.claimDefault(id);
        ghostEscrowed -= loan.collateral;
        ++defaultedCount;
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }
}

/// @dev Conservation of funds: the arbiter never keeps principal, and holds exactly the collateral of
/// active loans, whatever sequence of settlements, repayments and defaults happened.
contract LiquidityArbiterInvariantTest is Test {
    LiquidityArbiter internal arbiter;
    TestToken internal usdc;
    TestToken internal weth;
    ArbiterHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        arbiter = new LiquidityArbiter();
        usdc = new TestToken("USD Coin", "USDC", 6);
        weth = new TestToken("Wrapped Ether", "WETH", 18);
        handler = new ArbiterHandler(arbiter, usdc, weth);
    }

    /// @dev Read by forge: only the handler is called during invariant runs.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_escrowHoldsExactlyActiveCollateral() public view {
        assertEq(weth.balanceOf(address(arbiter)), handler.ghostEscrowed(), "escrow == active collateral");
    }

    function invariant_escrowMatchesActiveLoansOnChain() public view {
        uint256 active;
        for (uint256 i; i < handler.loanCount(); ++i) {
            LiquidityArbiter.Loan memory loan = arbiter.getLoan(handler.ids(i));
            if (loan.status == LiquidityArbiter.LoanStatus.Active) active += loan.collateral;
        }
        assertEq(weth.balanceOf(address(arbiter)), active, "escrow == sum of active loans' collateral");
    }

    function invariant_principalNeverStaysInArbiter() public view {
        assertEq(usdc.balanceOf(address(arbiter)), 0, "no principal token held");
    }

    function invariant_everyLoanIsAccountedFor() public view {
        assertEq(handler.settledCount(), handler.loanCount(), "one id per settlement");
        assertLe(handler.repaidCount() + handler.defaultedCount(), handler.settledCount(), "closed <= settled");
    }
}
