/**
 * The agreement nonce our agents build (core/agreement-nonce.ts): the builder fills only its own
 * half, from its own sequence (so its bitmap word on the arbiter stays warm), and never confirms an
 * agreement that carries a nonce in our half (it would consume one of ours).
 */
import { keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createNonceAllocator, nonceOf, packNonce } from "../../core/agreement-nonce.ts";
import { createSigner } from "../../core/signer.ts";
import { createAgreementPort } from "./agreement-port.ts";

const lender = createSigner(keccak256(toHex("nonce lender")));
const borrower = createSigner(keccak256(toHex("nonce borrower")));
const domain = { chainId: 31337, verifyingContract: "0x000000000000000000000000000000000000a1b1" as const };
const terms = {
  principal: 1_000_000n,
  rateBps: 500,
  tenor: 86_400,
  collateralToken: "0x00000000000000000000000000000000000000E0" as const,
  collateral: 10n,
  haircutBps: 1000,
};

function portOf(signer: typeof lender, start: bigint) {
  return createAgreementPort({
    domain,
    signer,
    sessionId: `0x${"ab".repeat(32)}`,
    lender: lender.address,
    borrower: borrower.address,
    principalToken: "0x00000000000000000000000000000000000000C0",
    settlementWindowSec: 600,
    nowSec: () => 1_000n,
    nonces: createNonceAllocator({ start }),
  });
}

describe("agreement nonces", () => {
  it("the builder puts its own sequential nonce in its half and leaves the other's empty", () => {
    const asLender = portOf(lender, 500n);
    const first = asLender.build(terms);
    const second = asLender.build(terms);
    expect(nonceOf(first, "lender")).toBe(500n);
    expect(nonceOf(second, "lender")).toBe(501n);
    expect(nonceOf(first, "borrower")).toBe(0n);
    const asBorrower = portOf(borrower, 9n);
    const built = asBorrower.build(terms);
    expect(built.nonce).toBe(packNonce({ borrower: 9n }));
  });

  it("a counterparty's agreement conforms only if our half is empty", () => {
    const built = portOf(lender, 77n).build(terms);
    const asBorrower = portOf(borrower, 1n);
    expect(asBorrower.mismatch(built, terms)).toBeUndefined();
    expect(
      asBorrower.mismatch({ ...built, nonce: packNonce({ lender: 77n, borrower: 3n }) }, terms),
    ).toMatchObject({ field: "nonce", kind: "mismatch" });
  });
});
