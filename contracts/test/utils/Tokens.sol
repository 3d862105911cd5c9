// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @dev Burns 1% of every transfer: the kind of token the arbiter must refuse.
contract FeeOnTransferToken is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @dev Returns false instead of reverting when a transfer fails (and for every transferFrom when
/// `broken`), like some old tokens.
contract ReturnsFalseToken is ERC20 {
    bool public broken = true;

    constructor() ERC20("False", "FALSE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (broken) return false;
        return super.transferFrom(from, to, value);
    }
}

/// @dev On its next transfer, calls `target` with `payload` and bubbles any revert: a token that
/// tries to re-enter the arbiter.
contract ReentrantToken is ERC20 {
    address public target;
    bytes public payload;

    constructor() ERC20("Reentrant", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_) external {
        (target, payload) = (target_, payload_);
    }

    function _update(address from, address to, uint256 value) internal override {
        address t = target;
        if (t != address(0) && from != address(0)) {
            target = address(0);
            (bool ok, bytes memory ret) = t.call(payload);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
        super._update(from, to, value);
    }
}

/// @dev A smart wallet that accepts its owner's ECDSA signature (ERC-1271).
contract OwnedWallet is IERC1271 {
    address internal immutable _owner;

    constructor(address owner_) {
        _owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered,,) = ECDSA.tryRecover(hash, signature);
        return recovered == _owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    function approve(IERC20 token, address spender, uint256 amount) external {
        require(msg.sender == _owner, "not owner");
        token.approve(spender, amount);
    }
}
