/**
 * `npm run demo:chain`: a local chain for the example agents (examples/agents/*.json). Starts anvil
 * on 127.0.0.1:8545 and, from anvil's account 0 (governance), deploys USDC, WETH, the
 * LiquidityArbiter and a SimpleLendingPool one after another, so on a fresh anvil every address
 * is the same each time (they are written into the example configs). Registers the three example
 * agents (anvil accounts 1, 2 and 3, whose public dev keys are in examples/agents/keys as
 * keystores), funds their treasuries, has them approve the arbiter, and keeps running until
 * Ctrl-C. Public test keys only: nothing here is for real funds.
 */
import { type Address, getContractAddress, parseAbi } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { anvilAccounts, startAnvil } from "../arbitration/anvil.ts";
import { approve } from "../arbitration/approve.ts";
import { type ArbiterClients, createArbiterClients } from "../arbitration/clients.ts";
import { deployArbiter } from "../arbitration/deploy-arbiter.ts";
import { deployTestToken } from "../arbitration/deploy-test-token.ts";
import { allowToken, registerAgent } from "../arbitration/governance.ts";
import { mintTestToken } from "../arbitration/mint-test-token.ts";
import { deploySimpleLendingPool } from "../protocol-adapters/evm/deploy-simple-lending-pool.ts";

const USDC = 10n ** 6n;
const WETH = 10n ** 18n;
const MAX = 2n ** 256n - 1n;
const usd8 = (dollars: bigint) => dollars * 10n ** 8n;

/** The example agents: anvil account index, name, protocol id on the arbiter. */
export const DEMO_AGENTS = [
  { account: 1, name: "lending-market-A" },
  { account: 2, name: "perp-exchange-B" },
  { account: 3, name: "my-lending-market" },
] as const;

export type DemoChain = {
  rpcUrl: string;
  chainId: number;
  usdc: Address;
  weth: Address;
  arbiter: Address;
  pool: Address;
  agents: Array<{ name: string; address: Address }>;
};

const deployer = privateKeyToAddress(anvilAccounts[0]);

/** Where the demo's contracts land on a fresh anvil (deployer nonces 0 to 3). */
export const DEMO_ADDRESSES = {
  usdc: getContractAddress({ from: deployer, nonce: 0n }),
  weth: getContractAddress({ from: deployer, nonce: 1n }),
  arbiter: getContractAddress({ from: deployer, nonce: 2n }),
  pool: getContractAddress({ from: deployer, nonce: 3n }),
};

const poolAbi = parseAbi([
  "function deposit(uint256 amount)",
  "function depositCollateral(uint256 amount)",
  "function borrow(uint256 amount)",
]);

async function send(
  clients: ArbiterClients,
  pool: Address,
  fn: "deposit" | "depositCollateral" | "borrow",
  amount: bigint,
) {
  const hash = await clients.wallet.writeContract({
    address: pool,
    abi: poolAbi,
    functionName: fn,
    args: [amount],
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`pool.${fn} reverted (${hash})`);
}

/** Deploys and funds the demo on the fresh chain at `rpcUrl` (its first transactions). */
export async function deployDemoChain(rpcUrl: string): Promise<DemoChain> {
  const clients = (i: number) => createArbiterClients({ rpcUrl, privateKey: anvilAccounts[i]! });
  const gov = clients(0);
  const chainId = await gov.public.getChainId();
  // One after another: the addresses follow from the deployer's nonces.
  const { address: usdc } = await deployTestToken({
    clients: gov,
    name: "USD Coin",
    symbol: "USDC",
    decimals: 6,
  });
  const { address: weth } = await deployTestToken({
    clients: gov,
    name: "Wrapped Ether",
    symbol: "WETH",
    decimals: 18,
  });
  const { address: arbiter } = await deployArbiter({ clients: gov });
  const { address: pool } = await deploySimpleLendingPool({
    clients: gov,
    asset: usdc,
    collateralToken: weth,
    ltvBps: 7500,
    assetPriceUsd8: usd8(1n),
    collateralPriceUsd8: usd8(3000n),
  });
  const found = { usdc, weth, arbiter, pool };
  for (const [k, v] of Object.entries(found)) {
    if (v !== DEMO_ADDRESSES[k as keyof typeof DEMO_ADDRESSES]) {
      throw new Error(
        `${k} landed at ${v}, not ${DEMO_ADDRESSES[k as keyof typeof DEMO_ADDRESSES]}: is this anvil fresh?`,
      );
    }
  }

  // Governance lists the tokens loans may use, with each one's smallest dispute bond.
  await allowToken({ clients: gov, arbiter, token: usdc, minBond: 100n * USDC });
  await allowToken({ clients: gov, arbiter, token: weth, minBond: WETH / 20n });

  const agents = DEMO_AGENTS.map((a) => ({ ...a, clients: clients(a.account) }));
  for (const a of agents) {
    await registerAgent({ clients: gov, arbiter, agent: a.clients.account.address, protocolId: a.name });
  }
  // Treasuries: the lending markets hold cash to lend, the perp exchange cash and WETH to pledge.
  const [lender, perp, mine] = agents;
  await mintTestToken({
    clients: gov,
    token: usdc,
    to: lender!.clients.account.address,
    amount: 4_000_000n * USDC,
  });
  await mintTestToken({
    clients: gov,
    token: usdc,
    to: perp!.clients.account.address,
    amount: 1_000_000n * USDC,
  });
  await mintTestToken({ clients: gov, token: weth, to: perp!.clients.account.address, amount: 500n * WETH });
  await mintTestToken({
    clients: gov,
    token: usdc,
    to: mine!.clients.account.address,
    amount: 3_000_000n * USDC,
  });
  for (const a of agents) {
    await approve({ clients: a.clients, token: usdc, spender: arbiter, amount: MAX });
    await approve({ clients: a.clients, token: weth, spender: arbiter, amount: MAX });
  }
  // The pool's users: account 5 deposits 10M USDC, account 6 borrows 6M against WETH.
  const [depositor, borrower] = [clients(5), clients(6)];
  await mintTestToken({
    clients: gov,
    token: usdc,
    to: depositor.account.address,
    amount: 10_000_000n * USDC,
  });
  await approve({ clients: depositor, token: usdc, spender: pool, amount: MAX });
  await send(depositor, pool, "deposit", 10_000_000n * USDC);
  await mintTestToken({ clients: gov, token: weth, to: borrower.account.address, amount: 4_000n * WETH });
  await approve({ clients: borrower, token: weth, spender: pool, amount: MAX });
  await send(borrower, pool, "depositCollateral", 4_000n * WETH);
  await send(borrower, pool, "borrow", 6_000_000n * USDC);

  return {
    rpcUrl,
    chainId,
    ...found,
    agents: agents.map((a) => ({ name: a.name, address: a.clients.account.address })),
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.DEMO_CHAIN_PORT ?? 8545);
  process.stderr.write(`starting anvil on 127.0.0.1:${port}\n`);
  const anvil = await startAnvil({ port });
  try {
    const demo = await deployDemoChain(anvil.rpcUrl);
    process.stdout.write(`${JSON.stringify(demo, null, 2)}\n`);
    process.stderr.write(
      "demo chain ready: start the dashboard and the example agents (README, Run an agent). Ctrl-C stops it.\n",
    );
  } catch (err) {
    await anvil.stop();
    throw err;
  }
  await new Promise<void>((resolve) => {
    for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => resolve());
  });
  await anvil.stop();
}

if (process.argv[1]?.endsWith("demo-chain.ts")) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
