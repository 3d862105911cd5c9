/**
 * The TypeScript EIP-712 definitions (core/agreement.ts) and the contract agree: same domain
 * separator, same type hash, same digest for any agreement, same amount due.
 */
import fc from "fast-check";
import { type Address, getTypesForEIP712Domain, hashDomain, keccak256, toHex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import { settle } from "../arbitration/settle.ts";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import {
  type Agreement,
  agreementTypes,
  amountDue,
  DOMAIN_NAME,
  DOMAIN_VERSION,
  eip712Domain,
  hashAgreement,
  signAgreement,
} from "../core/agreement.ts";
import { type ArbiterFixture, useAnvil } from "./harness/anvil.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;

beforeAll(async () => {
  fx = await chain.deployFixture();
});

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => toHex(b));
const address = hex(20).map((h) => h as Address);
const uint = (bits: number) => fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n });

const agreementArb: fc.Arbitrary<Agreement> = fc.record({
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
});

describe("EIP-712 parity between core/agreement.ts and LiquidityArbiter", () => {
  test("domain separator equals viem's hashDomain of eip712Domain()", async () => {
    const onChain = await fx.deployer.clients.public.readContract({
      address: fx.arbiter,
      abi: liquidityArbiterAbi,
      functionName: "DOMAIN_SEPARATOR",
    });
    const domain = eip712Domain(fx.domain);
    const types: Record<string, unknown> = { EIP712Domain: getTypesForEIP712Domain({ domain }) };
    const expected = hashDomain({ domain, types });
    expect(onChain).toBe(expected);

    // ERC-5267 view agrees too.
    const [, name, version, chainId, verifyingContract] = await fx.deployer.clients.public.readContract({
      address: fx.arbiter,
      abi: liquidityArbiterAbi,
      functionName: "eip712Domain",
    });
    expect({ name, version, chainId, verifyingContract }).toEqual({
      name: DOMAIN_NAME,
      version: DOMAIN_VERSION,
      chainId: BigInt(fx.domain.chainId),
      verifyingContract: fx.arbiter,
    });
  });

  test("type hash equals the hash of the TypeScript type", async () => {
    const fields = agreementTypes.Agreement.map((f) => `${f.type} ${f.name}`).join(",");
    const onChain = await fx.deployer.clients.public.readContract({
      address: fx.arbiter,
      abi: liquidityArbiterAbi,
      functionName: "AGREEMENT_TYPEHASH",
    });
    expect(onChain).toBe(keccak256(toHex(`Agreement(${fields})`)));
  });

  test("hashAgreement matches for random agreements", async () => {
    await fc.assert(
      fc.asyncProperty(agreementArb, async (a) => {
        const onChain = await fx.deployer.clients.public.readContract({
          address: fx.arbiter,
          abi: liquidityArbiterAbi,
          functionName: "hashAgreement",
          args: [a],
        });
        expect(onChain).toBe(hashAgreement(fx.domain, a));
      }),
      { numRuns: 40 },
    );
  });

  test("amount due of settled loans matches core amountDue", async () => {
    const now = await chain.now();
    let nonce = 1000n;
    const terms = fc.record({
      principal: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      rateBps: fc.nat({ max: 0xffffffff }),
      tenor: fc.nat({ max: 0xffffffff }),
    });
    for (const t of fc.sample(terms, { numRuns: 8, seed: 7 })) {
      const a: Agreement = {
        sessionId: keccak256(toHex(nonce)),
        lender: fx.lender.address,
        borrower: fx.borrower.address,
        principalToken: fx.usdc,
        principal: t.principal,
        collateralToken: fx.weth,
        collateral: 1n,
        rateBps: t.rateBps,
        tenor: t.tenor,
        nonce: nonce++,
        deadline: now + 3600n,
      };
      const { id } = await settle({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        agreement: a,
        lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
        borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
      });
      const onChain = await fx.deployer.clients.public.readContract({
        address: fx.arbiter,
        abi: liquidityArbiterAbi,
        functionName: "amountDue",
        args: [id],
      });
      expect(onChain).toBe(amountDue(a));
    }
  });
});
