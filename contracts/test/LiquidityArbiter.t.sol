// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {Test} from "./utils/Test.sol";

/// @dev Burns 1% of every transfer: the kind of collateral the arbiter must refuse.
contract FeeOnTransferToken is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @dev A smart wallet that accepts its owner's ECDSA signature (ERC-1271).
contract OwnedWallet is IERC1271 {
    address internal immutable _owner;

    constructor(address owner_) {
        _owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered,,) = ECDSA.tryRecover(hash, signature);
        return recovered == _owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    function approve(IERC20 token, address spender, uint256 amount) external {
        require(msg.sender == _owner, "not owner");
        token.approve(spender, amount);
    }
}

contract LiquidityArbiterTest is Test {
    LiquidityArbiter internal arbiter;
    TestToken internal usdc;
    TestToken internal weth;

    uint256 internal constant LENDER_PK = 0xA11CE;
    uint256 internal constant BORROWER_PK = 0xB0B;
    uint256 internal constant STRANGER_PK = 0x5EE;
    address internal lender;
    address internal borrower;
    address internal stranger;

    uint256 internal constant PRINCIPAL = 1_000_000e6; // 1M USDC
    uint256 internal constant COLLATERAL = 500e18; // 500 WETH
    uint32 internal constant RATE_BPS = 500; // 5% a year
    uint32 internal constant TENOR = 30 days;

    function setUp() public {
        vm.warp(1_700_000_000);
        arbiter = new LiquidityArbiter();
        usdc = new TestToken("USD Coin", "USDC", 6);
        weth = new TestToken("Wrapped Ether", "WETH", 18);
        lender = vm.addr(LENDER_PK);
        borrower = vm.addr(BORROWER_PK);
        stranger = vm.addr(STRANGER_PK);
        vm.label(lender, "lender");
        vm.label(borrower, "borrower");
        vm.label(address(arbiter), "arbiter");

        usdc.mint(lender, 10 * PRINCIPAL);
        usdc.mint(borrower, PRINCIPAL); // enough to pay interest
        weth.mint(borrower, 10 * COLLATERAL);
        vm.prank(lender);
        usdc.approve(address(arbiter), type(uint256).max);
        vm.startPrank(borrower);
        usdc.approve(address(arbiter), type(uint256).max);
        weth.approve(address(arbiter), type(uint256).max);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _agreement() internal view returns (LiquidityArbiter.Agreement memory) {
        return LiquidityArbiter.Agreement({
            sessionId: keccak256("session-1"),
            lender: lender,
            borrower: borrower,
            principalToken: address(usdc),
            principal: PRINCIPAL,
            collateralToken: address(weth),
            collateral: COLLATERAL,
            rateBps: RATE_BPS,
            tenor: TENOR,
            nonce: 1,
            deadline: uint64(block.timestamp + 1 hours)
        });
    }

    function _sign(uint256 pk, LiquidityArbiter.Agreement memory a) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, arbiter.hashAgreement(a));
        return abi.encodePacked(r, s, v);
    }

    function _settle(LiquidityArbiter.Agreement memory a) internal returns (bytes32) {
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(a.borrower);
        return arbiter.settle(a, lenderSig, borrowerSig);
    }

    function _expectedDue(uint256 principal, uint256 rateBps, uint256 tenor) internal pure returns (uint256) {
        uint256 num = principal * rateBps * tenor;
        uint256 denom = 10_000 * 365 days;
        return principal + num / denom + (num % denom == 0 ? 0 : 1);
    }

    /*//////////////////////////////////////////////////////////////
                               HAPPY PATH
    //////////////////////////////////////////////////////////////*/

    function test_settle_movesPrincipalAndEscrowsCollateral() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        uint256 borrowerWeth = weth.balanceOf(borrower);

        bytes32 id = _settle(a);

        assertEq(id, arbiter.hashAgreement(a), "id is the EIP-712 digest");
        assertEq(usdc.balanceOf(lender), lenderUsdc - PRINCIPAL, "lender paid principal");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc + PRINCIPAL, "borrower got principal");
        assertEq(weth.balanceOf(borrower), borrowerWeth - COLLATERAL, "borrower posted collateral");
        assertEq(weth.balanceOf(address(arbiter)), COLLATERAL, "collateral escrowed");

        LiquidityArbiter.Loan memory loan = arbiter.getLoan(id);
        assertTrue(loan.status == LiquidityArbiter.LoanStatus.Active, "active");
        assertEq(loan.lender, lender, "lender");
        assertEq(loan.borrower, borrower, "borrower");
        assertEq(loan.principalToken, address(usdc), "principal token");
        assertEq(loan.collateralToken, address(weth), "collateral token");
        assertEq(loan.principal, PRINCIPAL, "principal");
        assertEq(loan.collateral, COLLATERAL, "collateral");
        assertEq(loan.maturity, block.timestamp + TENOR, "maturity");
        assertEq(arbiter.amountDue(id), _expectedDue(PRINCIPAL, RATE_BPS, TENOR), "amount due");
        assertTrue(arbiter.isNonceUsed(lender, 1) && arbiter.isNonceUsed(borrower, 1), "nonces used");
    }

    function test_settle_lenderMaySubmit() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(lender);
        bytes32 id = arbiter.settle(a, lenderSig, borrowerSig);
        assertTrue(arbiter.getLoan(id).status == LiquidityArbiter.LoanStatus.Active, "active");
    }

    /// @dev Steady state: parties' nonce words and the escrow balance already exist (gas reference).
    function test_settle_secondLoanBetweenSameParties() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        a.nonce = 2;
        bytes32 id = _settle(a);
        assertEq(weth.balanceOf(address(arbiter)), 2 * COLLATERAL, "both escrowed");
        assertTrue(arbiter.getLoan(id).status == LiquidityArbiter.LoanStatus.Active, "active");
    }

    function test_settle_withoutCollateral() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateral = 0;
        a.collateralToken = address(0);
        _settle(a);
        assertEq(weth.balanceOf(address(arbiter)), 0, "nothing escrowed");
    }

    function test_settle_acceptsErc1271Wallet() public {
        OwnedWallet wallet = new OwnedWallet(borrower);
        weth.mint(address(wallet), COLLATERAL);
        vm.prank(borrower);
        wallet.approve(weth, address(arbiter), COLLATERAL);

        LiquidityArbiter.Agreement memory a = _agreement();
        a.borrower = address(wallet);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory walletSig = _sign(BORROWER_PK, a);
        vm.prank(lender);
        arbiter.settle(a, lenderSig, walletSig);
        assertEq(usdc.balanceOf(address(wallet)), PRINCIPAL, "wallet got principal");
    }

    function test_repay_paysLenderAndReleasesCollateral() public {
        bytes32 id = _settle(_agreement());
        uint256 due = arbiter.amountDue(id);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        uint256 borrowerWeth = weth.balanceOf(borrower);

        vm.warp(block.timestamp + TENOR);
        vm.prank(borrower);
        arbiter.repay(id);

        assertEq(usdc.balanceOf(lender), lenderUsdc + due, "lender got amount due");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc - due, "borrower paid amount due");
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL, "collateral returned");
        assertEq(weth.balanceOf(address(arbiter)), 0, "escrow empty");
        assertTrue(arbiter.getLoan(id).status == LiquidityArbiter.LoanStatus.Repaid, "repaid");
    }

    function test_repay_byThirdPartyPaysFromCallerAndReturnsCollateralToBorrower() public {
        bytes32 id = _settle(_agreement());
        uint256 due = arbiter.amountDue(id);
        usdc.mint(stranger, due);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        vm.startPrank(stranger);
        usdc.approve(address(arbiter), due);
        arbiter.repay(id);
        vm.stopPrank();
        assertEq(usdc.balanceOf(stranger), 0, "payer paid");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc, "borrower's funds untouched");
        assertEq(weth.balanceOf(borrower), 10 * COLLATERAL, "collateral back to borrower");
    }

    function test_claimDefault_afterGracePeriod() public {
        bytes32 id = _settle(_agreement());
        uint256 claimableAfter = block.timestamp + TENOR + arbiter.GRACE_PERIOD();

        vm.warp(claimableAfter);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.GracePeriodActive.selector, claimableAfter));
        arbiter.claimDefault(id);

        vm.warp(claimableAfter + 1);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotLender.selector, borrower));
        arbiter.claimDefault(id);

        vm.prank(lender);
        arbiter.claimDefault(id);
        assertEq(weth.balanceOf(lender), COLLATERAL, "lender took collateral");
        assertTrue(arbiter.getLoan(id).status == LiquidityArbiter.LoanStatus.Defaulted, "defaulted");

        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.NotActive.selector, id, LiquidityArbiter.LoanStatus.Defaulted)
        );
        arbiter.repay(id);
    }

    /*//////////////////////////////////////////////////////////////
                               BAD INPUT
    //////////////////////////////////////////////////////////////*/

    function test_settle_revertsOnSignatureBySomeoneElse() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory forged = _sign(STRANGER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, forged, borrowerSig);
    }

    function test_settle_revertsOnLenderSignatureInBorrowerSlot() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, borrower));
        arbiter.settle(a, lenderSig, lenderSig);
    }

    function test_settle_revertsOnMalformedSignature() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, hex"1234", borrowerSig);
    }

    function test_settle_revertsOnSignatureOfOtherTerms() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        a.principal += 1;
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnReplay() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.AlreadySettled.selector, id));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnNonceReuse() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        a.sessionId = keccak256("session-2");
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NonceUsed.selector, lender, 1));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnInvalidatedNonce() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.invalidateNonce(a.nonce);
        assertTrue(arbiter.isNonceUsed(borrower, a.nonce), "cancelled");
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NonceUsed.selector, borrower, a.nonce));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsWhenExpired() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.warp(a.deadline + 1);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.Expired.selector, a.deadline));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_atDeadlineSucceeds() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        vm.warp(a.deadline);
        _settle(a);
    }

    function test_settle_revertsWhenCallerNotParty() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotParty.selector, stranger));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnSelfLoan() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.borrower = lender;
        bytes memory sig = _sign(LENDER_PK, a);
        vm.prank(lender);
        vm.expectRevert(LiquidityArbiter.SelfLoan.selector);
        arbiter.settle(a, sig, sig);
    }

    function test_settle_revertsOnZeroPrincipal() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principal = 0;
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(LiquidityArbiter.ZeroPrincipal.selector);
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnAmountAbove128Bits() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateral = uint256(type(uint128).max) + 1;
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(LiquidityArbiter.AmountTooLarge.selector);
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_refusesFeeOnTransferCollateral() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(borrower, COLLATERAL);
        vm.prank(borrower);
        fee.approve(address(arbiter), COLLATERAL);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateralToken = address(fee);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnsupportedToken.selector, address(fee)));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_repay_revertsOnUnknownAgreement() public {
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnknownAgreement.selector, bytes32(uint256(1))));
        arbiter.repay(bytes32(uint256(1)));
    }

    function test_repay_revertsWhenAlreadyRepaid() public {
        bytes32 id = _settle(_agreement());
        vm.startPrank(borrower);
        arbiter.repay(id);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.NotActive.selector, id, LiquidityArbiter.LoanStatus.Repaid)
        );
        arbiter.repay(id);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    /// @dev Any representable loan: amount due matches the reference formula, and every token that
    /// entered the arbiter leaves it, to the right party.
    function testFuzz_settleRepay_amountDueAndConservation(
        uint256 principal,
        uint256 collateral,
        uint32 rateBps,
        uint32 tenor
    ) public {
        principal = bound(principal, 1, type(uint128).max);
        collateral = bound(collateral, 0, type(uint128).max);
        TestToken p = new TestToken("P", "P", 18);
        TestToken c = new TestToken("C", "C", 18);
        uint256 due = _expectedDue(principal, rateBps, tenor);
        p.mint(lender, principal);
        p.mint(borrower, due - principal);
        c.mint(borrower, collateral);
        vm.prank(lender);
        p.approve(address(arbiter), principal);
        vm.startPrank(borrower);
        p.approve(address(arbiter), due);
        c.approve(address(arbiter), collateral);
        vm.stopPrank();

        LiquidityArbiter.Agreement memory a = _agreement();
        (a.principalToken, a.principal, a.collateralToken, a.collateral) = (address(p), principal, address(c), collateral);
        (a.rateBps, a.tenor) = (rateBps, tenor);
        bytes32 id = _settle(a);

        assertEq(arbiter.amountDue(id), due, "amount due");
        assertGe(due, principal, "due >= principal");
        assertEq(p.balanceOf(borrower), due, "borrower holds principal + interest money");
        assertEq(c.balanceOf(address(arbiter)), collateral, "collateral escrowed");

        vm.prank(borrower);
        arbiter.repay(id);

        assertEq(p.balanceOf(lender), due, "lender ends with amount due");
        assertEq(p.balanceOf(borrower), 0, "borrower paid everything owed");
        assertEq(p.balanceOf(address(arbiter)), 0, "no principal token stuck");
        assertEq(c.balanceOf(borrower), collateral, "collateral back");
        assertEq(c.balanceOf(address(arbiter)), 0, "no collateral stuck");
    }
}
