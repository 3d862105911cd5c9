/**
 * The foundation scenario: a perp exchange (B) whose traders want more USDC than it holds
 * borrows from a lending market with surplus cash (A). B broadcasts an RFQ, A offers, they
 * bargain, both sign the Agreement, B settles it on the LiquidityArbiter, pays its traders,
 * earns fees, and repays; its WETH collateral comes back. Run by `npm run sim` and by
 * test/foundation-slice.test.ts over both transports.
 */
import { type Address, getAddress, type Hex } from "viem";
import type { Activity, Agent } from "../agents/agent.ts";
import { type AgentPolicy, createDefaultPolicy } from "../agents/agent-policy.ts";
import { createChainSettlement } from "../agents/chain-settlement.ts";
import { startAgent } from "../agents/start-agent.ts";
import { anvilAccounts } from "../arbitration/anvil.ts";
import { deployTestToken } from "../arbitration/deploy-test-token.ts";
import {
  type ArbiterClients,
  allowToken,
  approve,
  createArbiterClients,
  deployArbiter,
  getLoan,
  type Loan,
  registerAgent,
} from "../arbitration/index.ts";
import { mintTestToken } from "../arbitration/mint-test-token.ts";
import { testTokenAbi } from "../contracts/generated/TestToken.ts";
import type { Agreement, ArbiterDomain } from "../core/agreement.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { createSigner } from "../core/signer.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import { SimulatedLendingMarket } from "../protocol-adapters/simulated/simulated-lending-market.ts";
import { SimulatedPerpExchange } from "../protocol-adapters/simulated/simulated-perp-exchange.ts";

export type FoundationScenarioParameters = {
  rpcUrl: string;
  /** A transport for the named agent (all on one bus or one NATS server). */
  createTransport: (agentName: string) => Transport | Promise<Transport>;
  onActivity?: (a: Activity) => void;
  /** Progress lines ("deploying contracts", ...). */
  onStep?: (step: string) => void;
  /** Gives up waiting for a step after this long, ms. */
  stepTimeoutMs?: number;
  log?: Logger;
};

type Holdings = { usdc: bigint; weth: bigint };
export type Balances = { lender: Holdings; borrower: Holdings; arbiter: Holdings; traders: Holdings };

export type FoundationScenarioResult = {
  arbiter: Address;
  tokens: { usdc: Address; weth: Address };
  lender: { name: string; address: Address };
  borrower: { name: string; address: Address };
  agreement: Agreement;
  loan: Loan;
  txs: { settle: Hex; repay: Hex };
  balances: { before: Balances; settled: Balances; repaid: Balances };
};

const USDC = 10n ** 6n;
const WETH = 10n ** 18n;
const MAX = 2n ** 256n - 1n;
const usd8 = (dollars: bigint) => dollars * 10n ** 8n;

export class ScenarioTimeoutError extends Error {
  override name = "ScenarioTimeoutError";
}

function waitForActivity(agents: Agent[], match: (a: Activity) => boolean, what: string, timeoutMs: number) {
  return new Promise<Activity>((resolve, reject) => {
    const offs: Array<() => void> = [];
    const timer = setTimeout(() => {
      for (const off of offs) off();
      reject(new ScenarioTimeoutError(`timed out after ${timeoutMs} ms waiting for: ${what}`));
    }, timeoutMs);
    for (const agent of agents) {
      offs.push(
        agent.onActivity((a) => {
          if (!match(a)) return;
          clearTimeout(timer);
          for (const off of offs) off();
          resolve(a);
        }),
      );
    }
  });
}

/** The two protocols of the scenario. A has 10M USDC of deposits, 6M lent to its users and
 *  4M in cash; B owes its traders 1.5M USDC, holds 1M and keeps a 100k float, so it is 600k
 *  short, and it holds 500 WETH of insurance fund it can pledge. */
/** The default agent policy with the scenario's two tokens: USDC (6 decimals, $1) and WETH (18
 *  decimals, $3,000). */
export function foundationPolicy({ usdc, weth }: { usdc: Address; weth: Address }): AgentPolicy {
  const is = (t: Address, token: Address) => t.toLowerCase() === token.toLowerCase();
  return createDefaultPolicy({
    decimals: (t) => (is(t, usdc) ? 6 : is(t, weth) ? 18 : undefined),
    oracle: (t) => (is(t, usdc) ? usd8(1n) : is(t, weth) ? usd8(3000n) : undefined),
  });
}

