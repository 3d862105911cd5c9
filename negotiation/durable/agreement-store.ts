/**
 * Agreements awaiting settlement, in a KV bucket keyed by agreement id (the Agreement's EIP-712
 * digest). Every transition is a compare-and-swap, so an old process and its restarted successor
 * can both run: `claimForSettlement` succeeds for exactly one of them, and the other leaves the
 * agreement alone. Nothing agreed is lost (it is stored before anyone settles it) or settled twice
 * by us (one claimant at a time; the contract also settles an agreement id once).
 *
 *   pending --claim--> claimed --markSettled--> settled
 *      ^                  |  \--release--> pending
 *      |                  \--(lease runs out: another owner may claim)
 *      \--markExpired (pending or claimed, once its deadline passed) --> expired
 */
import type { KV } from "@nats-io/kv";
import type { Hex } from "viem";
import { z } from "zod";
import { type Agreement, AgreementSchema } from "../../core/agreement.ts";
import { bytes32, signature, smallUint } from "../../core/schema.ts";
import type { Clock } from "../endpoint.ts";
import { AgreementStateError } from "./errors.ts";
import { bucketName, bytes32Key, casUpdate, listKeys, readRecord } from "./kv-record.ts";

export const AGREEMENT_STATUSES = ["pending", "claimed", "settled", "expired"] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

const timestamp = smallUint(Number.MAX_SAFE_INTEGER);

