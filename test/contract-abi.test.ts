/**
 * What a caller in another language relies on: the ABI shipped as JSON equals the one the TypeScript
 * client uses and is current with the Solidity sources, and the Agreement-hash test vector in
 * docs/ARBITRATION.md is what core/agreement.ts, viem and the contract itself compute.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Address, Hex } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { toContractAgreement } from "../arbitration/internal/agreement.ts";
import { blocklistTestTokenAbi } from "../contracts/generated/BlocklistTestToken.ts";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { testTokenAbi } from "../contracts/generated/TestToken.ts";
import {
  AGREEMENT_TYPE,
  type Agreement,
  AgreementSchema,
  amountDue,
  hashAgreement,
  hashAgreementWithViem,
  verifyAgreementSignature,
} from "../core/agreement.ts";
import { nonceOf } from "../core/agreement-nonce.ts";
import { createSigner } from "../core/signer.ts";
import { type ArbiterFixture, useAnvil } from "./harness/anvil.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const json = (path: string) => JSON.parse(readFileSync(join(repo, path), "utf8"));

describe("contracts/abi/*.json", () => {
  it("equal the ABIs the TypeScript client is built on", () => {
    expect(json("contracts/abi/LiquidityArbiter.json")).toEqual(liquidityArbiterAbi);
    expect(json("contracts/abi/TestToken.json")).toEqual(testTokenAbi);
    expect(json("contracts/abi/BlocklistTestToken.json")).toEqual(blocklistTestTokenAbi);
  });

  it("are current with the Solidity sources (contracts:build --check)", () => {
    const run = spawnSync(
      join(repo, "node_modules/.bin/tsx"),
      [join(repo, "contracts/build.ts"), "--check"],
      {
        cwd: repo,
        encoding: "utf8",
      },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});

type Vector = {
  domain: { name: string; version: string; chainId: number; verifyingContract: Address };
  agreement: unknown;
  nonceHex: Hex;
  typeHash: Hex;
  domainSeparator: Hex;
  structHash: Hex;
  digest: Hex;
  lenderSignature: Hex;
  borrowerSignature: Hex;
  amountDue: string;
};

function vectorFromDocs(): Vector {
  const doc = readFileSync(join(repo, "docs/ARBITRATION.md"), "utf8");
  const block = doc.match(
    /<!-- agreement-test-vector:begin -->\s*```json\n([\s\S]*?)```\s*<!-- agreement-test-vector:end -->/,
  );
  if (!block) throw new Error("docs/ARBITRATION.md has no agreement test vector block");
  return JSON.parse(block[1]!) as Vector;
}

describe("the Agreement-hash test vector of docs/ARBITRATION.md", () => {
  const v = vectorFromDocs();
  const agreement: Agreement = AgreementSchema.parse(v.agreement);
  const domain = { chainId: v.domain.chainId, verifyingContract: v.domain.verifyingContract };
  let chain: Awaited<ReturnType<typeof useAnvil>>;
  let fx: ArbiterFixture;

  beforeAll(async () => {
    chain = await useAnvil();
    fx = await chain.deployFixture({ approve: false });
    // The arbiter's code at the vector's address: its domain separator is recomputed for it.
    const code = await fx.deployer.clients.public.getCode({ address: fx.arbiter });
    await chain.test.setCode({ address: v.domain.verifyingContract, bytecode: code! });
  });

  it("TypeScript (hand-rolled and viem) computes the vector's digest, nonce layout and amount due", () => {
    expect(v.domain).toMatchObject({ name: "LiquidityArbiter", version: "1" });
    expect(hashAgreement(domain, agreement)).toBe(v.digest);
    expect(hashAgreementWithViem(domain, agreement)).toBe(v.digest);
    expect(`0x${agreement.nonce.toString(16).padStart(64, "0")}`).toBe(v.nonceHex);
    expect([nonceOf(agreement, "lender"), nonceOf(agreement, "borrower")]).toEqual([7n, 3n]);
    expect(amountDue(agreement).toString()).toBe(v.amountDue);
  });

  it("the signatures are the keys 1 and 2 signing the digest", () => {
    const [k1, k2] = [1, 2].map((k) => `0x${k.toString(16).padStart(64, "0")}` as Hex);
    expect(createSigner(k1!).address).toBe(agreement.lender);
    expect(createSigner(k2!).address).toBe(agreement.borrower);
    expect(createSigner(k1!).signDigest(v.digest)).toBe(v.lenderSignature);
    expect(createSigner(k2!).signDigest(v.digest)).toBe(v.borrowerSignature);
    verifyAgreementSignature(domain, agreement, v.lenderSignature, "lender");
    verifyAgreementSignature(domain, agreement, v.borrowerSignature, "borrower");
  });

  it("the contract computes the same type hash, domain separator and digest", async () => {
    expect(chain.chainId).toBe(v.domain.chainId);
    const read = { address: v.domain.verifyingContract, abi: liquidityArbiterAbi } as const;
    const pub = fx.deployer.clients.public;
    expect(await pub.readContract({ ...read, functionName: "AGREEMENT_TYPEHASH" })).toBe(v.typeHash);
    expect(await pub.readContract({ ...read, functionName: "DOMAIN_SEPARATOR" })).toBe(v.domainSeparator);
    expect(
      await pub.readContract({
        ...read,
        functionName: "hashAgreement",
        args: [toContractAgreement(agreement)],
      }),
    ).toBe(v.digest);
    expect(
      await pub.readContract({ ...read, functionName: "amountDue", args: [toContractAgreement(agreement)] }),
    ).toBe(BigInt(v.amountDue));
    expect(AGREEMENT_TYPE).toMatch(/^Agreement\(bytes32 sessionId,/);
  });
});
