/**
 * zod schemas of wire protocol v0: the signed envelope and one body per message kind. Schemas
 * take the JSON form (uint256 as decimal strings) and produce the typed form (bigint, checksummed
 * addresses, lowercase hex). See docs/PROTOCOL.md#messages for the field-by-field reference.
 */
import type { Hex } from "viem";
import { z } from "zod";
import { AgreementSchema, agreementTermsShape } from "../../core/agreement.ts";
import { BYTES32_PATTERN, SIGNATURE_PATTERN } from "../../core/formats.ts";
import { address, bytes32, signature, smallUint, uint } from "../../core/schema.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import { checkedAddress } from "./checksum.ts";
import { fastBodies } from "./fast-bodies.ts";
import { MAX_REJECT_CODE_LENGTH, REJECT_CODE_PATTERN } from "./reject-codes.ts";

export const WIRE_VERSION = 0;
/** Largest encoded message a peer accepts. */
export const MAX_MESSAGE_BYTES = PROTOCOL_PARAMETERS.maxMessageBytes;

export const MESSAGE_KINDS = [
  "rfq",
  "offer",
  "accept",
  "confirm",
  "reject",
  "commit",
  "reveal",
  "margin.call",
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];
export type SessionKind = Exclude<MessageKind, "rfq">;

const UINT32_MAX = 0xffffffff;
const positive = (bits: number) => uint(bits).refine((n) => n > 0n, "must be greater than zero");

const unixMs = smallUint(Number.MAX_SAFE_INTEGER);

/** The `auction` field of a sealed-bid RFQ: lenders commit by `commitBy`, reveal by `revealBy`. */
export const SealedAuctionSchema = z
  .strictObject({
    mode: z.literal("sealed"),
    /** Commitments must arrive by this unix time, ms. */
    commitBy: unixMs,
    /** Reveals must arrive by this unix time, ms (after commitBy). */
    revealBy: unixMs,
  })
  .refine((a) => a.revealBy > a.commitBy, { message: "revealBy must be after commitBy", path: ["revealBy"] });

export const RfqBodySchema = z.strictObject({
  principalToken: address,
  /** Amount wanted, base units of principalToken. */
  principal: positive(256),
  /** Highest simple annual rate the borrower accepts, basis points. */
  maxRateBps: smallUint(UINT32_MAX),
  /** Loan duration, seconds. */
  tenor: smallUint(UINT32_MAX),
  collateralToken: address,
  /** Most collateral the borrower will post, base units of collateralToken. */
  collateral: uint(256),
  /** Present for a sealed-bid RFQ (lenders answer with commit and reveal, not offers). */
  auction: SealedAuctionSchema.optional(),
});

/** The negotiated loan: every Agreement field whose source is `terms` (core/agreement.ts
 *  AGREEMENT_FIELDS, in its order: principal, collateralToken, collateral, rateBps, tenor and the
 *  optional callRiskLevel), with the same JSON forms, plus the haircut, which the Agreement does
 *  not carry. A new negotiated Agreement field joins the Terms by being defined there. */
export const TermsSchema = z.strictObject({
  ...agreementTermsShape,
  /** Amount lent, base units: more than zero in an offer. */
  principal: positive(256),
  /** Discount applied to the collateral's value, basis points (0..10000). */
  haircutBps: smallUint(10_000),
});

export const OfferBodySchema = z.strictObject({
  terms: TermsSchema,
  /** seq of the counterparty message this offer answers (omitted for a first offer). */
  inReplyTo: smallUint(UINT32_MAX).optional(),
  /** An offer sent again, unchanged, to a borrower that repeated its RFQ after a restart
   *  (docs/PROTOCOL.md §7.1): a session that already has this lender's offer ignores it. */
  resent: z.literal(true).optional(),
});

export const AcceptBodySchema = z.strictObject({
  agreement: AgreementSchema,
  /** The accepter's EIP-712 signature of `agreement` (core/agreement.ts). */
  signature,
});

export const ConfirmBodySchema = z.strictObject({
  /** The Agreement's EIP-712 digest. */
  agreementId: bytes32,
  /** The confirmer's EIP-712 signature of the same Agreement. */
  signature,
});

export const RejectBodySchema = z.strictObject({
  /** Why, for people. */
  reason: z.string().max(256),
  /** Why, for programs: one of the codes of reject-codes.ts (a receiver accepts unknown ones). */
  code: z
    .string()
    .max(MAX_REJECT_CODE_LENGTH)
    .regex(REJECT_CODE_PATTERN, "expected a lowercase hyphenated reason code")
    .optional(),
});

export const CommitBodySchema = z.strictObject({
  /** keccak256 of the bid's canonical preimage (protocols/sealed-bid-messages.ts, commitmentOf). */
  commitment: bytes32,
});

export const RevealBodySchema = z.strictObject({
  terms: TermsSchema,
  /** The 32 random bytes the lender chose when it committed. */
  salt: bytes32,
});

/** A lender's request that the borrower top up a margined loan (docs/PROTOCOL.md §11). Its
 *  envelope's sessionId is `agreementId`; health figures are the contract's WAD (1e18 = at the
 *  liquidation threshold). */