export const AgreementRecordSchema = z.strictObject({
  v: z.literal(1),
  agreementId: bytes32,
  /** Our side of the loan. */
  role: z.enum(["lender", "borrower"]),
  agreement: AgreementSchema,
  lenderSignature: signature,
  borrowerSignature: signature,
  status: z.enum(AGREEMENT_STATUSES),
  /** Who may submit the settlement now, until when (unix ms). Present iff status is "claimed". */
  claim: z.strictObject({ owner: z.string().min(1).max(128), until: timestamp }).optional(),
  /** The settling transaction, once settled. */
  txHash: bytes32.optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type AgreementRecord = z.output<typeof AgreementRecordSchema>;

/** What a caller records: a fully signed agreement and our role in it. */
export type NewAgreement = {
  role: "lender" | "borrower";
  agreement: Agreement;
  lenderSignature: Hex;
  borrowerSignature: Hex;
};

export type ClaimResult =
  | { claimed: true; record: AgreementRecord }
  | {
      claimed: false;
      reason: "not-found" | "claimed-by-other" | "settled" | "expired";
      record?: AgreementRecord;
    };

export type CreateAgreementStoreParameters = {
  /** A bucket owned by one agent (see openDurableState). */
  kv: KV;
  clock?: Clock;
  /** How long a claim holds before another owner may take over. Default 5 minutes. */
  claimLeaseMs?: number;
};

export interface AgreementStore {
  /** Records a signed agreement as pending. Idempotent for the same agreement and signatures;
   *  throws AgreementStateError if the id is already stored with different contents. */
  put(agreementId: Hex, agreement: NewAgreement): Promise<AgreementRecord>;
  get(agreementId: Hex): Promise<AgreementRecord | undefined>;
  /** Takes the right to submit the settlement. Exactly one of any number of concurrent callers
   *  with different `owner`s wins. The same owner may claim again (renewing the lease). After the
   *  lease runs out another owner may take over: it must check the chain before resubmitting.
   *  `owner` must be unique per process (e.g. agent address + random id). */
  claimForSettlement(agreementId: Hex, owner: string, params?: { leaseMs?: number }): Promise<ClaimResult>;
  /** Gives a claim back (e.g. the transaction failed before it was sent). False if `owner` does not
   *  hold the claim. */
  release(agreementId: Hex, owner: string): Promise<boolean>;
  /** Records the settling transaction. The chain is the truth, so this holds from any state; it
   *  throws AgreementStateError only for a second, different txHash or an unknown id. */
  markSettled(agreementId: Hex, txHash: Hex): Promise<AgreementRecord>;
  /** Pending or claimed -> expired (call once the deadline passed). No-op when settled or expired;
   *  throws AgreementStateError for an unknown id. */
  markExpired(agreementId: Hex): Promise<AgreementRecord>;
  /** Agreements still to settle (pending or claimed), oldest first. */
  pending(): Promise<AgreementRecord[]>;
}

const same = (a: Agreement, b: Agreement) =>
  (Object.keys(a) as (keyof Agreement)[]).every((k) =>
    typeof a[k] === "string" ? (a[k] as string).toLowerCase() === String(b[k]).toLowerCase() : a[k] === b[k],
  );

export function createAgreementStore(params: CreateAgreementStoreParameters): AgreementStore {
  const { kv } = params;
  const bucket = bucketName(kv);
  const clock = params.clock ?? { now: () => Date.now() };
  const defaultLeaseMs = params.claimLeaseMs ?? 5 * 60_000;

  const update = (id: Hex, change: (r: AgreementRecord | undefined) => AgreementRecord | undefined) =>
    casUpdate({ kv, bucket, key: bytes32Key("agreementId", id), schema: AgreementRecordSchema, change });

  const unknown = (id: Hex) => new AgreementStateError({ agreementId: id, reason: "not stored" });

  return {
    async put(agreementId, a) {
      const now = clock.now();
      const result = await update(agreementId, (current) => {
        if (!current) {
          return {
            v: 1,
            agreementId: agreementId.toLowerCase() as Hex,
            role: a.role,
            agreement: a.agreement,
            lenderSignature: a.lenderSignature.toLowerCase() as Hex,
            borrowerSignature: a.borrowerSignature.toLowerCase() as Hex,
            status: "pending",
            createdAt: now,
            updatedAt: now,
          };
        }
        const identical =
          current.role === a.role &&
          same(current.agreement, a.agreement) &&
          current.lenderSignature === a.lenderSignature.toLowerCase() &&
          current.borrowerSignature === a.borrowerSignature.toLowerCase();
        if (!identical) {
          throw new AgreementStateError({ agreementId, reason: "already stored with different contents" });
        }
        return undefined;
      });
      return result.value!;
    },

    async get(agreementId) {
      const key = bytes32Key("agreementId", agreementId);
      return (await readRecord(kv, bucket, key, AgreementRecordSchema)).value;
    },

    async claimForSettlement(agreementId, owner, claimParams = {}) {
      const leaseMs = claimParams.leaseMs ?? defaultLeaseMs;
      let refusal: Exclude<ClaimResult, { claimed: true }> | undefined;
      const result = await update(agreementId, (r) => {
        refusal = undefined;
        const now = clock.now();
        if (!r) refusal = { claimed: false, reason: "not-found" };
        else if (r.status === "settled" || r.status === "expired")
          refusal = { claimed: false, reason: r.status, record: r };
        else if (r.status === "claimed" && r.claim && r.claim.owner !== owner && r.claim.until >= now)
          refusal = { claimed: false, reason: "claimed-by-other", record: r };
        if (refusal || !r) return undefined;
        return { ...r, status: "claimed", claim: { owner, until: now + leaseMs }, updatedAt: now };
      });
      return refusal ?? { claimed: true, record: result.value! };
    },

    async release(agreementId, owner) {
      let released = false;
      await update(agreementId, (r) => {
        released = false;
        if (r?.status !== "claimed" || r.claim?.owner !== owner) return undefined;
        released = true;
        const { claim: _claim, ...rest } = r;
        return { ...rest, status: "pending", updatedAt: clock.now() };
      });
      return released;
    },

    async markSettled(agreementId, txHash) {
      const tx = txHash.toLowerCase() as Hex;
      const result = await update(agreementId, (r) => {
        if (!r) throw unknown(agreementId);
        if (r.status === "settled") {
          if (r.txHash === tx) return undefined;
          throw new AgreementStateError({ agreementId, reason: `already settled by ${r.txHash}, not ${tx}` });
        }
        const { claim: _claim, ...rest } = r;
        return { ...rest, status: "settled", txHash: tx, updatedAt: clock.now() };
      });
      return result.value!;
    },

    async markExpired(agreementId) {
      const result = await update(agreementId, (r) => {
        if (!r) throw unknown(agreementId);
        if (r.status === "settled" || r.status === "expired") return undefined;
        const { claim: _claim, ...rest } = r;
        return { ...rest, status: "expired", updatedAt: clock.now() };
      });
      return result.value!;
    },

    async pending() {
      const records: AgreementRecord[] = [];
      for (const key of await listKeys(kv)) {
        const { value } = await readRecord(kv, bucket, key, AgreementRecordSchema);
        if (value && (value.status === "pending" || value.status === "claimed")) records.push(value);
      }
      return records.sort((a, b) => a.createdAt - b.createdAt);
    },
  };
}