export function foundationProtocols({ usdc, weth }: { usdc: Address; weth: Address }) {
  const lendingMarket = new SimulatedLendingMarket({
    protocolId: "lending-market-A",
    asset: { address: usdc, symbol: "USDC", decimals: 6 },
    deposits: 10_000_000n * USDC,
    borrows: 6_000_000n * USDC,
    bufferBps: 1000,
    rateModel: { baseBps: 0, slope1Bps: 400, slope2Bps: 6000, kinkBps: 8000, reserveFactorBps: 1000 },
    priceUsd8: usd8(1n),
    now: () => Date.now(),
  });
  const perp = new SimulatedPerpExchange({
    protocolId: "perp-exchange-B",
    settlementToken: { address: usdc, symbol: "USDC", decimals: 6 },
    insuranceToken: { address: weth, symbol: "WETH", decimals: 18 },
    cash: 1_000_000n * USDC,
    pendingWithdrawals: 1_500_000n * USDC,
    minFloat: 100_000n * USDC,
    insuranceFund: 500n * WETH,
    adlCostBps: 2500,
    prices: { settlementUsd8: usd8(1n), insuranceUsd8: usd8(3000n) },
    now: () => Date.now(),
  });

  return { lendingMarket, perp };
}

export async function runFoundationScenario(
  p: FoundationScenarioParameters,
): Promise<FoundationScenarioResult> {
  const step = p.onStep ?? (() => {});
  const log = p.log ?? createLogger();
  const timeout = p.stepTimeoutMs ?? 30_000;
  const [deployerKey, lenderKey, borrowerKey, tradersKey] = [0, 1, 2, 3].map((i) => anvilAccounts[i]!);
  const deployer = createArbiterClients({ rpcUrl: p.rpcUrl, privateKey: deployerKey! });
  const lenderClients = createArbiterClients({ rpcUrl: p.rpcUrl, privateKey: lenderKey! });
  const borrowerClients = createArbiterClients({ rpcUrl: p.rpcUrl, privateKey: borrowerKey! });
  const traders = createArbiterClients({ rpcUrl: p.rpcUrl, privateKey: tradersKey! }).account.address;

  step("deploying LiquidityArbiter, USDC and WETH");
  const [{ address: usdc }, { address: weth }] = await Promise.all([
    deployTestToken({ clients: deployer, name: "USD Coin", symbol: "USDC", decimals: 6 }),
    deployTestToken({ clients: deployer, name: "Wrapped Ether", symbol: "WETH", decimals: 18 }),
  ]);
  // The deployer is governance: it lists both tokens (disputes are bonded in a loan's principal token,
  // 1 % of the principal and at least the token's minimum bond) and registers both agents.
  const { address: arbiter } = await deployArbiter({ clients: deployer });
  await Promise.all([
    allowToken({ clients: deployer, arbiter, token: usdc, minBond: 100n * USDC }),
    allowToken({ clients: deployer, arbiter, token: weth, minBond: WETH / 20n }),
    registerAgent({
      clients: deployer,
      arbiter,
      agent: lenderClients.account.address,
      protocolId: "lending-market-A",
    }),
    registerAgent({
      clients: deployer,
      arbiter,
      agent: borrowerClients.account.address,
      protocolId: "perp-exchange-B",
    }),
  ]);
  const chainId = await deployer.public.getChainId();
  const domain: ArbiterDomain = { chainId, verifyingContract: arbiter };

  const { lendingMarket, perp } = foundationProtocols({ usdc, weth });

  step("funding the protocols' treasuries on-chain");
  await Promise.all([
    mintTestToken({
      clients: deployer,
      token: usdc,
      to: lenderClients.account.address,
      amount: 4_000_000n * USDC,
    }),
    mintTestToken({
      clients: deployer,
      token: usdc,
      to: borrowerClients.account.address,
      amount: 1_000_000n * USDC,
    }),
    mintTestToken({
      clients: deployer,
      token: weth,
      to: borrowerClients.account.address,
      amount: 500n * WETH,
    }),
    approve({ clients: lenderClients, token: usdc, spender: arbiter, amount: MAX }),
    approve({ clients: borrowerClients, token: usdc, spender: arbiter, amount: MAX }),
    approve({ clients: borrowerClients, token: weth, spender: arbiter, amount: MAX }),
  ]);

  const balanceOf = (token: Address, who: Address) =>
    deployer.public.readContract({
      address: token,
      abi: testTokenAbi,
      functionName: "balanceOf",
      args: [who],
    });
  const holdings = async (who: Address): Promise<Holdings> => {
    const [u, w] = await Promise.all([balanceOf(usdc, who), balanceOf(weth, who)]);
    return { usdc: u, weth: w };
  };
  const balances = async (): Promise<Balances> => {
    const [lender, borrower, arb, tr] = await Promise.all([
      holdings(lenderClients.account.address),
      holdings(borrowerClients.account.address),
      holdings(arbiter),
      holdings(traders),
    ]);
    return { lender, borrower, arbiter: arb, traders: tr };
  };

  const names = { lender: "A (lending market)", borrower: "B (perp exchange)" };
  const peers = createPeerRegistry([
    { address: getAddress(lenderClients.account.address), name: names.lender, protocol: "lending" },
    { address: getAddress(borrowerClients.account.address), name: names.borrower, protocol: "perp" },
  ]);
  const policy = foundationPolicy({ usdc, weth });

  const makeAgent = async (
    name: string,
    key: Hex,
    clients: ArbiterClients,
    adapter: SimulatedLendingMarket | SimulatedPerpExchange,
  ) =>
    startAgent({
      name,
      signer: createSigner(key),
      domain,
      transport: await p.createTransport(name),
      peers,
      adapter,
      settlement: createChainSettlement({ clients, arbiter }),
      policy,
      pollMs: 200,
      auction: { admissionMs: 250 },
      ...(p.onActivity ? { onActivity: p.onActivity } : {}),
      log,
    });

  const before = await balances();
  step("starting agents");
  const a = await makeAgent(names.lender, lenderKey!, lenderClients, lendingMarket);
  const b = await makeAgent(names.borrower, borrowerKey!, borrowerClients, perp);
  const agents = [a.agent, b.agent];
  try {
    step("negotiating");
    const sessionDone = waitForActivity(
      agents,
      (x) => x.type === "session" && x.agent === names.borrower,
      "B's session",
      timeout,
    );
    const settled = waitForActivity(
      agents,
      (x) => x.type === "report" && x.what === "settled",
      "settlement",
      timeout,
    );
    const session = await sessionDone;
    if (session.type !== "session" || session.outcome.status !== "agreed") {
      throw new Error(
        `negotiation did not reach agreement: ${JSON.stringify(session.type === "session" ? session.outcome : session)}`,
      );
    }
    const agreement = session.outcome.agreement;
    const settledReport = await settled;
    if (settledReport.type !== "report") throw new Error("unreachable");
    const settleTx = settledReport.data.txHash as Hex;
    const loanId = settledReport.data.id as Hex;
    const lenderSeesLoan = waitForActivity(
      [a.agent],
      (x) => x.type === "report" && x.what === "loan closed",
      "A sees the loan closed",
      timeout,
    );
    lenderSeesLoan.catch(() => {});
    const afterSettle = await balances();

    step("B pays its traders, then earns fees");
    const paid = perp.processWithdrawals();
    const payHash = await borrowerClients.wallet.writeContract({
      address: usdc,
      abi: testTokenAbi,
      functionName: "transfer",
      args: [traders, paid],
    });
    await borrowerClients.public.waitForTransactionReceipt({ hash: payHash });
    const fees = 700_000n * USDC;
    await mintTestToken({
      clients: deployer,
      token: usdc,
      to: borrowerClients.account.address,
      amount: fees,
    });
    perp.receive(fees);

    step("repaying");
    const repaid = waitForActivity(
      agents,
      (x) => x.type === "report" && x.what === "repaid",
      "repayment",
      timeout,
    );
    b.agent.poke();
    const repaidReport = await repaid;
    const repayTx = (repaidReport.type === "report" ? repaidReport.data.txHash : undefined) as Hex;
    await lenderSeesLoan;
    const loan = await getLoan({ clients: deployer, arbiter, id: loanId });
    return {
      arbiter,
      tokens: { usdc, weth },
      lender: { name: names.lender, address: lenderClients.account.address },
      borrower: { name: names.borrower, address: borrowerClients.account.address },
      agreement,
      loan,
      txs: { settle: settleTx, repay: repayTx },
      balances: { before, settled: afterSettle, repaid: await balances() },
    };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}
