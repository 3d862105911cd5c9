/**
 * A ProtocolAdapter over a SimpleLendingPool deployed on an EVM chain: `snapshot()` is a set of
 * `readContract` calls at one block, `apply()` sends the pool's owner switches.
 *
 * The protocol is the pool plus its treasury account (the agent's address on the arbiter, which
 * also owns the pool). Inter-protocol loans move between treasuries through the arbiter, so:
 *
 *   budget = cash - bufferBps * totalDeposits - lent out + borrowed in
 *   net    = min(treasury's asset balance, budget)      (at most 0 while borrowing is paused)
 *
 * A pool short of cash (budget < 0) reports a shortfall the agent borrows for; a pool with cash
 * above its buffer lends no more than the treasury can actually move. De-risking rules:
 * `derisk.pauseCredit` → `pauseBorrowing(paused)`; `derisk.tighten { bps }` → `setLtvBps(ltv - bps)`.
 */

import { type Address, erc20Abi } from "viem";
import { type DeriskStance, deriskRow } from "../derisk-stance.ts";
import type { AdapterAction, ProtocolAdapter } from "../protocol-adapter.ts";
import { PROTOCOL_STATE_VERSION, type ProtocolState } from "../protocol-state.ts";
import { type KinkedRateModel, supplyRateBps, utilizationBps } from "../simulated/interest-rate-model.ts";
import type { TokenInfo } from "../simulated/token-info.ts";
import { EvmAdapterInvalidActionError } from "./errors.ts";
import type { EvmAdapterClients } from "./evm-adapter-clients.ts";
import { simpleLendingPoolAbi } from "./generated/SimpleLendingPool.ts";
import { LoanBook } from "./internal/loan-book.ts";
import { readTokenInfo } from "./internal/read-token-info.ts";
import { writeAndConfirm } from "./internal/write-and-confirm.ts";

export type EvmLendingPoolAdapterParameters = {
  protocolId: string;
  /** The wallet's account is the treasury and must own the pool for de-risking. */
  clients: EvmAdapterClients;
  pool: Address;
  /** Share of deposits kept as cash for withdrawals, bps. */
  bufferBps: number;
  /** The pool accrues no interest on chain; this model prices its idle cash from utilization. */
  rateModel: KinkedRateModel;
  /** What a shortfall costs the pool (its depositors cannot withdraw), bps a year. */
  shortfallCostBps: number;
};

export class EvmLendingPoolAdapter implements ProtocolAdapter {
  readonly kind = "lending" as const;
  readonly protocolId: string;
  private readonly loans = new LoanBook();
  private tokens: Promise<{ asset: TokenInfo; collateral: TokenInfo }> | undefined;

  constructor(private readonly p: EvmLendingPoolAdapterParameters) {
    this.protocolId = p.protocolId;
  }

  private get treasury(): Address {
    return this.p.clients.wallet.account.address;
  }

  /** The pool's tokens, read once (they are immutable). */
  private poolTokens(): Promise<{ asset: TokenInfo; collateral: TokenInfo }> {
    this.tokens ??= (async () => {
      const read = (functionName: "asset" | "collateralToken") =>
        this.p.clients.public.readContract({ address: this.p.pool, abi: simpleLendingPoolAbi, functionName });
      const [asset, collateral] = await Promise.all([read("asset"), read("collateralToken")]);
      return {
        asset: await readTokenInfo(this.p.clients, asset),
        collateral: await readTokenInfo(this.p.clients, collateral),
      };
    })();
    return this.tokens;
  }

