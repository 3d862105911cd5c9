// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {ArbiterFixture} from "./utils/ArbiterFixture.sol";
import {OwnedWallet} from "./utils/Tokens.sol";
import {BlocklistToken, FeeSwitchToken, HookToken, RebasingToken} from "./utils/MisbehavingTokens.sol";

/// @dev Issue 10 (an outside review's attacks), one section per item. Each test named test_itemN_*
/// was first written against the original contract (same scenario, the original API) and failed
/// there; see docs/ARBITRATION.md "Hardening".
contract LiquidityArbiterHardeningTest is ArbiterFixture {
    /*//////////////////////////////////////////////////////////////
              1. DISPUTES CLAIM ONLY WHAT IS OWED; BONDS SCALE
    //////////////////////////////////////////////////////////////*/

    function test_item1_lenderCannotDisputeCurrentLoan() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint64 maturity = arbiter.getLoan(id).maturity;
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotDue.selector, maturity));
        arbiter.dispute(a, keccak256("day 0"));
        assertEq(weth.balanceOf(address(arbiter)), COLLATERAL, "escrow untouched");
    }

    function test_item1_borrowerCannotDisputeCurrentLoan() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR - 1);
        uint64 maturity = arbiter.getLoan(id).maturity;
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotDue.selector, maturity));
        arbiter.dispute(a, 0);
    }

    function test_item1_aCallMakesTheLoanDue() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.callRiskLevel = 2;
        _settle(a);
        LiquidityArbiter.RiskAlert memory alert = _alert(2, 1 days);
        arbiter.raiseAlert(alert, _alertSigs(alert));
        vm.prank(lender);
        arbiter.callLoan(a);
        vm.warp(block.timestamp + 1);
        vm.prank(borrower); // e.g. contesting the call
        arbiter.dispute(a, keccak256("wrongful call"));
    }

    function test_item1_zeroBondRefused() public {
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        new LiquidityArbiter(governance, 0, LIVENESS, WINDOW, ALERT_QUORUM);
        vm.startPrank(governance);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(0, LIVENESS, WINDOW);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.allowToken(address(usdc), 0);
        vm.stopPrank();
    }

    function test_item1_bondScalesWithPrincipalAboveAFloor() public {
        // 1 % of 1M USDC.
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        (uint256 bond,,) = arbiter.disputeTerms(a);
        assertEq(bond, PRINCIPAL / 100, "1 % of the principal");
        // 1 % of 50M USDC.
        LiquidityArbiter.Agreement memory big = _agreement();
        (big.principal, big.nonce) = (50 * PRINCIPAL, _nonces(2, 2));
        usdc.mint(lender, 50 * PRINCIPAL);
        _settle(big);
        (bond,,) = arbiter.disputeTerms(big);
        assertEq(bond, 50 * PRINCIPAL / 100, "scales");
        // A 1,000 USDC loan: 1 % is 10 USDC, below the floor of 100 USDC.
        LiquidityArbiter.Agreement memory small = _agreement();
        (small.principal, small.nonce) = (1_000e6, _nonces(3, 3));
        bytes32 id = _settle(small);
        (bond,,) = arbiter.disputeTerms(small);
        assertEq(bond, MIN_BOND_USDC, "the token's floor");
        vm.warp(block.timestamp + TENOR + 1);
        uint256 before = usdc.balanceOf(borrower);
        vm.prank(borrower);
        arbiter.dispute(small, 0);
        assertEq(before - usdc.balanceOf(borrower), MIN_BOND_USDC, "posted the floor");
        assertEq(arbiter.getDispute(id).bond, MIN_BOND_USDC, "recorded");
    }

    /*//////////////////////////////////////////////////////////////
            2. WINDOWS BOUNDED; DISPUTE TERMS FIXED AT SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    function test_item2_windowsBounded() public {
        vm.startPrank(governance);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(BOND_BPS, 1, 1);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(BOND_BPS, 11 hours, 1 days);
        vm.expectRevert(LiquidityArbiter.InvalidParameter.selector);
        arbiter.setDisputeParams(BOND_BPS, 1 days, 11 hours);
        vm.stopPrank();
    }

    function test_item2_paramsFixedAtSettlement() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        // Governance changes everything after settlement: windows at their minimum, a larger bond,
        // a larger floor.
        vm.startPrank(governance);
        arbiter.setDisputeParams(2_000, 12 hours, 12 hours);
        arbiter.allowToken(address(usdc), 1_000_000e6);
        vm.stopPrank();

        (uint256 bond, uint64 liveness, uint64 window) = arbiter.disputeTerms(a);
        assertEq(bond, BOND, "bond of settlement");
        assertEq(liveness, LIVENESS, "liveness of settlement");
        assertEq(window, WINDOW, "window of settlement");
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(borrower);
        arbiter.dispute(a, 0);
        assertEq(arbiter.getDispute(id).deadline, block.timestamp + LIVENESS, "liveness of settlement");
        assertEq(arbiter.getDispute(id).bond, BOND, "bond of settlement");
        vm.prank(lender);
        arbiter.counterDispute(a, 0);
        assertEq(arbiter.getDispute(id).deadline, block.timestamp + WINDOW, "window of settlement");

        // A loan settled now gets the new terms.
        LiquidityArbiter.Agreement memory b = _agreement();
        b.nonce = _nonces(2, 2);
        bytes32 idB = _settle(b);
        (bond, liveness, window) = arbiter.disputeTerms(b);
        assertEq(bond, 1_000_000e6, "new floor");
        assertEq(liveness, 12 hours, "new liveness");
        assertEq(window, 12 hours, "new window");
        assertEq(arbiter.getLoan(idB).paramSet, 1, "set 1");
        assertEq(arbiter.getLoan(id).paramSet, 0, "set 0");
    }

    /*//////////////////////////////////////////////////////////////
                   3. STALLING A DEFAULT CLAIM COSTS
    //////////////////////////////////////////////////////////////*/

    function test_item3_stallCostsTheStaller() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD());
        vm.prank(borrower); // just before the lender may claim
        arbiter.dispute(a, keccak256("stall"));
        vm.warp(block.timestamp + 1);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.DisputeOpen.selector, id));
        arbiter.claimDefault(a);
        vm.prank(lender);
        arbiter.counterDispute(a, 0);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        vm.warp(block.timestamp + WINDOW + 1);
        arbiter.resolve(a);
        assertEq(usdc.balanceOf(borrower), borrowerUsdc, "staller's bond forfeited");
        assertEq(usdc.balanceOf(lender), lenderUsdc + 2 * BOND, "lender compensated");
        vm.prank(lender);
        arbiter.claimDefault(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Defaulted, "claimed after the stall");
    }

    function test_item3_unchallengedStallCostsToo() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD());
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        uint256 lenderUsdc = usdc.balanceOf(lender);
        vm.prank(borrower);
        arbiter.dispute(a, keccak256("stall"));
        vm.warp(block.timestamp + LIVENESS + 1);
        arbiter.resolve(a);
        assertEq(usdc.balanceOf(borrower), borrowerUsdc - BOND, "bond lost");
        assertEq(usdc.balanceOf(lender), lenderUsdc + BOND, "paid to the lender");
    }

    function test_item3_aBorrowerUpheldByArbitersGetsItsBondBack() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(borrower);
        arbiter.dispute(a, keccak256("wrongful"));
        uint256 borrowerUsdc = usdc.balanceOf(borrower);
        arbiter.rule(a, LiquidityArbiter.Party.Borrower, false, _ruling(id, 1, LiquidityArbiter.Party.Borrower, false, 2));
        assertEq(usdc.balanceOf(borrower), borrowerUsdc + BOND, "own bond back");
    }

    /*//////////////////////////////////////////////////////////////
                4. PAYOUTS CANNOT FAIL INTO A LOCK
    //////////////////////////////////////////////////////////////*/

    function _listAndFund(address token, uint256 lenderAmount, uint256 borrowerAmount) internal {
        _allow(token);
        FeeSwitchToken(token).mint(lender, lenderAmount); // every mock here has mint(address,uint256)
        FeeSwitchToken(token).mint(borrower, borrowerAmount);
        vm.prank(lender);
        FeeSwitchToken(token).approve(address(arbiter), type(uint256).max);
        vm.prank(borrower);
        FeeSwitchToken(token).approve(address(arbiter), type(uint256).max);
    }

    function test_item4_feeSwitchDoesNotMakeADefaulter() public {
        FeeSwitchToken fee = new FeeSwitchToken();
        _listAndFund(address(fee), PRINCIPAL, PRINCIPAL);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(fee);
        bytes32 id = _settle(a);
        fee.setFee(10); // 0.1 %, switched on after settlement
        uint256 due = _due(a);
        uint256 lenderBefore = fee.balanceOf(lender);
        vm.prank(borrower);
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid: the payer sent the amount due");
        assertEq(fee.balanceOf(lender), lenderBefore + due - due * 10 / 10_000, "the fee falls on the lender");
        assertEq(weth.balanceOf(address(arbiter)), 0, "collateral released");
        vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD() + 1);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotActive.selector, id, LiquidityArbiter.LoanStatus.Repaid));
        arbiter.claimDefault(a);
    }

    function test_item4_negativeRebaseDoesNotLockALaterLoan() public {
        RebasingToken reb = new RebasingToken();
        _allow(address(reb));
        reb.mint(borrower, 2 * COLLATERAL);
        vm.prank(borrower);
        reb.approve(address(arbiter), type(uint256).max);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateralToken = address(reb);
        bytes32 idA = _settle(a);
        LiquidityArbiter.Agreement memory b = _agreement();
        (b.collateralToken, b.nonce) = (address(reb), _nonces(2, 2));
        bytes32 idB = _settle(b);
        reb.rebase(0.9e18); // slashed 10 %
        vm.startPrank(borrower);
        arbiter.repay(a);
        assertEq(reb.balanceOf(borrower), COLLATERAL * 9 / 10, "first loan bears its share");
        arbiter.repay(b);
        vm.stopPrank();
        assertTrue(_status(idA) == LiquidityArbiter.LoanStatus.Repaid, "first repaid");
        assertTrue(_status(idB) == LiquidityArbiter.LoanStatus.Repaid, "later loan repaid");
        assertEq(reb.balanceOf(borrower), 2 * COLLATERAL * 9 / 10, "second loan bears the same share");
        assertEq(reb.balanceOf(address(arbiter)), 0, "nothing left behind");
        (,, uint256 held) = arbiter.tokenConfig(address(reb));
        assertEq(held, 0, "nothing owed");
    }

    function test_item4_negativeRebaseSharedWithADefaultClaim() public {
        RebasingToken reb = new RebasingToken();
        _allow(address(reb));
        reb.mint(borrower, 2 * COLLATERAL);
        vm.prank(borrower);
        reb.approve(address(arbiter), type(uint256).max);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateralToken = address(reb);
        _settle(a);
        LiquidityArbiter.Agreement memory b = _agreement();
        (b.collateralToken, b.nonce) = (address(reb), _nonces(2, 2));
        _settle(b);
        reb.rebase(0.5e18);
        vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD() + 1);
        vm.startPrank(lender);
        arbiter.claimDefault(a);
        arbiter.claimDefault(b);
        vm.stopPrank();
        assertEq(reb.balanceOf(lender), COLLATERAL, "half of each escrow, both claims paid");
    }

    function test_item4_blocklistedPartyDoesNotLockResolve() public {
        BlocklistToken blk = new BlocklistToken();
        _listAndFund(address(blk), PRINCIPAL + BOND, 2 * BOND);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(blk);
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(lender);
        arbiter.dispute(a, 0);
        vm.prank(borrower);
        arbiter.counterDispute(a, 0);
        blk.setBlocked(lender, true);
        vm.warp(arbiter.getDispute(id).deadline + 1);
        vm.expectEmit();
        emit LiquidityArbiter.Credited(lender, address(blk), 2 * BOND);
        arbiter.resolve(a); // must not revert
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Ruled, "ruled");
        assertEq(weth.balanceOf(lender), 10 * COLLATERAL + COLLATERAL, "escrow paid in another token");
        assertEq(arbiter.credits(lender, address(blk)), 2 * BOND, "bonds credited");

        // The lender withdraws to another address of its own.
        address cold = address(0xC01D);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(BlocklistToken.Blocked.selector, lender));
        arbiter.withdrawCredit(address(blk), lender);
        vm.prank(lender);
        arbiter.withdrawCredit(address(blk), cold);
        assertEq(blk.balanceOf(cold), 2 * BOND, "withdrawn");
        assertEq(arbiter.credits(lender, address(blk)), 0, "credit spent");
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NothingToWithdraw.selector, address(blk)));
        arbiter.withdrawCredit(address(blk), cold);
    }

    function test_item4_blocklistedLenderDoesNotBlockRepayment() public {
        BlocklistToken blk = new BlocklistToken();
        _listAndFund(address(blk), PRINCIPAL, PRINCIPAL);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(blk);
        bytes32 id = _settle(a);
        blk.setBlocked(lender, true);
        uint256 due = _due(a);
        vm.expectEmit();
        emit LiquidityArbiter.Credited(lender, address(blk), due);
        vm.prank(borrower);
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
        assertEq(blk.balanceOf(address(arbiter)), due, "held for the lender");
        assertEq(weth.balanceOf(address(arbiter)), 0, "collateral released");
        blk.setBlocked(lender, false);
        vm.prank(lender);
        assertEq(arbiter.withdrawCredit(address(blk), lender), due, "paid");
    }

    function test_item4_blocklistedBorrowerGetsItsCollateralAsCredit() public {
        BlocklistToken blk = new BlocklistToken();
        _allow(address(blk));
        blk.mint(borrower, COLLATERAL);
        vm.prank(borrower);
        blk.approve(address(arbiter), type(uint256).max);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.collateralToken = address(blk);
        bytes32 id = _settle(a);
        blk.setBlocked(borrower, true);
        vm.prank(stranger); // anyone may repay for it
        arbiter.repay(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
        assertEq(arbiter.credits(borrower, address(blk)), COLLATERAL, "collateral credited");
    }

    function test_item4_aLenderWhoseHookBurnsGasCannotBlockRepayment() public {
        HookToken hook = new HookToken();
        _listAndFund(address(hook), PRINCIPAL, PRINCIPAL);
        LiquidityArbiter.Agreement memory a = _agreement();
        a.principalToken = address(hook);
        bytes32 id = _settle(a);
        hook.setGreedy(lender, true);
        vm.prank(borrower);
        arbiter.repay{gas: 1_000_000}(a);
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
        assertEq(arbiter.credits(lender, address(hook)), _due(a), "credited");
    }

    /*//////////////////////////////////////////////////////////////
                    5. ONE KEY, ONE PROTOCOL: ONE VOTE
    //////////////////////////////////////////////////////////////*/

    function _pair(address x, bytes memory sx, address y, bytes memory sy)
        internal
        pure
        returns (LiquidityArbiter.SignerSignature[] memory sigs)
    {
        sigs = new LiquidityArbiter.SignerSignature[](2);
        if (x < y) {
            (sigs[0], sigs[1]) = (LiquidityArbiter.SignerSignature(x, sx), LiquidityArbiter.SignerSignature(y, sy));
        } else {
            (sigs[0], sigs[1]) = (LiquidityArbiter.SignerSignature(y, sy), LiquidityArbiter.SignerSignature(x, sx));
        }
    }

    function test_item5_oneKeyCountsOnceInRaiseAlert() public {
        OwnedWallet wallet = new OwnedWallet(lender);
        vm.prank(governance);
        arbiter.registerAgent(address(wallet), "another-protocol"); // even under another protocol id
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        bytes memory sig = _signDigest(LENDER_PK, arbiter.hashRiskAlert(alert));
        LiquidityArbiter.SignerSignature[] memory sigs = _pair(lender, sig, address(wallet), sig);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.SignerNotDistinct.selector, sigs[1].signer));
        arbiter.raiseAlert(alert, sigs);
    }

    function test_item5_oneProtocolCountsOnceInRaiseAlert() public {
        // Two keys registered for the same protocol are one vote.
        vm.prank(governance);
        arbiter.registerAgent(stranger, LENDING);
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        bytes32 digest = arbiter.hashRiskAlert(alert);
        LiquidityArbiter.SignerSignature[] memory sigs =
            _pair(lender, _signDigest(LENDER_PK, digest), stranger, _signDigest(STRANGER_PK, digest));
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.SignerNotDistinct.selector, sigs[1].signer));
        arbiter.raiseAlert(alert, sigs);
    }

    function test_item5_oneKeyCountsOnceInRule() public {
        OwnedWallet wallet = new OwnedWallet(arbiterAddrs[0]);
        address[] memory set = new address[](2);
        (set[0], set[1]) = arbiterAddrs[0] < address(wallet)
            ? (arbiterAddrs[0], address(wallet))
            : (address(wallet), arbiterAddrs[0]);
        vm.prank(governance);
        arbiter.setArbiters(set, 2);
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(lender);
        arbiter.dispute(a, 0);
        bytes memory sig = _signDigest(
            arbiterPks[0],
            arbiter.hashRuling(
                LiquidityArbiter.Ruling({loanId: id, round: 1, winner: LiquidityArbiter.Party.Lender, closeLoan: true})
            )
        );
        LiquidityArbiter.SignerSignature[] memory sigs = _pair(set[0], sig, set[1], sig);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.SignerNotDistinct.selector, set[1]));
        arbiter.rule(a, LiquidityArbiter.Party.Lender, true, sigs);
    }

    /*//////////////////////////////////////////////////////////////
                           6. STALE ALERTS
    //////////////////////////////////////////////////////////////*/

    function test_item6_staleAlertRefused() public {
        vm.warp(block.timestamp + 3 days);
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        alert.issuedAt = uint64(block.timestamp - 3 days + 1);
        alert.expiresAt = uint64(block.timestamp + 1 hours);
        LiquidityArbiter.SignerSignature[] memory sigs = _alertSigs(alert);
        vm.expectRevert(LiquidityArbiter.StaleAlert.selector);
        arbiter.raiseAlert(alert, sigs);
    }

    function test_item6_alertAgeBoundIsInclusive() public {
        vm.warp(block.timestamp + 1 days);
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        alert.issuedAt = uint64(block.timestamp - arbiter.MAX_ALERT_AGE() - 1);
        LiquidityArbiter.SignerSignature[] memory sigs = _alertSigs(alert);
        vm.expectRevert(LiquidityArbiter.StaleAlert.selector);
        arbiter.raiseAlert(alert, sigs);
        alert.issuedAt = uint64(block.timestamp - arbiter.MAX_ALERT_AGE());
        arbiter.raiseAlert(alert, _alertSigs(alert));
        (uint8 level,) = arbiter.riskLevel();
        assertEq(level, 3, "an hour-old alert is accepted");
    }

    /*//////////////////////////////////////////////////////////////
                         7. NONCES ARE CONSUMED
    //////////////////////////////////////////////////////////////*/

    function test_item7_oneNonceSettlesOnce() public {
        LiquidityArbiter.Agreement memory a = _agreement();
        _settle(a);
        assertTrue(arbiter.isNonceUsed(lender, 1) && arbiter.isNonceUsed(borrower, 1), "both consumed");
        a.sessionId = keccak256("session-2");
        bytes memory ls = _sign(LENDER_PK, a);
        bytes memory bs = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NonceUsed.selector, lender, 1));
        arbiter.settle(a, ls, bs);
    }

    function test_item7_eachPartysHalfIsItsOwn() public {
        // The lender signed two alternatives with its nonce 5 and different borrower halves: one settles.
        LiquidityArbiter.Agreement memory a = _agreement();
        a.nonce = _nonces(5, 1);
        _settle(a);
        LiquidityArbiter.Agreement memory b = _agreement();
        (b.sessionId, b.nonce) = (keccak256("alt"), _nonces(5, 2));
        bytes memory ls = _sign(LENDER_PK, b);
        bytes memory bs = _sign(BORROWER_PK, b);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NonceUsed.selector, lender, 5));
        arbiter.settle(b, ls, bs);
        // A zero half means no nonce for that party: only the other's is consumed.
        LiquidityArbiter.Agreement memory c = _agreement();
        (c.sessionId, c.nonce) = (keccak256("c"), _nonces(0, 3));
        _settle(c);
        assertFalse(arbiter.isNonceUsed(lender, 0), "no lender nonce");
        assertTrue(arbiter.isNonceUsed(borrower, 3), "borrower's consumed");
    }

    function test_item7_aSignatureCanAlwaysBeWithdrawn() public {
        // The borrower has no nonce in this agreement; it withdraws by cancelling the agreement.
        LiquidityArbiter.Agreement memory a = _agreement();
        a.nonce = _nonces(4, 0);
        bytes memory ls = _sign(LENDER_PK, a);
        bytes memory bs = _sign(BORROWER_PK, a);
        bytes32 id = _hash(a);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.NotParty.selector, stranger));
        arbiter.cancelAgreement(a);
        vm.expectEmit();
        emit LiquidityArbiter.AgreementCancelled(id, borrower);
        vm.prank(borrower);
        arbiter.cancelAgreement(a);
        vm.prank(borrower);
        arbiter.cancelAgreement(a); // idempotent
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Cancelled, "cancelled");
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.CancelledAgreement.selector, id));
        arbiter.settle(a, ls, bs);
        assertFalse(arbiter.isNonceUsed(lender, 4), "the lender's nonce stays free");
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.UnknownAgreement.selector, id));
        arbiter.outstanding(a);

        // A settled agreement cannot be cancelled.
        LiquidityArbiter.Agreement memory b = _agreement();
        bytes32 idB = _settle(b);
        vm.prank(lender);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.AlreadySettled.selector, idB));
        arbiter.cancelAgreement(b);
    }
}
