// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TestToken} from "./TestToken.sol";

/// @title BlocklistTestToken
/// @notice A TestToken with a blocklist, as USDC and USDT have: a blocked address can neither send nor
/// receive. Anyone may block or unblock (tests and simulations only): it shows that a blocked party
/// cannot lock the arbiter's payouts, and exercises the credit and withdrawal path.
contract BlocklistTestToken is TestToken {
    /// @notice `account` is blocked.
    error Blocked(address account);

    mapping(address account => bool) public blocked;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) TestToken(name_, symbol_, decimals_) {}

    /// @notice Blocks or unblocks `account`. Deliberately unrestricted.
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}
