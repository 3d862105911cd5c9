// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../../src/LiquidityArbiter.sol";
import {TestToken} from "../../src/test/TestToken.sol";
import {MarginFixture} from "../utils/MarginFixture.sol";

/// @dev Gas of each action in a realistic steady state, recorded with vm.snapshotGasLastCall.
/// A normal run writes the calls' execution gas (what forge's gas report and UniswapX's snapshots
/// count: no 21,000 base cost, no calldata cost) to contracts/snapshots/LiquidityArbiter.json.
/// `npm run gas` also runs this file with --isolate (each call its own transaction, as on chain)
/// and GAS_SNAPSHOT_GROUP=LiquidityArbiter.tx, which records full transaction gas to
/// contracts/snapshots/LiquidityArbiter.tx.json.
/// Steady state: parties already hold both tokens, the arbiter already escrows some WETH and holds
/// some bonds, approvals are unlimited (OpenZeppelin ERC20 then skips the allowance write), and each
/// party's nonces are sequential, as our agents allocate them (core/agreement-nonce.ts): a party's
/// nonce bitmap word is already non-zero, so consuming a nonce rewrites a warm word.
abstract contract GasFixture is MarginFixture {
    string internal group = vm.envOr("GAS_SNAPSHOT_GROUP", string("LiquidityArbiter"));

    LiquidityArbiter.Agreement internal loan;
    LiquidityArbiter.Agreement internal disputed;
    bytes32 internal loanId;
    /// @dev A margined loan, unhealthy at the price setUp leaves (WETH $2,450: health 0.976).
    LiquidityArbiter.Agreement internal margined;
    bytes32 internal disputedId;
    TestToken internal fresh;

    // Everything a measured call depends on happens in setUp, so the test body touches no storage
    // before it and the non-isolated figures are not lowered by warm slots.
    function setUp() public virtual override {
        super.setUp();
        fresh = new TestToken("Staked Ether", "stETH", 18);
        _allow(address(fresh));
        fresh.mint(borrower, COLLATERAL);
        vm.prank(borrower);
        fresh.approve(address(arbiter), type(uint256).max);
        // One loan under dispute (disputes need a due loan: settled a tenor ago), so the arbiter
        // already holds WETH escrow and USDC bonds.
        LiquidityArbiter.Agreement memory d = _agreement();
        d.nonce = _nonces(100, 100);
        d.tenor = 1 days;
        disputedId = _settle(d);
        vm.warp(block.timestamp + 1 days + 1);
        vm.prank(lender);
        arbiter.dispute(d, keccak256("transcript"));
        disputed = d;
        // The loan each test acts on.
        LiquidityArbiter.Agreement memory a = _agreement();
        a.nonce = _nonces(101, 101);
        a.callRiskLevel = 2;
        loanId = _settle(a);
        loan = a;
        // Fresh answers after the warp (feeds go stale after an hour).
        usdcFeed.setAnswer(USD);
        _setWeth(WETH_PRICE);
        LiquidityArbiter.Agreement memory m = _margined();
        m.nonce = _nonces(103, 103);
        _settle(m);
        margined = m;
        _setWeth(2_450e8);
    }

    /// @dev Each party's next sequential nonce.
    function _fresh() internal view returns (LiquidityArbiter.Agreement memory a) {
        a = _agreement();
        a.nonce = _nonces(102, 102);
    }

    function _freshMargined() internal view returns (LiquidityArbiter.Agreement memory a) {
        a = _margined();
        a.nonce = _nonces(102, 102);
    }

}

