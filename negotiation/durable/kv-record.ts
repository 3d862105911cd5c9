/**
 * Versioned JSON records in a JetStream KV bucket, validated by zod on every read and write, and
 * read-modify-write by compare-and-swap (`kv.update(key, value, revision)`), so two writers (an
 * old process and its restarted successor) never overwrite each other's changes unseen.
 */
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { z } from "zod";
import { BYTES32_PATTERN } from "../../core/formats.ts";
import { toJson } from "../../core/schema.ts";
import { DurableConflictError, DurableRecordError, InvalidKeyError } from "./errors.ts";

/** A record as read: `revision` 0 means the key does not exist (or was deleted: then the
 *  revision of the delete marker, which `write` passes on as the expected revision). */
export type Stored<T> = { value: T | undefined; revision: number };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function isCasConflict(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
      err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** Session and agreement ids are bytes32 hex, which is also a valid KV key once lowercased. */
export function bytes32Key(what: string, value: string): string {
  if (!BYTES32_PATTERN.test(value)) throw new InvalidKeyError({ what, value });
  return value.toLowerCase();
}

export async function readRecord<S extends z.ZodType>(
  kv: KV,
  bucket: string,
  key: string,
  schema: S,
): Promise<Stored<z.output<S>>> {
  const entry = await kv.get(key);
  if (!entry) return { value: undefined, revision: 0 };
  if (entry.operation !== "PUT") return { value: undefined, revision: entry.revision };
  return { value: parseRecord(bucket, key, schema, entry.value), revision: entry.revision };
}

export function parseRecord<S extends z.ZodType>(
  bucket: string,
  key: string,
  schema: S,
  bytes: Uint8Array,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    throw new DurableRecordError({ bucket, key, issues: String(err), direction: "read" });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new DurableRecordError({ bucket, key, issues: z.prettifyError(parsed.error), direction: "read" });
  }
  return parsed.data;
}

/** Serialises `value` (bigints as decimal strings) after checking it reads back under `schema`. */
export function encodeRecord(bucket: string, key: string, schema: z.ZodType, value: unknown): Uint8Array {
  const json = toJson(value);
  const parsed = schema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    throw new DurableRecordError({ bucket, key, issues: z.prettifyError(parsed.error), direction: "write" });
  }
  return encoder.encode(json);
}

/** Writes iff the key is still at `revision` (0: iff it does not exist). Returns the new revision;
 *  throws a JetStreamApiError that `isCasConflict` recognises when someone else wrote first. */
export function writeRecord(kv: KV, key: string, data: Uint8Array, revision: number): Promise<number> {
  return revision === 0 ? kv.create(key, data) : kv.update(key, data, revision);
}

export type CasResult<T> = { value: T | undefined; revision: number; changed: boolean };

/**
 * Read-modify-write with compare-and-swap, retried on conflict. `change` gets the current value
 * (undefined if absent) and returns the new value, or `undefined` to leave the key as it is. It
 * may run several times and may throw to abort.
 */
export async function casUpdate<S extends z.ZodType>(params: {
  kv: KV;
  bucket: string;
  key: string;
  schema: S;
  change: (current: z.output<S> | undefined) => z.output<S> | undefined;
  maxAttempts?: number;
}): Promise<CasResult<z.output<S>>> {
  const { kv, bucket, key, schema } = params;
  const maxAttempts = params.maxAttempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    const current = await readRecord(kv, bucket, key, schema);
    const next = params.change(current.value);
    if (next === undefined) return { ...current, changed: false };
    try {
      const revision = await writeRecord(kv, key, encodeRecord(bucket, key, schema, next), current.revision);
      return { value: next, revision, changed: true };
    } catch (err) {
      if (!isCasConflict(err)) throw err;
      if (attempt >= maxAttempts) throw new DurableConflictError({ bucket, key, attempts: attempt });
    }
  }
}

/** Every live key of the bucket (optionally under a subject-style filter such as `a.*`). */
export async function listKeys(kv: KV, filter = ">"): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of await kv.keys(filter)) keys.push(k);
  return keys;
}

/** The bucket's name for messages (the nats.js Bucket has it; the KV interface does not say so). */
export function bucketName(kv: KV): string {
  const name = (kv as { bucket?: unknown }).bucket;
  return typeof name === "string" ? name : "kv";
}

/** Records of one versioned schema in one bucket, by key: what every store here needs. The store
 *  stamps `v: 1` and `updatedAt` on each write; callers write the rest (`State`). */
export interface KeyedRecords<R, State> {
  /** Creates or replaces the record at `key`. */
  put(key: string, state: State): Promise<R>;
  /** Read-modify-write by compare-and-swap; `change` may run more than once. Resolves to
   *  undefined (and writes nothing) when nothing is stored at `key`. */
  update(key: string, change: (current: R) => State): Promise<R | undefined>;
  get(key: string): Promise<R | undefined>;
  /** Every stored record. */
  list(): Promise<R[]>;
  remove(key: string): Promise<void>;
}

export function createKeyedRecords<S extends z.ZodType, State>(params: {
  kv: KV;
  schema: S;
  clock?: { now(): number };
}): KeyedRecords<z.output<S>, State> {
  const { kv, schema } = params;
  const bucket = bucketName(kv);
  const clock = params.clock ?? { now: () => Date.now() };
  const stamp = (s: State) => ({ ...s, v: 1, updatedAt: clock.now() }) as z.output<S>;
  return {
    async put(key, state) {
      const result = await casUpdate({ kv, bucket, key, schema, change: () => stamp(state) });
      return result.value!;
    },
    async update(key, change) {
      const result = await casUpdate({
        kv,
        bucket,
        key,
        schema,
        change: (current) => (current ? stamp(change(current)) : undefined),
      });
      return result.value;
    },
    async get(key) {
      return (await readRecord(kv, bucket, key, schema)).value;
    },
    async list() {
      const out: z.output<S>[] = [];
      for (const key of await listKeys(kv)) {
        const { value } = await readRecord(kv, bucket, key, schema);
        if (value) out.push(value);
      }
      return out;
    },
    async remove(key) {
      await kv.purge(key);
    },
  };
}
