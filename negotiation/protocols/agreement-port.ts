/**
 * The standard AgreementPort: builds agreements for one session between a known lender and
 * borrower, signs with our key, and checks the counterparty's agreements and signatures. Building
 * and checking go field by field through the Agreement's one definition (core/agreement.ts
 * AGREEMENT_FIELDS): every field comes from the session, the terms, the nonce or the deadline, and
 * a received agreement is compared on every one of them.
 */
import type { Address, Hex } from "viem";
import {
  type Agreement,
  type ArbiterDomain,
  buildAgreement,
  createAgreementCheck,
  hashAgreement,
  verifyAgreementDigest,
} from "../../core/agreement.ts";
import { type NonceAllocator, nonceAllocatorFor, nonceOf, packNonce } from "../../core/agreement-nonce.ts";
import type { Signer } from "../../core/signer.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import type { Terms } from "../strategies/strategy.ts";
import type { AgreementPort } from "./alternating-offers.ts";

export type CreateAgreementPortParameters = {
  domain: ArbiterDomain;
  signer: Signer;
  sessionId: Hex;
  lender: Address;
  borrower: Address;
  principalToken: Address;
  /** Seconds the agreements we build stay settleable (their deadline: now + this). */
  settlementWindowSec: number;
  /** The latest deadline we countersign, seconds from now (default
   *  PROTOCOL_PARAMETERS.maxSettlementWindowSec): a far deadline keeps our signature live too long. */
  maxSettlementWindowSec?: number;
  /** Unix-seconds clock (chain time in simulations). */
  nowSec: () => bigint;
  /** Our nonces (core/agreement-nonce.ts); default: this process's allocator for our address. */
  nonces?: NonceAllocator | undefined;
  /** The nonce of an agreement we build. Default: our next nonce (`nonces`) in our half of the
   *  packed nonce, the other half empty (core/agreement-nonce.ts). */
  nonce?: () => bigint;
  /** What a nonce the counterparty chose must satisfy for us to sign. Default: our half is empty
   *  (a nonce there would consume one of ours). */
  acceptNonce?: (nonce: bigint) => boolean;
};

const same = (a: Address, b: Address) => a.toLowerCase() === b.toLowerCase();

/** The default nonce rules, one per role (made once: a port is made per session). */
const ourHalfEmpty = {
  lender: (nonce: bigint) => nonceOf({ nonce }, "lender") === 0n,
  borrower: (nonce: bigint) => nonceOf({ nonce }, "borrower") === 0n,
} as const;

export function createAgreementPort(p: CreateAgreementPortParameters): AgreementPort {
  const session = {
    sessionId: p.sessionId,
    lender: p.lender,
    borrower: p.borrower,
    principalToken: p.principalToken,
  };
  const maxWindow = BigInt(p.maxSettlementWindowSec ?? PROTOCOL_PARAMETERS.maxSettlementWindowSec);
  // The agreement nonce packs each party's own 128-bit nonce; we fill only ours, from our sequence
  // (warm bitmap words on chain: docs/ARBITRATION.md "Nonces"), and never accept one for us we did
  // not choose.
  const ourRole = same(p.signer.address, p.lender) ? "lender" : "borrower";
  const acceptNonce = p.acceptNonce ?? ourHalfEmpty[ourRole];
  // Only the side that confirms checks an agreement: prepared on first use.
  let check: ReturnType<typeof createAgreementCheck> | undefined;
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
    build: (terms: Terms): Agreement =>
      buildAgreement({
        session,
        terms,
        nonce: p.nonce
          ? p.nonce()
          : packNonce({ [ourRole]: (p.nonces ?? nonceAllocatorFor(p.signer.address)).next() }),
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
    mismatch: (a, terms) => {
      const now = p.nowSec();
      // A deadline already past is useless; one far away keeps our signature live too long.
      check ??= createAgreementCheck(session);
      return check(a, {
        terms,
        deadline: { after: now, notAfter: now + maxWindow },
        nonce: acceptNonce,
      });
    },
  };
}
