// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title SimpleLendingPool
/// @notice A deliberately small lending market: depositors supply one asset, borrowers post one
///         collateral token and borrow the asset up to an owner-set loan-to-value at owner-set
///         prices. No interest accrues: it exists so an off-chain adapter has real chain state to
///         read and real de-risking switches (pause borrowing, lower LTV) to act on.
/// @dev Books are kept in storage, not read from balances, so a token sent to the pool by
///      mistake does not change what the pool reports.
contract SimpleLendingPool is Ownable {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error ZeroAmount();
    error BorrowingIsPaused();
    /// @notice The pool holds `cash` of the asset, less than `requested`.
    error InsufficientCash(uint256 requested, uint256 cash);
    /// @notice The account has `available` (deposit, collateral or debt), less than `requested`.
    error InsufficientBalance(uint256 requested, uint256 available);
    /// @notice Debt would be `debt`, above the account's limit of `limit`.
    error ExceedsBorrowLimit(uint256 debt, uint256 limit);
    error LtvTooHigh(uint16 ltvBps);
    error ZeroPrice();

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event CollateralDeposited(address indexed account, uint256 amount);
    event CollateralWithdrawn(address indexed account, uint256 amount);
    event Borrowed(address indexed account, uint256 amount);
    event Repaid(address indexed account, uint256 amount);
    event BorrowingPaused(bool paused);
    event LtvSet(uint16 ltvBps);
    event PricesSet(uint256 assetPriceUsd8, uint256 collateralPriceUsd8);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    IERC20 public immutable asset;
    IERC20 public immutable collateralToken;
    uint256 private immutable _assetUnit;
    uint256 private immutable _collateralUnit;

    /// @notice USD prices with 8 decimals (Chainlink convention), set by the owner.
    uint256 public assetPriceUsd8;
    uint256 public collateralPriceUsd8;
    /// @notice Debt allowed per unit of collateral value, bps.
    uint16 public ltvBps;
    bool public borrowingPaused;

    uint256 public totalDeposits;
    uint256 public totalBorrows;
    uint256 public totalCollateral;
    mapping(address account => uint256) public depositOf;
    mapping(address account => uint256) public collateralOf;
    mapping(address account => uint256) public debtOf;

    constructor(
        address owner_,
        IERC20 asset_,
        IERC20 collateralToken_,
        uint16 ltvBps_,
        uint256 assetPriceUsd8_,
        uint256 collateralPriceUsd8_
    ) Ownable(owner_) {
        asset = asset_;
        collateralToken = collateralToken_;
        _assetUnit = 10 ** IERC20Metadata(address(asset_)).decimals();
        _collateralUnit = 10 ** IERC20Metadata(address(collateralToken_)).decimals();
        _setLtv(ltvBps_);
        _setPrices(assetPriceUsd8_, collateralPriceUsd8_);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice Asset the pool holds and may lend or pay out: deposits not borrowed.
    function cash() public view returns (uint256) {
        return totalDeposits - totalBorrows;
    }

    /// @notice Most `account` may owe, in asset base units, at the current prices and LTV.
    function borrowLimit(address account) public view returns (uint256) {
        uint256 valueUsd8 = Math.mulDiv(collateralOf[account], collateralPriceUsd8, _collateralUnit);
        return Math.mulDiv(valueUsd8 * ltvBps, _assetUnit, 10_000 * assetPriceUsd8);
    }

    /*//////////////////////////////////////////////////////////////
                              DEPOSITORS
    //////////////////////////////////////////////////////////////*/

    function deposit(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        depositOf[msg.sender] += amount;
        totalDeposits += amount;
        asset.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    function withdraw(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = depositOf[msg.sender];
        if (amount > balance) revert InsufficientBalance(amount, balance);
        uint256 available = cash();
        if (amount > available) revert InsufficientCash(amount, available);
        depositOf[msg.sender] = balance - amount;
        totalDeposits -= amount;
        asset.safeTransfer(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                               BORROWERS
    //////////////////////////////////////////////////////////////*/

    function depositCollateral(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        collateralOf[msg.sender] += amount;
        totalCollateral += amount;
        collateralToken.safeTransferFrom(msg.sender, address(this), amount);
        emit CollateralDeposited(msg.sender, amount);
    }

    /// @dev Allowed only while the remaining collateral still covers the debt.
    function withdrawCollateral(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 balance = collateralOf[msg.sender];
        if (amount > balance) revert InsufficientBalance(amount, balance);
        collateralOf[msg.sender] = balance - amount;
        totalCollateral -= amount;
        uint256 limit = borrowLimit(msg.sender);
        if (debtOf[msg.sender] > limit) revert ExceedsBorrowLimit(debtOf[msg.sender], limit);
        collateralToken.safeTransfer(msg.sender, amount);
        emit CollateralWithdrawn(msg.sender, amount);
    }

    function borrow(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        if (borrowingPaused) revert BorrowingIsPaused();
        uint256 available = cash();
        if (amount > available) revert InsufficientCash(amount, available);
        uint256 debt = debtOf[msg.sender] + amount;
        uint256 limit = borrowLimit(msg.sender);
        if (debt > limit) revert ExceedsBorrowLimit(debt, limit);
        debtOf[msg.sender] = debt;
        totalBorrows += amount;
        asset.safeTransfer(msg.sender, amount);
        emit Borrowed(msg.sender, amount);
    }

    /// @dev Repaying stays open while borrowing is paused: de-risking must not trap debt.
    function repay(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 debt = debtOf[msg.sender];
        if (amount > debt) revert InsufficientBalance(amount, debt);
        debtOf[msg.sender] = debt - amount;
        totalBorrows -= amount;
        asset.safeTransferFrom(msg.sender, address(this), amount);
        emit Repaid(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 OWNER
    //////////////////////////////////////////////////////////////*/

    /// @notice De-risking switch: stops new borrows; deposits, withdrawals and repayments go on.
    function pauseBorrowing(bool paused) external onlyOwner {
        borrowingPaused = paused;
        emit BorrowingPaused(paused);
    }

    /// @notice Sets the loan-to-value for new borrows and collateral withdrawals.
    function setLtvBps(uint16 ltvBps_) external onlyOwner {
        _setLtv(ltvBps_);
    }

    function setPrices(uint256 assetPriceUsd8_, uint256 collateralPriceUsd8_) external onlyOwner {
        _setPrices(assetPriceUsd8_, collateralPriceUsd8_);
    }

    function _setLtv(uint16 ltvBps_) private {
        if (ltvBps_ > 10_000) revert LtvTooHigh(ltvBps_);
        ltvBps = ltvBps_;
        emit LtvSet(ltvBps_);
    }

    function _setPrices(uint256 assetPriceUsd8_, uint256 collateralPriceUsd8_) private {
        if (assetPriceUsd8_ == 0 || collateralPriceUsd8_ == 0) revert ZeroPrice();
        assetPriceUsd8 = assetPriceUsd8_;
        collateralPriceUsd8 = collateralPriceUsd8_;
        emit PricesSet(assetPriceUsd8_, collateralPriceUsd8_);
    }
}
