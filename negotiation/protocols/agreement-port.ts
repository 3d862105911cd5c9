/**
 * The standard AgreementPort: builds agreements for one session between a known lender and
 * borrower, signs with our key, and checks the counterparty's agreements and signatures.
 */
import type { Address, Hex } from "viem";
import {
  type Agreement,
  type ArbiterDomain,
  hashAgreement,
  verifyAgreementDigest,
} from "../../core/agreement.ts";
import { type NonceAllocator, nonceAllocatorFor, nonceOf, packNonce } from "../../core/agreement-nonce.ts";
import type { Signer } from "../../core/signer.ts";
import type { Terms } from "../strategies/strategy.ts";
import type { AgreementPort } from "./alternating-offers.ts";

export type CreateAgreementPortParameters = {
  domain: ArbiterDomain;
  signer: Signer;
  sessionId: Hex;
  lender: Address;
  borrower: Address;
  principalToken: Address;
  /** Seconds the signed agreement stays settleable. */
  settlementWindowSec: number;
  /** Unix-seconds clock (chain time in simulations). */
  nowSec: () => bigint;
  /** Our nonces (core/agreement-nonce.ts); default: this process's allocator for our address. */
  nonces?: NonceAllocator | undefined;
};

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

export function createAgreementPort(p: CreateAgreementPortParameters): AgreementPort {
  // The agreement nonce packs each party's own 128-bit nonce; we fill only ours, from our sequence
  // (warm bitmap words on chain: docs/ARBITRATION.md "Nonces"), and never accept one for us we did
  // not choose.
  const ourRole = same(p.signer.address, p.lender) ? "lender" : "borrower";
  // A session hashes the agreement it signs or checks up to three times (sign or verify, then its
  // id for the confirm); agreements are immutable values, so the last one's digest is reused.
  let lastAgreement: Agreement | undefined;
  let lastDigest: Hex | undefined;
  const digestOf = (agreement: Agreement): Hex => {
    if (agreement !== lastAgreement || lastDigest === undefined) {
      lastDigest = hashAgreement(p.domain, agreement);
      lastAgreement = agreement;
    }
    return lastDigest;
  };
  return {
    build: (terms: Terms): Agreement => ({
      sessionId: p.sessionId,
      lender: p.lender,
      borrower: p.borrower,
      principalToken: p.principalToken,
      principal: terms.principal,
      collateralToken: terms.collateralToken,
      collateral: terms.collateral,
      rateBps: terms.rateBps,
      tenor: terms.tenor,
      nonce: packNonce({ [ourRole]: (p.nonces ?? nonceAllocatorFor(p.signer.address)).next() }),
      deadline: p.nowSec() + BigInt(p.settlementWindowSec),
    }),
    sign: (agreement) => p.signer.signDigest(digestOf(agreement)),
    id: digestOf,
    verify: (agreement, signature, role) => {
      try {
        verifyAgreementDigest(digestOf(agreement), agreement, signature, role);
        return true;
      } catch {
        return false;
      }
    },
    conforms: (a, terms) => {
      const now = p.nowSec();
      return (
        a.sessionId.toLowerCase() === p.sessionId.toLowerCase() &&
        same(a.lender, p.lender) &&
        same(a.borrower, p.borrower) &&
        same(a.principalToken, p.principalToken) &&
        a.principal === terms.principal &&
        a.rateBps === terms.rateBps &&
        a.tenor === terms.tenor &&
        same(a.collateralToken, terms.collateralToken) &&
        a.collateral === terms.collateral &&
        // The builder's nonce is its own; a nonce in our half would consume one of ours.
        nonceOf(a, ourRole) === 0n &&
        // A deadline already past is useless; one far away keeps our signature live too long.
        a.deadline > now &&
        a.deadline <= now + BigInt(2 * p.settlementWindowSec)
      );
    },
  };
}
