/**
 * Settlement on the real LiquidityArbiter contract, on an anvil chain: the default for studies.
 *
 * One chain per backend (a study): anvil is started here unless an RPC URL is given, and stopped on
 * close(). Set up once: the arbiter, one TestToken per scenario asset (listed on the arbiter's
 * allowlist, minimum bond one whole token, a TestPriceFeed per token behind the arbiter's margin
 * oracle), and every protocol's address (the agent key the policy
 * signs with, ../engine/world.ts protocolKey) given gas, registered as an agent and approving the
 * arbiter for every token. That state is an anvil
 * snapshot; each run reverts to it, so it starts with nothing settled and every nonce unused.
 *
 * Prices: the margin oracle's feeds (USD, 8 decimals) are set to the engine's prices whenever the
 * engine's clock has moved, before the call that needs them, so health, opening checks and
 * liquidations see the step's prices, as the ledger's oracle does. Risk alerts: postAlert signs the
 * RiskAlert with the first `alertQuorum` protocols' agent keys (every protocol is a registered
 * agent; the engine decided the quorum) and submits raiseAlert.
 *
 * Time: block times are frozen (a timestamp interval of 0) and set by the engine. A run sets the
 * chain's clock back to its start (evm_setTime), and each call first mines a block at the step's
 * time, so the contract's deadlines, maturities and grace period see exactly the engine's clock.
 *
 * Balances: the engine stays the source of truth; see ./set-token-balance.ts and
 * ./chain-settlement-port.ts.
 */
