/**
 * The standard AgreementPort: builds agreements for one session between a known lender and
 * borrower, signs with our key, and checks the counterparty's agreements and signatures.
 */
import { randomBytes } from "node:crypto";
import { type Address, bytesToBigInt, type Hex } from "viem";
import {
  type Agreement,
  type ArbiterDomain,
  hashAgreement,
  signAgreement,
  verifyAgreementSignature,
} from "../../core/agreement.ts";
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
};

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

export function createAgreementPort(p: CreateAgreementPortParameters): AgreementPort {
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
      // Random 256-bit nonces never collide, so neither party has to coordinate a counter.
      nonce: bytesToBigInt(randomBytes(32)),
      deadline: p.nowSec() + BigInt(p.settlementWindowSec),
    }),
    sign: (agreement) => signAgreement(p.domain, agreement, p.signer),
    id: (agreement) => hashAgreement(p.domain, agreement),
    verify: (agreement, signature, role) => {
      try {
        verifyAgreementSignature(p.domain, agreement, signature, role);
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
        // A deadline already past is useless; one far away keeps our signature live too long.
        a.deadline > now &&
        a.deadline <= now + BigInt(2 * p.settlementWindowSec)
      );
    },
  };
}
