/**
 * The ProtocolAdapter a config asks for: a built-in one (the simulated protocols, the EVM lending
 * pool and ERC-4626 vault) built from its validated fields, or the `createAdapter` export of the
 * integrator's own module, called with an AdapterContext.
 */
import { pathToFileURL } from "node:url";
import type { Address } from "viem";
import type { ArbiterClients } from "../arbitration/clients.ts";
import type { Logger } from "../core/log.ts";
import { EvmLendingPoolAdapter } from "../protocol-adapters/evm/evm-lending-pool-adapter.ts";
import { EvmVaultAdapter } from "../protocol-adapters/evm/evm-vault-adapter.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import { SimulatedAmm } from "../protocol-adapters/simulated/simulated-amm.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { SimulatedPerpExchange } from "../protocol-adapters/simulated/simulated-perp-exchange.ts";
import { SimulatedVault } from "../protocol-adapters/simulated/simulated-vault.ts";
import type { TokenInfo } from "../protocol-adapters/simulated/token-info.ts";
import type { AgentConfig, BuiltinAdapterConfig, TokenConfig } from "./agent-config.ts";
import { AdapterLoadError } from "./errors.ts";

/** What a module adapter's factory receives. */
export type AdapterContext = {
  /** The `adapter.options` object of the config, as written (validate it yourself). */
  options: Record<string, unknown>;
  /** The config's tokens by symbol. */
  tokens: ReadonlyMap<string, TokenConfig>;
  /** The agent's own viem clients (its account is the agent's): read the chain, send its txs. */
  clients: ArbiterClients;
  /** The agent's address on the arbiter. */
  address: Address;
  log: Logger;
};

export type AdapterFactory = (context: AdapterContext) => ProtocolAdapter | Promise<ProtocolAdapter>;

const builtinTypes = [
  "simulated-lending-market",
  "simulated-perp-exchange",
  "simulated-amm",
  "simulated-vault",
  "evm-lending-pool",
  "evm-vault",
] as const satisfies readonly BuiltinAdapterConfig["type"][];
export const BUILTIN_ADAPTERS: readonly string[] = builtinTypes;

export type CreateAdapterParameters = {
  config: AgentConfig;
  clients: ArbiterClients;
  resolvePath(path: string): string;
  log: Logger;
};

export async function createAdapter(p: CreateAdapterParameters): Promise<ProtocolAdapter> {
  const tokens = new Map(p.config.tokens.map((t) => [t.symbol, t]));
  const a = p.config.adapter;
  if (a.type !== "module") return createBuiltinAdapter(a, tokens, p.clients);
  const file = p.resolvePath(a.path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new AdapterLoadError({
      adapter: file,
      reason: `importing it failed (${(cause as Error).message})`,
      cause,
    });
  }
  const factory = mod[a.export];
  if (typeof factory !== "function") {
    const found = Object.keys(mod).join(", ") || "nothing";
    throw new AdapterLoadError({
      adapter: file,
      reason: `it has no function export "${a.export}" (it exports ${found})`,
    });
  }
  const adapter = (await (factory as AdapterFactory)({
    options: a.options,
    tokens,
    clients: p.clients,
    address: p.clients.account.address,
    log: p.log.child({ adapter: a.path }),
  })) as Partial<ProtocolAdapter> | undefined;
  const missing = ["protocolId", "kind", "snapshot", "apply"].filter(
    (k) => adapter === undefined || adapter === null || !(k in adapter),
  );
  if (missing.length > 0) {
    throw new AdapterLoadError({
      adapter: file,
      reason: `${a.export}() returned no ProtocolAdapter (missing ${missing.join(", ")})`,
    });
  }
  return adapter as ProtocolAdapter;
}

function tokenInfo(
  tokens: ReadonlyMap<string, TokenConfig>,
  symbol: string,
): TokenInfo & { priceUsd8?: bigint } {
  // The schema checked that every symbol is defined.
  const t = tokens.get(symbol)!;
  return {
    address: t.address,
    symbol: t.symbol,
    decimals: t.decimals,
    ...(t.priceUsd8 === undefined ? {} : { priceUsd8: t.priceUsd8 }),
  };
}

