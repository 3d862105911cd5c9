// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title TestVault
/// @notice OpenZeppelin's ERC-4626 vault with two additions: an owner-set cap on total assets
///         (the de-risking switch an adapter can pull) and a hook that takes assets out, to
///         simulate a loss. For tests and simulations only.
contract TestVault is ERC4626, Ownable {
    using SafeERC20 for IERC20;

    event DepositCapSet(uint256 cap);
    event LossSimulated(address indexed to, uint256 assets);

    /// @notice Most assets the vault accepts; deposits above it revert (ERC4626ExceededMaxDeposit).
    uint256 public depositCap = type(uint256).max;

    constructor(address owner_, IERC20 asset_, string memory name_, string memory symbol_)
        ERC4626(asset_)
        ERC20(name_, symbol_)
        Ownable(owner_)
    {}

    /// @inheritdoc ERC4626
    function maxDeposit(address) public view override returns (uint256) {
        uint256 cap = depositCap;
        if (cap == type(uint256).max) return cap;
        uint256 assets = totalAssets();
        return assets >= cap ? 0 : cap - assets;
    }

    /// @inheritdoc ERC4626
    function maxMint(address receiver) public view override returns (uint256) {
        uint256 assets = maxDeposit(receiver);
        return assets == type(uint256).max ? assets : previewDeposit(assets);
    }

    function setDepositCap(uint256 cap) external onlyOwner {
        depositCap = cap;
        emit DepositCapSet(cap);
    }

    /// @notice Test hook: moves `assets` out of the vault without burning shares, so every share
    ///         is worth less (a hack, a bad strategy). Gains need no hook: send assets in.
    function simulateLoss(address to, uint256 assets) external onlyOwner {
        IERC20(asset()).safeTransfer(to, assets);
        emit LossSimulated(to, assets);
    }
}
