/**
 * Example adapter (docs/INTEGRATING.md): your lending pool on chain, read through three views, and
 * its treasury (the agent's account, which pays out what it lends) through balanceOf. Loans are kept
 * by agreement id, so a repeated action changes nothing. Config: examples/agents/my-lending-market.json.
 */
import type { AdapterContext } from "liquidity-negotiation/operator";
import type { AdapterAction, ProtocolAdapter, ProtocolState } from "liquidity-negotiation/protocol-adapters";
import { type Address, erc20Abi, type Hex, parseAbi } from "viem";
import { z } from "zod";

const Options = z.strictObject({
  protocolId: z.string().min(1).max(64),
  pool: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected the pool's address"),
  /** A symbol of the config's `tokens`: the asset the pool lends. */
  asset: z.string(),
  /** Share of deposits the pool keeps as cash for withdrawals, bps. */
  bufferBps: z.number().int().min(0).max(10_000),
  /** What a shortfall costs the market (depositors who cannot withdraw), bps a year. */
  shortfallCostBps: z.number().int().min(0),
});

const poolAbi = parseAbi([
  "function totalDeposits() view returns (uint256)",
  "function totalBorrows() view returns (uint256)",
  "function cash() view returns (uint256)",
]);

const sum = (m: Map<Hex, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);
export function createAdapter(ctx: AdapterContext): ProtocolAdapter {
  const o = Options.parse(ctx.options);
  const asset = ctx.tokens.get(o.asset);
  const price = asset?.priceUsd8;
  if (!asset || price === undefined) throw new Error(`options.asset: no token "${o.asset}" with a priceUsd8`);
  const pool = o.pool as Address;
  const client = ctx.clients.public;
  const lent = new Map<Hex, bigint>(); // agreement id -> principal we lent to another protocol
  const borrowed = new Map<Hex, bigint>(); // agreement id -> principal we borrowed
  let creditPaused = false;

  return {
    protocolId: o.protocolId,
    kind: "lending",

    async snapshot(): Promise<ProtocolState> {
      const blockNumber = await client.getBlockNumber(); // every read at one block
      const view = (functionName: "totalDeposits" | "totalBorrows" | "cash") =>
        client.readContract({ address: pool, abi: poolAbi, functionName, blockNumber });
      const [deposits, borrows, cash, treasury] = await Promise.all([
        view("totalDeposits"),
        view("totalBorrows"),
        view("cash"),
        client.readContract({
          address: asset.address,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [ctx.address],
          blockNumber,
        }),
      ]);
      // What the market can spare: pool cash above its withdrawal buffer, less what it has lent to
      // other protocols, plus what it borrowed; never more than the treasury that pays it out.
      const spare = cash - (deposits * BigInt(o.bufferBps)) / 10_000n - sum(lent) + sum(borrowed);
      const net = spare < treasury ? spare : treasury;
      const utilizationBps = deposits === 0n ? 0 : Number((borrows * 10_000n) / deposits);
      return {
        v: 0, // ProtocolState version
        protocolId: o.protocolId,
        kind: "lending",
        timestamp: Math.floor(Date.now() / 1000),
        liquidity: [
          {
            token: asset.address,
            symbol: asset.symbol,
            decimals: asset.decimals,
            liquid: treasury,
            net: creditPaused && net > 0n ? 0n : net, // paused credit: no surplus to lend
          },
        ],
        pledgeable: [],
        prices: [{ token: asset.address, usd8: price }],
        // Idle cash would earn what the pool's borrowers pay (8 % a year), spread over deposits.
        opportunityRateBps: Math.floor((800 * utilizationBps) / 10_000),
        shortfallCostBps: o.shortfallCostBps,
        risk: { utilizationBps, bufferBps: o.bufferBps },
      };
    },

    async apply(action: AdapterAction): Promise<void> {
      // Loans arrive after the arbiter moved the tokens: only our books change here.
      if (action.type === "loan.lent") lent.set(action.agreementId, action.principal);
      else if (action.type === "loan.borrowed") borrowed.set(action.agreementId, action.principal);
      else if (action.type === "loan.repaid" || action.type === "loan.liquidated") {
        lent.delete(action.agreementId);
        borrowed.delete(action.agreementId);
      } else if (action.type === "loan.liquidate" && action.outstanding === 0n)
        lent.delete(action.agreementId);
      else if (action.type === "derisk.pauseCredit") creditPaused = action.paused;
      else if (action.type === "derisk.tighten" || action.type === "derisk.release")
        ctx.log.info("tighten asked: this market has no LTV lever", { bps: action.bps });
    },
  };
}
