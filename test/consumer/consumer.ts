/**
 * A program written against the package's public entry points only, as an integrator who installed
 * it would: typechecked by test/consumer.test.ts against the emitted .d.ts files and run with plain
 * node against the emitted JavaScript. It starts a chain from the `testing` entry, deploys the
 * arbiter, builds two agents with startAgent over the in-process bus, and lets them negotiate and
 * settle a loan. It prints one JSON line with what happened.
 */
import * as root from "liquidity-negotiation";
import {
  type Activity,
  createChainSettlement,
  createDefaultPolicy,
  startAgent,
} from "liquidity-negotiation/agents";
import * as arbitration from "liquidity-negotiation/arbitration";
import {
  allowToken,
  approve,
  createArbiterClients,
  deployArbiter,
  getLoan,
  registerAgent,
} from "liquidity-negotiation/arbitration";
import { createSigner } from "liquidity-negotiation/core";
import { createInProcessBus, createPeerRegistry } from "liquidity-negotiation/negotiation";
import { agentConfigJsonSchema } from "liquidity-negotiation/operator";
import { SimulatedLendingMarket, SimulatedPerpExchange } from "liquidity-negotiation/protocol-adapters";
import { anvilAccounts, deployTestToken, mintTestToken, startAnvil } from "liquidity-negotiation/testing";

const USDC = 10n ** 6n;
const WETH = 10n ** 18n;
const usd8 = (d: bigint) => d * 10n ** 8n;

async function refused(specifier: string): Promise<boolean> {
  try {
    await import(specifier);
    return false;
  } catch (err) {
    return (err as { code?: string }).code === "ERR_PACKAGE_PATH_NOT_EXPORTED";
  }
}

const anvil = await startAnvil();
try {
  const [gov, lenderKey, borrowerKey] = [anvilAccounts[0], anvilAccounts[1], anvilAccounts[2]];
  const clients = (key: `0x${string}`) => createArbiterClients({ rpcUrl: anvil.rpcUrl, privateKey: key });
  const g = clients(gov);
  const { address: usdc } = await deployTestToken({
    clients: g,
    name: "USD Coin",
    symbol: "USDC",
    decimals: 6,
  });
  const { address: weth } = await deployTestToken({
    clients: g,
    name: "Wrapped Ether",
    symbol: "WETH",
    decimals: 18,
  });
  const { address: arbiter } = await deployArbiter({ clients: g });
  await allowToken({ clients: g, arbiter, token: usdc, minBond: 100n * USDC });
  await allowToken({ clients: g, arbiter, token: weth, minBond: WETH / 20n });
  const lender = clients(lenderKey);
  const borrower = clients(borrowerKey);
  await registerAgent({ clients: g, arbiter, agent: lender.account.address, protocolId: "lending" });
  await registerAgent({ clients: g, arbiter, agent: borrower.account.address, protocolId: "perp" });
  await mintTestToken({ clients: g, token: usdc, to: lender.account.address, amount: 5_000_000n * USDC });
  await mintTestToken({ clients: g, token: weth, to: borrower.account.address, amount: 1_000n * WETH });
  const MAX = 2n ** 256n - 1n;
  await approve({ clients: lender, token: usdc, spender: arbiter, amount: MAX });
  await approve({ clients: borrower, token: weth, spender: arbiter, amount: MAX });

  const domain = { chainId: anvil.chainId, verifyingContract: arbiter };
  const peers = createPeerRegistry([
    { address: lender.account.address, name: "lender", protocol: "lending" },
    { address: borrower.account.address, name: "borrower", protocol: "perp" },
  ]);
  const policy = createDefaultPolicy({
    decimals: (t) => (t === usdc ? 6 : t === weth ? 18 : undefined),
    oracle: (t) => (t === usdc ? usd8(1n) : t === weth ? usd8(3000n) : undefined),
  });
  const now = () => Date.now();
  const bus = createInProcessBus();
  const rateModel = { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 };
  const market = new SimulatedLendingMarket({
    protocolId: "lending",
    asset: { address: usdc, symbol: "USDC", decimals: 6 },
    deposits: 10_000_000n * USDC,
    borrows: 6_000_000n * USDC,
    bufferBps: 1000,
    rateModel,
    priceUsd8: usd8(1n),
    now,
  });
  const perp = new SimulatedPerpExchange({
    protocolId: "perp",
    settlementToken: { address: usdc, symbol: "USDC", decimals: 6 },
    insuranceToken: { address: weth, symbol: "WETH", decimals: 18 },
    cash: 1_000_000n * USDC,
    pendingWithdrawals: 1_500_000n * USDC,
    minFloat: 100_000n * USDC,
    insuranceFund: 500n * WETH,
    adlCostBps: 2500,
    prices: { settlementUsd8: usd8(1n), insuranceUsd8: usd8(3000n) },
    now,
  });

  const settled = new Promise<Activity>((resolve) => {
    const onActivity = (a: Activity) => {
      if (a.type === "report" && a.what === "settled") resolve(a);
    };
    void Promise.all([
      startAgent({
        name: "lender",
        signer: createSigner(lenderKey),
        domain,
        transport: bus.createTransport({ name: "lender" }),
        peers,
        adapter: market,
        settlement: createChainSettlement({ clients: lender, arbiter }),
        policy,
        pollMs: 100,
        onActivity,
      }),
      startAgent({
        name: "borrower",
        signer: createSigner(borrowerKey),
        domain,
        transport: bus.createTransport({ name: "borrower" }),
        peers,
        adapter: perp,
        settlement: createChainSettlement({ clients: borrower, arbiter }),
        policy,
        pollMs: 100,
        auction: { admissionMs: 200 },
        onActivity,
      }),
    ]).then((agents) => {
      void settled.then(() => Promise.all(agents.map((a) => a.stop())));
    });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const report = await Promise.race([
    settled,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no settlement in 30 s")), 30_000);
    }),
  ]);
  clearTimeout(timer);
  const id = (report as Extract<Activity, { type: "report" }>).data.id as `0x${string}`;
  const loan = await getLoan({ clients: g, arbiter, id });
  process.stdout.write(
    `${JSON.stringify({
      loanStatus: loan.status,
      rootExports: Object.keys(root).sort(),
      arbitrationHasTestHelpers: ["startAnvil", "anvilAccounts", "deployTestToken", "mintTestToken"].some(
        (k) => k in arbitration,
      ),
      deepImportRefused: await refused("liquidity-negotiation/agents/agent.ts"),
      schemaTitle: agentConfigJsonSchema().title,
    })}\n`,
  );
} finally {
  await anvil.stop();
}
