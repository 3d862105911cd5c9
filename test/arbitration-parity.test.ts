/**
 * The TypeScript EIP-712 definitions and the contract agree, for every typed struct: same domain
 * separator, same type hashes, same digests for random Agreements (core/agreement.ts, with and
 * without callRiskLevel), Rulings and RiskAlerts (arbitration/typed-data.ts), and the same amount
 * due.
 */
import fc from "fast-check";
import { type Address, getTypesForEIP712Domain, type Hex, hashDomain, keccak256, toHex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import { toContractAgreement } from "../arbitration/internal/agreement.ts";
import {
  hashRiskAlert,
  hashRuling,
  type RiskAlert,
  type Ruling,
  riskAlertTypes,
  rulingTypes,
} from "../arbitration/typed-data.ts";
import { type Party, partyIndex } from "../arbitration/types.ts";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import {
  AGREEMENT_TYPE,
  type Agreement,
  agreementTypes,
  amountDue,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  eip712Domain,
  hashAgreement,
  hashAgreementWithViem,
} from "../core/agreement.ts";
import { type ArbiterFixture, useAnvil } from "./harness/anvil.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;

beforeAll(async () => {
  fx = await chain.deployFixture({ approve: false });
});

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => toHex(b));
const address = hex(20).map((h) => h as Address);
const uint = (bits: number) => fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n });

const agreementArb: fc.Arbitrary<Agreement> = fc.record(
  {
    sessionId: hex(32),
    lender: address,
    borrower: address,
    principalToken: address,
    principal: uint(256),
    collateralToken: address,
    collateral: uint(256),
    rateBps: fc.nat({ max: 0xffffffff }),
    tenor: fc.nat({ max: 0xffffffff }),
    nonce: uint(256),
    deadline: uint(64),
    callRiskLevel: fc.nat({ max: 255 }),
  },
  {
    requiredKeys: [
      "sessionId",
      "lender",
      "borrower",
      "principalToken",
      "principal",
      "collateralToken",
      "collateral",
      "rateBps",
      "tenor",
      "nonce",
      "deadline",
    ],
  },
);
const rulingArb: fc.Arbitrary<Ruling> = fc.record({
  loanId: hex(32),
  round: fc.nat({ max: 0xffffffff }),
  winner: fc.constantFrom<Party>("None", "Lender", "Borrower"),
  closeLoan: fc.boolean(),
});
const alertArb: fc.Arbitrary<RiskAlert> = fc.record({
  level: fc.nat({ max: 255 }),
  evidenceHash: hex(32),
  issuedAt: uint(64),
  expiresAt: uint(64),
});

function read<T>(functionName: string, args?: readonly unknown[]): Promise<T> {
  return fx.deployer.clients.public.readContract({
    address: fx.arbiter,
    abi: liquidityArbiterAbi,
    functionName,
    ...(args ? { args } : {}),
  } as never) as Promise<T>;
}

const typeString = (name: string, fields: readonly { name: string; type: string }[]) =>
  `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(",")})`;

describe("EIP-712 parity between TypeScript and LiquidityArbiter", () => {
  test("domain separator equals viem's hashDomain of eip712Domain()", async () => {
    const domain = eip712Domain(fx.domain);
    const types: Record<string, unknown> = { EIP712Domain: getTypesForEIP712Domain({ domain }) };
    expect(await read<Hex>("DOMAIN_SEPARATOR")).toBe(hashDomain({ domain, types }));

    // ERC-5267 view agrees too.
    const [, name, version, chainId, verifyingContract] =
      await read<readonly [Hex, string, string, bigint, Address]>("eip712Domain");
    expect({ name, version, chainId, verifyingContract }).toEqual({
      name: DOMAIN_NAME,
      version: DOMAIN_VERSION,
      chainId: BigInt(fx.domain.chainId),
      verifyingContract: fx.arbiter,
    });
  });

  test("type hashes equal the hashes of the TypeScript types", async () => {
    expect(typeString("Agreement", agreementTypes.Agreement)).toBe(AGREEMENT_TYPE);
    expect(await read<Hex>("AGREEMENT_TYPEHASH")).toBe(keccak256(toHex(AGREEMENT_TYPE)));
    expect(await read<Hex>("RULING_TYPEHASH")).toBe(
      keccak256(toHex(typeString("Ruling", rulingTypes.Ruling))),
    );
    expect(await read<Hex>("RISK_ALERT_TYPEHASH")).toBe(
      keccak256(toHex(typeString("RiskAlert", riskAlertTypes.RiskAlert))),
    );
  });

  test("Agreement digests match for random agreements (callRiskLevel absent = 0)", async () => {
    await fc.assert(
      fc.asyncProperty(agreementArb, async (a) => {
        const onChain = await read<Hex>("hashAgreement", [toContractAgreement(a)]);
        expect(onChain).toBe(hashAgreement(fx.domain, a));
        expect(onChain).toBe(hashAgreementWithViem(fx.domain, a));
      }),
      { numRuns: 40 },
    );
    const a = fc.sample(agreementArb, { numRuns: 1, seed: 3 })[0]!;
    const { callRiskLevel: _, ...without } = a;
    expect(hashAgreement(fx.domain, without)).toBe(
      hashAgreement(fx.domain, { ...without, callRiskLevel: 0 }),
    );
  });

  test("Ruling digests match for random rulings", async () => {
    await fc.assert(
      fc.asyncProperty(rulingArb, async (r) => {
        const onChain = await read<Hex>("hashRuling", [{ ...r, winner: partyIndex(r.winner) }]);
        expect(onChain).toBe(hashRuling(fx.domain, r));
      }),
      { numRuns: 30 },
    );
  });

  test("RiskAlert digests match for random alerts", async () => {
    await fc.assert(
      fc.asyncProperty(alertArb, async (alert) => {
        expect(await read<Hex>("hashRiskAlert", [alert])).toBe(hashRiskAlert(fx.domain, alert));
      }),
      { numRuns: 30 },
    );
  });

  test("amount due matches core amountDue for any representable loan", async () => {
    const terms = fc.record({
      principal: fc.bigInt({ min: 1n, max: 2n ** 96n }),
      rateBps: fc.nat({ max: 0xffffffff }),
      tenor: fc.nat({ max: 0xffffffff }),
    });
    const base = fc.sample(agreementArb, { numRuns: 1, seed: 5 })[0]!;
    for (const t of fc.sample(terms, { numRuns: 25, seed: 7 })) {
      const a = { ...base, ...t };
      expect(await read<bigint>("amountDue", [toContractAgreement(a)])).toBe(amountDue(a));
    }
  });
});
