// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title TestPriceFeed
/// @notice A Chainlink AggregatorV3Interface-shaped feed whose answer anyone may set. It stands in for
/// an external oracle in tests and simulations; never point a real deployment at it.
contract TestPriceFeed {
    uint8 public immutable decimals;
    string public description;
    /// @dev One slot, as Chainlink's aggregators pack theirs, so a read costs what a real feed's does.
    struct Round {
        int128 answer;
        uint64 updatedAt;
        uint64 roundId;
    }

    Round internal _round;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 answer) {
        decimals = decimals_;
        description = description_;
        _set(answer, block.timestamp);
    }

    /// @notice Publishes `answer` as of now.
    function setAnswer(int256 answer) external {
        _set(answer, block.timestamp);
    }

    /// @notice Publishes `answer` as of `updatedAt` (to simulate a stale or future-dated round).
    function setRound(int256 answer, uint256 updatedAt) external {
        _set(answer, updatedAt);
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Round memory r = _round;
        return (r.roundId, r.answer, r.updatedAt, r.updatedAt, r.roundId);
    }

    function latestAnswer() external view returns (int256) {
        return _round.answer;
    }

    /// @dev Answers must fit int128 and times uint64 (ample for any price or date a test needs).
    function _set(int256 answer, uint256 updatedAt) internal {
        uint64 roundId = _round.roundId + 1;
        _round = Round(int128(answer), uint64(updatedAt), roundId);
        require(_round.answer == answer && _round.updatedAt == updatedAt, "TestPriceFeed: out of range");
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
