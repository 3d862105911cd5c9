/**
 * A ProtocolAdapter over an ERC-4626 vault (TestVault: OpenZeppelin's ERC4626 plus an owner-set
 * deposit cap). `snapshot()` reads the vault at one block; the share price is
 * `convertToAssets(1 share)`, so a loss or a gain in the vault shows up at once.
 *
 * The protocol is the vault plus its treasury account (the agent's address, owner of the vault):
 *
 *   budget = idle assets - bufferBps * totalAssets - lent out + borrowed in
 *   net    = min(treasury's asset balance, budget)        (at most 0 while credit is paused)
 *
 * The treasury's vault shares are pledgeable. De-risking rules: `derisk.tighten { bps }` caps the
 * vault `bps` below its current size (`setDepositCap`), so it takes no new deposits until it has
 * shrunk; `derisk.pauseCredit` is the adapter's own switch (the vault extends no credit on chain):
 * while paused it reports no surplus, so the agent lends nothing.
 */
import { type Address, erc20Abi, maxUint256 } from "viem";
import type { AdapterAction, ProtocolAdapter } from "../protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../protocol-state.ts";
import type { TokenInfo } from "../simulated/token-info.ts";
import { EvmAdapterInvalidActionError } from "./errors.ts";
import type { EvmAdapterClients } from "./evm-adapter-clients.ts";
import { testVaultAbi } from "./generated/TestVault.ts";
import { LoanBook } from "./internal/loan-book.ts";
import { readTokenInfo } from "./internal/read-token-info.ts";
import { writeAndConfirm } from "./internal/write-and-confirm.ts";

export type EvmVaultAdapterParameters = {
  protocolId: string;
  /** The wallet's account is the treasury and must own the vault for de-risking. */
  clients: EvmAdapterClients;
  vault: Address;
  /** Share of total assets kept idle for redemptions, bps. */
  bufferBps: number;
  /** What the vault's assets earn (its strategy's yield), bps a year. */
  opportunityRateBps: number;
  /** What a shortfall costs (redemptions it cannot pay), bps a year. */
  shortfallCostBps: number;
  /** USD price of the asset, 8 decimals, from the integrator's oracle. A vault has none of its own;
   *  without it the snapshot lists no prices (better than a guess). */
  assetPriceUsd8?: () => Promise<bigint>;
};

export class EvmVaultAdapter implements ProtocolAdapter {
  readonly kind = "vault" as const;
  readonly protocolId: string;
  private readonly loans = new LoanBook();
  private creditPaused = false;
  private tokens: Promise<{ asset: TokenInfo; shares: TokenInfo }> | undefined;

  constructor(private readonly p: EvmVaultAdapterParameters) {
    this.protocolId = p.protocolId;
  }

  private get treasury(): Address {
    return this.p.clients.wallet.account.address;
  }

  private vaultTokens(): Promise<{ asset: TokenInfo; shares: TokenInfo }> {
    this.tokens ??= (async () => {
      const asset = await this.p.clients.public.readContract({
        address: this.p.vault,
        abi: testVaultAbi,
        functionName: "asset",
      });
      const [assetInfo, shares] = await Promise.all([
        readTokenInfo(this.p.clients, asset),
        readTokenInfo(this.p.clients, this.p.vault),
      ]);
      return { asset: assetInfo, shares };
    })();
    return this.tokens;
  }

  async snapshot(): Promise<ProtocolState> {
    const { public: client } = this.p.clients;
    const [{ asset, shares }, block, assetUsd8] = await Promise.all([
      this.vaultTokens(),
      client.getBlock(),
      this.p.assetPriceUsd8?.(),
    ]);
    const blockNumber = block.number;
    const balance = (token: Address, owner: Address) =>
      client.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [owner],
        blockNumber,
      });
    const oneShare = 10n ** BigInt(shares.decimals);
    const [totalAssets, assetsPerShare, depositCap, idle, held, sharesHeld] = await Promise.all([
      client.readContract({
        address: this.p.vault,
        abi: testVaultAbi,
        functionName: "totalAssets",
        blockNumber,
      }),
      client.readContract({
        address: this.p.vault,
        abi: testVaultAbi,
        functionName: "convertToAssets",
        args: [oneShare],
        blockNumber,
      }),
      client.readContract({
        address: this.p.vault,
        abi: testVaultAbi,
        functionName: "depositCap",
        blockNumber,
      }),
      balance(asset.address, this.p.vault),
      balance(asset.address, this.treasury),
      balance(shares.address, this.treasury),
    ]);

    const buffer = (totalAssets * BigInt(this.p.bufferBps)) / 10_000n;
    const budget = idle - buffer - this.loans.lentOut + this.loans.borrowedIn;
    const net = min(held, budget);
    const assetUnit = 10n ** BigInt(asset.decimals);
    return {
      v: PROTOCOL_STATE_VERSION,
      protocolId: this.protocolId,
      kind: this.kind,
      timestamp: Number(block.timestamp),
      liquidity: [
        {
          token: asset.address,
          symbol: asset.symbol,
          decimals: asset.decimals,
          liquid: held,
          net: this.creditPaused ? min(net, 0n) : net,
        },
      ],
      pledgeable: sharesHeld > 0n ? [{ token: shares.address, amount: sharesHeld }] : [],
      prices:
        assetUsd8 === undefined
          ? []
          : [
              { token: asset.address, usd8: assetUsd8 },
              { token: shares.address, usd8: (assetUsd8 * assetsPerShare) / assetUnit },
            ],
      opportunityRateBps: this.p.opportunityRateBps,
      shortfallCostBps: this.p.shortfallCostBps,
      risk: {
        /** Assets one share redeems for, against one asset unit: 10000 at par, below after a loss. */
        sharePriceBps: Number((assetsPerShare * 10_000n) / assetUnit),
        bufferBps: this.p.bufferBps,
        depositsCapped: depositCap === maxUint256 ? 0 : 1,
        creditPaused: this.creditPaused ? 1 : 0,
      },
    };
  }

  async apply(action: AdapterAction): Promise<void> {
    switch (action.type) {
      case "loan.lent":
      case "loan.borrowed":
      case "loan.repaid":
      case "loan.topUp":
      case "loan.liquidate":
      case "loan.liquidated":
        this.loans.record(action);
        return;
      case "derisk.pauseCredit":
        this.creditPaused = action.paused;
        return;
      case "derisk.tighten": {
        if (!Number.isInteger(action.bps) || action.bps < 0 || action.bps > 10_000) {
          throw new EvmAdapterInvalidActionError({
            action: action.type,
            field: "bps",
            problem: `expected an integer from 0 to 10000, got ${action.bps}`,
          });
        }
        const { clients, vault } = this.p;
        const read = <F extends "totalAssets" | "depositCap">(functionName: F) =>
          clients.public.readContract({ address: vault, abi: testVaultAbi, functionName });
        const [totalAssets, depositCap] = await Promise.all([read("totalAssets"), read("depositCap")]);
        const cap = (min(totalAssets, depositCap) * BigInt(10_000 - action.bps)) / 10_000n;
        return writeAndConfirm(clients, { contract: vault, functionName: "setDepositCap" }, () =>
          clients.wallet.writeContract({
            address: vault,
            abi: testVaultAbi,
            functionName: "setDepositCap",
            args: [cap],
          }),
        );
      }
    }
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
