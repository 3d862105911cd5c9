// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice The Chainlink price feed interface (the part we read).
interface AggregatorV3Interface {
    function decimals() external view returns (uint8);

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

/// @title MarginOracle
/// @notice Prices and margin arithmetic for LiquidityArbiter's margined loans. Governance (the owner)
/// sets one Chainlink-shaped feed per token with a staleness bound (`maxAge`) and a sanity band
/// (`minAnswer`..`maxAnswer`); an answer that is stale, zero, negative or outside its band reverts, so a
/// broken feed stops liquidations instead of triggering them. All values are in the feeds' common
/// quote (e.g. USD) with 18 decimals.
/// @dev A separate contract so the arbiter stays under the 24,576-byte code limit and so the feed
/// registry can be replaced (the arbiter's governance points it at a new oracle) without touching
/// escrow. Every function is a view: the arbiter applies the effects.
///
/// Health of a loan with `debt` owed and `collateral` in escrow, under threshold `t` (bps):
/// `health = value(collateral) * t / (BPS * value(debt))`, as a WAD; below 1 the loan is liquidatable.
/// A liquidator repays at most half the debt (the close factor), or all of it when health is below
/// {FULL_LIQUIDATION_HEALTH} or the collateral no longer covers debt plus bonus; it receives
/// `repaid`'s value plus the bonus in collateral. A liquidation that leaves debt and collateral both
/// non-zero must not lower the health (enforced, not just expected).
contract MarginOracle is Ownable2Step {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice A token's feed. One slot for the feed and its scaling, one for the sanity band.
    struct Feed {
        AggregatorV3Interface feed;
        /// @dev Oldest answer accepted, seconds since its `updatedAt`.
        uint32 maxAge;
        uint8 feedDecimals;
        uint8 tokenDecimals;
        /// @dev Sanity band of raw answers (feed decimals), inclusive.
        uint128 minAnswer;
        uint128 maxAnswer;
    }

    /// @notice What a liquidation does, as the arbiter will apply it.
    struct LiquidationQuote {
        /// @dev Debt the liquidator repays (principal-token base units).
        uint256 repaid;
        /// @dev Collateral the liquidator receives (collateral-token base units), bonus included.
        uint256 seized;
        /// @dev Health before (WAD).
        uint256 healthBefore;
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    uint256 public constant WAD = 1e18;
    uint256 private constant _BPS = 10_000;
    /// @notice Share of the debt one liquidation may repay while the loan is only mildly unhealthy.
    uint256 public constant CLOSE_FACTOR_BPS = 5_000;
    /// @notice Below this health a liquidation may repay all of the debt (Aave v3's 0.95).
    uint256 public constant FULL_LIQUIDATION_HEALTH = 0.95e18;
    /// @notice Longest staleness bound governance may set.
    uint256 public constant MAX_MAX_AGE = 7 days;

    /*//////////////////////////////////////////////////////////////
                            EVENTS AND ERRORS
    //////////////////////////////////////////////////////////////*/

    event FeedSet(
        address indexed token, address indexed feed, uint32 maxAge, uint128 minAnswer, uint128 maxAnswer
    );
    event FeedRemoved(address indexed token);

    /// @notice Governance has set no feed for `token`.
    error NoPriceFeed(address token);
    /// @notice `token`'s feed last updated at `updatedAt`, more than `maxAge` seconds ago (or in the future).
    error StalePrice(address token, uint256 updatedAt, uint256 maxAge);
    /// @notice `token`'s feed answered zero or a negative price.
    error NonPositivePrice(address token, int256 answer);
    /// @notice `token`'s feed answered outside its sanity band.
    error PriceOutOfBounds(address token, int256 answer, uint256 minAnswer, uint256 maxAnswer);
    /// @notice The loan is healthy (`health` WAD >= 1e18): it cannot be liquidated.
    error HealthyLoan(uint256 health);
    /// @notice `amount` exceeds what this liquidation may repay (`maxRepay`, the close factor).
    error RepayAboveCloseFactor(uint256 amount, uint256 maxRepay);
    /// @notice The collateral no longer covers debt plus bonus: a liquidation must repay `required`
    /// (everything, or what takes all the collateral), or it would leave the loan less healthy.
    error LiquidationMustClose(uint256 amount, uint256 required);
    /// @notice The threshold is not above the loan-to-value at opening (`ltvBps`): the loan would be
    /// liquidatable at once.
    error ThresholdBelowOpeningLtv(uint256 ltvBps, uint256 thresholdBps);
    /// @notice The liquidation threshold exceeds 100 % (10,000 bps).
    error ThresholdAboveMax(uint256 thresholdBps);
    /// @notice Threshold times (1 + bonus) exceeds 100 %: a liquidation at the threshold could not pay
    /// the bonus out of the collateral.
    error InvalidLiquidationBonus(uint256 bonusBps, uint256 thresholdBps);
    /// @notice No collateral is left in escrow; the remaining debt is unsecured (claimDefault at maturity).
    error NothingToLiquidate();
    /// @notice A feed with more than 18 decimals, a token whose decimals cannot be read, an empty or
    /// inverted band, or a staleness bound of 0 or above {MAX_MAX_AGE}.
    error InvalidFeed();

    /// @notice Feed by token.
    mapping(address token => Feed) public feeds;

    constructor(address governance) Ownable(governance) {}

    /*//////////////////////////////////////////////////////////////
                               GOVERNANCE
    //////////////////////////////////////////////////////////////*/

    /// @notice Prices `token` with `feed` (AggregatorV3Interface); answers older than `maxAge` seconds or
    /// outside `minAnswer`..`maxAnswer` (raw, in the feed's decimals) are refused. Reads the token's and
    /// the feed's decimals once, here.
    function setFeed(address token, AggregatorV3Interface feed, uint32 maxAge, uint128 minAnswer, uint128 maxAnswer)
        external
        onlyOwner
    {
        if (address(feed).code.length == 0 || maxAge == 0 || maxAge > MAX_MAX_AGE) revert InvalidFeed();
        if (minAnswer == 0 || minAnswer > maxAnswer || maxAnswer > uint256(type(int256).max)) revert InvalidFeed();
        uint8 feedDecimals = feed.decimals();
        uint8 tokenDecimals = IERC20Metadata(token).decimals();
        if (feedDecimals > 18 || tokenDecimals > 36) revert InvalidFeed();
        feeds[token] = Feed(feed, maxAge, feedDecimals, tokenDecimals, minAnswer, maxAnswer);
        emit FeedSet(token, address(feed), maxAge, minAnswer, maxAnswer);
    }

    /// @notice Removes `token`'s feed: its margined loans can neither open nor be liquidated until a new one.
    function removeFeed(address token) external onlyOwner {
        delete feeds[token];
        emit FeedRemoved(token);
    }

    /*//////////////////////////////////////////////////////////////
                                 PRICES
    //////////////////////////////////////////////////////////////*/

    /// @notice `token`'s price in the common quote, 18 decimals, per whole token; reverts on a missing,
    /// stale, non-positive or out-of-band answer.
    function price(address token) public view returns (uint256 wad, uint8 tokenDecimals) {
        Feed memory f = feeds[token];
        if (address(f.feed) == address(0)) revert NoPriceFeed(token);
        (, int256 answer,, uint256 updatedAt,) = f.feed.latestRoundData();
        if (updatedAt == 0 || updatedAt > block.timestamp || block.timestamp - updatedAt > f.maxAge) {
            revert StalePrice(token, updatedAt, f.maxAge);
        }
        if (answer <= 0) revert NonPositivePrice(token, answer);
        if (uint256(answer) < f.minAnswer || uint256(answer) > f.maxAnswer) {
            revert PriceOutOfBounds(token, answer, f.minAnswer, f.maxAnswer);
        }
        // answer <= maxAnswer < 2^128 and feedDecimals <= 18, so this fits.
        wad = uint256(answer) * 10 ** (18 - f.feedDecimals);
        tokenDecimals = f.tokenDecimals;
    }

    /// @notice Value of `amount` base units of `token` (18 decimals, rounded down).
    function value(address token, uint256 amount) public view returns (uint256) {
        (uint256 wad, uint8 decimals) = price(token);
        return Math.mulDiv(amount, wad, 10 ** decimals);
    }

    /*//////////////////////////////////////////////////////////////
                                 MARGIN
    //////////////////////////////////////////////////////////////*/

    /// @notice Health (WAD) of `debt` of `debtToken` against `collateral` of `collateralToken` under
    /// `thresholdBps`; type(uint256).max without debt.
    function health(
        address debtToken,
        uint256 debt,
        address collateralToken,
        uint256 collateral,
        uint256 thresholdBps
    ) public view returns (uint256) {
        return _health(value(debtToken, debt), value(collateralToken, collateral), thresholdBps);
    }

    /// @notice Checks a margined agreement's terms at opening: `thresholdBps` at most 100 %
    /// ({ThresholdAboveMax}), threshold * (1 + `bonusBps`) at most 100 % ({InvalidLiquidationBonus}), and
    /// the loan-to-value of `debt` against `collateral` strictly below the threshold in force now,
    /// `currentThresholdBps` ({ThresholdBelowOpeningLtv}: a new loan must open healthy).
    function checkOpening(
        address debtToken,
        uint256 debt,
        address collateralToken,
        uint256 collateral,
        uint256 thresholdBps,
        uint256 bonusBps,
        uint256 currentThresholdBps
    ) external view {
        if (thresholdBps > _BPS) revert ThresholdAboveMax(thresholdBps);
        if (thresholdBps * (_BPS + bonusBps) > _BPS * _BPS) revert InvalidLiquidationBonus(bonusBps, thresholdBps);
        thresholdBps = currentThresholdBps;
        uint256 debtValue = value(debtToken, debt);
        uint256 collateralValue = value(collateralToken, collateral);
        // ltv < threshold  <=>  debtValue * BPS < collateralValue * threshold
        if (debtValue * _BPS >= collateralValue * thresholdBps) {
            uint256 ltvBps =
                collateralValue == 0 ? type(uint256).max : Math.mulDiv(debtValue, _BPS, collateralValue, Math.Rounding.Ceil);
            revert ThresholdBelowOpeningLtv(ltvBps, thresholdBps);
        }
    }

    /// @notice What liquidating `repayAmount` (type(uint256).max: as much as allowed) of a loan owing
    /// `debt` against `collateral` does, under `thresholdBps` and `bonusBps`. Reverts if the loan is
    /// healthy, the amount is above the close factor, or (when the collateral no longer covers debt
    /// plus bonus) below what closes the position.
    function quoteLiquidation(
        address debtToken,
        uint256 debt,
        address collateralToken,
        uint256 collateral,
        uint256 thresholdBps,
        uint256 bonusBps,
        uint256 repayAmount
    ) external view returns (LiquidationQuote memory q) {
        if (collateral == 0) revert NothingToLiquidate();
        uint256 debtValue = value(debtToken, debt);
        uint256 collateralValue = value(collateralToken, collateral);
        q.healthBefore = _health(debtValue, collateralValue, thresholdBps);
        if (q.healthBefore >= WAD) revert HealthyLoan(q.healthBefore);

        // Debt whose value plus bonus equals all the collateral (rounded up: the liquidator pays at least
        // the fair amount). Capped at the debt.
        uint256 closing = debtValue == 0
            ? debt
            : Math.mulDiv(Math.mulDiv(collateralValue, _BPS, _BPS + bonusBps), debt, debtValue, Math.Rounding.Ceil);
        if (closing > debt) closing = debt;
        // Collateral no longer covers debt plus bonus: a partial liquidation would lower the health.
        bool underwater = collateralValue * _BPS < debtValue * (_BPS + bonusBps);
        uint256 maxRepay = underwater || q.healthBefore < FULL_LIQUIDATION_HEALTH
            ? debt
            : Math.mulDiv(debt, CLOSE_FACTOR_BPS, _BPS, Math.Rounding.Ceil);
        if (maxRepay > closing) maxRepay = closing;

        uint256 repay = repayAmount == type(uint256).max ? maxRepay : repayAmount;
        if (repay > maxRepay) revert RepayAboveCloseFactor(repay, maxRepay);
        if (underwater && repay < closing) revert LiquidationMustClose(repay, closing);

        // Seize the repaid value plus the bonus, rounded down, never more than the escrow.
        uint256 seized = debtValue == 0
            ? collateral
            : Math.mulDiv(Math.mulDiv(debtValue, repay, debt), (_BPS + bonusBps) * collateral, _BPS * collateralValue);
        // Repaying `closing` when it is below the debt takes all the collateral (the rest of the debt is
        // then unsecured).
        if (seized > collateral || (repay == closing && closing < debt)) seized = collateral;
        q.repaid = repay;
        q.seized = seized;

        // Belt and braces: a liquidation that leaves both debt and collateral must not lower health.
        // Values are linear in amounts, so health after >= before  <=>  (c - s) / (d - r) >= c / d
        //  <=>  c * r >= s * d  (all < 2^128, so the products fit).
        if (repay < debt && seized < collateral && collateral * repay < seized * debt) {
            revert LiquidationMustClose(repay, closing);
        }
    }

    function _health(uint256 debtValue, uint256 collateralValue, uint256 thresholdBps)
        internal
        pure
        returns (uint256)
    {
        if (debtValue == 0) return type(uint256).max;
        return Math.mulDiv(collateralValue, thresholdBps * WAD, _BPS * debtValue);
    }
}
