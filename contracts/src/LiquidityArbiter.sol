// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

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
/// maturity, amount repaid). Its terms are not stored: every later call passes the agreement again
/// and the contract re-derives the key from it, so terms that differ in any field find no loan. The
/// full 256-bit digest is the commitment, which is why no truncated hash is needed.
///
/// Nonces: an agreement settles at most once (its id slot). Nonces are per party and serve
/// cancellation: `invalidateNonce` kills every not-yet-settled agreement of the caller carrying that
/// nonce. Settling does NOT consume the nonce (that would cost two fresh storage slots for random
/// nonces); two different agreements signed with the same nonce can both settle.
///
/// Tokens: the contract holds only collateral and bonds, and refuses tokens that deliver a different
/// amount than asked (fee-on-transfer, rebasing) when it pulls them in, and when principal or
/// repayment moves between the parties. Tokens that return false or revert are refused by SafeERC20.
contract LiquidityArbiter is EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Terms both parties sign. Field order and types are part of the EIP-712 type hash.
    /// @dev `callRiskLevel`: 0 = the loan runs to maturity; L > 0 = the lender may call it early
    /// (maturity becomes now, default claimable after the grace period) while the system risk level
    /// is at least L.
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
    }

    /// @notice Lifecycle of a loan. `None` means the id was never settled.
    enum LoanStatus {
        None,
        Active,
        Repaid,
        Defaulted,
        Ruled
    }

    /// @notice A side of an agreement (dispute roles, ruling winners). `None` in a ruling dismisses
    /// the dispute: bonds go back to who posted them and the loan continues.
    enum Party {
        None,
        Lender,
        Borrower
    }

    /// @notice A settled loan: one storage slot (8 + 8 + 64 + 128 bits).
    struct Loan {
        LoanStatus status;
        /// @dev A dispute is open: no default claim until it is ruled.
        bool disputed;
        /// @dev Settlement time + tenor, or the call time if the lender called the loan.
        uint64 maturity;
        /// @dev Repaid so far; the amount due is fixed by the agreement.
        uint128 paid;
    }

    /// @notice The current (or last) dispute of a loan: one storage slot.
    struct Dispute {
        Party disputer;
        bool counterBonded;
        /// @dev 1 for the first dispute of a loan, 2 for the next; part of the signed ruling.
        uint32 round;
        /// @dev Liveness end until counter-bonded, then the end of the arbitration window.
        uint64 deadline;
        /// @dev Bond each side posts, fixed when the dispute opens.
        uint128 bond;
        /// @dev Each party may open one dispute per loan, so disputes dismissed for silence cannot
        /// block a default claim forever.
        bool lenderDisputed;
        bool borrowerDisputed;
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
        "uint8 callRiskLevel)"
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

    /// @notice Longest liveness or arbitration window governance may set.
    uint256 public constant MAX_WINDOW = 30 days;

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
    /// @notice `owner` cancelled `nonce`: no unsettled agreement of theirs carrying it can settle.
    event NonceInvalidated(address indexed owner, uint256 nonce);

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
    event DisputeParamsSet(uint256 bondAmount, uint64 liveness, uint64 arbitrationWindow);
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
    /// @notice Principal or collateral exceeds 2^128 - 1, or the amount due does.
    error AmountTooLarge();
    /// @notice `agent` is not in the agent registry.
    error UnregisteredAgent(address agent);
    /// @notice `party` cancelled `nonce`.
    error NonceCancelled(address party, uint256 nonce);
    /// @notice This agreement was already settled.
    error AlreadySettled(bytes32 id);
    /// @notice The token moved a different amount than asked (fee-on-transfer, rebasing).
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
    /// @notice `signer` is not a current arbiter.
    error NotArbiter(address signer);
    /// @notice The risk alert is older than the current one, from the future, expired or too long.
    error StaleAlert();
    /// @notice Only governance may do this.
    error NotGovernance(address caller);
    /// @notice The threshold must be between 1 and the number of arbiters.
    error InvalidThreshold(uint256 threshold, uint256 arbiters);
    /// @notice A zero address, zero protocol id, duplicate arbiter or out-of-range parameter.
    error InvalidParameter();

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice Token in which dispute bonds are posted.
    IERC20 public immutable bondToken;

    /// @notice Governance: registers agents, sets the arbiter set and parameters.
    address public governance;
    /// @notice Number of arbiter signatures a ruling needs (k of n).
    uint32 public threshold;
    /// @notice Number of registered-agent signatures a risk alert needs.
    uint32 public alertQuorum;

    /// @notice Bond each side of a dispute posts (in {bondToken}).
    uint128 public bondAmount;
    /// @notice Seconds the counterparty has to post the counter-bond.
    uint64 public liveness;
    /// @notice Seconds arbiters have to rule once both bonds are posted.
    uint64 public arbitrationWindow;

    address public pendingGovernance;

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

    /// @notice Cancelled nonces, one bit each, 256 per word.
    mapping(address owner => mapping(uint256 wordPos => uint256 bitmap)) public nonceBitmap;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param governance_ Address allowed to register agents and set arbiters and parameters.
    /// @param bondToken_ Token for dispute bonds (must move exact amounts).
    /// @param bondAmount_ Bond per side; 0 allowed (disputes then cost only gas).
    /// @param liveness_ Seconds to post a counter-bond.
    /// @param arbitrationWindow_ Seconds arbiters have to rule after the counter-bond.
    /// @param alertQuorum_ Registered-agent signatures a risk alert needs (at least 1).
    constructor(
        address governance_,
        IERC20 bondToken_,
        uint128 bondAmount_,
        uint64 liveness_,
        uint64 arbitrationWindow_,
        uint32 alertQuorum_
    ) EIP712("LiquidityArbiter", "1") {
        if (governance_ == address(0) || address(bondToken_) == address(0)) revert InvalidParameter();
        bondToken = bondToken_;
        governance = governance_;
        emit GovernanceTransferred(address(0), governance_);
        _setDisputeParams(bondAmount_, liveness_, arbitrationWindow_);
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
    /// approved this contract.
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
        if (isNonceCancelled(lender, a.nonce)) revert NonceCancelled(lender, a.nonce);
        if (isNonceCancelled(borrower, a.nonce)) revert NonceCancelled(borrower, a.nonce);

        id = hashAgreement(a);
        Loan storage loan = _loans[id];
        if (loan.status != LoanStatus.None) revert AlreadySettled(id);
        if (!_isValidSignature(lender, id, lenderSig)) revert InvalidSignature(lender);
        if (!_isValidSignature(borrower, id, borrowerSig)) revert InvalidSignature(borrower);

        uint64 maturity = uint64(block.timestamp) + a.tenor;
        loan.status = LoanStatus.Active;
        loan.maturity = maturity;

        emit Settled(id, lender, borrower, maturity, due, a);

        _transferExact(IERC20(a.principalToken), lender, borrower, a.principal);
        if (a.collateral != 0) _transferExact(IERC20(a.collateralToken), borrower, address(this), a.collateral);
    }

    /// @notice Cancels `nonce` for the caller: no unsettled agreement of theirs carrying it can settle.
    /// @dev Idempotent. Settled loans are unaffected.
    function invalidateNonce(uint256 nonce) external {
        nonceBitmap[msg.sender][nonce >> 8] |= 1 << (nonce & 0xff);
        emit NonceInvalidated(msg.sender, nonce);
    }

    /*//////////////////////////////////////////////////////////////
                               REPAYMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Repays everything still owed on an active loan: the caller pays it to the lender and
    /// the remaining collateral goes back to the borrower.
    /// @dev Anyone may repay on the borrower's behalf (a treasury, a keeper): funds always come from
    /// the caller and collateral always goes to the borrower, so nobody can spend another's approval.
    /// Repaying after maturity is allowed until the lender claims the default, and during a dispute.
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
        uint256 remaining = _escrowed(a, loan.paid);
        loan.status = LoanStatus.Defaulted;

        emit DefaultClaimed(id, msg.sender, remaining);

        if (remaining != 0) IERC20(a.collateralToken).safeTransfer(msg.sender, remaining);
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
                                DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @notice A party disputes an active loan, posting {bondAmount} of {bondToken}, and claims its
    /// escrow. If the counterparty posts no counter-bond within {liveness}, the disputer wins by
    /// default: it gets its bond back and the remaining collateral, and the loan closes. Blocks
    /// default claims while open; repayment stays possible. Each party may dispute a loan once.
    /// @param evidenceHash Hash of the evidence (e.g. the signed negotiation transcript), emitted.
    function dispute(Agreement calldata a, bytes32 evidenceHash) external nonReentrant {
        (bytes32 id, Loan storage loan) = _activeLoan(a);
        if (loan.disputed) revert DisputeOpen(id);
        Party side = _partyOf(a, msg.sender);
        if (side == Party.None) revert NotParty(msg.sender);

        Dispute memory last = _disputes[id];
        if (side == Party.Lender ? last.lenderDisputed : last.borrowerDisputed) revert AlreadyDisputed(msg.sender);
        uint32 round = last.round + 1;
        uint128 bond = bondAmount;
        uint64 deadline = uint64(block.timestamp) + liveness;
        loan.disputed = true;
        _disputes[id] = Dispute({
            disputer: side,
            counterBonded: false,
            round: round,
            deadline: deadline,
            bond: bond,
            lenderDisputed: last.lenderDisputed || side == Party.Lender,
            borrowerDisputed: last.borrowerDisputed || side == Party.Borrower
        });

        emit Disputed(id, msg.sender, round, bond, deadline);
        emit Evidence(id, round, msg.sender, evidenceHash);

        if (bond != 0) _transferExact(bondToken, msg.sender, address(this), bond);
    }

    /// @notice The disputer's counterparty contests the dispute by posting the same bond before the
    /// liveness ends; arbiters then have {arbitrationWindow} to rule. If they do not, the dispute is
    /// dismissed: both bonds are refunded and the loan continues.
    function counterDispute(Agreement calldata a, bytes32 evidenceHash) external nonReentrant {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        Party side = _partyOf(a, msg.sender);
        if (side == Party.None || side == d.disputer) revert NotCounterparty(msg.sender);
        if (d.counterBonded) revert AlreadyCounterBonded(id);
        if (block.timestamp > d.deadline) revert DisputeWindowClosed(d.deadline);

        uint64 deadline = uint64(block.timestamp) + arbitrationWindow;
        uint32 round = d.round;
        uint128 bond = d.bond;
        d.counterBonded = true;
        d.deadline = deadline;

        emit CounterBonded(id, msg.sender, round, deadline);
        emit Evidence(id, round, msg.sender, evidenceHash);

        if (bond != 0) _transferExact(bondToken, msg.sender, address(this), bond);
    }

    /// @notice A party adds evidence to the open dispute of its loan (emitted only).
    function submitEvidence(Agreement calldata a, bytes32 evidenceHash) external {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        if (_partyOf(a, msg.sender) == Party.None) revert NotParty(msg.sender);
        emit Evidence(id, d.round, msg.sender, evidenceHash);
    }

    /// @notice Decides the open dispute with at least {threshold} signatures of distinct arbiters
    /// over the EIP-712 {Ruling}, before the dispute's deadline. Anyone may submit.
    /// @param winner Gets both bonds (or its own back) and, if `closeLoan`, the remaining collateral;
    /// `None` dismisses the dispute (bonds refunded, loan continues).
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
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (signer <= previous) revert SignersNotSorted();
            if (!isArbiter[signer]) revert NotArbiter(signer);
            if (!_isValidSignature(signer, digest, signatures[i].signature)) revert InvalidSignature(signer);
            previous = signer;
        }
        _applyRuling(a, id, d, winner, closeLoan, false);
    }

    /// @notice After the dispute's deadline, anyone applies the default ruling: without counter-bond
    /// the disputer wins and the loan closes; with one (arbiters silent) the dispute is dismissed.
    function resolve(Agreement calldata a) external nonReentrant {
        (bytes32 id, Dispute storage d) = _openDispute(a);
        if (block.timestamp <= d.deadline) revert DisputeWindowOpen(d.deadline);
        if (d.counterBonded) _applyRuling(a, id, d, Party.None, false, true);
        else _applyRuling(a, id, d, d.disputer, true, true);
    }

    /*//////////////////////////////////////////////////////////////
                              RISK ALERTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the system risk level to `alert.level` until `alert.expiresAt`, on the signatures
    /// of at least {alertQuorum} distinct registered agents over the EIP-712 {RiskAlert}. Anyone may
    /// submit. An alert must be newer (`issuedAt`) than the current one, not from the future, not
    /// expired, and last at most {MAX_ALERT_DURATION}; level 0 is an all-clear.
    /// @param signatures Agent signatures, signers in strictly ascending address order.
    function raiseAlert(RiskAlert calldata alert, SignerSignature[] calldata signatures) external {
        if (
            alert.issuedAt <= _alert.issuedAt || alert.issuedAt > block.timestamp
                || alert.expiresAt <= block.timestamp || alert.expiresAt - alert.issuedAt > MAX_ALERT_DURATION
        ) revert StaleAlert();
        uint256 quorum = alertQuorum;
        if (signatures.length < quorum) revert InsufficientSignatures(signatures.length, quorum);
        bytes32 digest = hashRiskAlert(alert);
        address[] memory signers = new address[](signatures.length);
        address previous;
        for (uint256 i; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (signer <= previous) revert SignersNotSorted();
            if (agentProtocol[signer] == 0) revert UnregisteredAgent(signer);
            if (!_isValidSignature(signer, digest, signatures[i].signature)) revert InvalidSignature(signer);
            signers[i] = previous = signer;
        }
        _alert = alert;
        emit AlertRaised(alert.level, alert.evidenceHash, alert.issuedAt, alert.expiresAt, signers);
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

    /// @notice Adds `agent` (or changes its protocol id) in the registry.
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

    /// @notice Sets how many registered-agent signatures a risk alert needs (at least 1).
    function setAlertQuorum(uint32 quorum) external onlyGovernance {
        _setAlertQuorum(quorum);
    }

    /// @notice Sets bond and windows for disputes opened from now on.
    function setDisputeParams(uint128 bondAmount_, uint64 liveness_, uint64 arbitrationWindow_)
        external
        onlyGovernance
    {
        _setDisputeParams(bondAmount_, liveness_, arbitrationWindow_);
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
    function getLoan(bytes32 id) external view returns (Loan memory) {
        return _loans[id];
    }

    /// @notice The current or last dispute of loan `id` (round 0: never disputed).
    function getDispute(bytes32 id) external view returns (Dispute memory) {
        return _disputes[id];
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
        if (loan.status == LoanStatus.None) revert UnknownAgreement(id);
        if (loan.status != LoanStatus.Active) return (0, 0);
        owed = _amountDue(a.principal, a.rateBps, a.tenor) - loan.paid;
        escrowed = _escrowed(a, loan.paid);
    }

    /// @notice Whether `owner` cancelled `nonce`.
    function isNonceCancelled(address owner, uint256 nonce) public view returns (bool) {
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
        uint256 release = _released(a.collateral, paidAfter, due) - _released(a.collateral, paid, due);
        if (paidAfter == due) loan.status = LoanStatus.Repaid;
        loan.paid = uint128(paidAfter);

        emit Repaid(id, msg.sender, amount, release, due - paidAfter);

        _transferExact(IERC20(a.principalToken), msg.sender, a.lender, amount);
        if (release != 0) IERC20(a.collateralToken).safeTransfer(a.borrower, release);
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
            escrowPaid = _escrowed(a, loan.paid);
            loan.status = LoanStatus.Ruled;
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
            if (bond != 0) {
                bondToken.safeTransfer(_addressOf(a, disputer), bond);
                if (counterBonded) bondToken.safeTransfer(_addressOf(a, _other(disputer)), bond);
            }
        } else {
            address to = _addressOf(a, winner);
            if (bondsPaid != 0) bondToken.safeTransfer(to, bondsPaid);
            if (escrowPaid != 0) IERC20(a.collateralToken).safeTransfer(to, escrowPaid);
        }
    }

    /// @dev The loan of `a`, which must exist and be active.
    function _activeLoan(Agreement calldata a) internal view returns (bytes32 id, Loan storage loan) {
        id = hashAgreement(a);
        loan = _loans[id];
        LoanStatus status = loan.status;
        if (status != LoanStatus.Active) {
            if (status == LoanStatus.None) revert UnknownAgreement(id);
            revert NotActive(id, status);
        }
    }

    /// @dev The open dispute of the loan of `a`.
    function _openDispute(Agreement calldata a) internal view returns (bytes32 id, Dispute storage d) {
        id = hashAgreement(a);
        Loan storage loan = _loans[id];
        if (loan.status == LoanStatus.None) revert UnknownAgreement(id);
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

    /// @dev Principal plus ceil(principal * rateBps * tenor / (BPS * YEAR)), as core/agreement.ts.
    /// Callers ensure principal < 2^128; with rate, tenor < 2^32 nothing can overflow.
    function _amountDue(uint256 principal, uint256 rateBps, uint256 tenor) internal pure returns (uint256) {
        unchecked {
            uint256 denom = _BPS * _YEAR;
            return principal + (principal * rateBps * tenor + denom - 1) / denom;
        }
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

    /// @dev ECDSA first (cheap, no EXTCODESIZE of the signer); ERC-1271 only if that fails and the
    /// signer has code. Rejects high-s and non-65-byte ECDSA signatures (malleability).
    function _isValidSignature(address signer, bytes32 digest, bytes calldata sig) internal view returns (bool) {
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
                address recovered = ecrecover(digest, v, r, s);
                if (recovered == signer && recovered != address(0)) return true;
            }
        }
        if (signer.code.length == 0) return false;
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, sig);
    }

    /// @dev Transfers `amount` from `from` to `to` and checks `to` received exactly that (a transfer to
    /// oneself changes no balance, so it is not checked).
    function _transferExact(IERC20 token, address from, address to, uint256 amount) internal {
        if (from == to) return token.safeTransferFrom(from, to, amount);
        uint256 before = token.balanceOf(to);
        token.safeTransferFrom(from, to, amount);
        if (token.balanceOf(to) != before + amount) revert UnsupportedToken(address(token));
    }

    function _setDisputeParams(uint128 bondAmount_, uint64 liveness_, uint64 arbitrationWindow_) internal {
        if (liveness_ == 0 || liveness_ > MAX_WINDOW || arbitrationWindow_ == 0 || arbitrationWindow_ > MAX_WINDOW) {
            revert InvalidParameter();
        }
        (bondAmount, liveness, arbitrationWindow) = (bondAmount_, liveness_, arbitrationWindow_);
        emit DisputeParamsSet(bondAmount_, liveness_, arbitrationWindow_);
    }

    function _setAlertQuorum(uint32 quorum) internal {
        if (quorum == 0) revert InvalidParameter();
        alertQuorum = quorum;
        emit AlertQuorumSet(quorum);
    }
}
