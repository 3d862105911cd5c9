/** Errors of the durable stores (JetStream KV). */
import { BaseError } from "../../core/errors.ts";

/** A stored record does not parse: corrupt, written by an incompatible version, or by hand. */
export class DurableRecordError extends BaseError {
  override name = "DurableRecordError";
  override readonly code = "DurableRecord";
  readonly key: string;
  constructor(params: { bucket: string; key: string; issues: string; direction: "read" | "write" }) {
    super(
      params.direction === "read"
        ? `Record "${params.key}" in bucket "${params.bucket}" is not a valid record.`
        : `Refusing to write an invalid record "${params.key}" to bucket "${params.bucket}".`,
      {
        details: params.issues,
        metaMessages:
          params.direction === "read"
            ? ["Inspect it with `nats kv get`; a newer record version needs a newer agent."]
            : ["This is a bug in the caller: the record does not match its schema."],
      },
    );
    this.key = params.key;
  }
}

/** Compare-and-swap kept losing: another writer changes the same key continuously. */
export class DurableConflictError extends BaseError {
  override name = "DurableConflictError";
  override readonly code = "DurableConflict";
  constructor(params: { bucket: string; key: string; attempts: number }) {
    super(
      `Gave up updating "${params.key}" in bucket "${params.bucket}" after ${params.attempts} conflicts.`,
      {
        metaMessages: [
          "Another process writes the same key; make sure only one agent instance owns a bucket.",
        ],
      },
    );
  }
}

/** An agreement transition that contradicts its stored state (e.g. a second, different txHash). */
export class AgreementStateError extends BaseError {
  override name = "AgreementStateError";
  override readonly code = "AgreementState";
  constructor(params: { agreementId: string; reason: string }) {
    super(`Agreement ${params.agreementId}: ${params.reason}.`);
  }
}

/** A key argument (session id, agreement id, peer) that is not the hex it must be. */
export class InvalidKeyError extends BaseError {
  override name = "InvalidKeyError";
  override readonly code = "InvalidKey";
  constructor(params: { what: string; value: string; expected?: string }) {
    super(
      `${params.what} must be ${params.expected ?? "32 bytes of 0x-prefixed hex"}, got "${params.value.slice(0, 80)}".`,
    );
  }
}