  async snapshot(): Promise<ProtocolState> {
    const { public: client } = this.p.clients;
    const [{ asset, collateral }, block] = await Promise.all([this.poolTokens(), client.getBlock()]);
    const blockNumber = block.number;
    const pool = <F extends PoolView>(functionName: F) =>
      client.readContract({ address: this.p.pool, abi: simpleLendingPoolAbi, functionName, blockNumber });
    const balance = (token: Address) =>
      client.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [this.treasury],
        blockNumber,
      });
    const [deposits, borrows, cash, ltvBps, paused, assetUsd8, collateralUsd8, held, pledgeable] =
      await Promise.all([
        pool("totalDeposits"),
        pool("totalBorrows"),
        pool("cash"),
        pool("ltvBps"),
        pool("borrowingPaused"),
        pool("assetPriceUsd8"),
        pool("collateralPriceUsd8"),
        balance(asset.address),
        balance(collateral.address),
      ]);

    const buffer = (deposits * BigInt(this.p.bufferBps)) / 10_000n;
    const budget = cash - buffer - this.loans.lentOut + this.loans.borrowedIn;
    const net = min(held, budget);
    const u = utilizationBps(borrows, deposits);
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
          net: paused ? min(net, 0n) : net,
        },
      ],
      pledgeable: pledgeable > 0n ? [{ token: collateral.address, amount: pledgeable }] : [],
      prices: [
        { token: asset.address, usd8: assetUsd8 },
        { token: collateral.address, usd8: collateralUsd8 },
      ],
      opportunityRateBps: supplyRateBps(this.p.rateModel, u),
      shortfallCostBps: this.p.shortfallCostBps,
      risk: {
        utilizationBps: u,
        bufferBps: this.p.bufferBps,
        ltvBps,
        borrowingPaused: paused ? 1 : 0,
      },
    };
  }

  /** LTV before the first alert stance, restored at level 0. */
  private ltvBeforeAlert: number | undefined;

  /** The alert stance on chain (derisk-stance.ts, lending row): LTV lowered by the level's
   *  `extraBufferBps` from where it stood before the alert, and borrowing paused at the top level;
   *  level 0 restores both. Declarative: the same level twice sends nothing new. */
  async derisk(stance: DeriskStance): Promise<void> {
    const row = deriskRow("lending", stance.level);
    const { clients, pool } = this.p;
    const [ltvBps, paused] = await Promise.all([
      clients.public.readContract({ address: pool, abi: simpleLendingPoolAbi, functionName: "ltvBps" }),
      clients.public.readContract({
        address: pool,
        abi: simpleLendingPoolAbi,
        functionName: "borrowingPaused",
      }),
    ]);
    const base = this.ltvBeforeAlert ?? ltvBps;
    const target = stance.level === 0 ? base : Math.max(0, base - row.extraBufferBps);
    this.ltvBeforeAlert = stance.level === 0 ? undefined : base;
    if (target !== ltvBps)
      await writeAndConfirm(clients, { contract: pool, functionName: "setLtvBps" }, () =>
        clients.wallet.writeContract({
          address: pool,
          abi: simpleLendingPoolAbi,
          functionName: "setLtvBps",
          args: [target],
        }),
      );
    if (paused !== row.pauseNewCredit)
      await writeAndConfirm(clients, { contract: pool, functionName: "pauseBorrowing" }, () =>
        clients.wallet.writeContract({
          address: pool,
          abi: simpleLendingPoolAbi,
          functionName: "pauseBorrowing",
          args: [row.pauseNewCredit],
        }),
      );
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
      case "derisk.tighten": {
        if (!Number.isInteger(action.bps) || action.bps < 0 || action.bps > 10_000) {
          throw new EvmAdapterInvalidActionError({
            action: action.type,
            field: "bps",
            problem: `expected an integer from 0 to 10000, got ${action.bps}`,
          });
        }
        const ltvBps = await this.p.clients.public.readContract({
          address: this.p.pool,
          abi: simpleLendingPoolAbi,
          functionName: "ltvBps",
        });
        const { clients, pool } = this.p;
        return writeAndConfirm(clients, { contract: pool, functionName: "setLtvBps" }, () =>
          clients.wallet.writeContract({
            address: pool,
            abi: simpleLendingPoolAbi,
            functionName: "setLtvBps",
            args: [Math.max(0, ltvBps - action.bps)],
          }),
        );
      }
      case "derisk.pauseCredit": {
        const { clients, pool } = this.p;
        return writeAndConfirm(clients, { contract: pool, functionName: "pauseBorrowing" }, () =>
          clients.wallet.writeContract({
            address: pool,
            abi: simpleLendingPoolAbi,
            functionName: "pauseBorrowing",
            args: [action.paused],
          }),
        );
      }
    }
  }
}

type PoolView =
  | "totalDeposits"
  | "totalBorrows"
  | "cash"
  | "ltvBps"
  | "borrowingPaused"
  | "assetPriceUsd8"
  | "collateralPriceUsd8";

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
