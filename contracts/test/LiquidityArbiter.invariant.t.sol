// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../src/LiquidityArbiter.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {Test} from "./utils/Test.sol";

/// @dev Drives the arbiter through random settle / re-settle / nonce reuse / cancel / repay / partial
/// repay / default / call / dispute / counter-bond / rule / resolve / alert sequences among three agents,
/// and checks after every action that no token reached anyone but the loan's parties. Principal is
/// USDC, so bonds (posted in the principal token) are USDC; collateral is WETH.
contract ArbiterHandler is Test {
    LiquidityArbiter public immutable arbiter;
    TestToken public immutable usdc;
    TestToken public immutable weth;

    uint256[3] internal agentPks = [uint256(0xA11CE), 0xB0B, 0xCA401];
    address[3] internal agents;
    uint256[] internal arbiterPks;
    address[] internal arbiterAddrs;

    LiquidityArbiter.Agreement[] internal _agreements;
    bytes32[] public ids;
    uint256 internal nextSession = 1;
    /// @dev Each agent's next nonce (sequential, as our agents allocate them).
    uint256[3] internal nextNonce = [uint256(1), 1, 1];

    // Ghost accounting and violation counters (the invariants require them to stay zero).
    /// @dev Collateral the handler believes is in escrow.
    uint256 public ghostEscrow;
    /// @dev Bonds the handler believes are held.
    uint256 public ghostBonds;
    uint256 public doubleSettles;
    /// @dev Settlements that reused a party's consumed nonce, or settled a cancelled agreement.
    uint256 public nonceReuses;
    uint256 public leaks;
    mapping(bytes32 => bool) public closed;

    mapping(bytes4 => uint256) public calls;

    constructor(
        LiquidityArbiter arbiter_,
        TestToken usdc_,
        TestToken weth_,
        uint256[] memory arbiterPks_,
        address[] memory arbiterAddrs_
    ) {
        (arbiter, usdc, weth) = (arbiter_, usdc_, weth_);
        (arbiterPks, arbiterAddrs) = (arbiterPks_, arbiterAddrs_);
        for (uint256 i; i < 3; ++i) {
            agents[i] = vm.addr(agentPks[i]);
            vm.startPrank(agents[i]);
            usdc.approve(address(arbiter), type(uint256).max);
            weth.approve(address(arbiter), type(uint256).max);
            vm.stopPrank();
        }
    }

    function loanCount() external view returns (uint256) {
        return ids.length;
    }

    function agreement(uint256 i) external view returns (LiquidityArbiter.Agreement memory) {
        return _agreements[i];
    }

    /*//////////////////////////////////////////////////////////////
                                 ACTIONS
    //////////////////////////////////////////////////////////////*/

    function settle(
        uint256 lenderSeed,
        uint256 offset,
        uint256 principal,
        uint256 collateral,
        uint32 rate,
        uint32 tenor,
        uint8 callLevel
    ) external {
        uint256 li = lenderSeed % 3;
        uint256 bi = (li + 1 + offset % 2) % 3;
        LiquidityArbiter.Agreement memory a = LiquidityArbiter.Agreement({
            sessionId: keccak256(abi.encode("session", nextSession++)),
            lender: agents[li],
            borrower: agents[bi],
            principalToken: address(usdc),
            principal: bound(principal, 1, 1e30),
            collateralToken: address(weth),
            collateral: bound(collateral, 0, 1e30),
            rateBps: uint32(bound(rate, 0, 100_000)),
            tenor: uint32(bound(tenor, 0, 60 days)),
            nonce: nextNonce[li]++ << 128 | nextNonce[bi]++,
            deadline: uint64(block.timestamp + 1 hours),
            callRiskLevel: uint8(bound(callLevel, 0, 3)),
            liquidationThresholdBps: 0,
            liquidationBonusBps: 0,
            tighteningPerLevelBps: 0
        });
        usdc.mint(a.lender, a.principal);
        weth.mint(a.borrower, a.collateral);
        bytes32 digest = arbiter.hashAgreement(a);
        bytes memory lenderSig = _sign(agentPks[li], digest);
        bytes memory borrowerSig = _sign(agentPks[bi], digest);
        uint256[3][2] memory before = _balances();
        vm.prank(a.borrower);
        bytes32 id = arbiter.settle(a, lenderSig, borrowerSig);
        _checkOnlyParties(a, before);
        ids.push(id);
        _agreements.push(a);
        ghostEscrow += a.collateral;
        ++calls[this.settle.selector];
    }

    /// @dev Tries to settle an already-settled agreement again (it must fail).
    function resettle(uint256 index) external {
        if (ids.length == 0) return;
        LiquidityArbiter.Agreement memory a = _agreements[index % ids.length];
        bytes32 digest = arbiter.hashAgreement(a);
        bytes memory lenderSig = _sign(_pkOf(a.lender), digest);
        bytes memory borrowerSig = _sign(_pkOf(a.borrower), digest);
        vm.warp(block.timestamp); // deadline may have passed: either revert is fine
        vm.prank(a.lender);
        try arbiter.settle(a, lenderSig, borrowerSig) {
            ++doubleSettles;
        } catch {}
        ++calls[this.resettle.selector];
    }

    /// @dev Tries to settle new terms carrying a nonce a party already used (it must fail).
    function settleWithUsedNonce(uint256 index, uint256 principal) external {
        if (ids.length == 0) return;
        LiquidityArbiter.Agreement memory a = _agreements[index % ids.length];
        a.sessionId = keccak256(abi.encode("reuse", nextSession++));
        a.principal = bound(principal, 1, 1e30);
        a.deadline = uint64(block.timestamp + 1 hours);
        usdc.mint(a.lender, a.principal);
        bytes32 digest = arbiter.hashAgreement(a);
        bytes memory lenderSig = _sign(_pkOf(a.lender), digest);
        bytes memory borrowerSig = _sign(_pkOf(a.borrower), digest);
        vm.prank(a.borrower);
        try arbiter.settle(a, lenderSig, borrowerSig) {
            ++nonceReuses;
        } catch {}
        ++calls[this.settleWithUsedNonce.selector];
    }

    /// @dev A party cancels fresh signed terms, then someone tries to settle them (it must fail).
    function cancelThenSettle(uint256 lenderSeed, bool byLender) external {
        uint256 li = lenderSeed % 3;
        uint256 bi = (li + 1) % 3;
        LiquidityArbiter.Agreement memory a = LiquidityArbiter.Agreement({
            sessionId: keccak256(abi.encode("cancel", nextSession++)),
            lender: agents[li],
            borrower: agents[bi],
            principalToken: address(usdc),
            principal: 1e6,
            collateralToken: address(weth),
            collateral: 0,
            rateBps: 0,
            tenor: 1 days,
            nonce: nextNonce[li]++ << 128,
            deadline: uint64(block.timestamp + 1 hours),
            callRiskLevel: 0,
            liquidationThresholdBps: 0,
            liquidationBonusBps: 0,
            tighteningPerLevelBps: 0
        });
        usdc.mint(a.lender, a.principal);
        vm.prank(byLender ? a.lender : a.borrower);
        arbiter.cancelAgreement(a);
        bytes32 digest = arbiter.hashAgreement(a);
        bytes memory lenderSig = _sign(agentPks[li], digest);
        bytes memory borrowerSig = _sign(agentPks[bi], digest);
        vm.prank(a.lender);
        try arbiter.settle(a, lenderSig, borrowerSig) {
            ++nonceReuses;
        } catch {}
        ++calls[this.cancelThenSettle.selector];
    }

    function repay(uint256 index, uint256 payerSeed, uint256 amountSeed, bool isPartial) external {
        (bool ok, LiquidityArbiter.Agreement memory a, bytes32 id, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (!ok || loan.status != LiquidityArbiter.LoanStatus.Active) return;
        (uint256 owed, uint256 escrowed) = arbiter.outstanding(a);
        uint256 amount = isPartial ? bound(amountSeed, 1, owed) : owed;
        address payer = agents[payerSeed % 3];
        usdc.mint(payer, amount);
        uint256[3][2] memory before = _balances();
        vm.prank(payer);
        if (isPartial) arbiter.repayPartial(a, amount);
        else arbiter.repay(a);
        _checkOnlyParties(a, before, payer);
        (, uint256 escrowedAfter) = _outstandingOrZero(a);
        ghostEscrow -= escrowed - escrowedAfter;
        if (_status(id) == LiquidityArbiter.LoanStatus.Repaid) closed[id] = true;
        ++calls[isPartial ? bytes4(keccak256("repayPartial")) : this.repay.selector];
    }

    function claimDefault(uint256 index) external {
        (bool ok, LiquidityArbiter.Agreement memory a, bytes32 id, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (!ok || loan.status != LiquidityArbiter.LoanStatus.Active || loan.disputed) return;
        uint256 after_ = uint256(loan.maturity) + arbiter.GRACE_PERIOD() + 1;
        if (block.timestamp < after_) vm.warp(after_);
        (, uint256 escrowed) = arbiter.outstanding(a);
        uint256[3][2] memory before = _balances();
        vm.prank(a.lender);
        arbiter.claimDefault(a);
        _checkOnlyParties(a, before);
        ghostEscrow -= escrowed;
        closed[id] = true;
        ++calls[this.claimDefault.selector];
    }

    function raiseAlertAndCall(uint256 index, uint8 level) external {
        level = uint8(bound(level, 0, 3));
        LiquidityArbiter.RiskAlert memory last = arbiter.currentAlert();
        if (last.issuedAt >= block.timestamp) vm.warp(last.issuedAt + 1);
        LiquidityArbiter.RiskAlert memory alert = LiquidityArbiter.RiskAlert({
            level: level,
            evidenceHash: keccak256(abi.encode(block.timestamp)),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp + 1 days)
        });
        bytes32 digest = arbiter.hashRiskAlert(alert);
        // Two agents, ascending.
        (address s0, address s1) = agents[0] < agents[1] ? (agents[0], agents[1]) : (agents[1], agents[0]);
        LiquidityArbiter.SignerSignature[] memory sigs = new LiquidityArbiter.SignerSignature[](2);
        sigs[0] = LiquidityArbiter.SignerSignature(s0, _sign(_pkOf(s0), digest));
        sigs[1] = LiquidityArbiter.SignerSignature(s1, _sign(_pkOf(s1), digest));
        arbiter.raiseAlert(alert, sigs);

        (bool ok, LiquidityArbiter.Agreement memory a,, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (
            ok && loan.status == LiquidityArbiter.LoanStatus.Active && a.callRiskLevel != 0
                && level >= a.callRiskLevel && loan.maturity > block.timestamp
        ) {
            vm.prank(a.lender);
            arbiter.callLoan(a);
            ++calls[this.raiseAlertAndCall.selector];
        }
    }

    function dispute(uint256 index, bool byLender) external {
        (bool ok, LiquidityArbiter.Agreement memory a,, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (!ok || loan.status != LiquidityArbiter.LoanStatus.Active || loan.disputed) return;
        address disputer = byLender ? a.lender : a.borrower;
        LiquidityArbiter.Dispute memory last = arbiter.getDispute(ids[index % ids.length]);
        if (byLender ? last.lenderDisputed : last.borrowerDisputed) return;
        // Only a due loan can be disputed.
        if (block.timestamp <= loan.maturity) vm.warp(uint256(loan.maturity) + 1);
        (uint256 bond,,) = arbiter.disputeTerms(a);
        usdc.mint(disputer, bond);
        uint256[3][2] memory before = _balances();
        vm.prank(disputer);
        arbiter.dispute(a, keccak256("transcript"));
        _checkOnlyParties(a, before);
        ghostBonds += bond;
        ++calls[this.dispute.selector];
    }

    function counterDispute(uint256 index) external {
        (bool ok, LiquidityArbiter.Agreement memory a, bytes32 id, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (!ok || !loan.disputed) return;
        LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
        if (d.counterBonded || block.timestamp > d.deadline) return;
        address counterparty = d.disputer == LiquidityArbiter.Party.Lender ? a.borrower : a.lender;
        usdc.mint(counterparty, d.bond);
        uint256[3][2] memory before = _balances();
        vm.prank(counterparty);
        arbiter.counterDispute(a, keccak256("counter"));
        _checkOnlyParties(a, before);
        ghostBonds += d.bond;
        ++calls[this.counterDispute.selector];
    }

    function rule(uint256 index, uint8 outcome, bool closeLoan) external {
        (bool ok, LiquidityArbiter.Agreement memory a, bytes32 id, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (!ok || !loan.disputed) return;
        LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
        if (block.timestamp > d.deadline) return;
        LiquidityArbiter.Party winner = LiquidityArbiter.Party(bound(outcome, 0, 2));
        bool close = closeLoan && winner != LiquidityArbiter.Party.None;
        bytes32 digest = arbiter.hashRuling(
            LiquidityArbiter.Ruling({loanId: id, round: d.round, winner: winner, closeLoan: close})
        );
        LiquidityArbiter.SignerSignature[] memory sigs = new LiquidityArbiter.SignerSignature[](2);
        for (uint256 i; i < 2; ++i) {
            sigs[i] = LiquidityArbiter.SignerSignature(arbiterAddrs[i], _sign(arbiterPks[i], digest));
        }
        _decide(a, id, d, winner, close, sigs);
        ++calls[this.rule.selector];
    }

    function resolve(uint256 index) external {
        (bool ok, LiquidityArbiter.Agreement memory a, bytes32 id, LiquidityArbiter.LoanView memory loan) = _pick(index);
        if (!ok || !loan.disputed) return;
        LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
        if (block.timestamp <= d.deadline) vm.warp(uint256(d.deadline) + 1);
        LiquidityArbiter.SignerSignature[] memory none;
        // No ruling: the lender's position stands; its own claim also closes the loan.
        _decide(a, id, d, LiquidityArbiter.Party.Lender, d.disputer == LiquidityArbiter.Party.Lender, none);
        ++calls[this.resolve.selector];
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 3 days));
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Applies a ruling (signed, or by timeout when `sigs` is empty) and checks where funds went:
    /// bonds (USDC) and escrow (WETH) only to the winner (or, when dismissed, each bond back to its
    /// poster).
    function _decide(
        LiquidityArbiter.Agreement memory a,
        bytes32 id,
        LiquidityArbiter.Dispute memory d,
        LiquidityArbiter.Party winner,
        bool close,
        LiquidityArbiter.SignerSignature[] memory sigs
    ) internal {
        (, uint256 escrowed) = _outstandingOrZero(a);
        bool active = _status(id) == LiquidityArbiter.LoanStatus.Active;
        uint256[3][2] memory before = _balances();
        if (sigs.length == 0) arbiter.resolve(a);
        else arbiter.rule(a, winner, close, sigs);
        uint256[3][2] memory after_ = _balances();
        uint256 bonds = d.counterBonded ? 2 * d.bond : d.bond;
        uint256 escrowPaid = close && active ? escrowed : 0;
        for (uint256 i; i < 3; ++i) {
            uint256 bondGain = after_[0][i] - before[0][i];
            uint256 escrowGain = after_[1][i] - before[1][i];
            uint256 expectedBonds;
            uint256 expectedEscrow;
            if (winner == LiquidityArbiter.Party.None) {
                LiquidityArbiter.Party p = _sideOf(a, agents[i]);
                if (p == d.disputer) expectedBonds = d.bond;
                else if (p != LiquidityArbiter.Party.None && d.counterBonded) expectedBonds = d.bond;
            } else if (agents[i] == (winner == LiquidityArbiter.Party.Lender ? a.lender : a.borrower)) {
                (expectedBonds, expectedEscrow) = (bonds, escrowPaid);
            }
            if (bondGain != expectedBonds || escrowGain != expectedEscrow) ++leaks;
        }
        ghostBonds -= bonds;
        ghostEscrow -= escrowPaid;
        if (close && active) closed[id] = true;
    }

    function _pick(uint256 index)
        internal
        view
        returns (bool ok, LiquidityArbiter.Agreement memory a, bytes32 id, LiquidityArbiter.LoanView memory loan)
    {
        if (ids.length == 0) return (false, a, id, loan);
        uint256 i = index % ids.length;
        (a, id) = (_agreements[i], ids[i]);
        loan = arbiter.getLoan(id);
        if (closed[id] && loan.status == LiquidityArbiter.LoanStatus.Active) revert("closed loan reopened");
        ok = true;
    }

    function _outstandingOrZero(LiquidityArbiter.Agreement memory a) internal view returns (uint256, uint256) {
        return arbiter.outstanding(a);
    }

    function _status(bytes32 id) internal view returns (LiquidityArbiter.LoanStatus) {
        return arbiter.getLoan(id).status;
    }

    function _sideOf(LiquidityArbiter.Agreement memory a, address who) internal pure returns (LiquidityArbiter.Party) {
        if (who == a.lender) return LiquidityArbiter.Party.Lender;
        if (who == a.borrower) return LiquidityArbiter.Party.Borrower;
        return LiquidityArbiter.Party.None;
    }

    /// @dev [token][agent]: 0 = USDC, 1 = WETH.
    function _balances() internal view returns (uint256[3][2] memory b) {
        for (uint256 i; i < 3; ++i) {
            b[0][i] = usdc.balanceOf(agents[i]);
            b[1][i] = weth.balanceOf(agents[i]);
        }
    }

    function _checkOnlyParties(LiquidityArbiter.Agreement memory a, uint256[3][2] memory before) internal {
        _checkOnlyParties(a, before, address(0));
    }

    /// @dev Every agent other than the parties (and `payer`) kept its balances; no party lost WETH
    /// it did not send to the arbiter.
    function _checkOnlyParties(LiquidityArbiter.Agreement memory a, uint256[3][2] memory before, address payer)
        internal
    {
        uint256[3][2] memory after_ = _balances();
        for (uint256 i; i < 3; ++i) {
            address who = agents[i];
            if (who == a.lender || who == a.borrower || who == payer) continue;
            if (after_[0][i] != before[0][i] || after_[1][i] != before[1][i]) ++leaks;
        }
    }

    function _pkOf(address who) internal view returns (uint256) {
        for (uint256 i; i < 3; ++i) {
            if (agents[i] == who) return agentPks[i];
        }
        revert("unknown agent");
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }
}

/// @dev Conservation of funds: the arbiter's balance of each token always equals what it says it holds,
/// which is the escrow of active loans (WETH) and the bonds of open disputes (USDC); no agreement
/// settles twice and no nonce settles twice; funds go only to the parties or the ruled winner; closed
/// loans never reopen.
contract LiquidityArbiterInvariantTest is Test {
    LiquidityArbiter internal arbiter;
    TestToken internal usdc;
    TestToken internal weth;
    ArbiterHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        usdc = new TestToken("USD Coin", "USDC", 6);
        weth = new TestToken("Wrapped Ether", "WETH", 18);
        arbiter = new LiquidityArbiter(address(this), 100, 1 days, 2 days, 2);
        arbiter.allowToken(address(usdc), 1e6);
        arbiter.allowToken(address(weth), 1e18);

        uint256[] memory pks = new uint256[](3);
        address[] memory addrs = new address[](3);
        for (uint256 i; i < 3; ++i) {
            pks[i] = 0xA1 + i;
            addrs[i] = vm.addr(pks[i]);
        }
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && addrs[j - 1] > addrs[j]; --j) {
                (addrs[j - 1], addrs[j]) = (addrs[j], addrs[j - 1]);
                (pks[j - 1], pks[j]) = (pks[j], pks[j - 1]);
            }
        }
        arbiter.setArbiters(addrs, 2);
        handler = new ArbiterHandler(arbiter, usdc, weth, pks, addrs);
        arbiter.registerAgent(vm.addr(0xA11CE), "A");
        arbiter.registerAgent(vm.addr(0xB0B), "B");
        arbiter.registerAgent(vm.addr(0xCA401), "C");
    }

    /// @dev Read by forge: only the handler is called during invariant runs.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev Computed from the contract's own state, independently of the handler's ghosts.
    function invariant_balanceEqualsEscrowPlusBondsOwed() public view {
        uint256 escrow;
        uint256 bonds;
        for (uint256 i; i < handler.loanCount(); ++i) {
            bytes32 id = handler.ids(i);
            LiquidityArbiter.LoanView memory loan = arbiter.getLoan(id);
            if (loan.status == LiquidityArbiter.LoanStatus.Active) {
                (, uint256 escrowed) = arbiter.outstanding(handler.agreement(i));
                escrow += escrowed;
            }
            if (loan.disputed) {
                LiquidityArbiter.Dispute memory d = arbiter.getDispute(id);
                bonds += d.counterBonded ? 2 * d.bond : d.bond;
            }
        }
        (,, uint256 heldWeth) = arbiter.tokenConfig(address(weth));
        (,, uint256 heldUsdc) = arbiter.tokenConfig(address(usdc));
        assertEq(weth.balanceOf(address(arbiter)), escrow, "WETH held == escrow of active loans");
        assertEq(heldWeth, escrow, "WETH owed == escrow");
        assertEq(usdc.balanceOf(address(arbiter)), bonds, "USDC held == bonds of open disputes");
        assertEq(heldUsdc, bonds, "USDC owed == bonds");
    }

    function invariant_ghostAccountingMatches() public view {
        assertEq(weth.balanceOf(address(arbiter)), handler.ghostEscrow(), "ghost escrow");
        assertEq(usdc.balanceOf(address(arbiter)), handler.ghostBonds(), "ghost bonds");
    }

    function invariant_noAgreementSettlesTwice() public view {
        assertEq(handler.doubleSettles(), 0, "a settled agreement settled again");
    }

    function invariant_noNonceSettlesTwice() public view {
        assertEq(handler.nonceReuses(), 0, "a used nonce or a cancelled agreement settled");
    }

    function invariant_fundsOnlyToPartiesOrWinner() public view {
        assertEq(handler.leaks(), 0, "a token moved to someone not entitled to it");
    }
}
