// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {ArbiterFixture} from "./utils/ArbiterFixture.sol";
import {FeeOnTransferToken, OwnedWallet, ReentrantToken, ReturnsFalseToken} from "./utils/Tokens.sol";
import {FeeSwitchToken} from "./utils/MisbehavingTokens.sol";

/// @dev Unit tests: every function, every revert, and the attacks of the issue (replay across chains
/// and contracts, reentrant token, wrong party, malleable signature, expired deadline, arbiter set
/// below threshold).
contract LiquidityArbiterTest is ArbiterFixture {
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /*//////////////////////////////////////////////////////////////
                               SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    function test_settle_movesPrincipalAndEscrowsCollateral() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        uint256 borrowerWeth = weth.balanceOf(borrower);

        vm.expectEmit();
        emit LiquidityArbiter.Settled(_hash(a), lender, borrower, uint64(block.timestamp) + TENOR, _due(a), a);
        bytes32 id = _settle(a);

        assertEq(id, _hash(a), "id is the EIP-712 digest");
        assertEq(usdc.balanceOf(lender), lenderUsdc - PRINCIPAL, "lender paid principal");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc + PRINCIPAL, "borrower got principal");
        assertEq(weth.balanceOf(borrower), borrowerWeth - COLLATERAL, "borrower posted collateral");
        assertEq(weth.balanceOf(address(arbiter)), COLLATERAL, "collateral escrowed");

        LiquidityArbiter.LoanView memory loan = arbiter.getLoan(id);
        assertTrue(loan.status == LiquidityArbiter.LoanStatus.Active, "active");
        assertFalse(loan.disputed, "not disputed");
        assertEq(loan.maturity, block.timestamp + TENOR, "maturity");
        assertEq(loan.paid, 0, "nothing paid");
        (uint256 owed, uint256 escrowed) = arbiter.outstanding(a);
        assertEq(owed, _due(a), "owed = amount due");
        assertEq(escrowed, COLLATERAL, "escrowed");
        assertEq(arbiter.amountDue(a), _due(a), "amount due");
    }

    function test_settle_lenderMaySubmit() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(lender);
        bytes32 id = arbiter.settle(a, lenderSig, borrowerSig);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Active, "active");
    }

    function test_settle_withoutCollateral() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        (a.collateral, a.collateralToken) = (0, address(0));
        _settle(a);
        assertEq(weth.balanceOf(address(arbiter)), 0, "nothing escrowed");
    }

    function test_settle_atDeadlineSucceeds() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        vm.warp(a.deadline);
        _settle(a);
    }

    function test_settle_acceptsErc1271Wallet() public {
        OwnedWallet wallet = new OwnedWallet(borrower);
        weth.mint(address(wallet), COLLATERAL);
        vm.prank(borrower);
        wallet.approve(weth, address(arbiter), COLLATERAL);
        vm.prank(governance);
        arbiter.registerAgent(address(wallet), PERP);

        LiquidityArbiter.Agreement memory a = _agreement();
        a.borrower = address(wallet);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory walletSig = _sign(BORROWER_PK, a);
        vm.prank(lender);
        arbiter.settle(a, lenderSig, walletSig);
        assertEq(usdc.balanceOf(address(wallet)), PRINCIPAL, "wallet got principal");
        assertEq(weth.balanceOf(address(arbiter)), COLLATERAL, "wallet's collateral escrowed");
    }

    function test_settle_revertsWhenErc1271WalletRejects() public {
        OwnedWallet wallet = new OwnedWallet(borrower);
        vm.prank(governance);
        arbiter.registerAgent(address(wallet), PERP);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.borrower = address(wallet);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory strangerSig = _sign(STRANGER_PK, a);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, address(wallet)));
        arbiter.settle(a, lenderSig, strangerSig);
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
        vm.expectRevert(LiquidityArbiter.ZeroAmount.selector);
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnAmountsAbove128Bits() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateral = uint256(type(uint128).max) + 1;
        vm.prank(borrower);
        vm.expectRevert(LiquidityArbiter.AmountTooLarge.selector);
        arbiter.settle(a, "", "");

        a = _agreement();
        a.principal = uint256(type(uint128).max) + 1;
        vm.prank(borrower);
        vm.expectRevert(LiquidityArbiter.AmountTooLarge.selector);
        arbiter.settle(a, "", "");

        // Principal fits, but principal plus interest does not.
        a = _agreement();
        (a.principal, a.rateBps, a.tenor) = (type(uint128).max, 10_000, 365 days);
        vm.prank(borrower);
        vm.expectRevert(LiquidityArbiter.AmountTooLarge.selector);
        arbiter.settle(a, "", "");
    }

    function test_settle_revertsWhenAPartyIsNotRegistered() public {
        vm.prank(governance);
        arbiter.deregisterAgent(borrower);
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnregisteredAgent.selector, borrower));
        arbiter.settle(a, lenderSig, borrowerSig);

        a.lender = stranger;
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnregisteredAgent.selector, stranger));
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

    function test_settle_revertsOnReplayAfterRepayment() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.prank(borrower);
        arbiter.repay(a);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.AlreadySettled.selector, id));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_revertsOnNonceCancelledByEitherParty() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.nonce = _nonces(7, 9); // the lender's nonce 7, the borrower's 9
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);

        vm.expectEmit();
        emit LiquidityArbiter.NonceInvalidated(borrower, 9);
        vm.prank(borrower);
        arbiter.invalidateNonce(9);
        assertTrue(arbiter.isNonceUsed(borrower, 9), "cancelled");
        assertFalse(arbiter.isNonceUsed(lender, 9), "only the caller's");
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NonceUsed.selector, borrower, 9));
        arbiter.settle(a, lenderSig, borrowerSig);

        a.nonce = _nonces(7, 10);
        lenderSig = _sign(LENDER_PK, a);
        borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(lender);
        arbiter.invalidateNonce(7);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NonceUsed.selector, lender, 7));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_invalidateNonce_isIdempotentAndLeavesSettledLoansAlone() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.startPrank(lender);
        arbiter.invalidateNonce(1);
        arbiter.invalidateNonce(1);
        vm.stopPrank();
        assertTrue(arbiter.isNonceUsed(lender, 1), "used");
        vm.prank(borrower);
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
    }

    function test_invalidateNonce_refusesZeroAndPackedNonces() public {
        vm.startPrank(lender);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.invalidateNonce(0);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.invalidateNonce(_nonces(1, 1)); // the agreement's packed nonce, not the caller's half
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                          SIGNATURE ATTACKS
    //////////////////////////////////////////////////////////////*/

    function test_attack_signatureOfWrongParty() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory forged = _sign(STRANGER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, forged, borrowerSig);
    }

    function test_attack_lenderSignatureInBorrowerSlot() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, borrower));
        arbiter.settle(a, lenderSig, lenderSig);
    }

    function test_attack_signatureOfOtherTerms() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        a.collateral -= 1;
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_attack_malleableSignature() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(LENDER_PK, _hash(a));
        // (r, n - s, v ^ 1) recovers the same address with plain ecrecover.
        bytes memory twin = abi.encodePacked(r, bytes32(N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        assertEq(ecrecover(_hash(a), v == 27 ? 28 : 27, r, bytes32(N - uint256(s))), lender, "twin recovers");
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, twin, borrowerSig);
    }

    function test_attack_malformedSignatures() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(LENDER_PK, _hash(a));
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        bytes[4] memory bad = [
            bytes(hex"1234"),
            abi.encodePacked(r, s), // 64 bytes: EIP-2098 compact form is not accepted
            abi.encodePacked(r, s, uint8(v + 2)), // invalid v
            abi.encodePacked(r, s, v, uint8(0)) // 66 bytes
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.prank(borrower);
            vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
            arbiter.settle(a, bad[i], borrowerSig);
        }
    }

    function test_attack_replayOnAnotherChainId() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        bytes32 separator = arbiter.DOMAIN_SEPARATOR();
        vm.chainId(block.chainid + 1);
        assertNotEq(arbiter.DOMAIN_SEPARATOR(), separator, "chain id is in the domain");
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_attack_replayOnAnotherArbiter() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        LiquidityArbiter other = new LiquidityArbiter(governance, BOND_BPS, LIVENESS, WINDOW, ALERT_QUORUM);
        vm.startPrank(governance);
        other.registerAgent(lender, LENDING);
        other.registerAgent(borrower, PERP);
        other.allowToken(address(usdc), MIN_BOND_USDC);
        other.allowToken(address(weth), MIN_BOND_WETH);
        vm.stopPrank();
        vm.prank(lender);
        usdc.approve(address(other), type(uint256).max);
        vm.prank(borrower);
        weth.approve(address(other), type(uint256).max);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        other.settle(a, lenderSig, borrowerSig);
    }

    /*//////////////////////////////////////////////////////////////
                            TOKEN BEHAVIOUR
    //////////////////////////////////////////////////////////////*/

    function test_settle_refusesFeeOnTransferCollateral() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        _allow(address(fee));
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

    function test_settle_refusesFeeOnTransferPrincipal() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        _allow(address(fee));
        fee.mint(lender, PRINCIPAL);
        vm.prank(lender);
        fee.approve(address(arbiter), PRINCIPAL);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(fee);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnsupportedToken.selector, address(fee)));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_refusesTokenReturningFalse() public {
        ReturnsFalseToken bad = new ReturnsFalseToken();
        _allow(address(bad));
        bad.mint(lender, PRINCIPAL);
        vm.prank(lender);
        bad.approve(address(arbiter), PRINCIPAL);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(bad);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(bad)));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_settle_refusesTokensNotOnTheAllowlist() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateralToken = address(0xC0FFEE);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.TokenNotAllowed.selector, address(0xC0FFEE)));
        arbiter.settle(a, lenderSig, borrowerSig);

        // A loan without collateral does not need its collateral token listed.
        a.collateral = 0;
        _settle(a);

        // Delisting stops new loans, not existing ones.
        LiquidityArbiter.Agreement memory b = _agreement();
        b.nonce = _nonces(2, 2);
        bytes32 idB = _settle(b);
        vm.prank(governance);
        arbiter.disallowToken(address(usdc));
        LiquidityArbiter.Agreement memory c = _agreement();
        c.nonce = _nonces(3, 3);
        lenderSig = _sign(LENDER_PK, c);
        borrowerSig = _sign(BORROWER_PK, c);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.TokenNotAllowed.selector, address(usdc)));
        arbiter.settle(c, lenderSig, borrowerSig);
        vm.prank(borrower);
        arbiter.repay(b);
        assertTrue(_status(idB) == LiquidityArbiter.LoanStatus.Repaid, "delisted token's loan repaid");
    }

    function test_settle_bubblesTokenErrors() public {
        vm.prank(lender);
        usdc.approve(address(arbiter), 0);
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(arbiter), 0, PRINCIPAL
            )
        );
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    function test_attack_reentrantTokenCannotReenter() public {
        ReentrantToken ree = new ReentrantToken();
        _allow(address(ree));
        ree.mint(borrower, 10 * COLLATERAL);
        vm.prank(borrower);
        ree.approve(address(arbiter), type(uint256).max);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateralToken = address(ree);
        _settle(a);

        // On settlement the collateral pull tries to claim the escrow of the first loan.
        LiquidityArbiter.Agreement memory b = _agreement();
        (b.collateralToken, b.nonce) = (address(ree), _nonces(2, 2));
        ree.arm(address(arbiter), abi.encodeCall(LiquidityArbiter.claimDefault, (a)));
        bytes memory lenderSig = _sign(LENDER_PK, b);
        bytes memory borrowerSig = _sign(BORROWER_PK, b);
        vm.prank(borrower);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        arbiter.settle(b, lenderSig, borrowerSig);
        assertEq(ree.balanceOf(address(arbiter)), COLLATERAL, "escrow intact");

        // On repayment the collateral payout tries to repay (and so release collateral) again: the
        // guard stops it, the payout fails, and the collateral is credited to the borrower instead.
        ree.arm(address(arbiter), abi.encodeCall(LiquidityArbiter.repay, (a)));
        uint256 borrowerRee = ree.balanceOf(borrower);
        vm.prank(borrower);
        arbiter.repay(a);
        assertEq(ree.balanceOf(borrower), borrowerRee, "nothing released twice");
        assertEq(arbiter.credits(borrower, address(ree)), COLLATERAL, "credited once");
        ree.arm(address(0), "");
        vm.prank(borrower);
        arbiter.withdrawCredit(address(ree), borrower);
        assertEq(ree.balanceOf(borrower), borrowerRee + COLLATERAL, "withdrawn");
        assertEq(ree.balanceOf(address(arbiter)), 0, "nothing left");
    }

    /*//////////////////////////////////////////////////////////////
                               REPAYMENT
    //////////////////////////////////////////////////////////////*/

    function test_repay_paysLenderAndReleasesCollateral() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint256 due = _due(a);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        uint256 borrowerWeth = weth.balanceOf(borrower);

        vm.warp(block.timestamp + TENOR);
        vm.expectEmit();
        emit LiquidityArbiter.Repaid(id, borrower, due, COLLATERAL, 0);
        vm.prank(borrower);
        arbiter.repay(a);

        assertEq(usdc.balanceOf(lender), lenderUsdc + due, "lender got amount due");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc - due, "borrower paid amount due");
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL, "collateral returned");
        assertEq(weth.balanceOf(address(arbiter)), 0, "escrow empty");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
        assertEq(arbiter.getLoan(id).paid, due, "paid recorded");
    }

    function test_repay_byThirdPartyPaysFromCallerAndReturnsCollateralToBorrower() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        uint256 strangerUsdc = usdc.balanceOf(stranger);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        uint256 borrowerWeth = weth.balanceOf(borrower);
        vm.prank(stranger);
        arbiter.repay(a);
        assertEq(usdc.balanceOf(stranger), strangerUsdc - _due(a), "payer paid");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc, "borrower's funds untouched");
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL, "collateral back to borrower");
        assertEq(weth.balanceOf(stranger), 10 * COLLATERAL, "payer got no collateral");
    }

    function test_repay_afterMaturityUntilDefaultIsClaimed() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 10 days);
        vm.prank(borrower);
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "late repayment accepted");
    }

    function test_repay_byLenderItselfIsAllowed() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        vm.prank(lender);
        arbiter.repay(a);
        assertEq(usdc.balanceOf(lender), lenderUsdc, "paid itself");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "closed");
    }

    function test_repayPartial_releasesCollateralProRata() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint256 due = _due(a);
        uint256 part = due / 4;
        uint256 borrowerWeth = weth.balanceOf(borrower);

        vm.expectEmit();
        emit LiquidityArbiter.Repaid(id, borrower, part, COLLATERAL * part / due, due - part);
        vm.prank(borrower);
        arbiter.repayPartial(a, part);
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL * part / due, "pro rata release");
        (uint256 owed, uint256 escrowed) = arbiter.outstanding(a);
        assertEq(owed, due - part, "owed");
        assertEq(escrowed, COLLATERAL - COLLATERAL * part / due, "escrowed");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Active, "still active");

        vm.prank(borrower);
        arbiter.repayPartial(a, due - part);
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL, "all collateral back");
        assertEq(weth.balanceOf(address(arbiter)), 0, "escrow empty");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid by the last part");
    }

    function test_repay_afterPartialPaysTheRest() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        vm.startPrank(borrower);
        arbiter.repayPartial(a, 123_456);
        arbiter.repay(a);
        vm.stopPrank();
        assertEq(usdc.balanceOf(lender), lenderUsdc + _due(a), "lender got exactly the amount due");
    }

    function test_repayPartial_revertsOnZeroOrTooMuch() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        vm.startPrank(borrower);
        vm.expectRevert(LiquidityArbiter.ZeroAmount.selector);
        arbiter.repayPartial(a, 0);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.RepayExceedsOutstanding.selector, _due(a) + 1, _due(a))
        );
        arbiter.repayPartial(a, _due(a) + 1);
        vm.stopPrank();
    }

    function test_repay_revertsOnUnknownTerms() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        a.principal -= 1; // different terms hash to a different, unknown id
        bytes32 id_ = _hash(a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnknownAgreement.selector, id_));
        arbiter.repay(a);
    }

    function test_repay_revertsWhenAlreadyRepaid() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.startPrank(borrower);
        arbiter.repay(a);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.NotActive.selector, id, LiquidityArbiter.LoanStatus.Repaid)
        );
        arbiter.repay(a);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                DEFAULT
    //////////////////////////////////////////////////////////////*/

    function test_claimDefault_onlyLenderOnlyAfterGrace() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint256 claimableAfter = block.timestamp + TENOR + arbiter.GRACE_PERIOD();

        vm.warp(claimableAfter);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.GracePeriodActive.selector, claimableAfter));
        arbiter.claimDefault(a);

        vm.warp(claimableAfter + 1);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotLender.selector, borrower));
        arbiter.claimDefault(a);

        vm.expectEmit();
        emit LiquidityArbiter.DefaultClaimed(id, lender, COLLATERAL);
        vm.prank(lender);
        arbiter.claimDefault(a);
        assertEq(weth.balanceOf(lender), 10 * COLLATERAL + COLLATERAL, "lender took collateral");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Defaulted, "defaulted");

        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.NotActive.selector, id, LiquidityArbiter.LoanStatus.Defaulted)
        );
        arbiter.repay(a);
    }

    function test_claimDefault_afterPartialRepaymentTakesOnlyTheRest() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        uint256 part = _due(a) / 3;
        vm.prank(borrower);
        arbiter.repayPartial(a, part);
        vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD() + 1);
        uint256 lenderWeth = weth.balanceOf(lender);
        vm.prank(lender);
        arbiter.claimDefault(a);
        assertEq(weth.balanceOf(lender), lenderWeth + COLLATERAL - COLLATERAL * part / _due(a), "remaining only");
        assertEq(weth.balanceOf(address(arbiter)), 0, "escrow empty");
    }

    function test_claimDefault_revertsOnUnknownAgreement() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id_ = _hash(a);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnknownAgreement.selector, id_));
        arbiter.claimDefault(a);
    }

    /*//////////////////////////////////////////////////////////////
                          EARLY CALL (RISK LEVEL)
    //////////////////////////////////////////////////////////////*/

    function _raise(uint8 level, uint64 duration) internal {
        LiquidityArbiter.RiskAlert memory alert = _alert(level, duration);
        arbiter.raiseAlert(alert, _alertSigs(alert));
    }

    function test_callLoan_whenAgreementAllowsAndRiskIsHigh() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.callRiskLevel = 2;
        bytes32 id = _settle(a);
        _raise(2, 1 days);

        vm.expectEmit();
        emit LiquidityArbiter.LoanCalled(id, 2, uint64(block.timestamp));
        vm.prank(lender);
        arbiter.callLoan(a);
        assertEq(arbiter.getLoan(id).maturity, block.timestamp, "due now");

        uint256 claimableAfter = block.timestamp + arbiter.GRACE_PERIOD();
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.GracePeriodActive.selector, claimableAfter));
        arbiter.claimDefault(a);
        vm.warp(claimableAfter + 1);
        vm.prank(lender);
        arbiter.claimDefault(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Defaulted, "claimed early");
    }

    function test_callLoan_reverts() public {
        LiquidityArbiter.Agreement memory plain = _agreement();
        bytes32 plainId = _settle(plain);
        LiquidityArbiter.Agreement memory a = _agreement();
        (a.callRiskLevel, a.nonce) = (3, 2);
        _settle(a);

        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotCallable.selector, plainId));
        arbiter.callLoan(plain);

        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.RiskLevelTooLow.selector, 0, 3));
        arbiter.callLoan(a);

        _raise(2, 1 days);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.RiskLevelTooLow.selector, 2, 3));
        arbiter.callLoan(a);

        vm.warp(block.timestamp + 1);
        _raise(5, 1 hours);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotLender.selector, borrower));
        arbiter.callLoan(a);

        // The alert expires: level back to 0.
        vm.warp(block.timestamp + 1 hours);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.RiskLevelTooLow.selector, 0, 3));
        arbiter.callLoan(a);

        // Already due.
        vm.warp(block.timestamp + TENOR);
        _raise(5, 1 hours);
        uint64 maturity = arbiter.getLoan(_hash(a)).maturity;
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.AlreadyDue.selector, maturity));
        arbiter.callLoan(a);
    }

    /*//////////////////////////////////////////////////////////////
                                DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @dev The standard loan, settled and past maturity, disputed by `disputer`.
    function _disputed(address disputer) internal returns (LiquidityArbiter.Agreement memory a, bytes32 id) {
        a = _agreement();
        id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(disputer);
        arbiter.dispute(a, keccak256("transcript"));
    }

    function test_dispute_postsBondAndEmitsEvidence() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        bytes32 evidence = keccak256("negotiation transcript");

        vm.expectEmit();
        emit LiquidityArbiter.Disputed(id, lender, 1, BOND, uint64(block.timestamp) + LIVENESS);
        vm.expectEmit();
        emit LiquidityArbiter.Evidence(id, 1, lender, evidence);
        vm.prank(lender);
        arbiter.dispute(a, evidence);

        assertEq(usdc.balanceOf(lender), lenderUsdc - BOND, "bond posted");
        assertEq(usdc.balanceOf(address(arbiter)), BOND, "bond held");
        assertTrue(arbiter.getLoan(id).disputed, "disputed");
        LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
        assertTrue(d.disputer == LiquidityArbiter.Party.Lender, "disputer");
        assertEq(d.round, 1, "round");
        assertEq(d.bond, BOND, "bond");
        assertEq(d.deadline, block.timestamp + LIVENESS, "deadline");
        assertFalse(d.counterBonded, "no counter-bond");
        (, , uint256 held) = arbiter.tokenConfig(address(usdc));
        assertEq(held, BOND, "bond counted as held");
    }

    function test_dispute_reverts() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id_ = _hash(a);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnknownAgreement.selector, id_));
        arbiter.dispute(a, 0);

        bytes32 id = _settle(a);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotParty.selector, stranger));
        arbiter.dispute(a, 0);

        uint64 maturity = arbiter.getLoan(id).maturity;
        vm.warp(maturity);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotDue.selector, maturity));
        arbiter.dispute(a, 0);

        vm.warp(maturity + 1);
        vm.prank(lender);
        arbiter.dispute(a, 0);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.DisputeOpen.selector, id));
        arbiter.dispute(a, 0);

        LiquidityArbiter.Agreement memory b = _agreement();
        b.nonce = _nonces(2, 2);
        bytes32 idB = _settle(b);
        vm.prank(borrower);
        arbiter.repay(b);
        vm.prank(borrower);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.NotActive.selector, idB, LiquidityArbiter.LoanStatus.Repaid)
        );
        arbiter.dispute(b, 0);
    }

    function test_dispute_blocksDefaultButNotRepayment() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(borrower);
        vm.warp(block.timestamp + arbiter.GRACE_PERIOD());
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.DisputeOpen.selector, id));
        arbiter.claimDefault(a);

        vm.prank(borrower);
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid during dispute");
        // The dispute still decides the bonds; there is no escrow left to move. Arbiters were silent:
        // the borrower's claim is not proven and its bond goes to the lender.
        vm.warp(arbiter.getDispute(id).deadline + 1);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        arbiter.resolve(a);
        assertEq(usdc.balanceOf(lender), lenderUsdc + BOND, "borrower's bond to the lender");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "stays repaid");
    }

    function test_dispute_lendersClaimKeepsTheBorrowersGrace() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint64 maturity = arbiter.getLoan(id).maturity;
        vm.prank(governance);
        arbiter.setDisputeParams(BOND_BPS, 12 hours, 12 hours); // later loans only
        vm.warp(maturity + 1);
        vm.prank(lender);
        arbiter.dispute(a, 0);
        // This loan's liveness (1 day) ends after maturity + grace; with a shorter one it would not:
        assertEq(arbiter.getDispute(id).deadline, block.timestamp + LIVENESS, "own liveness");

        LiquidityArbiter.Agreement memory b = _agreement();
        b.nonce = _nonces(2, 2);
        bytes32 idB = _settle(b);
        uint64 maturityB = arbiter.getLoan(idB).maturity;
        vm.warp(maturityB + 1);
        vm.prank(lender);
        arbiter.dispute(b, 0);
        assertEq(arbiter.getDispute(idB).deadline, maturityB + arbiter.GRACE_PERIOD(), "not before grace ends");
        // An early counter-bond does not pull the deadline in either.
        vm.prank(borrower);
        arbiter.counterDispute(b, 0);
        assertEq(arbiter.getDispute(idB).deadline, maturityB + arbiter.GRACE_PERIOD(), "still grace end");
        // The borrower repays within its grace; the lender's claim finds no escrow.
        vm.warp(maturityB + arbiter.GRACE_PERIOD());
        vm.prank(borrower);
        arbiter.repay(b);
        assertTrue(_status(idB) == LiquidityArbiter.LoanStatus.Repaid, "repaid in grace");
    }

    function test_counterDispute_postsBondAndExtendsWindow() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        vm.warp(block.timestamp + LIVENESS); // last second of liveness
        vm.expectEmit();
        emit LiquidityArbiter.CounterBonded(id, borrower, 1, uint64(block.timestamp) + WINDOW);
        vm.prank(borrower);
        arbiter.counterDispute(a, keccak256("counter"));
        LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
        assertTrue(d.counterBonded, "counter-bonded");
        assertEq(d.deadline, block.timestamp + WINDOW, "arbitration window");
        assertEq(usdc.balanceOf(address(arbiter)), 2 * BOND, "both bonds held");
    }

    function test_counterDispute_reverts() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NoOpenDispute.selector, id));
        arbiter.counterDispute(a, 0);

        vm.prank(lender);
        arbiter.dispute(a, 0);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotCounterparty.selector, lender));
        arbiter.counterDispute(a, 0);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotCounterparty.selector, stranger));
        arbiter.counterDispute(a, 0);

        vm.warp(block.timestamp + LIVENESS + 1);
        uint64 deadline = arbiter.getDispute(id).deadline;
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.DisputeWindowClosed.selector, deadline));
        arbiter.counterDispute(a, 0);
    }

    function test_counterDispute_revertsWhenAlreadyPosted() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        vm.startPrank(borrower);
        arbiter.counterDispute(a, 0);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.AlreadyCounterBonded.selector, id));
        arbiter.counterDispute(a, 0);
        vm.stopPrank();
    }

    function test_submitEvidence() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NoOpenDispute.selector, id));
        arbiter.submitEvidence(a, keccak256("x"));

        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(lender);
        arbiter.dispute(a, 0);
        vm.expectEmit();
        emit LiquidityArbiter.Evidence(id, 1, borrower, keccak256("more"));
        vm.prank(borrower);
        arbiter.submitEvidence(a, keccak256("more"));

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotParty.selector, stranger));
        arbiter.submitEvidence(a, keccak256("spam"));
    }

    function test_rule_lenderWinsAndClosesLoan() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        vm.prank(borrower);
        arbiter.counterDispute(a, 0);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 lenderWeth = weth.balanceOf(lender);

        vm.expectEmit();
        emit LiquidityArbiter.Ruled(id, 1, LiquidityArbiter.Party.Lender, true, false, 2 * BOND, COLLATERAL);
        arbiter.rule(a, LiquidityArbiter.Party.Lender, true, _ruling(id, 1, LiquidityArbiter.Party.Lender, true, 2));

        assertEq(usdc.balanceOf(lender), lenderUsdc + 2 * BOND, "both bonds to lender");
        assertEq(weth.balanceOf(lender), lenderWeth + COLLATERAL, "escrow to lender");
        assertEq(usdc.balanceOf(address(arbiter)), 0, "no bonds left");
        assertEq(weth.balanceOf(address(arbiter)), 0, "no escrow left");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Ruled, "ruled");
        assertFalse(arbiter.getLoan(id).disputed, "dispute closed");
    }

    function test_rule_borrowerWinsLoanContinues() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        // Arbiters may rule before any counter-bond (e.g. a frivolous dispute).
        arbiter.rule(
            a, LiquidityArbiter.Party.Borrower, false, _ruling(id, 1, LiquidityArbiter.Party.Borrower, false, 3)
        );
        assertEq(usdc.balanceOf(borrower), borrowerUsdc + BOND, "lender's bond to borrower");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Active, "loan continues");
        assertEq(weth.balanceOf(address(arbiter)), COLLATERAL, "escrow stays");
        vm.prank(borrower);
        arbiter.repay(a);
    }

    function test_rule_borrowerWinsAndClosesLoan() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(borrower);
        uint256 borrowerWeth = weth.balanceOf(borrower);
        arbiter.rule(a, LiquidityArbiter.Party.Borrower, true, _ruling(id, 1, LiquidityArbiter.Party.Borrower, true, 2));
        assertEq(weth.balanceOf(borrower), borrowerWeth + COLLATERAL, "escrow to borrower");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Ruled, "ruled");
    }

    function test_rule_dismissRefundsBothBonds() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        vm.prank(borrower);
        arbiter.counterDispute(a, 0);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        arbiter.rule(a, LiquidityArbiter.Party.None, false, _ruling(id, 1, LiquidityArbiter.Party.None, false, 2));
        assertEq(usdc.balanceOf(lender), lenderUsdc + BOND, "lender refunded");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc + BOND, "borrower refunded");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Active, "loan continues");
    }

    function test_rule_reverts() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        LiquidityArbiter.Party L = LiquidityArbiter.Party.Lender;
        LiquidityArbiter.SignerSignature[] memory sigs = _ruling(id, 1, LiquidityArbiter.Party.None, true, 2);

        vm.expectRevert(LiquidityArbiter.InvalidRuling.selector);
        arbiter.rule(a, LiquidityArbiter.Party.None, true, sigs);

        // Arbiter set below threshold: one signature of a 2-of-3 set.
        sigs = _ruling(id, 1, L, true, 1);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InsufficientSignatures.selector, 1, 2));
        arbiter.rule(a, L, true, sigs);

        // The same arbiter twice.
        sigs = _ruling(id, 1, L, true, 2);
        sigs[1] = sigs[0];
        vm.expectRevert(LiquidityArbiter.SignersNotSorted.selector);
        arbiter.rule(a, L, true, sigs);

        // Descending order.
        sigs = _ruling(id, 1, L, true, 2);
        (sigs[0], sigs[1]) = (sigs[1], sigs[0]);
        vm.expectRevert(LiquidityArbiter.SignersNotSorted.selector);
        arbiter.rule(a, L, true, sigs);

        // A non-arbiter's signature.
        sigs = _ruling(id, 1, L, true, 2);
        bytes32 digest =
            arbiter.hashRuling(LiquidityArbiter.Ruling({loanId: id, round: 1, winner: L, closeLoan: true}));
        sigs[1] = LiquidityArbiter.SignerSignature(address(type(uint160).max), _signDigest(STRANGER_PK, digest));
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotArbiter.selector, address(type(uint160).max)));
        arbiter.rule(a, L, true, sigs);

        // Arbiters signed another outcome.
        sigs = _ruling(id, 1, LiquidityArbiter.Party.Borrower, true, 2);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, arbiterAddrs[0]));
        arbiter.rule(a, L, true, sigs);

        // After the window.
        sigs = _ruling(id, 1, L, true, 2);
        vm.warp(block.timestamp + LIVENESS + 1);
        vm.expectRevert(
            abi.encodeWithSelector(LiquidityArbiter.DisputeWindowClosed.selector, uint64(block.timestamp - 1))
        );
        arbiter.rule(a, L, true, sigs);
    }

    function test_rule_revertsWithoutOpenDispute() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        LiquidityArbiter.SignerSignature[] memory sigs = _ruling(id, 1, LiquidityArbiter.Party.Lender, true, 2);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NoOpenDispute.selector, id));
        arbiter.rule(a, LiquidityArbiter.Party.Lender, true, sigs);
    }

    function test_rule_signaturesOfAnEarlierRoundDoNotCount() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        LiquidityArbiter.SignerSignature[] memory round1 = _ruling(id, 1, LiquidityArbiter.Party.None, false, 2);
        arbiter.rule(a, LiquidityArbiter.Party.None, false, round1);
        vm.prank(borrower);
        arbiter.dispute(a, 0);
        assertEq(arbiter.getDispute(id).round, 2, "second round");
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, arbiterAddrs[0]));
        arbiter.rule(a, LiquidityArbiter.Party.None, false, round1);
    }

    function test_dispute_oncePerPartyPerLoan() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(borrower);
        vm.prank(lender);
        arbiter.counterDispute(a, 0);
        vm.warp(block.timestamp + WINDOW + 1);
        arbiter.resolve(a); // silent arbiters: the lender's position stands, the loan runs on
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.AlreadyDisputed.selector, borrower));
        arbiter.dispute(a, 0);
        // The lender still has its one dispute.
        vm.prank(lender);
        arbiter.dispute(a, 0);
        LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
        assertEq(d.round, 2, "second round");
        assertTrue(d.lenderDisputed && d.borrowerDisputed, "both used");
    }

    function test_rule_removedArbiterNoLongerCounts() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        LiquidityArbiter.SignerSignature[] memory sigs = _ruling(id, 1, LiquidityArbiter.Party.Lender, true, 2);
        address[] memory remaining = new address[](2);
        (remaining[0], remaining[1]) = (arbiterAddrs[1], arbiterAddrs[2]);
        vm.prank(governance);
        arbiter.setArbiters(remaining, 2);
        assertFalse(arbiter.isArbiter(arbiterAddrs[0]), "removed");
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotArbiter.selector, arbiterAddrs[0]));
        arbiter.rule(a, LiquidityArbiter.Party.Lender, true, sigs);
    }

    function test_rule_acceptsErc1271Arbiter() public {
        OwnedWallet wallet = new OwnedWallet(vm.addr(arbiterPks[0]));
        address[] memory set = new address[](1);
        set[0] = address(wallet);
        vm.prank(governance);
        arbiter.setArbiters(set, 1);
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        bytes32 digest = arbiter.hashRuling(
            LiquidityArbiter.Ruling({loanId: id, round: 1, winner: LiquidityArbiter.Party.Lender, closeLoan: false})
        );
        LiquidityArbiter.SignerSignature[] memory sigs = new LiquidityArbiter.SignerSignature[](1);
        sigs[0] = LiquidityArbiter.SignerSignature(address(wallet), _signDigest(arbiterPks[0], digest));
        arbiter.rule(a, LiquidityArbiter.Party.Lender, false, sigs);
        assertFalse(arbiter.getLoan(id).disputed, "ruled");
    }

    function test_resolve_unchallengedLenderClaimTakesTheEscrow() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        uint64 deadline = arbiter.getDispute(id).deadline;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.DisputeWindowOpen.selector, deadline));
        arbiter.resolve(a);

        vm.warp(deadline + 1);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 lenderWeth = weth.balanceOf(lender);
        vm.expectEmit();
        emit LiquidityArbiter.Ruled(id, 1, LiquidityArbiter.Party.Lender, true, true, BOND, COLLATERAL);
        vm.prank(stranger); // anyone
        arbiter.resolve(a);
        assertEq(usdc.balanceOf(lender), lenderUsdc + BOND, "own bond back");
        assertEq(weth.balanceOf(lender), lenderWeth + COLLATERAL, "escrow to the lender");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Ruled, "ruled");

        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NoOpenDispute.selector, id));
        arbiter.resolve(a);
    }

    function test_resolve_contestedLenderClaimWithSilentArbitersStands() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(lender);
        vm.prank(borrower);
        arbiter.counterDispute(a, 0);
        vm.warp(arbiter.getDispute(id).deadline + 1);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        arbiter.resolve(a);
        assertEq(usdc.balanceOf(lender), lenderUsdc + 2 * BOND, "both bonds to the lender");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc, "the contesting borrower's bond is lost");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Ruled, "escrow to the lender");
    }

    function test_resolve_borrowersDisputeWithSilentArbitersLeavesTheLoanDue() public {
        (LiquidityArbiter.Agreement memory a, bytes32 id) = _disputed(borrower);
        vm.prank(lender);
        arbiter.counterDispute(a, 0);
        vm.warp(arbiter.getDispute(id).deadline + 1);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        arbiter.resolve(a);
        assertEq(usdc.balanceOf(lender), lenderUsdc + 2 * BOND, "own bond back and the borrower's");
        assertEq(usdc.balanceOf(borrower), borrowerUsdc, "borrower's bond lost");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Active, "loan continues");
        // The default can be claimed again once the dispute is over.
        vm.prank(lender);
        arbiter.claimDefault(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Defaulted, "defaulted");
    }

    function test_dispute_refusesBondInAFeeChargingPrincipalToken() public {
        FeeSwitchToken fee = new FeeSwitchToken();
        _allow(address(fee));
        fee.mint(lender, 2 * PRINCIPAL);
        vm.prank(lender);
        fee.approve(address(arbiter), type(uint256).max);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(fee);
        _settle(a);
        fee.setFee(100);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnsupportedToken.selector, address(fee)));
        arbiter.dispute(a, 0);
    }

    /*//////////////////////////////////////////////////////////////
                              RISK ALERTS
    //////////////////////////////////////////////////////////////*/

    function test_raiseAlert_setsLevelUntilExpiry() public {
        assertEq(_level(), 0, "calm at start");
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 2 hours);
        LiquidityArbiter.SignerSignature[] memory sigs = _alertSigs(alert);
        address[] memory signers = new address[](2);
        (signers[0], signers[1]) = (sigs[0].signer, sigs[1].signer);
        vm.expectEmit();
        emit LiquidityArbiter.AlertRaised(3, alert.evidenceHash, alert.issuedAt, alert.expiresAt, signers);
        vm.prank(stranger); // anyone may submit
        arbiter.raiseAlert(alert, sigs);
        (uint8 level, uint64 expiresAt) = arbiter.riskLevel();
        assertEq(level, 3, "level");
        assertEq(expiresAt, alert.expiresAt, "expiry");
        assertEq(arbiter.currentAlert().evidenceHash, alert.evidenceHash, "evidence stored");

        vm.warp(alert.expiresAt - 1);
        assertEq(_level(), 3, "in force until expiry");
        vm.warp(alert.expiresAt);
        assertEq(_level(), 0, "expired");
    }

    function test_raiseAlert_newerAlertReplacesAndAllClear() public {
        LiquidityArbiter.RiskAlert memory first = _alert(4, 1 days);
        arbiter.raiseAlert(first, _alertSigs(first));
        vm.warp(block.timestamp + 10);
        LiquidityArbiter.RiskAlert memory clear = _alert(0, 1 days);
        arbiter.raiseAlert(clear, _alertSigs(clear));
        assertEq(_level(), 0, "all clear");
    }

    function test_raiseAlert_reverts() public {
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        LiquidityArbiter.SignerSignature[] memory sigs = _alertSigs(alert);

        // Below quorum.
        LiquidityArbiter.SignerSignature[] memory one = new LiquidityArbiter.SignerSignature[](1);
        one[0] = sigs[0];
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InsufficientSignatures.selector, 1, 2));
        arbiter.raiseAlert(alert, one);

        // Unsorted / duplicate.
        LiquidityArbiter.SignerSignature[] memory swapped = new LiquidityArbiter.SignerSignature[](2);
        (swapped[0], swapped[1]) = (sigs[1], sigs[0]);
        vm.expectRevert(LiquidityArbiter.SignersNotSorted.selector);
        arbiter.raiseAlert(alert, swapped);

        // An unregistered signer.
        LiquidityArbiter.SignerSignature[] memory withStranger = new LiquidityArbiter.SignerSignature[](2);
        withStranger[0] = sigs[0];
        withStranger[1] = LiquidityArbiter.SignerSignature(
            address(type(uint160).max), _signDigest(STRANGER_PK, arbiter.hashRiskAlert(alert))
        );
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnregisteredAgent.selector, address(type(uint160).max)));
        arbiter.raiseAlert(alert, withStranger);

        // A signature over another level.
        LiquidityArbiter.RiskAlert memory other = _alert(4, 1 days);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, sigs[0].signer));
        arbiter.raiseAlert(other, sigs);

        // Replays and bad times.
        arbiter.raiseAlert(alert, sigs);
        vm.expectRevert(LiquidityArbiter.StaleAlert.selector);
        arbiter.raiseAlert(alert, sigs);

        LiquidityArbiter.RiskAlert memory future = _alert(3, 1 days);
        future.issuedAt = uint64(block.timestamp + 1);
        LiquidityArbiter.SignerSignature[] memory futureSigs = _alertSigs(future);
        vm.expectRevert(LiquidityArbiter.StaleAlert.selector);
        arbiter.raiseAlert(future, futureSigs);

        vm.warp(block.timestamp + 1);
        LiquidityArbiter.RiskAlert memory tooLong = _alert(3, uint64(arbiter.MAX_ALERT_DURATION()) + 1);
        LiquidityArbiter.SignerSignature[] memory tooLongSigs = _alertSigs(tooLong);
        vm.expectRevert(LiquidityArbiter.StaleAlert.selector);
        arbiter.raiseAlert(tooLong, tooLongSigs);

        LiquidityArbiter.RiskAlert memory expired = _alert(3, 0);
        LiquidityArbiter.SignerSignature[] memory expiredSigs = _alertSigs(expired);
        vm.expectRevert(LiquidityArbiter.StaleAlert.selector);
        arbiter.raiseAlert(expired, expiredSigs);
    }

    function _level() internal view returns (uint8 level) {
        (level,) = arbiter.riskLevel();
    }

    /*//////////////////////////////////////////////////////////////
                               GOVERNANCE
    //////////////////////////////////////////////////////////////*/

    function test_governance_onlyGovernance() public {
        address[] memory none = new address[](0);
        bytes[9] memory calls = [
            abi.encodeCall(LiquidityArbiter.registerAgent, (stranger, LENDING)),
            abi.encodeCall(LiquidityArbiter.deregisterAgent, (lender)),
            abi.encodeCall(LiquidityArbiter.setArbiters, (none, 0)),
            abi.encodeCall(LiquidityArbiter.setAlertQuorum, (1)),
            abi.encodeCall(LiquidityArbiter.setDisputeParams, (100, 1 days, 1 days)),
            abi.encodeCall(LiquidityArbiter.allowToken, (address(usdc), 1)),
            abi.encodeCall(LiquidityArbiter.disallowToken, (address(usdc))),
            abi.encodeCall(LiquidityArbiter.transferGovernance, (stranger)),
            abi.encodeCall(LiquidityArbiter.acceptGovernance, ())
        ];
        for (uint256 i; i < calls.length; ++i) {
            vm.prank(stranger);
            (bool ok, bytes memory ret) = address(arbiter).call(calls[i]);
            assertFalse(ok, "refused");
            assertEq(bytes32(ret), bytes32(abi.encodeWithSelector(LiquidityArbiter.NotGovernance.selector, stranger)), "NotGovernance");
        }
    }

    function test_governance_registry() public {
        vm.expectEmit();
        emit LiquidityArbiter.AgentRegistered(stranger, "options-vault-C");
        vm.prank(governance);
        arbiter.registerAgent(stranger, "options-vault-C");
        assertEq(arbiter.agentProtocol(stranger), "options-vault-C", "registered");
        vm.prank(governance);
        arbiter.deregisterAgent(stranger);
        assertEq(arbiter.agentProtocol(stranger), bytes32(0), "deregistered");

        vm.startPrank(governance);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.registerAgent(address(0), LENDING);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.registerAgent(stranger, bytes32(0));
        vm.stopPrank();
    }

    function test_governance_deregisteredAgentsLoansRunOn() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.prank(governance);
        arbiter.deregisterAgent(borrower);
        vm.prank(borrower);
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
    }

    function test_governance_arbiterSet() public {
        assertEq(arbiter.threshold(), 2, "threshold");
        assertEq(arbiter.arbiters().length, 3, "n");
        address[] memory set = new address[](2);
        (set[0], set[1]) = (stranger, lender);
        vm.startPrank(governance);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidThreshold.selector, 3, 2));
        arbiter.setArbiters(set, 3);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidThreshold.selector, 0, 2));
        arbiter.setArbiters(set, 0);
        set[1] = stranger;
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setArbiters(set, 1);
        set[1] = address(0);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setArbiters(set, 1);
        set[1] = lender;
        arbiter.setArbiters(set, 2);
        vm.stopPrank();
        assertTrue(arbiter.isArbiter(stranger) && arbiter.isArbiter(lender), "new set");
        for (uint256 i; i < arbiterAddrs.length; ++i) {
            assertFalse(arbiter.isArbiter(arbiterAddrs[i]), "old set cleared");
        }
    }

    function test_governance_parameters() public {
        uint64 tooLong = uint64(arbiter.MAX_WINDOW()) + 1;
        uint64 tooShort = uint64(arbiter.MIN_WINDOW()) - 1;
        uint16 bpsTooLow = uint16(arbiter.MIN_BOND_BPS()) - 1;
        uint16 bpsTooHigh = uint16(arbiter.MAX_BOND_BPS()) + 1;
        vm.startPrank(governance);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setAlertQuorum(0);
        arbiter.setAlertQuorum(3);
        assertEq(arbiter.alertQuorum(), 3, "quorum");
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(100, tooShort, 1 days);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(100, 1 days, tooShort);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(100, 1 days, tooLong);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(bpsTooLow, 1 days, 1 days);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(bpsTooHigh, 1 days, 1 days);
        vm.expectEmit();
        emit LiquidityArbiter.DisputeParamsSet(1, 250, 2 days, 3 days);
        arbiter.setDisputeParams(250, 2 days, 3 days);
        vm.stopPrank();
        assertEq(arbiter.currentDisputeParams(), 1, "new set is current");
        assertEq(arbiter.disputeParamsCount(), 2, "appended");
        LiquidityArbiter.DisputeParams memory p = arbiter.disputeParams(1);
        assertEq(p.bondBps, 250, "bps");
        assertEq(p.liveness, 2 days, "liveness");
        assertEq(p.arbitrationWindow, 3 days, "window");
        LiquidityArbiter.DisputeParams memory first = arbiter.disputeParams(0);
        assertEq(first.bondBps, BOND_BPS, "the first set is unchanged");
        assertEq(first.liveness, LIVENESS, "first liveness");
    }

    function test_governance_tokenAllowlist() public {
        (bool allowed, uint256 minBond, uint256 held) = arbiter.tokenConfig(address(usdc));
        assertTrue(allowed, "listed");
        assertEq(minBond, MIN_BOND_USDC, "floor");
        assertEq(held, 0, "nothing held");
        vm.startPrank(governance);
        // No code, a zero floor, a floor with more than 7 significant digits: refused.
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.allowToken(address(0xC0FFEE), 1e6);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.allowToken(address(usdc), 0);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.allowToken(address(usdc), 123_456_789);
        // 7 significant digits and any number of zeros are fine.
        arbiter.allowToken(address(usdc), 1_234_567e30);
        (, minBond,) = arbiter.tokenConfig(address(usdc));
        assertEq(minBond, 1_234_567e30, "exact");
        vm.expectEmit();
        emit LiquidityArbiter.TokenDisallowed(address(usdc));
        arbiter.disallowToken(address(usdc));
        vm.stopPrank();
        (allowed,,) = arbiter.tokenConfig(address(usdc));
        assertFalse(allowed, "delisted");
    }

    function test_governance_twoStepTransfer() public {
        vm.prank(governance);
        arbiter.transferGovernance(stranger);
        assertEq(arbiter.governance(), governance, "not yet");
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotGovernance.selector, lender));
        arbiter.acceptGovernance();
        vm.prank(stranger);
        arbiter.acceptGovernance();
        assertEq(arbiter.governance(), stranger, "transferred");
        assertEq(arbiter.pendingGovernance(), address(0), "pending cleared");
    }

    function test_constructor_rejectsBadParameters() public {
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        new LiquidityArbiter(address(0), BOND_BPS, LIVENESS, WINDOW, 1);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        new LiquidityArbiter(governance, 0, LIVENESS, WINDOW, 1); // no zero bond
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        new LiquidityArbiter(governance, BOND_BPS, 1, WINDOW, 1); // no window of seconds
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        new LiquidityArbiter(governance, BOND_BPS, LIVENESS, WINDOW, 0);
    }

    /*//////////////////////////////////////////////////////////////
                            EIP-712 HASHES
    //////////////////////////////////////////////////////////////*/

    function test_hashes_matchManualEip712() public view {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LiquidityArbiter"),
                keccak256("1"),
                block.chainid,
                address(arbiter)
            )
        );
        assertEq(arbiter.DOMAIN_SEPARATOR(), domain, "domain");
        LiquidityArbiter.Ruling memory r =
            LiquidityArbiter.Ruling({loanId: keccak256("id"), round: 7, winner: LiquidityArbiter.Party.Borrower, closeLoan: true});
        bytes32 rulingStruct = keccak256(
            abi.encode(keccak256("Ruling(bytes32 loanId,uint32 round,uint8 winner,bool closeLoan)"), r.loanId, 7, 2, true)
        );
        assertEq(arbiter.hashRuling(r), keccak256(abi.encodePacked("\x19\x01", domain, rulingStruct)), "ruling");
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 hours);
        bytes32 alertStruct = keccak256(
            abi.encode(
                keccak256("RiskAlert(uint8 level,bytes32 evidenceHash,uint64 issuedAt,uint64 expiresAt)"),
                3,
                alert.evidenceHash,
                alert.issuedAt,
                alert.expiresAt
            )
        );
        assertEq(arbiter.hashRiskAlert(alert), keccak256(abi.encodePacked("\x19\x01", domain, alertStruct)), "alert");
    }
}