export const MarginCallBodySchema = z
  .strictObject({
    /** The loan: the Agreement's EIP-712 digest (its id on the arbiter). */
    agreementId: bytes32,
    /** Health the lender read from the contract (WAD). */
    health: uint(256),
    /** Health that `amount` restores (WAD). */
    targetHealth: uint(256),
    /** Collateral the lender suggests adding, base units of `collateralToken`. */
    amount: positive(256),
    collateralToken: address,
    /** Unix seconds (chain clock) by which the lender wants the top-up; it liquidates whenever the
     *  loan is liquidatable, deadline or not, and asks again after it. */
    deadline: uint(64),
  })
  .refine((b) => b.targetHealth > b.health, {
    message: "targetHealth must be above health",
    path: ["targetHealth"],
  });

export const BodySchemas = {
  rfq: RfqBodySchema,
  offer: OfferBodySchema,
  accept: AcceptBodySchema,
  confirm: ConfirmBodySchema,
  reject: RejectBodySchema,
  commit: CommitBodySchema,
  reveal: RevealBodySchema,
  "margin.call": MarginCallBodySchema,
} as const;

const envelope = {
  v: z.literal(WIRE_VERSION),
  sessionId: bytes32,
  seq: smallUint(UINT32_MAX),
  from: address,
  to: address,
  /** Unix time in milliseconds after which the message must be refused. */
  expiry: smallUint(Number.MAX_SAFE_INTEGER),
  nonce: bytes32,
  sig: signature,
};

export const MessageSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...envelope, kind: z.literal("rfq"), body: RfqBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("offer"), body: OfferBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("accept"), body: AcceptBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("confirm"), body: ConfirmBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("reject"), body: RejectBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("commit"), body: CommitBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("reveal"), body: RevealBodySchema }),
  z.strictObject({ ...envelope, kind: z.literal("margin.call"), body: MarginCallBodySchema }),
]);

const ENVELOPE_KEYS = 10;

const isUint = (v: unknown, max: number): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/** BodySchemas[kind].safeParse(raw), through the hand-written check (fast-bodies.ts) when the
 *  kind has one and it accepts the body: the same output either way. */
export function parseBody<K extends MessageKind>(
  kind: K,
  raw: unknown,
): { success: true; data: BodyOf<K> } | { success: false; error: z.ZodError } {
  const fast = fastBodies[kind]?.(raw);
  if (fast !== undefined) return { success: true, data: fast as BodyOf<K> };
  return BodySchemas[kind].safeParse(raw) as
    | { success: true; data: BodyOf<K> }
    | { success: false; error: z.ZodError };
}

/**
 * MessageSchema.safeParse with the envelope checked by hand and only the body through zod: the
 * same output for every valid message at a fraction of the cost (the envelope is a third to a half
 * of zod's time per message). Anything the fast checks do not accept goes through MessageSchema,
 * so errors are exactly zod's.
 */
export function parseMessage(raw: Record<string, unknown>): ReturnType<typeof MessageSchema.safeParse> {
  const kind = raw.kind;
  const body =
    typeof kind === "string" && Object.hasOwn(BodySchemas, kind)
      ? BodySchemas[kind as MessageKind]
      : undefined;
  const { v, sessionId, seq, from, to, expiry, nonce, sig } = raw;
  const fromAddress = checkedAddress(from);
  const toAddress = checkedAddress(to);
  if (
    body === undefined ||
    v !== WIRE_VERSION ||
    typeof sessionId !== "string" ||
    !BYTES32_PATTERN.test(sessionId) ||
    !isUint(seq, UINT32_MAX) ||
    fromAddress === undefined ||
    toAddress === undefined ||
    !isUint(expiry, Number.MAX_SAFE_INTEGER) ||
    typeof nonce !== "string" ||
    !BYTES32_PATTERN.test(nonce) ||
    typeof sig !== "string" ||
    !SIGNATURE_PATTERN.test(sig) ||
    !("body" in raw) ||
    Object.keys(raw).length !== ENVELOPE_KEYS
  ) {
    return MessageSchema.safeParse(raw);
  }
  const parsedBody = parseBody(kind as MessageKind, raw.body);
  if (!parsedBody.success) return MessageSchema.safeParse(raw);
  return {
    success: true,
    data: {
      v: WIRE_VERSION,
      sessionId: sessionId.toLowerCase() as Hex,
      seq,
      from: fromAddress,
      to: toAddress,
      expiry,
      nonce: nonce.toLowerCase() as Hex,
      sig: sig.toLowerCase() as Hex,
      kind,
      body: parsedBody.data,
    } as Message,
  } as ReturnType<typeof MessageSchema.safeParse>;
}

/** A validated message (typed form), discriminated by `kind`. */
export type Message = z.output<typeof MessageSchema>;
export type MessageOf<K extends MessageKind> = Extract<Message, { kind: K }>;
export type RfqMessage = MessageOf<"rfq">;
export type SessionMessage = MessageOf<SessionKind>;
export type BodyOf<K extends MessageKind> = z.output<(typeof BodySchemas)[K]>;
/** JSON form of a body, as it travels. */
export type WireBodyOf<K extends MessageKind> = z.input<(typeof BodySchemas)[K]>;

export type RfqBody = BodyOf<"rfq">;
export type Terms = z.output<typeof TermsSchema>;
export type OfferBody = BodyOf<"offer">;
export type AcceptBody = BodyOf<"accept">;
export type ConfirmBody = BodyOf<"confirm">;
export type RejectBody = BodyOf<"reject">;
export type CommitBody = BodyOf<"commit">;
export type RevealBody = BodyOf<"reveal">;
export type MarginCallBody = BodyOf<"margin.call">;
export type SealedAuction = z.output<typeof SealedAuctionSchema>;
