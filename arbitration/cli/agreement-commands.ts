/**
 * `arbiter agreement` builds an Agreement from flags; `arbiter sign-agreement` adds the key's
 * signature (as lender or borrower, whichever the key is) under the arbiter's EIP-712 domain. Two
 * parties each run sign-agreement on the same file, then either runs `settle --file`.
 */
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import type { Address, Hex } from "viem";
import {
  type Agreement,
  agreementToJson,
  amountDue,
  hashAgreement,
  signAgreement,
} from "../../core/agreement.ts";
import { createNonceAllocator, packNonce } from "../../core/agreement-nonce.ts";
import { toJson } from "../../core/schema.ts";
import { createSigner } from "../../core/signer.ts";
import {
  address,
  bigintFlag,
  CliInputError,
  optional,
  PartlySignedAgreementFile,
  parseFile,
  readJson,
  required,
  smallFlag,
  type Values,
} from "./input.ts";

const MAX_UINT128 = (1n << 128n) - 1n;

function nonceHalf(value: string, flag: string): bigint {
  const n = bigintFlag(value, flag);
  if (n > MAX_UINT128) throw new CliInputError(`--${flag} ${value} does not fit in 128 bits.`);
  return n;
}

/** The agreement the flags describe. Omitted nonces are fresh sequential values (the time in ms times
 *  256: a new bitmap word per run); `--lender-nonce 0` means the lender uses no nonce. */
export function buildAgreement(values: Values, nowSec: bigint): Agreement {
  const collateral = optional(values, "collateral", bigintFlag) ?? 0n;
  const collateralToken =
    optional(values, "collateral-token", address) ?? "0x0000000000000000000000000000000000000000";
  if (collateral > 0n && values["collateral-token"] === undefined)
    throw new CliInputError("--collateral needs --collateral-token.");
  if (values.deadline !== undefined && values["valid-for"] !== undefined)
    throw new CliInputError("Pass either --deadline or --valid-for, not both.");
  const sessionId = values["session-id"] ?? `0x${randomBytes(32).toString("hex")}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(sessionId))
    throw new CliInputError(`--session-id ${sessionId} is not a 32-byte 0x hex value.`);
  const fresh = createNonceAllocator();
  const agreement: Agreement = {
    sessionId: sessionId.toLowerCase() as Hex,
    lender: address(required(values, "lender"), "lender"),
    borrower: address(required(values, "borrower"), "borrower"),
    principalToken: address(required(values, "principal-token"), "principal-token"),
    principal: bigintFlag(required(values, "principal"), "principal"),
    collateralToken,
    collateral,
    rateBps: smallFlag(required(values, "rate-bps"), "rate-bps"),
    tenor: smallFlag(required(values, "tenor"), "tenor"),
    nonce: packNonce({
      lender: optional(values, "lender-nonce", nonceHalf) ?? fresh.next(),
      borrower: optional(values, "borrower-nonce", nonceHalf) ?? fresh.next(),
    }),
    deadline:
      optional(values, "deadline", bigintFlag) ??
      nowSec + (optional(values, "valid-for", bigintFlag) ?? 3600n),
    callRiskLevel: optional(values, "call-risk-level", (v, f) => smallFlag(v, f, 255)) ?? 0,
  };
  if (agreement.lender === agreement.borrower)
    throw new CliInputError("--lender and --borrower are the same address.");
  if (agreement.principal === 0n) throw new CliInputError("--principal must be positive.");
  return agreement;
}

export type SignedFile = { agreement: Agreement; lenderSignature?: Hex; borrowerSignature?: Hex };

/** Adds the key's signature to the agreement in `path` (bare or partly signed) in its role's slot. */
export function signAgreementFile(p: { path: string; privateKey: Hex; chainId: number; arbiter: Address }): {
  signed: SignedFile;
  role: "lender" | "borrower";
  id: Hex;
} {
  const json = readJson(p.path, "agreement");
  const wrapped = json && typeof json === "object" && "agreement" in json ? json : { agreement: json };
  const file = parseFile(PartlySignedAgreementFile, wrapped, p.path, "agreement");
  const signer = createSigner(p.privateKey);
  const a = file.agreement;
  const role =
    signer.address.toLowerCase() === a.lender.toLowerCase()
      ? "lender"
      : signer.address.toLowerCase() === a.borrower.toLowerCase()
        ? "borrower"
        : undefined;
  if (!role)
    throw new CliInputError(
      `The key's account ${signer.address} is neither the agreement's lender nor its borrower.`,
      "Each party signs with its own key ($ARBITER_PRIVATE_KEY, or --key-env NAME).",
    );
  const domain = { chainId: p.chainId, verifyingContract: p.arbiter };
  const signature = signAgreement(domain, a, signer);
  const signed: SignedFile = {
    agreement: a,
    ...(file.lenderSignature ? { lenderSignature: file.lenderSignature } : {}),
    ...(file.borrowerSignature ? { borrowerSignature: file.borrowerSignature } : {}),
    [`${role}Signature`]: signature,
  };
  return { signed, role, id: hashAgreement(domain, a) };
}

/** The JSON printed for an agreement: the file form plus what a caller wants to know. */
export function describeAgreement(a: Agreement) {
  return { agreement: agreementToJson(a), amountDue: amountDue(a).toString() };
}

export function writeJsonFile(path: string, value: unknown, overwrite: boolean): void {
  if (!overwrite && existsSync(path))
    throw new CliInputError(`${path} exists.`, "Pass the same file to --agreement to add a signature to it.");
  writeFileSync(path, `${JSON.stringify(JSON.parse(toJson(value)), null, 2)}\n`);
}