import {
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  defineChain,
  type EIP1193RequestFn,
  type Hex,
  keccak256,
  nonceManager,
  type TestClient,
  toHex,
} from "viem";
import { anvil } from "viem/chains";
import { type StartAnvilReturnType, startAnvil } from "../../arbitration/anvil.ts";
import { approve } from "../../arbitration/approve.ts";
import type { ArbiterClients } from "../../arbitration/clients.ts";
import { deployArbiter } from "../../arbitration/deploy-arbiter.ts";
import { deployTestToken } from "../../arbitration/deploy-test-token.ts";
import { allowToken, registerAgent } from "../../arbitration/governance.ts";
import { deployMarginOracle, setMarginOracle } from "../../arbitration/margin-oracle.ts";
import { raiseAlert } from "../../arbitration/raise-alert.ts";
import { signRiskAlert } from "../../arbitration/typed-data.ts";
import { liquidityArbiterAbi } from "../../contracts/generated/LiquidityArbiter.ts";
import { BaseError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { createSigner } from "../../core/signer.ts";
import { createEngineBank } from "../engine/engine-bank.ts";
import { protocolKey, protocolSigner } from "../engine/world.ts";
import type { LedgerEvent } from "../ledger/ledger.ts";
import { createFeedPoster, deployTokenFeed } from "./chain-price-feeds.ts";
import { createChainSettlementPort } from "./chain-settlement-port.ts";
import { ChainBackendError } from "./errors.ts";
import { ledgerRevertFromArbiter } from "./ledger-revert-from-arbiter.ts";
import {
  createLocalChainClients,
  createLocalChainTransport,
  type LocalChainTransport,
} from "./local-chain-clients.ts";
import { setTokenBalance } from "./set-token-balance.ts";
import {
  type ChainInfo,
  type EngineSettlementPort,
  emptySettlementStats,
  type SettlementBackend,
} from "./settlement-backend.ts";

export type CreateChainBackendParameters = {
  /** A running anvil to use; omitted: start one. Its state is reverted to our setup before each
   *  run, and on close its clock is set running again at wall time. */
  rpcUrl?: string | undefined;
  log?: Logger | undefined;
};

export type ChainBackend = Omit<SettlementBackend, "kind" | "chain"> & {
  readonly kind: "chain";
  chain(): ChainInfo;
};

/** Deploys the contracts and registers the agents (a test key, derived like the protocols' keys). */
const DEPLOYER_KEY: Hex = keccak256(toHex("contagion-engine-deployer"));
/** Gas money for every account we send from (anvil_setBalance). */
const GAS_MONEY = 10n ** 30n;
const MAX = 2n ** 256n - 1n;

export async function createChainBackend(p: CreateChainBackendParameters = {}): Promise<ChainBackend> {
  let started: StartAnvilReturnType | undefined;
  try {
    if (p.rpcUrl === undefined) started = await startAnvil({ ...(p.log ? { log: p.log } : {}) });
  } catch (cause) {
    const reason = cause instanceof BaseError ? cause : undefined;
    throw new ChainBackendError(reason?.shortMessage ?? `could not start anvil: ${String(cause)}`, {
      hints: [
        ...(reason?.metaMessages ?? []),
        "Or settle without a chain: --settlement ledger (same results).",
      ],
      cause,
    });
  }
  const rpcUrl = p.rpcUrl ?? started!.rpcUrl;
  const socket = createLocalChainTransport(rpcUrl);
  try {
    return await connect(rpcUrl, socket, started);
  } catch (error) {
    await socket.close();
    await started?.stop();
    throw error;
  }
}

async function connect(
  rpcUrl: string,
  socket: LocalChainTransport,
  started: { stop(): Promise<void> } | undefined,
): Promise<ChainBackend> {
  const test = createTestClient({ mode: "anvil", transport: socket.transport, pollingInterval: 50 });
  let chainId: number;
  try {
    chainId = await createPublicClient({ transport: socket.transport }).getChainId();
    // Snapshots, clock control and balances are anvil methods; check they are there.
    await test.revert({ id: await test.snapshot() });
  } catch (cause) {
    throw new ChainBackendError(`${rpcUrl} is unreachable or not an anvil dev node`, {
      hints: [
        "Give --rpc-url a running anvil (the study uses evm_snapshot, evm_revert, evm_setTime, anvil_setBalance, anvil_dealERC20), or omit it to start one.",
      ],
      cause,
    });
  }
  const chain: Chain = defineChain({
    ...anvil,
    id: chainId,
    rpcUrls: { default: { http: [rpcUrl] }, public: { http: [rpcUrl] } },
  });
  const clientsFor = (privateKey: Hex) =>
    createLocalChainClients({ transport: socket.transport, chain, privateKey });
  const deployer = clientsFor(DEPLOYER_KEY);
  // Blocks are mined at once, and a block's time is only what we set (interval 0: no drift).
  await test.setAutomine(true);
  await test.setBlockTimestampInterval({ interval: 0 });
  await test.setBalance({ address: deployer.account.address, value: GAS_MONEY });
  nonceManager.reset({ address: deployer.account.address, chainId });
  const { address: arbiter } = await deployArbiter({ clients: deployer });
  const { address: marginOracle } = await deployMarginOracle({ clients: deployer });
  await setMarginOracle({ clients: deployer, arbiter, oracle: marginOracle });
  const alertQuorum = Number(
    await deployer.public.readContract({
      address: arbiter,
      abi: liquidityArbiterAbi,
      functionName: "alertQuorum",
    }),
  );

  const tokens = new Map<string, Address>(); // "symbol:decimals" -> token
  const feeds = new Map<string, Address>(); // lower-case token -> its TestPriceFeed
  const agents = new Map<string, ArbiterClients>(); // lower-case address -> clients
  const approved = new Set<string>(); // "agent:token", lower case
  const stats = emptySettlementStats();
  let base: Hex | undefined = await test.snapshot();
  let open = false;
  let closed = false;

  const resetNonces = () => {
    for (const c of [deployer, ...agents.values()])
      nonceManager.reset({ address: c.account.address, chainId });
  };
  const revertToBase = async () => {
    if (base === undefined) return;
    await test.revert({ id: base });
    base = undefined;
    resetNonces(); // viem's nonce manager never goes backwards; the chain just did.
  };
  /** Adds to the clean state every run starts from. */
  const extendSetup = async (work: () => Promise<void>) => {
    if (open) throw new ChainBackendError("cannot change the chain's setup while a run is open");
    await revertToBase();
    await work();
    base = await test.snapshot();
  };

  return {
    kind: "chain",
    chain: () => ({ rpcUrl, chainId, arbiter, startedAnvil: started !== undefined }),
    stats: () => ({ ...stats }),

    async tokens(assets) {
      const key = (a: { symbol: string; decimals: number }) => `${a.symbol}:${a.decimals}`;
      const missing = [...new Map(assets.map((a) => [key(a), a])).values()].filter(
        (a) => !tokens.has(key(a)),
      );
      if (missing.length > 0) {
        await extendSetup(async () => {
          for (const a of missing) {
            const { address } = await deployTestToken({
              clients: deployer,
              name: `Simulated ${a.symbol}`,
              symbol: a.symbol,
              decimals: a.decimals,
            });
            tokens.set(key(a), address);
            feeds.set(
              address.toLowerCase(),
              await deployTokenFeed({ deployer, oracle: marginOracle, token: address, symbol: a.symbol }),
            );
            await allowToken({
              clients: deployer,
              arbiter,
              token: address,
              minBond: 10n ** BigInt(a.decimals),
            });
          }
        });
      }
      return assets.map((a) => tokens.get(key(a))!);
    },

    async openRun({ world, now }) {
      if (closed) throw new ChainBackendError("the backend is closed");
      if (open) throw new ChainBackendError("a run is already open; close it first");
      const worldTokens = world.assets.map((a) => a.address);
      const known = new Set([...tokens.values()].map((t) => t.toLowerCase()));
      const stray = worldTokens.find((t) => !known.has(t.toLowerCase()));
      if (stray)
        throw new ChainBackendError(`token ${stray} is not deployed on the chain`, {
          hints: ["Build the run's world with the addresses tokens() returned (buildWorld assetAddresses)."],
        });

      // Every protocol an agent: gas money, registered, the arbiter approved for every token.
      const newAgents = world.protocols
        .map((x, i) => ({ i, address: x.address }))
        .filter((x) => !agents.has(x.address.toLowerCase()));
      const needsApproval = (agent: Address, token: Address) =>
        !approved.has(`${agent}:${token}`.toLowerCase());
      const missingApprovals = world.protocols.some((x) =>
        worldTokens.some((t) => needsApproval(x.address, t)),
      );
      if (newAgents.length > 0 || missingApprovals) {
        await extendSetup(async () => {
          for (const { i, address } of newAgents) {
            const key = protocolKey(i);
            if (createSigner(key).address.toLowerCase() !== address.toLowerCase())
              throw new ChainBackendError(`protocol ${i}'s address ${address} is not its agent key's`);
            const clients = clientsFor(key);
            nonceManager.reset({ address, chainId });
            agents.set(address.toLowerCase(), clients);
            await test.setBalance({ address, value: GAS_MONEY });
            await registerAgent({
              clients: deployer,
              arbiter,
              agent: address,
              protocolId: `engine-protocol-${i}`,
            });
          }
          await Promise.all(
            world.protocols.map(async (x) => {
              const clients = agents.get(x.address.toLowerCase())!;
              for (const token of worldTokens) {
                if (!needsApproval(x.address, token)) continue;
                await approve({ clients, token, spender: arbiter, amount: MAX });
                approved.add(`${x.address}:${token}`.toLowerCase());
              }
            }),
          );
        });
      }

      // A clean slate: nothing settled, the clock at the run's start.
      await revertToBase();
      base = await test.snapshot();
      open = true;
      let clock = world.startTime;
      await setTime(test, clock);
      await test.mine({ blocks: 1 });

      const listeners = new Set<(e: LedgerEvent) => void>();
      const ports = new Map<number, EngineSettlementPort>();
      const verified = new Set<string>();
      const postPrices = createFeedPoster({ deployer, feeds, world, stats });
      const ctx = {
        arbiter,
        async setBalance(token: Address, owner: Address, balance: bigint) {
          const first = !verified.has(token);
          await setTokenBalance({ test, token, owner, balance, verify: first ? deployer : undefined });
          verified.add(token);
        },
        clientsOf: (address: Address) => agents.get(address.toLowerCase()),
        bank: createEngineBank(world, arbiter),
        tokens: new Set(worldTokens.map((t) => t.toLowerCase())),
        stats,
        emit: (e: LedgerEvent) => {
          for (const l of listeners) l(e);
        },
        async tick(priced?: readonly Address[]) {
          const t = now();
          if (t !== clock) {
            if (t < clock) throw new ChainBackendError(`engine time went back from ${clock} to ${t}`);
            await test.setNextBlockTimestamp({ timestamp: t });
            await test.mine({ blocks: 1 });
            clock = t;
          }
          if (priced) await postPrices(clock, priced);
        },
      };
      return {
        domain: { chainId, verifyingContract: arbiter },
        port(i) {
          let port = ports.get(i);
          if (!port) {
            port = createChainSettlementPort(ctx, world.protocols[i]!.address);
            ports.set(i, port);
          }
          return port;
        },
        async postAlert({ level, expiresSec }) {
          await ctx.tick();
          const alert = {
            level,
            evidenceHash: keccak256(toHex(`engine alert ${level} at ${clock}`)),
            issuedAt: clock,
            expiresAt: expiresSec,
          };
          const domain = { chainId, verifyingContract: arbiter };
          const signatures = world.protocols
            .slice(0, alertQuorum)
            .map((_, i) => signRiskAlert(domain, alert, protocolSigner(i)));
          try {
            const { receipt } = await raiseAlert({ clients: deployer, arbiter, alert, signatures });
            stats.alerts++;
            stats.arbiterTransactions++;
            stats.arbiterGas += receipt.gasUsed;
          } catch (error) {
            throw ledgerRevertFromArbiter(error);
          }
        },
        onEvent(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        close: async () => {
          open = false;
        },
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        if (!started) {
          // A chain we were lent: drop the last run, and give its clock back running at wall time.
          await revertToBase();
          await test.removeBlockTimestampInterval();
          const latest = (await deployer.public.getBlock()).timestamp;
          const wall = BigInt(Math.floor(Date.now() / 1000));
          await setTime(test, latest > wall ? latest : wall);
        }
      } finally {
        await socket.close();
        await started?.stop();
      }
    },
  };
}

/** Sets the chain's clock (back or forward); the next block is mined at `seconds`. anvil's
 *  evm_setTime is not in viem's typed test RPC schema, hence the untyped request. */
async function setTime(test: TestClient<"anvil">, seconds: bigint): Promise<void> {
  await (test.request as EIP1193RequestFn)({ method: "evm_setTime", params: [Number(seconds)] });
}
