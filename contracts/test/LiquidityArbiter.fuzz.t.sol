// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {ArbiterFixture} from "./utils/ArbiterFixture.sol";
import {RebasingToken} from "./utils/MisbehavingTokens.sol";

/// @dev Fuzz tests over amounts, times, signers and orderings.
contract LiquidityArbiterFuzzTest is ArbiterFixture {
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @dev Fresh tokens funded for any representable loan `a` (principal to the lender, interest
    /// money to the borrower, collateral to the borrower).
    function _fundedAgreement(uint256 principal, uint256 collateral, uint32 rateBps, uint32 tenor)
        internal
        returns (LiquidityArbiter.Agreement memory a, TestToken p, TestToken c)
    {
        p = new TestToken("P", "P", 18);
        c = new TestToken("C", "C", 18);
        _allow(address(p));
        _allow(address(c));
        a = _agreement();
        (a.principalToken, a.principal, a.collateralToken, a.collateral) = (address(p), principal, address(c), collateral);
        (a.rateBps, a.tenor) = (rateBps, tenor);
        uint256 due = _due(a);
        p.mint(lender, principal);
        p.mint(borrower, due - principal);
        c.mint(borrower, collateral);
        vm.prank(lender);
        p.approve(address(arbiter), principal);
        vm.startPrank(borrower);
        p.approve(address(arbiter), due);
        c.approve(address(arbiter), collateral);
        vm.stopPrank();
    }

    /// @dev Bounds so that the amount due fits in 128 bits.
    function _bounded(uint256 principal, uint256 collateral, uint32 rateBps, uint32 tenor)
        internal
        pure
        returns (uint256, uint256, uint32, uint32)
    {
        rateBps = uint32(bound(rateBps, 0, 100_000)); // up to 1000% a year
        tenor = uint32(bound(tenor, 0, 10 * 365 days));
        principal = bound(principal, 1, type(uint128).max / 1_001);
        collateral = bound(collateral, 0, type(uint128).max);
        return (principal, collateral, rateBps, tenor);
    }

    /// @dev Any representable loan: the amount due matches the reference formula, and every token
    /// that entered the arbiter leaves it, to the right party.
    function testFuzz_settleRepay_amountDueAndConservation(
        uint256 principal,
        uint256 collateral,
        uint32 rateBps,
        uint32 tenor
    ) public {
        (principal, collateral, rateBps, tenor) = _bounded(principal, collateral, rateBps, tenor);
        (LiquidityArbiter.Agreement memory a, TestToken p, TestToken c) =
            _fundedAgreement(principal, collateral, rateBps, tenor);
        uint256 due = _due(a);
        _settle(a);
        assertEq(arbiter.amountDue(a), due, "amount due");
        assertEq(p.balanceOf(borrower), due, "borrower holds principal + interest money");
        assertEq(c.balanceOf(address(arbiter)), collateral, "collateral escrowed");

        vm.prank(borrower);
        arbiter.repay(a);
        assertEq(p.balanceOf(lender), due, "lender ends with amount due");
        assertEq(p.balanceOf(borrower), 0, "borrower paid everything owed");
        assertEq(p.balanceOf(address(arbiter)), 0, "no principal token stuck");
        assertEq(c.balanceOf(borrower), collateral, "collateral back");
        assertEq(c.balanceOf(address(arbiter)), 0, "no collateral stuck");
    }

    /// @dev Any sequence of partial repayments releases collateral monotonically, never more than
    /// pro rata, and exactly all of it with the last payment.
    function testFuzz_partialRepayments_releaseProRata(
        uint256 principal,
        uint256 collateral,
        uint32 rateBps,
        uint32 tenor,
        uint256[6] memory parts
    ) public {
        (principal, collateral, rateBps, tenor) = _bounded(principal, collateral, rateBps, tenor);
        (LiquidityArbiter.Agreement memory a, TestToken p, TestToken c) =
            _fundedAgreement(principal, collateral, rateBps, tenor);
        uint256 due = _due(a);
        bytes32 id = _settle(a);
        uint256 paid;
        uint256 released;
        for (uint256 i; i < parts.length && paid < due; ++i) {
            uint256 amount = i == parts.length - 1 ? due - paid : bound(parts[i], 1, due - paid);
            vm.prank(borrower);
            arbiter.repayPartial(a, amount);
            paid += amount;
            uint256 nowReleased = c.balanceOf(borrower);
            assertGe(nowReleased, released, "monotonic");
            assertLe(nowReleased, paid == due ? collateral : collateral * paid / due, "at most pro rata");
            released = nowReleased;
            assertEq(c.balanceOf(address(arbiter)), collateral - released, "escrow = collateral - released");
        }
        assertEq(paid, due, "paid in full");
        assertEq(c.balanceOf(borrower), collateral, "all collateral back");
        assertEq(p.balanceOf(lender), due, "lender got exactly the amount due");
        assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Repaid, "repaid");
    }

    /// @dev Only the lender's key can make the lender's signature.
    function testFuzz_settle_rejectsAnyOtherSigner(uint256 pk) public {
        pk = bound(pk, 1, N - 1);
        vm.assume(pk != LENDER_PK);
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes memory forged = _sign(pk, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, lender));
        arbiter.settle(a, forged, borrowerSig);
    }

    /// @dev Any registered key pair can settle with its own signatures; the high-s twin of either
    /// signature is always rejected.
    function testFuzz_settle_anyKeysAndMalleability(uint256 lenderPk, uint256 borrowerPk) public {
        lenderPk = bound(lenderPk, 1, N - 1);
        borrowerPk = bound(borrowerPk, 1, N - 1);
        vm.assume(lenderPk != borrowerPk);
        (address l, address b) = (vm.addr(lenderPk), vm.addr(borrowerPk));
        vm.startPrank(governance);
        arbiter.registerAgent(l, LENDING);
        arbiter.registerAgent(b, PERP);
        vm.stopPrank();
        _fund(l);
        _fund(b);
        LiquidityArbiter.Agreement memory a = _agreement();
        (a.lender, a.borrower) = (l, b);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(borrowerPk, _hash(a));
        bytes memory twin = abi.encodePacked(r, bytes32(N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        bytes memory lenderSig = _sign(lenderPk, a);
        vm.prank(l);
        vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InvalidSignature.selector, b));
        arbiter.settle(a, lenderSig, twin);
        vm.prank(l);
        arbiter.settle(a, lenderSig, abi.encodePacked(r, s, v));
        assertEq(weth.balanceOf(address(arbiter)), COLLATERAL, "escrowed");
    }

    /// @dev Settles exactly when now <= deadline.
    function testFuzz_settle_deadline(uint64 deadline, uint64 at) public {
        deadline = uint64(bound(deadline, block.timestamp, type(uint40).max));
        at = uint64(bound(at, block.timestamp, type(uint40).max));
        LiquidityArbiter.Agreement memory a = _agreement();
        a.deadline = deadline;
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.warp(at);
        vm.prank(borrower);
        if (at > deadline) vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.Expired.selector, deadline));
        arbiter.settle(a, lenderSig, borrowerSig);
    }

    /// @dev The default is claimable exactly after maturity + grace.
    function testFuzz_claimDefault_timing(uint32 tenor, uint256 elapsed) public {
        LiquidityArbiter.Agreement memory a = _agreement();
        a.tenor = tenor;
        _settle(a);
        uint256 claimableAfter = block.timestamp + tenor + arbiter.GRACE_PERIOD();
        elapsed = bound(elapsed, 0, uint256(tenor) + 3 days);
        vm.warp(block.timestamp + elapsed);
        vm.prank(lender);
        if (block.timestamp <= claimableAfter) {
            vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.GracePeriodActive.selector, claimableAfter));
        }
        arbiter.claimDefault(a);
    }

    /// @dev A ruling passes exactly when at least k distinct arbiters of a random k-of-n set signed.
    function testFuzz_rule_thresholdOfRandomArbiterSet(uint8 n, uint8 k, uint8 signing) public {
        n = uint8(bound(n, 1, 9));
        k = uint8(bound(k, 1, n));
        signing = uint8(bound(signing, 0, n));
        (uint256[] memory pks, address[] memory addrs) = _sortedKeys(0xB00, n);
        vm.prank(governance);
        arbiter.setArbiters(addrs, k);
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(lender);
        arbiter.dispute(a, 0);
        bytes32 digest = arbiter.hashRuling(
            LiquidityArbiter.Ruling({loanId: id, round: 1, winner: LiquidityArbiter.Party.Lender, closeLoan: true})
        );
        LiquidityArbiter.SignerSignature[] memory sigs = new LiquidityArbiter.SignerSignature[](signing);
        for (uint256 i; i < signing; ++i) {
            sigs[i] = LiquidityArbiter.SignerSignature(addrs[i], _signDigest(pks[i], digest));
        }
        if (signing < k) {
            vm.expectRevert(abi.encodeWithSelector(LiquidityArbiter.InsufficientSignatures.selector, signing, k));
        }
        arbiter.rule(a, LiquidityArbiter.Party.Lender, true, sigs);
    }

    /// @dev Whatever happens in a dispute (who disputes, counter-bond or not, arbiters or timeout,
    /// partial repayment before, when in the loan's overdue life it opens), every bond and every unit
    /// of escrow ends with a party, and each party ends with what the outcome says. Without a ruling
    /// the lender's position stands: it gets the bonds posted, and the escrow if it disputed.
    function testFuzz_dispute_outcomesConserveFunds(
        bool lenderDisputes,
        bool counter,
        uint8 outcome,
        bool closeLoan,
        bool byArbiters,
        uint256 repaidFirst,
        uint256 overdue
    ) public {
        LiquidityArbiter.Agreement memory a = _agreement();
        bytes32 id = _settle(a);
        uint256 due = _due(a);
        repaidFirst = bound(repaidFirst, 0, due - 1);
        if (repaidFirst != 0) {
            vm.prank(borrower);
            arbiter.repayPartial(a, repaidFirst);
        }
        vm.warp(block.timestamp + TENOR + bound(overdue, 1, 5 days));
        uint256 escrow = COLLATERAL - COLLATERAL * repaidFirst / due;
        (address disputer, address counterparty) = lenderDisputes ? (lender, borrower) : (borrower, lender);
        vm.prank(disputer);
        arbiter.dispute(a, keccak256("e"));
        if (counter) {
            vm.prank(counterparty);
            arbiter.counterDispute(a, keccak256("c"));
        }

        LiquidityArbiter.Party winner;
        bool close;
        if (byArbiters) {
            winner = LiquidityArbiter.Party(bound(outcome, 0, 2));
            close = closeLoan && winner != LiquidityArbiter.Party.None;
            arbiter.rule(a, winner, close, _ruling(id, 1, winner, close, 2));
        } else {
            vm.warp(arbiter.getDispute(id).deadline + 1);
            arbiter.resolve(a);
            winner = LiquidityArbiter.Party.Lender;
            close = lenderDisputes;
        }

        uint256 bonds = counter ? 2 * BOND : BOND;
        // What the lender posted comes back into its balance if it wins or the dispute is dismissed.
        uint256 lenderPosted = lenderDisputes || counter ? BOND : 0;
        uint256 lenderUsdcGain = usdc.balanceOf(lender) + lenderPosted + PRINCIPAL - 10 * PRINCIPAL - repaidFirst;
        if (winner == LiquidityArbiter.Party.None) {
            assertEq(lenderUsdcGain, lenderPosted, "lender's own bond back");
        } else if (winner == LiquidityArbiter.Party.Lender) {
            assertEq(lenderUsdcGain, bonds, "bonds to lender");
        } else {
            assertEq(lenderUsdcGain, 0, "lender gets no bond");
        }
        assertEq(usdc.balanceOf(address(arbiter)), 0, "no bond left behind");
        (,, uint256 heldUsdc) = arbiter.tokenConfig(address(usdc));
        assertEq(heldUsdc, 0, "no bond owed");
        if (close) {
            assertEq(weth.balanceOf(address(arbiter)), 0, "escrow paid out");
            address to = winner == LiquidityArbiter.Party.Lender ? lender : borrower;
            uint256 borrowerWeth = 10 * COLLATERAL - escrow; // what it has before the escrow returns
            uint256 expected = to == lender ? 10 * COLLATERAL + escrow : borrowerWeth + escrow;
            assertEq(weth.balanceOf(to), expected, "escrow to winner");
            assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Ruled, "ruled");
        } else {
            assertEq(weth.balanceOf(address(arbiter)), escrow, "escrow stays");
            assertTrue(_status(id) == LiquidityArbiter.LoanStatus.Active, "continues");
        }
        assertEq(
            weth.balanceOf(lender) + weth.balanceOf(borrower) + weth.balanceOf(address(arbiter)),
            20 * COLLATERAL,
            "WETH conserved"
        );
    }

    /// @dev Any shortfall of the arbiter's collateral balance (a negative rebase of any size) is shared
    /// pro rata by every later payout, and no payout reverts.
    function testFuzz_shortfall_sharedProRataNeverLocks(uint256 index, uint256 c1, uint256 c2, bool defaultFirst)
        public
    {
        index = bound(index, 1, 1e18);
        c1 = bound(c1, 1, 1e30);
        c2 = bound(c2, 1, 1e30);
        RebasingToken reb = new RebasingToken();
        _allow(address(reb));
        reb.mint(borrower, c1 + c2);
        vm.prank(borrower);
        reb.approve(address(arbiter), type(uint256).max);
        LiquidityArbiter.Agreement memory a = _agreement();
        (a.collateralToken, a.collateral) = (address(reb), c1);
        _settle(a);
        LiquidityArbiter.Agreement memory b = _agreement();
        (b.collateralToken, b.collateral, b.nonce) = (address(reb), c2, _nonces(2, 2));
        _settle(b);
        reb.rebase(index);
        uint256 balance = reb.balanceOf(address(arbiter));
        address firstTo = defaultFirst ? lender : borrower;
        if (defaultFirst) {
            vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD() + 1);
            vm.prank(lender);
            arbiter.claimDefault(a);
        } else {
            vm.prank(borrower);
            arbiter.repay(a);
        }
        uint256 paidA = reb.balanceOf(firstTo);
        uint256 borrowerBefore = reb.balanceOf(borrower);
        vm.prank(borrower);
        arbiter.repay(b);
        uint256 paidB = reb.balanceOf(borrower) - borrowerBefore;
        assertLe(paidA + paidB, balance, "never more than there was");
        // Each got its pro-rata share, up to the token's own share rounding (a few units).
        uint256 shareA = c1 * balance / (c1 + c2);
        uint256 shareB = balance - shareA;
        assertLe(paidA > shareA ? paidA - shareA : shareA - paidA, 2, "first payout pro rata");
        assertLe(paidB > shareB ? paidB - shareB : shareB - paidB, 4, "second payout pro rata");
        (,, uint256 held) = arbiter.tokenConfig(address(reb));
        assertEq(held, 0, "nothing owed");
    }

    /// @dev The risk level is the last alert's until it expires, then 0.
    function testFuzz_alert_expiry(uint8 level, uint64 duration, uint64 later) public {
        duration = uint64(bound(duration, 1, arbiter.MAX_ALERT_DURATION()));
        later = uint64(bound(later, 0, 2 * arbiter.MAX_ALERT_DURATION()));
        LiquidityArbiter.RiskAlert memory alert = _alert(level, duration);
        arbiter.raiseAlert(alert, _alertSigs(alert));
        vm.warp(block.timestamp + later);
        (uint8 current,) = arbiter.riskLevel();
        assertEq(current, later < duration ? level : 0, "level until expiry");
    }
}
