// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LiquidityArbiter} from "../../src/LiquidityArbiter.sol";
import {TestToken} from "../../src/test/TestToken.sol";
import {Test} from "./Test.sol";

/// @dev A deployed arbiter with registered lender and borrower, USDC and WETH on the token allowlist, a
/// 2-of-3 arbiter set, funded and approved parties, and helpers to build and sign agreements, rulings
/// and alerts.
abstract contract ArbiterFixture is Test {
    LiquidityArbiter internal arbiter;
    TestToken internal usdc;
    TestToken internal weth;

    uint256 internal constant GOVERNANCE_PK = 0x60F;
    uint256 internal constant LENDER_PK = 0xA11CE;
    uint256 internal constant BORROWER_PK = 0xB0B;
    uint256 internal constant STRANGER_PK = 0x5EE;
    address internal governance;
    address internal lender;
    address internal borrower;
    address internal stranger;

    /// @dev Arbiter keys, sorted so their addresses ascend.
    uint256[] internal arbiterPks;
    address[] internal arbiterAddrs;

    uint256 internal constant PRINCIPAL = 1_000_000e6; // 1M USDC
    uint256 internal constant COLLATERAL = 500e18; // 500 WETH
    uint32 internal constant RATE_BPS = 500; // 5% a year
    uint32 internal constant TENOR = 30 days;
    /// @dev Bonds are 1 % of the principal, in the principal token: 10,000 USDC for the standard loan.
    uint16 internal constant BOND_BPS = 100;
    uint128 internal constant BOND = 10_000e6;
    uint256 internal constant MIN_BOND_USDC = 100e6;
    uint256 internal constant MIN_BOND_WETH = 0.05e18;
    uint64 internal constant LIVENESS = 1 days;
    uint64 internal constant WINDOW = 3 days;
    uint32 internal constant ALERT_QUORUM = 2;
    bytes32 internal constant LENDING = "lending-market-A";
    bytes32 internal constant PERP = "perp-exchange-B";

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        governance = vm.addr(GOVERNANCE_PK);
        lender = vm.addr(LENDER_PK);
        borrower = vm.addr(BORROWER_PK);
        stranger = vm.addr(STRANGER_PK);
        usdc = new TestToken("USD Coin", "USDC", 6);
        weth = new TestToken("Wrapped Ether", "WETH", 18);
        arbiter = new LiquidityArbiter(governance, BOND_BPS, LIVENESS, WINDOW, ALERT_QUORUM);
        vm.label(lender, "lender");
        vm.label(borrower, "borrower");
        vm.label(stranger, "stranger");
        vm.label(address(arbiter), "arbiter");

        (arbiterPks, arbiterAddrs) = _sortedKeys(0xA1, 3);
        vm.startPrank(governance);
        arbiter.registerAgent(lender, LENDING);
        arbiter.registerAgent(borrower, PERP);
        arbiter.setArbiters(arbiterAddrs, 2);
        arbiter.allowToken(address(usdc), MIN_BOND_USDC);
        arbiter.allowToken(address(weth), MIN_BOND_WETH);
        vm.stopPrank();

        _fund(lender);
        _fund(borrower);
        _fund(stranger);
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Puts `token` on the allowlist (governance), with a minimum bond of 1 base unit (so bonds
    /// are 1 % of the principal).
    function _allow(address token) internal {
        vm.prank(governance);
        arbiter.allowToken(token, 1);
    }

    /// @dev lender's nonce << 128 | borrower's nonce.
    function _nonces(uint256 lenderNonce, uint256 borrowerNonce) internal pure returns (uint256) {
        return lenderNonce << 128 | borrowerNonce;
    }

    function _fund(address who) internal {
        usdc.mint(who, 10 * PRINCIPAL);
        weth.mint(who, 10 * COLLATERAL);
        vm.startPrank(who);
        usdc.approve(address(arbiter), type(uint256).max);
        weth.approve(address(arbiter), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev `n` private keys starting at `first`, ordered by ascending address.
    function _sortedKeys(uint256 first, uint256 n) internal pure returns (uint256[] memory pks, address[] memory addrs) {
        pks = new uint256[](n);
        addrs = new address[](n);
        for (uint256 i; i < n; ++i) {
            pks[i] = first + i;
            addrs[i] = vm.addr(pks[i]);
        }
        for (uint256 i = 1; i < n; ++i) {
            for (uint256 j = i; j > 0 && addrs[j - 1] > addrs[j]; --j) {
                (addrs[j - 1], addrs[j]) = (addrs[j], addrs[j - 1]);
                (pks[j - 1], pks[j]) = (pks[j], pks[j - 1]);
            }
        }
    }

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
            nonce: _nonces(1, 1),
            deadline: uint64(block.timestamp + 1 hours),
            callRiskLevel: 0,
            liquidationThresholdBps: 0,
            liquidationBonusBps: 0,
            tighteningPerLevelBps: 0
        });
    }

    function _signDigest(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    function _sign(uint256 pk, LiquidityArbiter.Agreement memory a) internal view returns (bytes memory) {
        return _signDigest(pk, _hash(a));
    }

    /// @dev The agreement digest, via the contract's calldata-taking view.
    function _hash(LiquidityArbiter.Agreement memory a) internal view returns (bytes32) {
        return arbiter.hashAgreement(a);
    }

    function _settle(LiquidityArbiter.Agreement memory a) internal returns (bytes32) {
        bytes memory lenderSig = _sign(LENDER_PK, a);
        bytes memory borrowerSig = _sign(BORROWER_PK, a);
        vm.prank(a.borrower);
        return arbiter.settle(a, lenderSig, borrowerSig);
    }

    function _due(LiquidityArbiter.Agreement memory a) internal pure returns (uint256) {
        uint256 num = a.principal * a.rateBps * a.tenor;
        uint256 denom = 10_000 * 365 days;
        return a.principal + num / denom + (num % denom == 0 ? 0 : 1);
    }

    function _status(bytes32 id) internal view returns (LiquidityArbiter.LoanStatus) {
        return arbiter.getLoan(id).status;
    }

    /// @dev Signatures of the first `k` (address-sorted) arbiters over a ruling.
    function _ruling(bytes32 id, uint32 round, LiquidityArbiter.Party winner, bool closeLoan, uint256 k)
        internal
        view
        returns (LiquidityArbiter.SignerSignature[] memory sigs)
    {
        bytes32 digest = arbiter.hashRuling(
            LiquidityArbiter.Ruling({loanId: id, round: round, winner: winner, closeLoan: closeLoan})
        );
        sigs = new LiquidityArbiter.SignerSignature[](k);
        for (uint256 i; i < k; ++i) {
            sigs[i] = LiquidityArbiter.SignerSignature(arbiterAddrs[i], _signDigest(arbiterPks[i], digest));
        }
    }

    function _alert(uint8 level, uint64 duration) internal view returns (LiquidityArbiter.RiskAlert memory) {
        return LiquidityArbiter.RiskAlert({
            level: level,
            evidenceHash: keccak256(abi.encode("alert", level, block.timestamp)),
            issuedAt: uint64(block.timestamp),
            expiresAt: uint64(block.timestamp) + duration
        });
    }

    /// @dev Lender and borrower signatures over `alert`, in ascending signer order.
    function _alertSigs(LiquidityArbiter.RiskAlert memory alert)
        internal
        view
        returns (LiquidityArbiter.SignerSignature[] memory sigs)
    {
        bytes32 digest = arbiter.hashRiskAlert(alert);
        (uint256 pk0, uint256 pk1) = lender < borrower ? (LENDER_PK, BORROWER_PK) : (BORROWER_PK, LENDER_PK);
        sigs = new LiquidityArbiter.SignerSignature[](2);
        sigs[0] = LiquidityArbiter.SignerSignature(vm.addr(pk0), _signDigest(pk0, digest));
        sigs[1] = LiquidityArbiter.SignerSignature(vm.addr(pk1), _signDigest(pk1, digest));
    }
}
