// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @dev A fee that governance of the token can switch on later (USDT has such a switch): `feeBps` of
/// every transfer is burnt; the recipient gets the rest.
contract FeeSwitchToken is ERC20 {
    uint256 public feeBps;

    constructor() ERC20("Fee switch", "FSW") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFee(uint256 bps) external {
        feeBps = bps;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0) && feeBps != 0) {
            uint256 fee = value * feeBps / 10_000;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @dev A token whose holders' balances all move with one index (stETH-like shares); `rebase` can
/// cut it (a slashing), so every holder, the arbiter too, suddenly holds less.
contract RebasingToken {
    string public constant name = "Rebasing";
    string public constant symbol = "REB";
    uint8 public constant decimals = 18;
    uint256 public index = 1e18;
    mapping(address => uint256) public sharesOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalShares;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function totalSupply() external view returns (uint256) {
        return totalShares * index / 1e18;
    }

    function balanceOf(address who) public view returns (uint256) {
        return sharesOf[who] * index / 1e18;
    }

    function mint(address to, uint256 amount) external {
        uint256 s = amount * 1e18 / index;
        sharesOf[to] += s;
        totalShares += s;
        emit Transfer(address(0), to, amount);
    }

    /// @dev Multiplies every balance by `newIndex / 1e18` relative to the start.
    function rebase(uint256 newIndex) external {
        index = newIndex;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _move(from, to, amount);
        return true;
    }

    function _move(address from, address to, uint256 amount) internal {
        uint256 s = amount * 1e18 / index;
        require(sharesOf[from] >= s, "balance");
        sharesOf[from] -= s;
        sharesOf[to] += s;
        emit Transfer(from, to, amount);
    }
}

/// @dev A token with a blocklist (USDC and USDT have one): a blocked address can neither send nor
/// receive.
contract BlocklistToken is ERC20 {
    error Blocked(address account);

    mapping(address => bool) public blocked;

    constructor() ERC20("Blocklist", "BLK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address who, bool isBlocked) external {
        blocked[who] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert Blocked(from);
        if (blocked[to]) revert Blocked(to);
        super._update(from, to, value);
    }
}

/// @dev A token that calls a hook on its recipient (as ERC-777 does); a `greedy` recipient's hook
/// burns all the gas it is given. Without a gas cap on payouts, such a lender could make every
/// repayment to it run out of gas.
contract HookToken is ERC20 {
    mapping(address => bool) public greedy;

    constructor() ERC20("Hook", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setGreedy(address who, bool isGreedy) external {
        greedy[who] = isGreedy;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && greedy[to]) {
            // The recipient's hook: spin until the call runs out of gas.
            uint256 x;
            while (true) {
                unchecked {
                    ++x;
                }
            }
        }
    }
}