contract LiquidityArbiterGasTest is GasFixture {
    function test_gas_settle() public {
        LiquidityArbiter.Agreement memory a = _fresh();
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.settle(a, lenderSig, borrowerSig);
        vm.snapshotGasLastCall(group, "settle");
    }

    /// @dev As our agents build agreements: only the builder's half of the nonce is set.
    function test_gas_settle_builderNonceOnly() public {
        LiquidityArbiter.Agreement memory a = _fresh();
        a.nonce = _nonces(0, 102);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.settle(a, lenderSig, borrowerSig);
        vm.snapshotGasLastCall(group, "settle_builderNonceOnly");
    }

    /// @dev Random 256-bit nonces (the old allocation): both halves land in fresh bitmap words.
    function test_gas_settle_randomNonces() public {
        LiquidityArbiter.Agreement memory a = _fresh();
        a.nonce = uint256(keccak256("a random 256-bit nonce"));
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.settle(a, lenderSig, borrowerSig);
        vm.snapshotGasLastCall(group, "settle_randomNonces");
    }

    function test_gas_settle_firstEscrowOfToken() public {
        LiquidityArbiter.Agreement memory a = _fresh();
        a.collateralToken = address(fresh);
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.settle(a, lenderSig, borrowerSig);
        vm.snapshotGasLastCall(group, "settle_firstEscrowOfToken");
    }

    function test_gas_settle_noCollateral() public {
        LiquidityArbiter.Agreement memory a = _fresh();
        (a.collateral, a.collateralToken) = (0, address(0));
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.settle(a, lenderSig, borrowerSig);
        vm.snapshotGasLastCall(group, "settle_noCollateral");
    }

    /// @dev A margined settle also reads both feeds (opening loan-to-value) and stores the escrow.
    function test_gas_settle_margined() public {
        LiquidityArbiter.Agreement memory a = _freshMargined();
        a.collateral = 2 * COLLATERAL; // opens healthy at setUp's WETH price
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(borrower);
        arbiter.settle(a, lenderSig, borrowerSig);
        vm.snapshotGasLastCall(group, "settle_margined");
    }

    /// @dev A keeper that already holds both tokens repays the close factor (half) and takes collateral.
    function test_gas_liquidate() public {
        vm.prank(stranger);
        arbiter.liquidate(margined, type(uint256).max);
        vm.snapshotGasLastCall(group, "liquidate");
    }

    function test_gas_topUp() public {
        vm.prank(borrower);
        arbiter.topUp(margined, 50e18);
        vm.snapshotGasLastCall(group, "topUp");
    }

    function test_gas_repay() public {
        vm.prank(borrower);
        arbiter.repay(loan);
        vm.snapshotGasLastCall(group, "repay");
    }

    function test_gas_repayPartial() public {
        vm.prank(borrower);
        arbiter.repayPartial(loan, PRINCIPAL / 4);
        vm.snapshotGasLastCall(group, "repayPartial");
    }

    function test_gas_claimDefault() public {
        vm.warp(block.timestamp + TENOR + arbiter.GRACE_PERIOD() + 1);
        vm.prank(lender);
        arbiter.claimDefault(loan);
        vm.snapshotGasLastCall(group, "claimDefault");
    }

    function test_gas_dispute() public {
        vm.warp(block.timestamp + TENOR + 1);
        vm.prank(borrower);
        arbiter.dispute(loan, keccak256("transcript"));
        vm.snapshotGasLastCall(group, "dispute");
    }

    function test_gas_counterDispute() public {
        vm.prank(borrower);
        arbiter.counterDispute(disputed, keccak256("counter-evidence"));
        vm.snapshotGasLastCall(group, "counterDispute");
    }

    function test_gas_resolve_unchallenged() public {
        vm.warp(arbiter.getDispute(disputedId).deadline + 1);
        arbiter.resolve(disputed);
        vm.snapshotGasLastCall(group, "resolve_unchallenged");
    }

    function test_gas_raiseAlert_2agents() public {
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        LiquidityArbiter.SignerSignature[] memory sigs = _alertSigs(alert);
        arbiter.raiseAlert(alert, sigs);
        vm.snapshotGasLastCall(group, "raiseAlert_2agents");
    }

    function test_gas_invalidateNonce() public {
        vm.prank(lender);
        arbiter.invalidateNonce(102);
        vm.snapshotGasLastCall(group, "invalidateNonce");
    }

    function test_gas_cancelAgreement() public {
        LiquidityArbiter.Agreement memory a = _fresh();
        vm.prank(borrower);
        arbiter.cancelAgreement(a);
        vm.snapshotGasLastCall(group, "cancelAgreement");
    }

    /// @dev A lender the principal token refuses to pay: the repayment is credited.
    function test_gas_repay_credited() public {
        vm.mockCallRevert(
            address(usdc),
            abi.encodeWithSelector(usdc.transferFrom.selector, borrower, lender),
            abi.encodeWithSignature("Blocked(address)", lender)
        );
        vm.prank(borrower);
        arbiter.repay(loan);
        vm.snapshotGasLastCall(group, "repay_credited");
    }

}

/// @dev The same, with the open dispute counter-bonded and a risk alert of level 3 in force.
contract LiquidityArbiterGasContestedTest is GasFixture {
    function setUp() public override {
        super.setUp();
        vm.prank(borrower);
        arbiter.counterDispute(disputed, keccak256("counter-evidence"));
        LiquidityArbiter.RiskAlert memory alert = _alert(3, 1 days);
        arbiter.raiseAlert(alert, _alertSigs(alert));
    }

    function test_gas_rule_2of3() public {
        LiquidityArbiter.SignerSignature[] memory sigs =
            _ruling(disputedId, 1, LiquidityArbiter.Party.Lender, true, 2);
        arbiter.rule(disputed, LiquidityArbiter.Party.Lender, true, sigs);
        vm.snapshotGasLastCall(group, "rule_2of3");
    }

    function test_gas_resolve_contested() public {
        vm.warp(arbiter.getDispute(disputedId).deadline + 1);
        arbiter.resolve(disputed);
        vm.snapshotGasLastCall(group, "resolve_contested");
    }

    function test_gas_callLoan() public {
        vm.prank(lender);
        arbiter.callLoan(loan);
        vm.snapshotGasLastCall(group, "callLoan");
    }
}

/// @dev The same, with the loan repaid to a lender the token refused to pay: its repayment waits as a
/// credit.
contract LiquidityArbiterGasCreditTest is GasFixture {
    function setUp() public override {
        super.setUp();
        vm.mockCallRevert(
            address(usdc),
            abi.encodeWithSelector(usdc.transferFrom.selector, borrower, lender),
            abi.encodeWithSignature("Blocked(address)", lender)
        );
        vm.prank(borrower);
        arbiter.repay(loan);
        vm.clearMockedCalls();
    }

    function test_gas_withdrawCredit() public {
        vm.prank(lender);
        arbiter.withdrawCredit(address(usdc), lender);
        vm.snapshotGasLastCall(group, "withdrawCredit");
    }
}
