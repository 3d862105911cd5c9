/**
 * What the arbiter CLI reads: flags, environment and JSON files, each checked with an error that
 * names the flag or file and says what was expected (CliInputError, exit code 2).
 */
import { readFileSync } from "node:fs";
import type { parseArgs } from "node:util";
import { type Address, getAddress, type Hex, isAddress, keccak256 } from "viem";
import { z } from "zod";
import { type Agreement, AgreementSchema } from "../../core/agreement.ts";
import { BaseError } from "../../core/errors.ts";
import type { Party } from "../types.ts";

export type CliIo = {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
};

/** Bad input: printed with its hint, exit code 2. */
export class CliInputError extends BaseError {
  override name = "CliInputError";
  override readonly code = "CliInput";
  constructor(message: string, hint?: string) {
    super(message, hint ? { metaMessages: [hint] } : {});
  }
}

export const options = {
  help: { type: "boolean", short: "h" },
  rpc: { type: "string" },
  arbiter: { type: "string" },
  "key-env": { type: "string" },
  "bond-bps": { type: "string" },
  liveness: { type: "string" },
  window: { type: "string" },
  "alert-quorum": { type: "string" },
  governance: { type: "string" },
  token: { type: "string", multiple: true },
  "min-bond": { type: "string" },
  agent: { type: "string" },
  protocol: { type: "string" },
  arbiters: { type: "string" },
  threshold: { type: "string" },
  file: { type: "string" },
  agreement: { type: "string" },
  out: { type: "string" },
  amount: { type: "string" },
  evidence: { type: "string" },
  "evidence-file": { type: "string" },
  winner: { type: "string" },
  close: { type: "boolean" },
  signatures: { type: "string" },
  nonce: { type: "string" },
  id: { type: "string" },
  to: { type: "string" },
  owner: { type: "string" },
  name: { type: "string" },
  symbol: { type: "string" },
  decimals: { type: "string" },
  "mint-to": { type: "string" },
  lender: { type: "string" },
  borrower: { type: "string" },
  "principal-token": { type: "string" },
  principal: { type: "string" },
  "collateral-token": { type: "string" },
  collateral: { type: "string" },
  "rate-bps": { type: "string" },
  tenor: { type: "string" },
  "lender-nonce": { type: "string" },
  "borrower-nonce": { type: "string" },
  deadline: { type: "string" },
  "valid-for": { type: "string" },
  "call-risk-level": { type: "string" },
  "session-id": { type: "string" },
} as const;

export type Values = ReturnType<
  typeof parseArgs<{ options: typeof options; allowPositionals: true }>
>["values"];
type StringFlag = { [K in keyof Values]-?: Values[K] extends string | undefined ? K : never }[keyof Values];

const hexBytes = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})+$/, "expected 0x-prefixed hex bytes")
  .transform((s) => s as Hex);

export const SignedAgreementFile = z.strictObject({
  agreement: AgreementSchema,
  lenderSignature: hexBytes,
  borrowerSignature: hexBytes,
});

/** An agreement with none, one or both signatures (what sign-agreement reads and writes). */
export const PartlySignedAgreementFile = z.strictObject({
  agreement: AgreementSchema,
  lenderSignature: hexBytes.optional(),
  borrowerSignature: hexBytes.optional(),
});

export const SignaturesFile = z
  .array(
    z.strictObject({
      signer: z
        .string()
        .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte 0x-prefixed hex address")
        .transform((s) => getAddress(s)),
      signature: hexBytes,
    }),
  )
  .min(1, "expected at least one signature");

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliInputError(`Cannot read the ${what} file ${path}: ${reason}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`The ${what} file ${path} is not valid JSON: ${(error as Error).message}.`);
  }
}

export function parseFile<T>(schema: z.ZodType<T>, value: unknown, path: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new CliInputError(`The ${what} file ${path} is invalid:\n${z.prettifyError(result.error)}`);
}

/** An agreement file: a bare agreement, or a (partly) signed file whose `agreement` is used. */
export function readAgreement(path: string | undefined): Agreement {
  if (!path) throw new CliInputError("Missing --agreement <file>.", "Pass the agreement's JSON file.");
  const json = readJson(path, "agreement");
  const inner =
    json && typeof json === "object" && "agreement" in json
      ? (json as { agreement: unknown }).agreement
      : json;
  return parseFile(AgreementSchema, inner, path, "agreement");
}

export function required(values: Values, name: StringFlag): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new CliInputError(`Missing --${name}.`, "See --help.");
  return v;
}

export function address(value: string, flag: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new CliInputError(`--${flag} ${value} is not an address.`, "Expected 0x and 40 hex digits.");
  }
  return getAddress(value);
}

export function bigintFlag(value: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new CliInputError(
      `--${flag} ${value} is not a non-negative integer.`,
      "Amounts are in base units.",
    );
  }
  return BigInt(value);
}

export function smallFlag(value: string, flag: string, max = 0xffffffff): number {
  const n = bigintFlag(value, flag);
  if (n > BigInt(max)) throw new CliInputError(`--${flag} ${value} is too large (at most ${max}).`);
  return Number(n);
}

export function optional<T>(values: Values, name: StringFlag, parse: (v: string, flag: string) => T) {
  const v = values[name];
  return typeof v === "string" && v !== "" ? parse(v, name) : undefined;
}

export function winnerFlag(value: string): Party {
  const map: Record<string, Party> = { lender: "Lender", borrower: "Borrower", none: "None" };
  const p = map[value.toLowerCase()];
  if (!p) throw new CliInputError(`--winner ${value} is not lender, borrower or none.`);
  return p;
}

export function evidenceHash(values: Values): Hex {
  if (values.evidence && values["evidence-file"]) {
    throw new CliInputError("Pass either --evidence or --evidence-file, not both.");
  }
  if (values["evidence-file"]) {
    try {
      return keccak256(readFileSync(values["evidence-file"]));
    } catch (error) {
      throw new CliInputError(
        `Cannot read the evidence file ${values["evidence-file"]}: ${(error as Error).message}.`,
      );
    }
  }
  const e = values.evidence;
  if (!e) throw new CliInputError("Missing --evidence <0x hash> or --evidence-file <path>.");
  if (!/^0x[0-9a-fA-F]{64}$/.test(e)) throw new CliInputError(`--evidence ${e} is not a 32-byte 0x hash.`);
  return e as Hex;
}

export function privateKey(values: Values, env: CliIo["env"]): Hex {
  const name = values["key-env"] ?? "ARBITER_PRIVATE_KEY";
  const key = env[name];
  if (!key) {
    throw new CliInputError(
      `No private key: $${name} is not set.`,
      `Export the signing account's key as ${name} (0x and 64 hex digits); it is never printed.`,
    );
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new CliInputError(`$${name} is not a private key (expected 0x and 64 hex digits).`);
  }
  return key as Hex;
}