function priceOf(tokens: ReadonlyMap<string, TokenConfig>, symbol: string, field: string): bigint {
  const price = tokens.get(symbol)?.priceUsd8;
  if (price === undefined) {
    throw new AdapterLoadError({
      adapter: field,
      reason: `token "${symbol}" needs a priceUsd8 in \`tokens\``,
    });
  }
  return price;
}

const info = (t: TokenInfo & { priceUsd8?: bigint }): TokenInfo => ({
  address: t.address,
  symbol: t.symbol,
  decimals: t.decimals,
});
const now = () => Date.now();

function createBuiltinAdapter(
  a: BuiltinAdapterConfig,
  tokens: ReadonlyMap<string, TokenConfig>,
  clients: ArbiterClients,
): ProtocolAdapter {
  switch (a.type) {
    case "simulated-lending-market":
      return new SimulatedLendingMarket({
        protocolId: a.protocolId,
        asset: info(tokenInfo(tokens, a.asset)),
        deposits: a.deposits,
        borrows: a.borrows,
        bufferBps: a.bufferBps,
        rateModel: a.rateModel,
        priceUsd8: priceOf(tokens, a.asset, "adapter.asset"),
        now,
      });
    case "simulated-perp-exchange":
      return new SimulatedPerpExchange({
        protocolId: a.protocolId,
        settlementToken: info(tokenInfo(tokens, a.settlementToken)),
        insuranceToken: info(tokenInfo(tokens, a.insuranceToken)),
        cash: a.cash,
        pendingWithdrawals: a.pendingWithdrawals,
        minFloat: a.minFloat,
        insuranceFund: a.insuranceFund,
        adlCostBps: a.adlCostBps,
        prices: {
          settlementUsd8: priceOf(tokens, a.settlementToken, "adapter.settlementToken"),
          insuranceUsd8: priceOf(tokens, a.insuranceToken, "adapter.insuranceToken"),
        },
        now,
      });
    case "simulated-amm":
      return new SimulatedAmm({
        protocolId: a.protocolId,
        tokenX: info(tokenInfo(tokens, a.tokenX)),
        tokenY: info(tokenInfo(tokens, a.tokenY)),
        reserveX: a.reserveX,
        reserveY: a.reserveY,
        feeBps: a.feeBps,
        priceYUsd8: priceOf(tokens, a.tokenY, "adapter.tokenY"),
        now,
      });
    case "simulated-vault":
      return new SimulatedVault({
        protocolId: a.protocolId,
        liability: info(tokenInfo(tokens, a.liability)),
        liabilities: a.liabilities,
        parUsd8: a.parUsd8,
        payout: info(tokenInfo(tokens, a.payout)),
        backing: a.backing.map((b, i) => ({
          token: info(tokenInfo(tokens, b.token)),
          amount: b.amount,
          liquidity: b.liquidity,
          priceUsd8: priceOf(tokens, b.token, `adapter.backing.${i}.token`),
        })),
        shortfallCostBps: a.shortfallCostBps,
        now,
      });
    case "evm-lending-pool":
      return new EvmLendingPoolAdapter({
        protocolId: a.protocolId,
        clients,
        pool: a.pool,
        bufferBps: a.bufferBps,
        rateModel: a.rateModel,
        shortfallCostBps: a.shortfallCostBps,
      });
    case "evm-vault": {
      const price = a.assetPrice ? priceOf(tokens, a.assetPrice, "adapter.assetPrice") : undefined;
      return new EvmVaultAdapter({
        protocolId: a.protocolId,
        clients,
        vault: a.vault,
        bufferBps: a.bufferBps,
        opportunityRateBps: a.opportunityRateBps,
        shortfallCostBps: a.shortfallCostBps,
        ...(price === undefined ? {} : { assetPriceUsd8: async () => price }),
      });
    }
  }
}
