// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {MarginOracle} from "./MarginOracle.sol";

/// @title LiquidityArbiter
/// @notice Settles loans that two registered agents negotiated off-chain and both signed (EIP-712):
/// moves the principal from lender to borrower and escrows the collateral; releases it on repayment
/// (in full, or pro rata on partial repayment), to the lender on default, or where a bonded dispute's
/// ruling says. A quorum of registered agents can post a system risk level, which lets lenders call
/// loans whose agreement allows it.
/// @dev The EIP-712 domain and the `Agreement`, `Ruling` and `RiskAlert` types are defined once in
/// TypeScript (core/agreement.ts, arbitration/typed-data.ts); tests prove the hashes match.
///
/// Storage: a loan is ONE slot keyed by its agreement's EIP-712 digest (status, dispute flag,
/// maturity, amount repaid, and its dispute terms: the parameter set in force at settlement and the
/// principal token's minimum bond then). Its terms are not stored: every later call passes the
/// agreement again and the contract re-derives the key from it, so terms that differ in any field
/// find no loan.
///
/// Nonces: `nonce` packs two 128-bit nonces, the lender's (high half) and the borrower's (low half).
/// Settling consumes each non-zero half in its owner's bitmap (Permit2's unordered nonces), so no two
/// agreements carrying the same nonce of one party both settle; zero means "this party uses no nonce
/// here". A party withdraws a signature with `invalidateNonce(itsHalf)` or `cancelAgreement`.
///
/// Payouts never revert on the recipient: every payment out of the arbiter (or from a payer to the
/// lender) is attempted directly with a gas cap; if the token refuses it (a blocklisted recipient, a
/// hook that fails), the amount is credited to the recipient, who withdraws it later
/// (`withdrawCredit`), to any address. The arbiter tracks what it owes in each token (`held`); if its
/// balance falls below that (a negative rebase, a fee charged on top), every payout in that token is
/// cut pro rata, so a shortfall is shared and never locks a later loan.
///
/// Margins: an agreement with a non-zero `liquidationThresholdBps` is margined. Its escrow is stored
/// (one more slot), it may be topped up, partial repayments release no collateral (the last one releases
/// all of it), and while its health (the {MarginOracle}'s prices, the threshold tightened by
/// `tighteningPerLevelBps` per system risk level) is below 1 anyone may `liquidate` part of it.
contract LiquidityArbiter is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Terms both parties sign. Field order and types are part of the EIP-712 type hash.
    /// @dev `callRiskLevel`: 0 = the loan runs to maturity; L > 0 = the lender may call it early
    /// (maturity becomes now, default claimable after the grace period) while the system risk level
    /// is at least L. `nonce`: lender's nonce << 128 | borrower's nonce (see the contract notes).
    /// `liquidationThresholdBps`: 0 = no margin (never liquidatable); t > 0 = the debt's value may reach
    /// t bps of the collateral's before anyone may liquidate. `liquidationBonusBps`: what a liquidator
    /// receives on top of the value it repays. `tighteningPerLevelBps`: how much the threshold drops per
    /// system risk level while an alert holds.
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
        uint8 callRiskLevel;
        uint32 liquidationThresholdBps;
        uint32 liquidationBonusBps;
        uint32 tighteningPerLevelBps;
    }

    /// @notice Lifecycle of a loan. `None`: never settled. `Cancelled`: a party withdrew its signature
    /// before anyone settled it (cancelAgreement); it can never settle. `Liquidated`: a liquidation repaid
    /// the last of the debt.
    enum LoanStatus {
        None,
        Active,
        Repaid,
        Defaulted,
        Ruled,
        Cancelled,
        Liquidated
    }

    /// @notice A side of an agreement (dispute roles, ruling winners). `None` in a ruling dismisses
    /// the dispute: bonds go back to who posted them and the loan continues.
    enum Party {
        None,
        Lender,
        Borrower
    }

    /// @notice A settled loan: one storage slot (8 + 8 + 64 + 128 + 16 + 32 bits).
    struct Loan {
        LoanStatus status;
        /// @dev A dispute is open: no default claim until it is ruled.
        bool disputed;
        /// @dev Settlement time + tenor, or the call time if the lender called the loan.
        uint64 maturity;
        /// @dev Repaid so far; the amount due is fixed by the agreement.
        uint128 paid;
        /// @dev Index of the dispute parameter set in force at settlement (bond bps, windows).
        uint16 paramSet;
        /// @dev The principal token's minimum bond at settlement, packed (see _packAmount).
        uint32 bondFloor;
    }

    /// @notice A loan as `getLoan` returns it (the bond floor unpacked).
    struct LoanView {
        LoanStatus status;
        bool disputed;
        uint64 maturity;
        uint128 paid;
        uint16 paramSet;
        uint256 bondFloor;
    }

    /// @notice The current (or last) dispute of a loan: one storage slot.
    struct Dispute {
        Party disputer;
        bool counterBonded;
        /// @dev 1 for the first dispute of a loan, 2 for the next; part of the signed ruling.
        uint32 round;
        /// @dev Liveness end until counter-bonded, then the end of the arbitration window.
        uint64 deadline;
        /// @dev Bond each side posts (in the principal token), fixed by the loan's dispute terms.
        uint128 bond;
        /// @dev Each party may open one dispute per loan.
        bool lenderDisputed;
        bool borrowerDisputed;
    }

    /// @notice Dispute terms a loan gets at settlement. Governance appends new sets; a loan keeps its.
    struct DisputeParams {
        /// @dev Bond per side, in basis points of the principal (at least the token's minimum bond).
        uint16 bondBps;
        /// @dev Seconds the counterparty has to post the counter-bond.
        uint64 liveness;
        /// @dev Seconds arbiters have to rule once both bonds are posted.
        uint64 arbitrationWindow;
    }

    /// @notice A token's entry in the allowlist and what the arbiter owes in it.
    struct Token {
        /// @dev New loans may use it (principal or collateral). Delisting leaves existing loans alone.
        bool allowed;
        /// @dev Minimum dispute bond in this token, packed (see _packAmount); 0 if never listed.
        uint32 minBond;
        /// @dev What the arbiter owes in this token: escrowed collateral, posted bonds and credits.
        uint128 held;
    }

    /// @notice What k-of-n arbiters sign to decide a dispute.
    struct Ruling {
        bytes32 loanId;
        uint32 round;
        Party winner;
        bool closeLoan;
    }

    /// @notice What a quorum of registered agents signs to set the system risk level.
    struct RiskAlert {
        uint8 level;
        bytes32 evidenceHash;
        uint64 issuedAt;
        uint64 expiresAt;
    }

    /// @notice A signature with its signer (EOA: 65-byte r,s,v with low s; contract: ERC-1271).
    struct SignerSignature {
        address signer;
        bytes signature;
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 type hash of {Agreement}.
    bytes32 public constant AGREEMENT_TYPEHASH = keccak256(
        "Agreement(bytes32 sessionId,address lender,address borrower,address principalToken,uint256 principal,"
        "address collateralToken,uint256 collateral,uint32 rateBps,uint32 tenor,uint256 nonce,uint64 deadline,"
        "uint8 callRiskLevel,uint32 liquidationThresholdBps,uint32 liquidationBonusBps,uint32 tighteningPerLevelBps)"
    );

    /// @notice EIP-712 type hash of {Ruling}.
    bytes32 public constant RULING_TYPEHASH =
        keccak256("Ruling(bytes32 loanId,uint32 round,uint8 winner,bool closeLoan)");

    /// @notice EIP-712 type hash of {RiskAlert}.
    bytes32 public constant RISK_ALERT_TYPEHASH =
        keccak256("RiskAlert(uint8 level,bytes32 evidenceHash,uint64 issuedAt,uint64 expiresAt)");

    /// @notice Time after maturity during which the borrower can still repay before the lender may
    /// claim the collateral.
    uint256 public constant GRACE_PERIOD = 1 days;

    /// @notice Longest a risk alert may stay in force (expiresAt - issuedAt).
    uint256 public constant MAX_ALERT_DURATION = 7 days;

    /// @notice Oldest a risk alert may be when it is posted (now - issuedAt).
    uint256 public constant MAX_ALERT_AGE = 1 hours;

    /// @notice Shortest and longest liveness or arbitration window governance may set.
    uint256 public constant MIN_WINDOW = 12 hours;
    uint256 public constant MAX_WINDOW = 30 days;

    /// @notice Smallest and largest bond governance may set, in basis points of the principal.
    uint256 public constant MIN_BOND_BPS = 10;
    uint256 public constant MAX_BOND_BPS = 10_000;

    /// @notice Gas a direct payment may use before it is credited instead (bounds what a recipient's
    /// token hook can burn, so the credit can always be written).
    uint256 public constant PUSH_GAS = 150_000;

    /// @dev Interest is simple and annual: principal * rateBps * tenor / (BPS * YEAR).
    uint256 private constant _BPS = 10_000;
    uint256 private constant _YEAR = 365 days;

    /// @dev secp256k1n / 2: larger `s` values are the malleable twin of a valid signature.
    uint256 private constant _HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A loan was settled: principal moved to the borrower, collateral escrowed. Carries the
    /// whole agreement, which later calls must pass again.
    event Settled(
        bytes32 indexed id,
        address indexed lender,
        address indexed borrower,
        uint64 maturity,
        uint256 amountDue,
        Agreement agreement
    );
    /// @notice `payer` paid `amount` to the lender; `collateralReleased` went back to the borrower.
    event Repaid(
        bytes32 indexed id, address indexed payer, uint256 amount, uint256 collateralReleased, uint256 outstanding
    );
    /// @notice The lender took the remaining collateral of a loan not repaid by maturity plus grace.
    event DefaultClaimed(bytes32 indexed id, address indexed lender, uint256 collateral);
    /// @notice The lender called the loan under risk level `riskLevel`: it is due now.
    event LoanCalled(bytes32 indexed id, uint8 riskLevel, uint64 maturity);
    /// @notice `liquidator` repaid `repaid` of a margined loan's debt to the lender and received `seized`
    /// collateral (bonus included); `outstanding` is still owed against `escrowed`. If the debt is paid
    /// off, the rest of the escrow is credited to the borrower (withdrawCredit) and `escrowed` is 0.
    event Liquidated(
        bytes32 indexed id,
        address indexed liquidator,
        uint256 repaid,
        uint256 seized,
        uint256 outstanding,
        uint256 escrowed,
        uint256 healthBefore
    );
    /// @notice `payer` added `amount` collateral to margined loan `id`, which now escrows `escrowed`.
    event ToppedUp(bytes32 indexed id, address indexed payer, uint256 amount, uint256 escrowed);
    /// @notice Margined loans are priced by `oracle` from now on.
    event MarginOracleSet(address indexed oracle);
    /// @notice `owner` cancelled its `nonce`: no unsettled agreement carrying it for them can settle.
    event NonceInvalidated(address indexed owner, uint256 nonce);
    /// @notice `party` withdrew its signature from agreement `id` before anyone settled it.
    event AgreementCancelled(bytes32 indexed id, address indexed party);

    /// @notice A payment to `owner` was refused by `token`; `amount` is credited for withdrawCredit.
    event Credited(address indexed owner, address indexed token, uint256 amount);
    /// @notice `owner` withdrew its `credit` of `token` to `to`, receiving `paid` (less if the arbiter's
    /// balance of the token fell short of what it owes).
    event CreditWithdrawn(address indexed owner, address indexed token, address to, uint256 credit, uint256 paid);

    /// @notice A party opened dispute `round` of loan `id`, posting `bond`; liveness ends at `deadline`.
    event Disputed(bytes32 indexed id, address indexed disputer, uint32 round, uint256 bond, uint64 deadline);
    /// @notice The counterparty posted the counter-bond; arbiters may rule until `deadline`.
    event CounterBonded(bytes32 indexed id, address indexed counterparty, uint32 round, uint64 deadline);
    /// @notice ERC-1497-style evidence: `evidenceHash` (e.g. of a negotiation transcript) for dispute
    /// `round` of loan `id` (the evidence group), submitted by `party`.
    event Evidence(bytes32 indexed id, uint32 indexed round, address indexed party, bytes32 evidenceHash);
    /// @notice Dispute `round` was decided (by arbiters, or by timeout): bonds and `escrowPaid` of
    /// collateral went to `winner` (None: bonds refunded, loan continues).
    event Ruled(
        bytes32 indexed id,
        uint32 indexed round,
        Party winner,
        bool closeLoan,
        bool byTimeout,
        uint256 bondsPaid,
        uint256 escrowPaid
    );

    /// @notice A quorum of agents set the system risk level to `level` until `expiresAt`.
    event AlertRaised(
        uint8 level, bytes32 evidenceHash, uint64 issuedAt, uint64 expiresAt, address[] signers
    );

    event AgentRegistered(address indexed agent, bytes32 indexed protocolId);
    event AgentDeregistered(address indexed agent);
    event ArbitersSet(address[] arbiters, uint256 threshold);
    event AlertQuorumSet(uint256 quorum);
    /// @notice Parameter set `index` is now the one new loans get.
    event DisputeParamsSet(uint256 indexed index, uint16 bondBps, uint64 liveness, uint64 arbitrationWindow);
    event TokenAllowed(address indexed token, uint256 minBond);
    event TokenDisallowed(address indexed token);
    event GovernanceTransferStarted(address indexed current, address indexed pending);
    event GovernanceTransferred(address indexed previous, address indexed current);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice The agreement's deadline has passed (an agreement settles up to and including `deadline`).
    error Expired(uint64 deadline);
    /// @notice A signature is not a valid signature of the message by `expectedSigner`.
    error InvalidSignature(address expectedSigner);
    /// @notice The caller is neither the lender nor the borrower of the agreement.
    error NotParty(address caller);
    /// @notice Lender and borrower are the same address.
    error SelfLoan();
    /// @notice The principal (or a partial repayment) is zero.
    error ZeroAmount();
    /// @notice Principal or collateral exceeds 2^128 - 1, or the amount due does, or what the arbiter
    /// would hold of a token.
    error AmountTooLarge();
    /// @notice `agent` is not in the agent registry.
    error UnregisteredAgent(address agent);
    /// @notice `token` is not on the allowlist for new loans.
    error TokenNotAllowed(address token);
    /// @notice `party`'s `nonce` was already consumed by a settled agreement, or cancelled.
    error NonceUsed(address party, uint256 nonce);
    /// @notice This agreement was already settled.
    error AlreadySettled(bytes32 id);
    /// @notice A party cancelled this agreement (cancelAgreement); it can never settle.
    error CancelledAgreement(bytes32 id);
    /// @notice The token moved a different amount than asked when pulled into escrow, or as principal
    /// (fee-on-transfer).
    error UnsupportedToken(address token);
    /// @notice No loan was settled under this id (or with exactly these terms).
    error UnknownAgreement(bytes32 id);
    /// @notice The loan is not active (already repaid, defaulted or ruled).
    error NotActive(bytes32 id, LoanStatus status);
    /// @notice Only the lender may do this.
    error NotLender(address caller);
    /// @notice The collateral can be claimed only after `claimableAfter`.
    error GracePeriodActive(uint256 claimableAfter);
    /// @notice The repayment is larger than what is still owed.
    error RepayExceedsOutstanding(uint256 amount, uint256 outstanding);
    /// @notice The agreement does not let the lender call the loan early.
    error NotCallable(bytes32 id);
    /// @notice The system risk level is below what the agreement needs for a call.
    error RiskLevelTooLow(uint8 current, uint8 required);
    /// @notice The loan is already due (maturity `maturity` has passed).
    error AlreadyDue(uint64 maturity);
    /// @notice The loan is not due until `maturity`: nothing is owed yet, so nothing can be disputed.
    error NotDue(uint64 maturity);
    /// @notice A dispute is open on this loan.
    error DisputeOpen(bytes32 id);
    /// @notice `party` already opened its one dispute on this loan.
    error AlreadyDisputed(address party);
    /// @notice No dispute is open on this loan.
    error NoOpenDispute(bytes32 id);
    /// @notice The dispute's window closed at `deadline`.
    error DisputeWindowClosed(uint64 deadline);
    /// @notice The dispute's window is still open until `deadline`.
    error DisputeWindowOpen(uint64 deadline);
    /// @notice Only the disputer's counterparty may post the counter-bond, once.
    error NotCounterparty(address caller);
    /// @notice The counter-bond is already posted.
    error AlreadyCounterBonded(bytes32 id);
    /// @notice A ruling without a winner cannot close the loan.
    error InvalidRuling();
    /// @notice `count` signatures, `required` needed.
    error InsufficientSignatures(uint256 count, uint256 required);
    /// @notice Signers must be listed in strictly ascending address order (no duplicates).
    error SignersNotSorted();
    /// @notice `signer` is the same identity as an earlier signer: the same key (an EOA and a wallet it
    /// signs for), or, for alerts, the same protocol.
    error SignerNotDistinct(address signer);
    /// @notice `signer` is not a current arbiter.
    error NotArbiter(address signer);
    /// @notice The risk alert is older than the current one, from the future, issued more than
    /// {MAX_ALERT_AGE} ago, expired or too long.
    error StaleAlert();
    /// @notice The caller has no credit in `token`.
    error NothingToWithdraw(address token);
    /// @notice Only governance may do this.
    error NotGovernance(address caller);
    /// @notice The threshold must be between 1 and the number of arbiters.
    error InvalidThreshold(uint256 threshold, uint256 arbiters);
    /// @notice The loan's agreement has no liquidation threshold: it has no margin to top up or liquidate.
    error NotMargined(bytes32 id);
    /// @notice Margined agreements need collateral and a margin oracle (setMarginOracle).
    error MarginUnavailable();
    /// @notice A zero address, zero protocol id, duplicate arbiter, token without code, or a parameter
    /// out of range.
    error InvalidParameter();

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice Governance: registers agents and tokens, sets the arbiter set and parameters.
    address public governance;
    /// @notice Number of arbiter signatures a ruling needs (k of n).
    uint32 public threshold;
    /// @notice Number of distinct registered protocols whose agents must sign a risk alert.
    uint32 public alertQuorum;
    /// @notice Index of the dispute parameter set new loans get.
    uint16 public currentDisputeParams;

    address public pendingGovernance;

    /// @dev Append-only: a loan refers to its set by index forever.
    DisputeParams[] internal _disputeParams;

    /// @notice Protocol id of each registered agent; zero = not registered.
    mapping(address agent => bytes32 protocolId) public agentProtocol;

    /// @notice Whether `arbiter` belongs to the current arbiter set.
    mapping(address arbiter => bool) public isArbiter;
    address[] internal _arbiters;

    RiskAlert internal _alert;

    /// @dev Loan by id (the EIP-712 digest of its agreement).
    mapping(bytes32 id => Loan) internal _loans;
    /// @dev Current or last dispute by loan id.
    mapping(bytes32 id => Dispute) internal _disputes;

    /// @notice Used nonces (consumed by settlement or cancelled), one bit each, 256 per word.
    mapping(address owner => mapping(uint256 wordPos => uint256 bitmap)) public nonceBitmap;

    /// @dev Allowlist and holdings by token.
    mapping(address token => Token) internal _tokens;

    /// @notice Payments the token refused to deliver, waiting for their owner's withdrawCredit.
    mapping(address owner => mapping(address token => uint256 amount)) public credits;

    /// @notice Prices margined loans (governance-set).
    MarginOracle public marginOracle;

    /// @dev Collateral in escrow of each active margined loan (unmargined loans derive it from `paid`).
    mapping(bytes32 id => uint256) internal _marginEscrow;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param governance_ Address allowed to register agents and tokens and to set parameters.
    /// @param bondBps Bond per side, in basis points of the principal ({MIN_BOND_BPS}..{MAX_BOND_BPS}).
    /// @param liveness Seconds to post a counter-bond ({MIN_WINDOW}..{MAX_WINDOW}).
    /// @param arbitrationWindow Seconds arbiters have to rule after the counter-bond (same bounds).
    /// @param alertQuorum_ Distinct registered protocols whose signatures a risk alert needs (>= 1).
    constructor(
        address governance_,
        uint16 bondBps,
        uint64 liveness,
        uint64 arbitrationWindow,
        uint32 alertQuorum_
    ) EIP712("LiquidityArbiter", "1") {
        if (governance_ == address(0)) revert InvalidParameter();
        governance = governance_;
        emit GovernanceTransferred(address(0), governance_);
        _addDisputeParams(bondBps, liveness, arbitrationWindow);
        _setAlertQuorum(alertQuorum_);
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert NotGovernance(msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Settles an agreement signed by both parties: moves `principal` from lender to borrower
    /// and escrows `collateral` from the borrower. Both must be registered agents and must have
    /// approved this contract; both tokens must be allowed. Consumes each party's non-zero nonce.
    /// @dev Only a party may settle, so a third party cannot choose the moment. Signatures may come
    /// from EOAs (65-byte r||s||v, low s) or ERC-1271 wallets (tried when ECDSA does not match).
    /// @return id The EIP-712 digest of the agreement, which identifies the loan from now on.
    function settle(Agreement calldata a, bytes calldata lenderSig, bytes calldata borrowerSig)
        external
        nonReentrant
        returns (bytes32 id)
    {
        address lender = a.lender;
        address borrower = a.borrower;
        if (block.timestamp > a.deadline) revert Expired(a.deadline);
        if (msg.sender != lender && msg.sender != borrower) revert NotParty(msg.sender);
        if (lender == borrower) revert SelfLoan();
        if (a.principal == 0) revert ZeroAmount();
        if (a.principal > type(uint128).max || a.collateral > type(uint128).max) revert AmountTooLarge();
        uint256 due = _amountDue(a.principal, a.rateBps, a.tenor);
        if (due > type(uint128).max) revert AmountTooLarge();
        if (agentProtocol[lender] == 0) revert UnregisteredAgent(lender);
        if (agentProtocol[borrower] == 0) revert UnregisteredAgent(borrower);
        Token storage principalToken = _tokens[a.principalToken];
        if (!principalToken.allowed) revert TokenNotAllowed(a.principalToken);
        if (a.collateral != 0 && !_tokens[a.collateralToken].allowed) revert TokenNotAllowed(a.collateralToken);
        if (a.liquidationThresholdBps != 0) _checkMarginTerms(a, due);

        id = hashAgreement(a);
        Loan storage loan = _loans[id];
        LoanStatus status = loan.status;
        if (status != LoanStatus.None) {
            if (status == LoanStatus.Cancelled) revert CancelledAgreement(id);
            revert AlreadySettled(id);
        }
        _useNonce(lender, a.nonce >> 128);
        _useNonce(borrower, uint128(a.nonce));
        if (!_isValidSignature(lender, id, lenderSig)) revert InvalidSignature(lender);
        if (!_isValidSignature(borrower, id, borrowerSig)) revert InvalidSignature(borrower);

        uint64 maturity = uint64(block.timestamp) + a.tenor;
        _loans[id] = Loan({
            status: LoanStatus.Active,
            disputed: false,
            maturity: maturity,
            paid: 0,
            paramSet: currentDisputeParams,
            bondFloor: principalToken.minBond
        });
        if (a.collateral != 0) _addHeld(a.collateralToken, a.collateral);
        if (a.liquidationThresholdBps != 0) _marginEscrow[id] = a.collateral;

        emit Settled(id, lender, borrower, maturity, due, a);

        _transferExact(IERC20(a.principalToken), lender, borrower, a.principal);
        if (a.collateral != 0) _transferExact(IERC20(a.collateralToken), borrower, address(this), a.collateral);
    }

    /// @notice Cancels the caller's `nonce` (a 128-bit half): no unsettled agreement carrying it for
    /// the caller can settle.
    /// @dev Idempotent. Settled loans are unaffected.
    function invalidateNonce(uint256 nonce) external {
        if (nonce == 0 || nonce > type(uint128).max) revert InvalidParameter();
        nonceBitmap[msg.sender][nonce >> 8] |= 1 << (nonce & 0xff);
        emit NonceInvalidated(msg.sender, nonce);
    }

    /// @notice The lender or the borrower withdraws its signature from an agreement nobody has settled:
    /// it can never settle afterwards. Works whether or not the caller has a nonce in it.
    /// @dev Idempotent for an already cancelled agreement.
    function cancelAgreement(Agreement calldata a) external {
        if (msg.sender != a.lender && msg.sender != a.borrower) revert NotParty(msg.sender);
        bytes32 id = hashAgreement(a);
        Loan storage loan = _loans[id];
        LoanStatus status = loan.status;
        if (status == LoanStatus.Cancelled) return;
        if (status != LoanStatus.None) revert AlreadySettled(id);
        loan.status = LoanStatus.Cancelled;
        emit AgreementCancelled(id, msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                               REPAYMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Repays everything still owed on an active loan: the caller pays it to the lender and
    /// the remaining collateral goes back to the borrower.
    /// @dev Anyone may repay on the borrower's behalf (a treasury, a keeper): funds always come from
    /// the caller and collateral always goes to the borrower, so nobody can spend another's approval.
    /// Repaying after maturity is allowed until the lender claims the default, and during a dispute.
    /// A repayment counts at the amount the payer sends: a fee the token takes falls on the lender,
    /// and a lender the token refuses to pay is credited instead, so neither can make a willing
    /// borrower a defaulter.
    function repay(Agreement calldata a) external nonReentrant {
        _repay(a, type(uint256).max);
    }

    /// @notice Repays `amount` (at most what is owed) and releases collateral pro rata:
    /// after repaying `paid` of `amountDue`, `collateral * paid / amountDue` (rounded down) has been
    /// returned; the last repayment returns the rest.
    function repayPartial(Agreement calldata a, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _repay(a, amount);
    }

    /// @notice After maturity plus {GRACE_PERIOD}, the lender takes the remaining collateral of an
    /// unpaid loan. Not while a dispute is open.
    function claimDefault(Agreement calldata a) external nonReentrant {
        (bytes32 id, Loan storage loan) = _activeLoan(a);
        if (msg.sender != a.lender) revert NotLender(msg.sender);
        if (loan.disputed) revert DisputeOpen(id);
        uint256 claimableAfter = uint256(loan.maturity) + GRACE_PERIOD;
        if (block.timestamp <= claimableAfter) revert GracePeriodActive(claimableAfter);
        uint256 remaining = _escrowOf(a, id, loan.paid);
        loan.status = LoanStatus.Defaulted;
        if (a.liquidationThresholdBps != 0) _marginEscrow[id] = 0;

        emit DefaultClaimed(id, msg.sender, remaining);

        _payOut(a.collateralToken, msg.sender, remaining);
    }

    /// @notice The lender calls a loan early, if its agreement allows calls at the current system risk
    /// level: the loan is due now, and the default can be claimed after {GRACE_PERIOD}.
    function callLoan(Agreement calldata a) external nonReentrant {
        (bytes32 id, Loan storage loan) = _activeLoan(a);
        if (msg.sender != a.lender) revert NotLender(msg.sender);
        if (a.callRiskLevel == 0) revert NotCallable(id);
        (uint8 level,) = riskLevel();
        if (level < a.callRiskLevel) revert RiskLevelTooLow(level, a.callRiskLevel);
        uint64 maturity = loan.maturity;
        if (maturity <= block.timestamp) revert AlreadyDue(maturity);
        loan.maturity = uint64(block.timestamp);
        emit LoanCalled(id, level, uint64(block.timestamp));
    }

    /*//////////////////////////////////////////////////////////////
                                MARGINS
    //////////////////////////////////////////////////////////////*/

    /// @notice Anyone repays up to `repayAmount` (type(uint256).max: as much as allowed) of an unhealthy
    /// margined loan's debt to the lender and receives that value plus the loan's bonus in collateral.
    /// Health uses the {marginOracle}'s prices and the loan's threshold, tightened by
    /// `tighteningPerLevelBps` per system risk level while an alert holds. One liquidation repays at
    /// most half the debt, or all of it below health 0.95 or once the collateral no longer covers debt
    /// plus bonus (then it must take all of it: see {MarginOracle-quoteLiquidation}). If the debt is
    /// paid off the loan is `Liquidated` and the rest of the escrow is credited to the borrower.
    /// @dev A stale or out-of-band price reverts (the oracle's errors), so a broken feed stops
    /// liquidations. Payment to the lender and collateral out are credited if the token refuses them.
    function liquidate(Agreement calldata a, uint256 repayAmount)
        external
        nonReentrant
        returns (uint256 repaid, uint256 seized)
    {
        (bytes32 id, Loan storage loan) = _activeLoan(a);
        if (a.liquidationThresholdBps == 0) revert NotMargined(id);
        if (repayAmount == 0) revert ZeroAmount();
        uint256 due = _amountDue(a.principal, a.rateBps, a.tenor);
        uint256 paid = loan.paid;
        uint256 escrow = _marginEscrow[id];
        MarginOracle.LiquidationQuote memory q = marginOracle.quoteLiquidation(
            a.principalToken,
            due - paid,
            a.collateralToken,
            escrow,
            liquidationThreshold(a),
            a.liquidationBonusBps,
            repayAmount
        );
        (repaid, seized) = (q.repaid, q.seized);
        uint256 paidAfter = paid + repaid;
        uint256 rest = escrow - seized;
        loan.paid = uint128(paidAfter);
        if (paidAfter == due) {
            loan.status = LoanStatus.Liquidated;
            _marginEscrow[id] = 0;
        } else {
            _marginEscrow[id] = rest;
        }

        emit Liquidated(id, msg.sender, repaid, seized, due - paidAfter, paidAfter == due ? 0 : rest, q.healthBefore);

        _payFrom(a.principalToken, msg.sender, a.lender, repaid);
        _payOut(a.collateralToken, msg.sender, seized);
        if (paidAfter == due && rest != 0) {
            // Pull payment: the borrower withdraws it (withdrawCredit); still held, so `held` keeps it.
            credits[a.borrower][a.collateralToken] += rest;
            emit Credited(a.borrower, a.collateralToken, rest);
        }
    }

    /// @notice Adds `amount` of collateral (from the caller) to a margined loan's escrow, raising its
    /// health. Anyone may top up for the borrower; the collateral is the borrower's like the rest.
    function topUp(Agreement calldata a, uint256 amount) external nonReentrant {
        (bytes32 id,) = _activeLoan(a);
        if (a.liquidationThresholdBps == 0) revert NotMargined(id);
        if (amount == 0) revert ZeroAmount();
        uint256 escrow = _marginEscrow[id] + amount;
        _addHeld(a.collateralToken, amount);
        _marginEscrow[id] = escrow;

        emit ToppedUp(id, msg.sender, amount, escrow);

        _transferExact(IERC20(a.collateralToken), msg.sender, address(this), amount);
    }

    /// @notice The liquidation threshold of `a` now: its own, less `tighteningPerLevelBps` per current
    /// system risk level (never below 0).
    function liquidationThreshold(Agreement calldata a) public view returns (uint256) {
        uint256 t = a.liquidationThresholdBps;
        if (a.tighteningPerLevelBps == 0) return t;
        (uint8 level,) = riskLevel();
        uint256 cut = uint256(level) * a.tighteningPerLevelBps;
        return cut >= t ? 0 : t - cut;
    }

    /// @notice Withdraws the caller's credit in `token` (payments the token refused to deliver) to
    /// `to`, which may be any address (e.g. when the caller itself is blocklisted by the token).
    /// @return paid What was sent: the credit, or its pro-rata share if the arbiter's balance of the
    /// token fell short of what it owes.
    function withdrawCredit(address token, address to) external nonReentrant returns (uint256 paid) {
        uint256 credit = credits[msg.sender][token];
        if (credit == 0) revert NothingToWithdraw(token);
        if (to == address(0)) revert InvalidParameter();
        delete credits[msg.sender][token];
        Token storage t = _tokens[token];
        uint256 held = t.held;
        paid = _share(token, credit, held);
        t.held = uint128(held - credit);

        emit CreditWithdrawn(msg.sender, token, to, credit, paid);

        if (paid != 0) IERC20(token).safeTransfer(to, paid);
    }

    /*//////////////////////////////////////////////////////////////
                                DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @notice A party disputes a loan that is due (its maturity, or the lender's call, has passed),
    /// posting the loan's bond in the principal token. Before that nothing is owed, so nothing can be
    /// claimed. Blocks default claims while open; repayment stays possible. Each party may dispute a
    /// loan once. If arbiters do not rule by the deadline, the lender's position stands (see resolve).
    /// @dev A lender's dispute is a claim on the escrow of an unpaid loan; its deadline is never
    /// before maturity + {GRACE_PERIOD}, so it cannot shorten the borrower's grace.
    /// @param evidenceHash Hash of the evidence (e.g. the signed negotiation transcript), emitted.
    function dispute(Agreement calldata a, bytes32 evidenceHash) external nonReentrant {
        (bytes32 id, Loan storage loan) = _activeLoan(a);
        if (loan.disputed) revert DisputeOpen(id);
        Party side = _partyOf(a, msg.sender);
        if (side == Party.None) revert NotParty(msg.sender);
        uint64 maturity = loan.maturity;
        if (block.timestamp <= maturity) revert NotDue(maturity);

        Dispute memory last = _disputes[id];
        if (side == Party.Lender ? last.lenderDisputed : last.borrowerDisputed) revert AlreadyDisputed(msg.sender);
        DisputeParams memory p = _disputeParams[loan.paramSet];
        uint256 bond = _bond(a.principal, p.bondBps, loan.bondFloor);
        uint256 deadline = block.timestamp + p.liveness;
        if (side == Party.Lender && deadline < maturity + GRACE_PERIOD) deadline = maturity + GRACE_PERIOD;
        uint32 round = last.round + 1;
        loan.disputed = true;
        _disputes[id] = Dispute({
            disputer: side,
            counterBonded: false,
            round: round,
            deadline: uint64(deadline),
            bond: uint128(bond),
            lenderDisputed: last.lenderDisputed || side == Party.Lender,
            borrowerDisputed: last.borrowerDisputed || side == Party.Borrower
        });
        _addHeld(a.principalToken, bond);

        emit Disputed(id, msg.sender, round, bond, uint64(deadline));
        emit Evidence(id, round, msg.sender, evidenceHash);

        _transferExact(IERC20(a.principalToken), msg.sender, address(this), bond);
    }

    /// @notice The disputer's counterparty contests the dispute by posting the same bond before the
    /// liveness ends; arbiters then have the loan's arbitration window to rule.
    function counterDispute(Agreement calldata a, bytes32 evidenceHash) external nonReentrant {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        Party side = _partyOf(a, msg.sender);
        if (side == Party.None || side == d.disputer) revert NotCounterparty(msg.sender);
        if (d.counterBonded) revert AlreadyCounterBonded(id);
        uint64 deadline = d.deadline;
        if (block.timestamp > deadline) revert DisputeWindowClosed(deadline);

        uint256 windowEnd = block.timestamp + _disputeParams[_loans[id].paramSet].arbitrationWindow;
        // Never earlier than the liveness end (a lender's claim keeps the borrower's grace).
        if (windowEnd > deadline) deadline = uint64(windowEnd);
        uint32 round = d.round;
        uint128 bond = d.bond;
        d.counterBonded = true;
        d.deadline = deadline;
        _addHeld(a.principalToken, bond);

        emit CounterBonded(id, msg.sender, round, deadline);
        emit Evidence(id, round, msg.sender, evidenceHash);

        _transferExact(IERC20(a.principalToken), msg.sender, address(this), bond);
    }

    /// @notice A party adds evidence to the open dispute of its loan (emitted only).
    function submitEvidence(Agreement calldata a, bytes32 evidenceHash) external {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        if (_partyOf(a, msg.sender) == Party.None) revert NotParty(msg.sender);
        emit Evidence(id, d.round, msg.sender, evidenceHash);
    }

    /// @notice Decides the open dispute with signatures of at least {threshold} distinct arbiters (by
    /// address and by signing key) over the EIP-712 {Ruling}, before the dispute's deadline. Anyone
    /// may submit.
    /// @param winner Gets the bonds posted (or its own back) and, if `closeLoan`, the remaining
    /// collateral; `None` dismisses the dispute (bonds refunded, loan continues).
    /// @param closeLoan Whether the loan ends here, with its escrow going to `winner`.
    /// @param signatures Arbiter signatures, signers in strictly ascending address order.
    function rule(Agreement calldata a, Party winner, bool closeLoan, SignerSignature[] calldata signatures)
        external
        nonReentrant
    {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        if (block.timestamp > d.deadline) revert DisputeWindowClosed(d.deadline);
        if (winner == Party.None && closeLoan) revert InvalidRuling();
        bytes32 digest =
            hashRuling(Ruling({loanId: id, round: d.round, winner: winner, closeLoan: closeLoan}));
        uint256 k = threshold;
        if (signatures.length < k || k == 0) revert InsufficientSignatures(signatures.length, k);
        address[] memory keys = new address[](signatures.length);
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (signer <= previous) revert SignersNotSorted();
            if (!isArbiter[signer]) revert NotArbiter(signer);
            (bool valid, address key) = _checkSignature(signer, digest, signatures[i].signature);
            if (!valid) revert InvalidSignature(signer);
            for (uint256 j; j < i; ++j) {
                if (keys[j] == key) revert SignerNotDistinct(signer);
            }
            keys[i] = key;
            previous = signer;
        }
        _applyRuling(a, id, d, winner, closeLoan, false);
    }

    /// @notice After the dispute's deadline, with no ruling, anyone applies the default ruling: the
    /// lender's position stands, since the chain shows the loan is due and unpaid and whoever contests
    /// that must prove it. The lender gets the bonds posted (so a borrower who disputed to stall a
    /// default claim pays for it); a lender's own dispute also closes the loan with the remaining
    /// escrow to the lender; after a borrower's dispute the loan stays open (repay or claimDefault).
    function resolve(Agreement calldata a) external nonReentrant {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        if (block.timestamp <= d.deadline) revert DisputeWindowOpen(d.deadline);
        _applyRuling(a, id, d, Party.Lender, d.disputer == Party.Lender, true);
    }

    /*//////////////////////////////////////////////////////////////
                              RISK ALERTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the system risk level to `alert.level` until `alert.expiresAt`, on the signatures
    /// of registered agents of at least {alertQuorum} distinct protocols (distinct signing keys too)
    /// over the EIP-712 {RiskAlert}. Anyone may submit. An alert must be newer (`issuedAt`) than the
    /// current one, not from the future, issued at most {MAX_ALERT_AGE} ago, not expired, and last at
    /// most {MAX_ALERT_DURATION}; level 0 is an all-clear.
    /// @param signatures Agent signatures, signers in strictly ascending address order.
    function raiseAlert(RiskAlert calldata alert, SignerSignature[] calldata signatures) external {
        uint64 issuedAt = alert.issuedAt;
        if (
            issuedAt <= _alert.issuedAt || issuedAt > block.timestamp || block.timestamp - issuedAt > MAX_ALERT_AGE
                || alert.expiresAt <= block.timestamp || alert.expiresAt - issuedAt > MAX_ALERT_DURATION
        ) revert StaleAlert();
        uint256 quorum = alertQuorum;
        if (signatures.length < quorum) revert InsufficientSignatures(signatures.length, quorum);
        bytes32 digest = hashRiskAlert(alert);
        address[] memory signers = new address[](signatures.length);
        address[] memory keys = new address[](signatures.length);
        bytes32[] memory protocols = new bytes32[](signatures.length);
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (signer <= previous) revert SignersNotSorted();
            bytes32 protocol = agentProtocol[signer];
            if (protocol == 0) revert UnregisteredAgent(signer);
            (bool valid, address key) = _checkSignature(signer, digest, signatures[i].signature);
            if (!valid) revert InvalidSignature(signer);
            for (uint256 j; j < i; ++j) {
                if (keys[j] == key || protocols[j] == protocol) revert SignerNotDistinct(signer);
            }
            (keys[i], protocols[i]) = (key, protocol);
            signers[i] = previous = signer;
        }
        _alert = alert;
        emit AlertRaised(alert.level, alert.evidenceHash, issuedAt, alert.expiresAt, signers);
    }

    /// @notice The system risk level in force (0 when the last alert expired) and its expiry.
    function riskLevel() public view returns (uint8 level, uint64 expiresAt) {
        expiresAt = _alert.expiresAt;
        level = block.timestamp < expiresAt ? _alert.level : 0;
    }

    /// @notice The last accepted risk alert, expired or not.
    function currentAlert() external view returns (RiskAlert memory) {
        return _alert;
    }

    /*//////////////////////////////////////////////////////////////
                               GOVERNANCE
    //////////////////////////////////////////////////////////////*/

    /// @notice Adds `agent` (or changes its protocol id) in the registry. Register one agent address per
    /// protocol: alerts count protocols, not addresses.
    function registerAgent(address agent, bytes32 protocolId) external onlyGovernance {
        if (agent == address(0) || protocolId == 0) revert InvalidParameter();
        agentProtocol[agent] = protocolId;
        emit AgentRegistered(agent, protocolId);
    }

    /// @notice Removes `agent`: it can no longer settle new loans or sign alerts; its loans run on.
    function deregisterAgent(address agent) external onlyGovernance {
        delete agentProtocol[agent];
        emit AgentDeregistered(agent);
    }

    /// @notice Replaces the arbiter set; rulings then need `threshold_` of these signatures.
    function setArbiters(address[] calldata arbiters_, uint256 threshold_) external onlyGovernance {
        if (threshold_ == 0 || threshold_ > arbiters_.length) revert InvalidThreshold(threshold_, arbiters_.length);
        for (uint256 i; i < _arbiters.length; ++i) {
            isArbiter[_arbiters[i]] = false;
        }
        for (uint256 i; i < arbiters_.length; ++i) {
            address arbiter = arbiters_[i];
            if (arbiter == address(0) || isArbiter[arbiter]) revert InvalidParameter();
            isArbiter[arbiter] = true;
        }
        _arbiters = arbiters_;
        threshold = uint32(threshold_);
        emit ArbitersSet(arbiters_, threshold_);
    }

    /// @notice Sets how many distinct protocols' agents must sign a risk alert (at least 1).
    function setAlertQuorum(uint32 quorum) external onlyGovernance {
        _setAlertQuorum(quorum);
    }

    /// @notice Appends a dispute parameter set and makes it the one loans settled from now on get.
    /// Loans already settled keep theirs.
    function setDisputeParams(uint16 bondBps, uint64 liveness, uint64 arbitrationWindow) external onlyGovernance {
        _addDisputeParams(bondBps, liveness, arbitrationWindow);
    }

    /// @notice Allows `token` in new loans, with `minBond` (base units, > 0) as the smallest dispute
    /// bond of loans in it. The floor must be `m * 10^e` with m < 2^24 (at most 7 significant digits);
    /// a loan keeps the floor in force when it settled.
    function allowToken(address token, uint256 minBond) external onlyGovernance {
        if (token.code.length == 0) revert InvalidParameter();
        Token storage t = _tokens[token];
        t.minBond = _packAmount(minBond);
        t.allowed = true;
        emit TokenAllowed(token, minBond);
    }

    /// @notice Refuses `token` in new loans; loans already settled in it run on.
    function disallowToken(address token) external onlyGovernance {
        _tokens[token].allowed = false;
        emit TokenDisallowed(token);
    }

    /// @notice Margined loans are priced by `oracle` from now on (existing ones too).
    function setMarginOracle(MarginOracle oracle) external onlyGovernance {
        if (address(oracle).code.length == 0) revert InvalidParameter();
        marginOracle = oracle;
        emit MarginOracleSet(address(oracle));
    }

    /// @notice Starts handing governance to `next`, who must accept.
    function transferGovernance(address next) external onlyGovernance {
        pendingGovernance = next;
        emit GovernanceTransferStarted(msg.sender, next);
    }

    /// @notice The pending governance takes over.
    function acceptGovernance() external {
        if (msg.sender != pendingGovernance) revert NotGovernance(msg.sender);
        emit GovernanceTransferred(governance, msg.sender);
        governance = msg.sender;
        delete pendingGovernance;
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The loan settled under `id`; `status` is `None` if there is none.
    function getLoan(bytes32 id) external view returns (LoanView memory) {
        Loan memory loan = _loans[id];
        return LoanView({
            status: loan.status,
            disputed: loan.disputed,
            maturity: loan.maturity,
            paid: loan.paid,
            paramSet: loan.paramSet,
            bondFloor: _unpackAmount(loan.bondFloor)
        });
    }

    /// @notice The current or last dispute of loan `id` (round 0: never disputed).
    function getDispute(bytes32 id) external view returns (Dispute memory) {
        return _disputes[id];
    }

    /// @notice The dispute terms the loan of `a` got at settlement: the bond each side posts (in the
    /// principal token) and its windows.
    function disputeTerms(Agreement calldata a)
        external
        view
        returns (uint256 bond, uint64 liveness, uint64 arbitrationWindow)
    {
        bytes32 id = hashAgreement(a);
        Loan memory loan = _loans[id];
        if (loan.status == LoanStatus.None || loan.status == LoanStatus.Cancelled) revert UnknownAgreement(id);
        DisputeParams memory p = _disputeParams[loan.paramSet];
        return (_bond(a.principal, p.bondBps, loan.bondFloor), p.liveness, p.arbitrationWindow);
    }

    /// @notice Dispute parameter set `index` (0 is the constructor's).
    function disputeParams(uint256 index) external view returns (DisputeParams memory) {
        return _disputeParams[index];
    }

    /// @notice How many dispute parameter sets exist.
    function disputeParamsCount() external view returns (uint256) {
        return _disputeParams.length;
    }

    /// @notice `token`'s allowlist entry: whether new loans may use it, its minimum bond, and what the
    /// arbiter owes in it (escrow, bonds and credits).
    function tokenConfig(address token) external view returns (bool allowed, uint256 minBond, uint256 held) {
        Token memory t = _tokens[token];
        return (t.allowed, _unpackAmount(t.minBond), t.held);
    }

    /// @notice The current arbiter set.
    function arbiters() external view returns (address[] memory) {
        return _arbiters;
    }

    /// @notice What repaying `a` costs in total: principal plus simple interest, rounded up
    /// (core/agreement.ts amountDue).
    function amountDue(Agreement calldata a) external pure returns (uint256) {
        if (a.principal > type(uint128).max) revert AmountTooLarge();
        return _amountDue(a.principal, a.rateBps, a.tenor);
    }

    /// @notice What is still owed on the loan of `a` and how much collateral it still has in escrow.
    function outstanding(Agreement calldata a) external view returns (uint256 owed, uint256 escrowed) {
        bytes32 id = hashAgreement(a);
        Loan storage loan = _loans[id];
        if (loan.status == LoanStatus.None || loan.status == LoanStatus.Cancelled) revert UnknownAgreement(id);
        if (loan.status != LoanStatus.Active) return (0, 0);
        owed = _amountDue(a.principal, a.rateBps, a.tenor) - loan.paid;
        escrowed = _escrowOf(a, id, loan.paid);
    }

    /// @notice Whether `owner`'s `nonce` (a 128-bit half) is used: consumed by a settlement or cancelled.
    function isNonceUsed(address owner, uint256 nonce) public view returns (bool) {
        return nonceBitmap[owner][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @notice The EIP-712 digest of `a` under this contract's domain; also the loan id.
    function hashAgreement(Agreement calldata a) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(AGREEMENT_TYPEHASH, a)));
    }

    /// @notice The EIP-712 digest arbiters sign for `r`.
    function hashRuling(Ruling memory r) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RULING_TYPEHASH, r.loanId, r.round, r.winner, r.closeLoan)));
    }

    /// @notice The EIP-712 digest agents sign for `alert`.
    function hashRiskAlert(RiskAlert calldata alert) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RISK_ALERT_TYPEHASH, alert)));
    }

    /// @notice The EIP-712 domain separator (name "LiquidityArbiter", version "1", chain id, this).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _repay(Agreement calldata a, uint256 amount) internal {
        (bytes32 id, Loan storage loan) = _activeLoan(a);
        uint256 due = _amountDue(a.principal, a.rateBps, a.tenor);
        uint256 paid = loan.paid;
        uint256 owed = due - paid;
        if (amount == type(uint256).max) amount = owed;
        else if (amount > owed) revert RepayExceedsOutstanding(amount, owed);
        uint256 paidAfter = paid + amount;
        uint256 release;
        if (a.liquidationThresholdBps == 0) {
            release = _released(a.collateral, paidAfter, due) - _released(a.collateral, paid, due);
        } else if (paidAfter == due) {
            // A margined loan keeps its whole escrow until the debt is gone (repaying restores health).
            release = _marginEscrow[id];
            _marginEscrow[id] = 0;
        }
        if (paidAfter == due) loan.status = LoanStatus.Repaid;
        loan.paid = uint128(paidAfter);

        emit Repaid(id, msg.sender, amount, release, due - paidAfter);

        _payFrom(a.principalToken, msg.sender, a.lender, amount);
        if (release != 0) _payOut(a.collateralToken, a.borrower, release);
    }

    /// @dev A margined agreement's terms: threshold <= 100 %, threshold * (1 + bonus) <= 100 %, and a
    /// loan-to-value at opening (debt due against collateral) below the threshold in force now.
    function _checkMarginTerms(Agreement calldata a, uint256 due) internal view {
        MarginOracle oracle = marginOracle;
        if (a.collateral == 0 || address(oracle) == address(0)) revert MarginUnavailable();
        oracle.checkOpening(
            a.principalToken,
            due,
            a.collateralToken,
            a.collateral,
            a.liquidationThresholdBps,
            a.liquidationBonusBps,
            liquidationThreshold(a)
        );
    }

    /// @dev Collateral of `a` (loan `id`, `paid` repaid) still in escrow.
    function _escrowOf(Agreement calldata a, bytes32 id, uint256 paid) internal view returns (uint256) {
        return a.liquidationThresholdBps == 0 ? _escrowed(a, paid) : _marginEscrow[id];
    }

    /// @dev Moves bonds and (if the loan closes) the remaining escrow as the ruling says.
    function _applyRuling(
        Agreement calldata a,
        bytes32 id,
        Dispute storage d,
        Party winner,
        bool closeLoan,
        bool byTimeout
    ) internal {
        Loan storage loan = _loans[id];
        loan.disputed = false;
        uint256 escrowPaid;
        if (closeLoan && loan.status == LoanStatus.Active) {
            escrowPaid = _escrowOf(a, id, loan.paid);
            loan.status = LoanStatus.Ruled;
            if (a.liquidationThresholdBps != 0) _marginEscrow[id] = 0;
        }
        uint256 bond = d.bond;
        bool counterBonded = d.counterBonded;
        Party disputer = d.disputer;
        uint256 bondsPaid = counterBonded ? 2 * bond : bond;
        // Keep the round (the slot stays non-zero and the next dispute's ruling differs).
        d.bond = 0;
        d.deadline = 0;
        d.counterBonded = false;

        emit Ruled(id, d.round, winner, closeLoan, byTimeout, bondsPaid, escrowPaid);

        if (winner == Party.None) {
            // Dismissed: everyone gets their own bond back.
            _payOut(a.principalToken, _addressOf(a, disputer), bond);
            if (counterBonded) _payOut(a.principalToken, _addressOf(a, _other(disputer)), bond);
        } else {
            address to = _addressOf(a, winner);
            _payOut(a.principalToken, to, bondsPaid);
            _payOut(a.collateralToken, to, escrowPaid);
        }
    }

    /// @dev The loan of `a`, which must exist and be active.
    function _activeLoan(Agreement calldata a) internal view returns (bytes32 id, Loan storage loan) {
        id = hashAgreement(a);
        loan = _loans[id];
        LoanStatus status = loan.status;
        if (status != LoanStatus.Active) {
            if (status == LoanStatus.None || status == LoanStatus.Cancelled) revert UnknownAgreement(id);
            revert NotActive(id, status);
        }
    }

    /// @dev The open dispute of the loan of `a`.
    function _openDispute(Agreement calldata a) internal view returns (bytes32 id, Dispute storage d) {
        id = hashAgreement(a);
        Loan storage loan = _loans[id];
        LoanStatus status = loan.status;
        if (status == LoanStatus.None || status == LoanStatus.Cancelled) revert UnknownAgreement(id);
        if (!loan.disputed) revert NoOpenDispute(id);
        d = _disputes[id];
    }

    function _partyOf(Agreement calldata a, address who) internal pure returns (Party) {
        if (who == a.lender) return Party.Lender;
        if (who == a.borrower) return Party.Borrower;
        return Party.None;
    }

    function _addressOf(Agreement calldata a, Party p) internal pure returns (address) {
        return p == Party.Lender ? a.lender : a.borrower;
    }

    function _other(Party p) internal pure returns (Party) {
        return p == Party.Lender ? Party.Borrower : Party.Lender;
    }

    /// @dev Marks `owner`'s `nonce` used; zero means the party uses no nonce in this agreement.
    function _useNonce(address owner, uint256 nonce) internal {
        if (nonce == 0) return;
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage bitmap = nonceBitmap[owner];
        uint256 word = bitmap[nonce >> 8];
        if (word & bit != 0) revert NonceUsed(owner, nonce);
        bitmap[nonce >> 8] = word | bit;
    }

    /// @dev Principal plus ceil(principal * rateBps * tenor / (BPS * YEAR)), as core/agreement.ts.
    /// Callers ensure principal < 2^128; with rate, tenor < 2^32 nothing can overflow.
    function _amountDue(uint256 principal, uint256 rateBps, uint256 tenor) internal pure returns (uint256) {
        unchecked {
            uint256 denom = _BPS * _YEAR;
            return principal + (principal * rateBps * tenor + denom - 1) / denom;
        }
    }

    /// @dev max(ceil(principal * bondBps / BPS), floor): < 2^128 since principal is and bondBps <= BPS.
    function _bond(uint256 principal, uint256 bondBps, uint32 packedFloor) internal pure returns (uint256 bond) {
        bond = (principal * bondBps + _BPS - 1) / _BPS;
        uint256 floor = _unpackAmount(packedFloor);
        if (bond < floor) bond = floor;
    }

    /// @dev Collateral returned to the borrower once `paid` of `due` is repaid (all of it at `due`).
    /// collateral, paid <= due < 2^128, so the product fits.
    function _released(uint256 collateral, uint256 paid, uint256 due) internal pure returns (uint256) {
        return paid == due ? collateral : collateral * paid / due;
    }

    /// @dev Collateral of `a` still in escrow after `paid` was repaid.
    function _escrowed(Agreement calldata a, uint256 paid) internal pure returns (uint256) {
        uint256 due = _amountDue(a.principal, a.rateBps, a.tenor);
        return a.collateral - _released(a.collateral, paid, due);
    }

    /// @dev An amount as m * 10^e (m < 2^24) in 32 bits: m << 8 | e. Refuses zero and amounts that
    /// would need more than 7 significant digits.
    function _packAmount(uint256 amount) internal pure returns (uint32) {
        if (amount == 0 || amount > type(uint128).max) revert InvalidParameter();
        uint256 e;
        while (amount >= 1 << 24) {
            if (amount % 10 != 0) revert InvalidParameter();
            amount /= 10;
            ++e;
        }
        return uint32(amount << 8 | e);
    }

    function _unpackAmount(uint32 packed) internal pure returns (uint256) {
        return uint256(packed >> 8) * 10 ** (packed & 0xff);
    }

    /// @dev ECDSA first (cheap, no EXTCODESIZE of the signer); ERC-1271 only if that fails and the
    /// signer has code. Rejects high-s and non-65-byte ECDSA signatures (malleability).
    function _isValidSignature(address signer, bytes32 digest, bytes calldata sig) internal view returns (bool valid) {
        (valid,) = _checkSignature(signer, digest, sig);
    }

    /// @dev Whether `sig` is `signer`'s signature of `digest`, and the identity that made it: the key
    /// an ECDSA signature recovers to (an EOA's own address, or the key behind a wallet that accepts
    /// plain ECDSA signatures), else the wallet itself. Two signatures with the same identity are one
    /// signer, however many addresses they come through.
    function _checkSignature(address signer, bytes32 digest, bytes calldata sig)
        internal
        view
        returns (bool valid, address key)
    {
        if (sig.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            assembly ("memory-safe") {
                r := calldataload(sig.offset)
                s := calldataload(add(sig.offset, 0x20))
                v := byte(0, calldataload(add(sig.offset, 0x40)))
            }
            if (uint256(s) <= _HALF_N) {
                key = ecrecover(digest, v, r, s);
                if (key == signer && key != address(0)) return (true, key);
            }
        }
        if (signer.code.length == 0) return (false, address(0));
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, sig)) return (false, address(0));
        return (true, key == address(0) ? signer : key);
    }

    /// @dev Transfers `amount` from `from` to `to` and checks `to` received exactly that (a transfer to
    /// oneself changes no balance, so it is not checked). For money entering escrow and principal.
    function _transferExact(IERC20 token, address from, address to, uint256 amount) internal {
        if (from == to) return token.safeTransferFrom(from, to, amount);
        uint256 before = token.balanceOf(to);
        token.safeTransferFrom(from, to, amount);
        if (token.balanceOf(to) != before + amount) revert UnsupportedToken(address(token));
    }

    /// @dev A payer pays `to` (the lender): directly if the token lets it; otherwise into the arbiter,
    /// credited to `to` at what arrived. Reverts only if the payer cannot pay at all.
    function _payFrom(address token, address from, address to, uint256 amount) internal {
        if (_tryTransferFrom(token, from, to, amount)) return;
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        _addHeld(token, received);
        credits[to][token] += received;
        emit Credited(to, token, received);
    }

    /// @dev Pays `nominal` of what the arbiter owes in `token` to `to`: its pro-rata share of the
    /// balance if there is a shortfall, sent directly, or credited if the token refuses.
    function _payOut(address token, address to, uint256 nominal) internal {
        if (nominal == 0) return;
        Token storage t = _tokens[token];
        uint256 held = t.held;
        uint256 amount = _share(token, nominal, held);
        if (amount != 0 && !_tryTransfer(token, to, amount)) {
            // Still owed (now as a credit), so `held` keeps it.
            credits[to][token] += nominal;
            emit Credited(to, token, nominal);
            return;
        }
        t.held = uint128(held - nominal);
    }

    /// @dev `nominal` of `held` owed in `token`, cut pro rata if the balance fell below `held`. A token
    /// whose balanceOf fails is taken at face value (the transfer decides).
    function _share(address token, uint256 nominal, uint256 held) internal view returns (uint256) {
        (bool ok, bytes memory ret) = token.staticcall(abi.encodeCall(IERC20.balanceOf, (address(this))));
        if (!ok || ret.length < 32) return nominal;
        uint256 balance = abi.decode(ret, (uint256));
        // balance < held <= 2^128 here, so the product fits.
        return balance >= held ? nominal : nominal * balance / held;
    }

    function _addHeld(address token, uint256 amount) internal {
        Token storage t = _tokens[token];
        uint256 held = t.held + amount;
        if (held > type(uint128).max) revert AmountTooLarge();
        t.held = uint128(held);
    }

    /// @dev token.transfer(to, amount) with at most {PUSH_GAS}; true if it succeeded (returning true
    /// or nothing, from a contract). Reads at most 32 bytes of return data.
    function _tryTransfer(address token, address to, uint256 amount) private returns (bool ok) {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, 0xa9059cbb00000000000000000000000000000000000000000000000000000000)
            mstore(0x04, and(to, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x24, amount)
            ok := call(PUSH_GAS, token, 0, 0x00, 0x44, 0x00, 0x20)
            if iszero(and(ok, eq(mload(0x00), 1))) {
                ok := and(ok, and(iszero(returndatasize()), gt(extcodesize(token), 0)))
            }
            mstore(0x40, fmp)
        }
    }

    /// @dev token.transferFrom(from, to, amount) with at most {PUSH_GAS}, as _tryTransfer.
    function _tryTransferFrom(address token, address from, address to, uint256 amount) private returns (bool ok) {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, 0x23b872dd00000000000000000000000000000000000000000000000000000000)
            mstore(0x04, and(from, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x24, and(to, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x44, amount)
            ok := call(PUSH_GAS, token, 0, 0x00, 0x64, 0x00, 0x20)
            if iszero(and(ok, eq(mload(0x00), 1))) {
                ok := and(ok, and(iszero(returndatasize()), gt(extcodesize(token), 0)))
            }
            mstore(0x40, fmp)
            mstore(0x60, 0)
        }
    }

    function _addDisputeParams(uint16 bondBps, uint64 liveness, uint64 arbitrationWindow) internal {
        if (
            bondBps < MIN_BOND_BPS || bondBps > MAX_BOND_BPS || liveness < MIN_WINDOW || liveness > MAX_WINDOW
                || arbitrationWindow < MIN_WINDOW || arbitrationWindow > MAX_WINDOW
                || _disputeParams.length > type(uint16).max
        ) revert InvalidParameter();
        uint256 index = _disputeParams.length;
        _disputeParams.push(DisputeParams(bondBps, liveness, arbitrationWindow));
        currentDisputeParams = uint16(index);
        emit DisputeParamsSet(index, bondBps, liveness, arbitrationWindow);
    }

    function _setAlertQuorum(uint32 quorum) internal {
        if (quorum == 0) revert InvalidParameter();
        alertQuorum = quorum;
        emit AlertQuorumSet(quorum);
    }
}
