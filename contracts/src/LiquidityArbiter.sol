// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title LiquidityArbiter
/// @notice Settles loans that two agents negotiated off-chain and both signed (EIP-712): moves the
/// principal from lender to borrower, escrows the collateral, and releases it on repayment or, after
/// maturity plus a grace period, to the lender on default.
/// @dev The EIP-712 domain and `Agreement` type are defined once in TypeScript (core/agreement.ts);
/// test/arbitration-parity.test.ts proves this contract hashes exactly the same way.
///
/// Amounts are `uint256` in the signed agreement but stored as `uint128` (a loan fits in five slots);
/// agreements with larger amounts are refused with {AmountTooLarge}.
///
/// Fee-on-transfer and other balance-changing tokens are refused as collateral (the escrow must hold
/// exactly what it will release). The principal token is the lender's choice and is not checked.
contract LiquidityArbiter is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Terms both parties sign. Field order and types are part of the EIP-712 type hash.
    struct Agreement {
        bytes32 sessionId;
        address lender;
        address borrower;
        address principalToken;
        uint256 principal;
        address collateralToken;
        uint256 collateral;
        uint32 rateBps;
        uint32 tenor;
        uint256 nonce;
        uint64 deadline;
    }

    /// @notice Lifecycle of a settled loan. `None` means the id was never settled.
    enum LoanStatus {
        None,
        Active,
        Repaid,
        Defaulted
    }

    /// @notice A settled loan, packed into five storage slots. The free bits (24 + 32 + 96 + 96) are
    /// reserved for later extensions (disputes, bonds).
    struct Loan {
        // slot 0
        address lender;
        uint64 maturity;
        LoanStatus status;
        // slot 1
        address borrower;
        uint32 rateBps;
        uint32 tenor;
        // slot 2
        address principalToken;
        // slot 3
        address collateralToken;
        // slot 4
        uint128 principal;
        uint128 collateral;
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 type hash of {Agreement}.
    bytes32 public constant AGREEMENT_TYPEHASH = keccak256(
        "Agreement(bytes32 sessionId,address lender,address borrower,address principalToken,uint256 principal,"
        "address collateralToken,uint256 collateral,uint32 rateBps,uint32 tenor,uint256 nonce,uint64 deadline)"
    );

    /// @notice Time after maturity during which the borrower can still repay before the lender may
    /// claim the collateral.
    uint256 public constant GRACE_PERIOD = 1 days;

    /// @dev Interest is simple and annual: principal * rateBps * tenor / (BPS * YEAR).
    uint256 private constant _BPS = 10_000;
    uint256 private constant _YEAR = 365 days;

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A loan was settled: principal moved to the borrower, collateral escrowed.
    event Settled(
        bytes32 indexed id,
        address indexed lender,
        address indexed borrower,
        bytes32 sessionId,
        address principalToken,
        uint256 principal,
        address collateralToken,
        uint256 collateral,
        uint256 amountDue,
        uint64 maturity
    );

    /// @notice `payer` paid `amountDue` to the lender; the collateral went back to the borrower.
    event Repaid(bytes32 indexed id, address indexed payer, uint256 amountDue);

    /// @notice The lender took the collateral of a loan not repaid by maturity plus grace.
    event DefaultClaimed(bytes32 indexed id, address indexed lender, uint256 collateral);

    /// @notice `owner` cancelled `nonce`: no agreement carrying it can be settled any more.
    event NonceInvalidated(address indexed owner, uint256 nonce);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The agreement's deadline has passed (an agreement settles up to and including `deadline`).
    error Expired(uint64 deadline);
    /// @notice A signature is not a valid signature of the agreement by `expectedSigner`.
    error InvalidSignature(address expectedSigner);
    /// @notice The caller is neither the lender nor the borrower of the agreement.
    error NotParty(address caller);
    /// @notice Lender and borrower are the same address.
    error SelfLoan();
    /// @notice The principal is zero.
    error ZeroPrincipal();
    /// @notice Principal or collateral does not fit in 128 bits.
    error AmountTooLarge();
    /// @notice `party` already used or cancelled `nonce`.
    error NonceUsed(address party, uint256 nonce);
    /// @notice This agreement was already settled.
    error AlreadySettled(bytes32 id);
    /// @notice The token moved a different amount than asked (fee-on-transfer, rebasing).
    error UnsupportedToken(address token);
    /// @notice No loan was ever settled under this id.
    error UnknownAgreement(bytes32 id);
    /// @notice The loan is not active (already repaid or defaulted).
    error NotActive(bytes32 id, LoanStatus status);
    /// @notice Only the lender may claim a default.
    error NotLender(address caller);
    /// @notice The collateral can be claimed only after `claimableAfter`.
    error GracePeriodActive(uint256 claimableAfter);

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Loan by id (the EIP-712 digest of its agreement).
    mapping(bytes32 id => Loan) internal _loans;

    /// @dev Used or cancelled nonces, one bit each, 256 per word (sequential nonces share a slot).
    mapping(address owner => mapping(uint256 wordPos => uint256 bitmap)) public nonceBitmap;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    constructor() EIP712("LiquidityArbiter", "1") {}

    /*//////////////////////////////////////////////////////////////
                               SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Settles an agreement signed by both parties: moves `principal` from lender to borrower
    /// and escrows `collateral` from the borrower. Both must have approved this contract.
    /// @dev Only a party may settle, so a third party cannot choose the moment. Signatures may come from
    /// EOAs (65-byte r||s||v, low s) or ERC-1271 wallets.
    /// @param a The agreement.
    /// @param lenderSig The lender's signature of the agreement's EIP-712 digest.
    /// @param borrowerSig The borrower's signature of the same digest.
    /// @return id The EIP-712 digest of the agreement, which identifies the loan from now on.
    function settle(Agreement calldata a, bytes calldata lenderSig, bytes calldata borrowerSig)
        external
        nonReentrant
        returns (bytes32 id)
    {
        if (block.timestamp > a.deadline) revert Expired(a.deadline);
        if (msg.sender != a.lender && msg.sender != a.borrower) revert NotParty(msg.sender);
        if (a.lender == a.borrower) revert SelfLoan();
        if (a.principal == 0) revert ZeroPrincipal();
        if (a.principal > type(uint128).max || a.collateral > type(uint128).max) revert AmountTooLarge();

        id = hashAgreement(a);
        if (_loans[id].status != LoanStatus.None) revert AlreadySettled(id);
        if (!SignatureChecker.isValidSignatureNowCalldata(a.lender, id, lenderSig)) {
            revert InvalidSignature(a.lender);
        }
        if (!SignatureChecker.isValidSignatureNowCalldata(a.borrower, id, borrowerSig)) {
            revert InvalidSignature(a.borrower);
        }

        _useNonce(a.lender, a.nonce);
        _useNonce(a.borrower, a.nonce);

        uint64 maturity = uint64(block.timestamp) + a.tenor;
        _loans[id] = Loan({
            lender: a.lender,
            maturity: maturity,
            status: LoanStatus.Active,
            borrower: a.borrower,
            rateBps: a.rateBps,
            tenor: a.tenor,
            principalToken: a.principalToken,
            collateralToken: a.collateralToken,
            principal: uint128(a.principal),
            collateral: uint128(a.collateral)
        });

        _emitSettled(id, a, maturity);

        IERC20(a.principalToken).safeTransferFrom(a.lender, a.borrower, a.principal);
        if (a.collateral != 0) _pullExact(IERC20(a.collateralToken), a.borrower, a.collateral);
    }

    /// @notice Cancels `nonce` for the caller, so no agreement carrying it can be settled.
    /// @dev Idempotent; cancelling an already used nonce changes nothing.
    function invalidateNonce(uint256 nonce) external {
        nonceBitmap[msg.sender][nonce >> 8] |= 1 << (nonce & 0xff);
        emit NonceInvalidated(msg.sender, nonce);
    }

    /*//////////////////////////////////////////////////////////////
                               REPAYMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Repays an active loan: the caller pays the amount due to the lender and the collateral
    /// goes back to the borrower.
    /// @dev Anyone may repay on the borrower's behalf (a treasury, a keeper); funds always come from the
    /// caller and the collateral always goes to the borrower, so nobody can spend another's approval.
    /// Repaying after maturity is allowed until the lender claims the default.
    function repay(bytes32 id) external nonReentrant {
        Loan storage loan = _activeLoan(id);
        loan.status = LoanStatus.Repaid;

        (address lender, address borrower) = (loan.lender, loan.borrower);
        uint256 due = _amountDue(loan.principal, loan.rateBps, loan.tenor);
        uint256 collateral = loan.collateral;
        address collateralToken = loan.collateralToken;

        emit Repaid(id, msg.sender, due);

        IERC20(loan.principalToken).safeTransferFrom(msg.sender, lender, due);
        if (collateral != 0) IERC20(collateralToken).safeTransfer(borrower, collateral);
    }

    /// @notice After maturity plus {GRACE_PERIOD}, the lender takes the collateral of an unpaid loan.
    function claimDefault(bytes32 id) external nonReentrant {
        Loan storage loan = _activeLoan(id);
        if (msg.sender != loan.lender) revert NotLender(msg.sender);
        uint256 claimableAfter = uint256(loan.maturity) + GRACE_PERIOD;
        if (block.timestamp <= claimableAfter) revert GracePeriodActive(claimableAfter);
        loan.status = LoanStatus.Defaulted;

        uint256 collateral = loan.collateral;
        emit DefaultClaimed(id, msg.sender, collateral);

        if (collateral != 0) IERC20(loan.collateralToken).safeTransfer(msg.sender, collateral);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The loan settled under `id`; `status` is `None` if there is none.
    function getLoan(bytes32 id) external view returns (Loan memory) {
        return _loans[id];
    }

    /// @notice What repaying loan `id` costs: principal plus simple interest, rounded up.
    function amountDue(bytes32 id) external view returns (uint256) {
        Loan storage loan = _loans[id];
        if (loan.status == LoanStatus.None) revert UnknownAgreement(id);
        return _amountDue(loan.principal, loan.rateBps, loan.tenor);
    }

    /// @notice Whether `owner` has used or cancelled `nonce`.
    function isNonceUsed(address owner, uint256 nonce) external view returns (bool) {
        return nonceBitmap[owner][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @notice The EIP-712 digest of `a` under this contract's domain; also the loan id.
    function hashAgreement(Agreement calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(AGREEMENT_TYPEHASH, a)));
    }

    /// @notice The EIP-712 domain separator (name "LiquidityArbiter", version "1", chain id, this).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Principal plus ceil(principal * rateBps * tenor / (BPS * YEAR)), as core/agreement.ts.
    /// With principal < 2^128 and rate, tenor < 2^32 nothing can overflow.
    function _amountDue(uint256 principal, uint256 rateBps, uint256 tenor) internal pure returns (uint256) {
        unchecked {
            uint256 denom = _BPS * _YEAR;
            return principal + (principal * rateBps * tenor + denom - 1) / denom;
        }
    }

    /// @dev Split out of {settle} to keep its stack shallow.
    function _emitSettled(bytes32 id, Agreement calldata a, uint64 maturity) internal {
        emit Settled(
            id,
            a.lender,
            a.borrower,
            a.sessionId,
            a.principalToken,
            a.principal,
            a.collateralToken,
            a.collateral,
            _amountDue(a.principal, a.rateBps, a.tenor),
            maturity
        );
    }

    /// @dev Marks `nonce` of `owner` used, reverting if it already was.
    function _useNonce(address owner, uint256 nonce) internal {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = nonceBitmap[owner][nonce >> 8];
        if (word & bit != 0) revert NonceUsed(owner, nonce);
        nonceBitmap[owner][nonce >> 8] = word | bit;
    }

    /// @dev The loan `id`, which must exist and be active.
    function _activeLoan(bytes32 id) internal view returns (Loan storage loan) {
        loan = _loans[id];
        LoanStatus status = loan.status;
        if (status == LoanStatus.None) revert UnknownAgreement(id);
        if (status != LoanStatus.Active) revert NotActive(id, status);
    }

    /// @dev Pulls exactly `amount` of `token` from `from`, refusing tokens that deliver less or more.
    function _pullExact(IERC20 token, address from, uint256 amount) internal {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        if (token.balanceOf(address(this)) != before + amount) revert UnsupportedToken(address(token));
    }
}
