/**
 * anvil for vitest. `useAnvil()` starts one anvil per worker process, lazily on first use (vitest
 * forks a process per test file, so in practice one per file); it is killed when the process exits.
 *
 *   const chain = await useAnvil();
 *   let fx: ArbiterFixture;
 *   let snap: Hex;
 *   beforeAll(async () => { fx = await chain.deployFixture(); });
 *   beforeEach(async () => { snap = await chain.snapshot(); });
 *   afterEach(async () => { await chain.revert(snap); });
 *
 * deployFixture() deploys two TestTokens (USDC, 6 decimals; WETH, 18) and LiquidityArbiter (bonds of
 * 1 % of the principal, liveness 1 day, arbitration window 3 days, alert quorum 2) from account 0,
 * which is governance: it lists both tokens (minimum bonds 100 USDC and 0.05 WETH), registers the
 * lender (account 1) and borrower (2) as agents (the stranger, 3, is not registered) and makes
 * accounts 4, 5, 6 a 2-of-3 arbiter set. It mints to lender, borrower
 * and stranger and, unless `approve: false`, has each approve the arbiter for unlimited amounts.
 * Snapshots are single-use (anvil deletes them on revert): take a new one before each test.
 */
import { type Address, createTestClient, erc20Abi, type Hex, http, type TestClient } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import {
  anvilAccounts,
  forgetDevNonces,
  type StartAnvilReturnType,
  startAnvil,
} from "../../arbitration/anvil.ts";
import { approve } from "../../arbitration/approve.ts";
import { type ArbiterClients, createArbiterClients } from "../../arbitration/clients.ts";
import { deployArbiter } from "../../arbitration/deploy-arbiter.ts";
import { deployTestToken } from "../../arbitration/deploy-test-token.ts";
import { allowToken, registerAgent, setArbiters } from "../../arbitration/governance.ts";
import { mintTestToken } from "../../arbitration/mint-test-token.ts";
import { settle } from "../../arbitration/settle.ts";
import { type Agreement, type ArbiterDomain, signAgreement } from "../../core/agreement.ts";
import { createSigner, type Signer } from "../../core/signer.ts";

export type Party = {
  address: Address;
  privateKey: Hex;
  clients: ArbiterClients;
  /** Fast signer (core/signer.ts) for EIP-712 digests. */
  signer: Signer;
};

export type ArbiterFixture = {
  arbiter: Address;
  usdc: Address;
  weth: Address;
  /** EIP-712 domain of the deployed arbiter. */
  domain: ArbiterDomain;
  /** Dispute bond per side in basis points of the principal. */
  bondBps: number;
  /** Minimum bonds of the listed tokens, base units. */
  minBond: { usdc: bigint; weth: bigint };
  /** The bond of sampleAgreement's loan (1 % of 1M USDC), in USDC base units. */
  bond: bigint;
  liveness: bigint;
  arbitrationWindow: bigint;
  /** Governance. */
  deployer: Party;
  /** The 2-of-3 arbiter set, sorted by address. */
  arbiters: Party[];
  lender: Party;
  borrower: Party;
  stranger: Party;
};

export type DeployFixtureParameters = {
  /** Approve the arbiter for both tokens from lender, borrower and stranger (default true). */
  approve?: boolean;
};

export type AnvilHarness = {
  rpcUrl: string;
  chainId: number;
  anvil: StartAnvilReturnType;
  /** viem test client (mode "anvil") for mining, time travel, impersonation. */
  test: TestClient<"anvil">;
  /** Clients and signer for anvil dev account `index` (0-9). */
  party(index: number): Party;
  /** Takes a snapshot of the chain; revert(id) returns to it once. */
  snapshot(): Promise<Hex>;
  /** Reverts to a snapshot and resets the local nonce caches of the dev accounts. */
  revert(id: Hex): Promise<void>;
  /** Current chain time (latest block timestamp), unix seconds. */
  now(): Promise<bigint>;
  /** Moves chain time forward by `seconds` and mines a block. */
  increaseTime(seconds: number | bigint): Promise<void>;
  deployFixture(params?: DeployFixtureParameters): Promise<ArbiterFixture>;
};

let harness: Promise<AnvilHarness> | undefined;

/** The worker's anvil, started on first call. */
export function useAnvil(): Promise<AnvilHarness> {
  harness ??= createHarness();
  return harness;
}

async function createHarness(): Promise<AnvilHarness> {
  const anvil = await startAnvil();
  const { rpcUrl, chainId } = anvil;
  const test = createTestClient({ mode: "anvil", transport: http(rpcUrl), pollingInterval: 50 });

  const parties = new Map<number, Party>();
  const party = (index: number): Party => {
    const privateKey = anvilAccounts[index];
    if (!privateKey) throw new Error(`anvil dev account ${index} does not exist (0-9).`);
    let p = parties.get(index);
    if (!p) {
      p = {
        address: privateKeyToAddress(privateKey),
        privateKey,
        clients: createArbiterClients({ rpcUrl, privateKey }),
        signer: createSigner(privateKey),
      };
      parties.set(index, p);
    }
    return p;
  };

  return {
    rpcUrl,
    chainId,
    anvil,
    test,
    party,
    snapshot: () => test.snapshot(),
    revert: async (id) => {
      await test.revert({ id });
      forgetDevNonces(chainId);
      // Anvil's revert also rewinds its clock to the snapshot's block: later blocks would then lag the
      // wall clock by the reverted test's length. Tests that sign times from the wall clock (alerts'
      // issuedAt) would be refused as "from the future", so the clock follows the wall again.
      const latest = (await party(0).clients.public.getBlock()).timestamp;
      const wall = BigInt(Math.floor(Date.now() / 1000));
      if (wall > latest) await test.increaseTime({ seconds: Number(wall - latest) });
    },
    now: async () => (await party(0).clients.public.getBlock()).timestamp,
    increaseTime: async (seconds) => {
      await test.increaseTime({ seconds: Number(seconds) });
      await test.mine({ blocks: 1 });
    },
    deployFixture: (params = {}) => deployFixture(party, chainId, params),
  };
}

const MAX = 2n ** 256n - 1n;

async function deployFixture(
  party: (index: number) => Party,
  chainId: number,
  params: DeployFixtureParameters,
): Promise<ArbiterFixture> {
  const [deployer, lender, borrower, stranger] = [party(0), party(1), party(2), party(3)];
  const arbiters = [party(4), party(5), party(6)].sort((a, b) =>
    a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1,
  );
  const { clients } = deployer;
  const [{ address: usdc }, { address: weth }] = await Promise.all([
    deployTestToken({ clients, name: "USD Coin", symbol: "USDC", decimals: 6 }),
    deployTestToken({ clients, name: "Wrapped Ether", symbol: "WETH", decimals: 18 }),
  ]);
  const bondBps = 100;
  const minBond = { usdc: 100n * 10n ** 6n, weth: 5n * 10n ** 16n };
  const liveness = 86_400n;
  const arbitrationWindow = 3n * 86_400n;
  const { address: arbiter } = await deployArbiter({
    clients,
    bondBps,
    liveness,
    arbitrationWindow,
    alertQuorum: 2,
  });
  await Promise.all([
    allowToken({ clients, arbiter, token: usdc, minBond: minBond.usdc }),
    allowToken({ clients, arbiter, token: weth, minBond: minBond.weth }),
    registerAgent({ clients, arbiter, agent: lender.address, protocolId: "lending-market-A" }),
    registerAgent({ clients, arbiter, agent: borrower.address, protocolId: "perp-exchange-B" }),
    setArbiters({ clients, arbiter, arbiters: arbiters.map((a) => a.address), threshold: 2 }),
  ]);
  const holders = [lender, borrower, stranger];
  await Promise.all(
    holders.flatMap((p) => [
      mintTestToken({ clients, token: usdc, to: p.address, amount: 10_000_000n * 10n ** 6n }),
      mintTestToken({ clients, token: weth, to: p.address, amount: 10_000n * 10n ** 18n }),
    ]),
  );
  if (params.approve ?? true) {
    await Promise.all(
      holders.flatMap((p) => [
        approve({ clients: p.clients, token: usdc, spender: arbiter, amount: MAX }),
        approve({ clients: p.clients, token: weth, spender: arbiter, amount: MAX }),
      ]),
    );
  }
  return {
    arbiter,
    usdc,
    weth,
    domain: { chainId, verifyingContract: arbiter },
    bondBps,
    minBond,
    bond: 10_000n * 10n ** 6n,
    liveness,
    arbitrationWindow,
    deployer,
    arbiters,
    lender,
    borrower,
    stranger,
  };
}

/** A plausible agreement between the fixture's lender and borrower: 1M USDC against 500 WETH at
 *  5% for 30 days, settleable for an hour from `now`. Override any field. */
export function sampleAgreement(
  fx: ArbiterFixture,
  now: bigint,
  overrides: Partial<Agreement> = {},
): Agreement {
  return {
    sessionId: `0x${"11".repeat(32)}`,
    lender: fx.lender.address,
    borrower: fx.borrower.address,
    principalToken: fx.usdc,
    principal: 1_000_000n * 10n ** 6n,
    collateralToken: fx.weth,
    collateral: 500n * 10n ** 18n,
    rateBps: 500,
    tenor: 30 * 24 * 3600,
    nonce: 1n,
    deadline: now + 3600n,
    ...overrides,
  };
}

/** Runs `fn`, expecting it to throw; returns the error. */
export async function rejection(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the call succeeded");
}

/** ERC-20 balance of `owner`. */
export function balanceOf(fx: ArbiterFixture, token: Address, owner: Address): Promise<bigint> {
  return fx.deployer.clients.public.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner],
  });
}

/** Settles `sampleAgreement` (with `overrides`) from the borrower, both parties signing. */
export async function settleSample(
  harness: AnvilHarness,
  fx: ArbiterFixture,
  overrides: Partial<Agreement> = {},
): Promise<{ agreement: Agreement; id: Hex }> {
  const agreement = sampleAgreement(fx, await harness.now(), overrides);
  const { id } = await settle({
    clients: fx.borrower.clients,
    arbiter: fx.arbiter,
    agreement,
    lenderSignature: signAgreement(fx.domain, agreement, fx.lender.signer),
    borrowerSignature: signAgreement(fx.domain, agreement, fx.borrower.signer),
  });
  return { agreement, id };
}
