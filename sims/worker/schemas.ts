/**
 * What crosses NATS in a distributed study, version 1, as zod codecs: the study (announced in a KV
 * bucket), one job per run, one result per job. Money and other bigints travel as decimal strings;
 * floats that JSON cannot hold (NaN, +-Infinity, -0) as strings, so a decoded result is equal, bit
 * for bit, to the one the worker computed. Every inbound message is parsed with these; a message
 * that fails is logged with `z.prettifyError` and dropped.
 */
import { z } from "zod";
import { defaultEngineOptions, type EngineOptions } from "../engine/engine-options.ts";
import { MODES } from "../engine/engine-policy.ts";
import type { RunResult } from "../engine/run-engine.ts";

export const WIRE_VERSION = 1;

/** Compile-time check that a wire schema decodes to exactly the engine's type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// ---------------------------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------------------------

export const bigintString = z.codec(
  z.string().regex(/^-?\d+$/, "expected an integer as a decimal string"),
  z.bigint(),
  { decode: (s) => BigInt(s), encode: (b) => b.toString() },
);

const SPECIAL = ["NaN", "Infinity", "-Infinity", "-0"] as const;

const floatWire = z.union([z.number(), z.enum(SPECIAL)]);
const decodeFloat = (x: z.output<typeof floatWire>): number => (typeof x === "number" ? x : Number(x));
const encodeFloat = (x: number): z.output<typeof floatWire> =>
  Object.is(x, -0) ? "-0" : Number.isFinite(x) ? x : (String(x) as (typeof SPECIAL)[number]);

export const float = z.codec(floatWire, z.number(), { decode: decodeFloat, encode: encodeFloat });

export const floats = z.codec(
  z.array(floatWire),
  z.custom<Float64Array>((x) => x instanceof Float64Array),
  {
    decode: (xs) => Float64Array.from(xs, decodeFloat),
    encode: (f) => Array.from(f, encodeFloat),
  },
);

/** Study ids name a stream and subjects: letters, digits, '-' and '_'. */
export const StudyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected 1-64 letters, digits, '-' or '_'");

const whole = z.number().int().nonnegative();
const Mode = z.enum(MODES);

const NUMERIC_OPTIONS = Object.entries(defaultEngineOptions)
  .filter(([, v]) => typeof v === "number")
  .map(([k]) => k) as [keyof EngineOptions, ...(keyof EngineOptions)[]];
export const SweepOption = z.enum(NUMERIC_OPTIONS);

export const EngineOptionsWire = z.strictObject({
  positionsPerLending: whole.exactOptional(),
  tradersPerSide: whole.exactOptional(),
  lendingTreasuryShare: z.number().exactOptional(),
  lendingBufferShare: z.number().exactOptional(),
  rateModel: z
    .strictObject({
      baseBps: z.number(),
      slope1Bps: z.number(),
      slope2Bps: z.number(),
      kinkBps: z.number(),
      reserveFactorBps: z.number(),
    })
    .exactOptional(),
  arbitrageRecoveryPerHour: z.number().exactOptional(),
  maxOutsideDislocation: z.number().exactOptional(),
  depthScale: z.number().exactOptional(),
  perpHedgeShare: z.number().exactOptional(),
  fundingBpsPerHour: z.number().exactOptional(),
  liquidationRounds: whole.exactOptional(),
  perpMarginShare: z.number().exactOptional(),
  exactClearingEveryStep: z.boolean().exactOptional(),
  startTime: bigintString.optional(),
});

const engineOptionsMatch: Same<z.output<typeof EngineOptionsWire>, Partial<EngineOptions>> = true;
void engineOptionsMatch;

// ---------------------------------------------------------------------------------------------
// Study: announced once in the KV bucket; `status: "done"` is the workers' signal to stop
// ---------------------------------------------------------------------------------------------

export const StudyMessage = z.strictObject({
  v: z.literal(WIRE_VERSION),
  kind: z.literal("sims.study"),
  studyId: StudyId,
  status: z.enum(["open", "done"]),
  /** The scenario file's JSON (amounts as decimal strings), validated by the scenario schema. */
  scenario: z.unknown(),
  engine: EngineOptionsWire,
  sweepOption: SweepOption.nullable(),
  jobs: whole,
  createdAt: z.string(),
});
export type StudyMessage = z.output<typeof StudyMessage>;

// ---------------------------------------------------------------------------------------------
// Job: one run
// ---------------------------------------------------------------------------------------------

export const JobMessage = z.strictObject({
  v: z.literal(WIRE_VERSION),
  kind: z.literal("sims.job"),
  studyId: StudyId,
  /** Position in (sweep value, mode, seed) order; also the job id within the study. */
  index: whole,
  mode: Mode,
  seed: whole,
  sweep: z.number().nullable(),
});
export type JobMessage = z.output<typeof JobMessage>;

// ---------------------------------------------------------------------------------------------
// Result: one run's full RunResult
// ---------------------------------------------------------------------------------------------

const PolicyEventWire = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("loan"),
    step: whole,
    lender: z.string(),
    borrower: z.string(),
    asset: z.string(),
    principal: bigintString,
    principalUsd8: bigintString,
    rateBps: z.number(),
    rounds: z.number(),
  }),
  z.strictObject({
    type: z.enum(["repaid", "defaulted"]),
    step: whole,
    lender: z.string(),
    borrower: z.string(),
    principalUsd8: bigintString,
  }),
  z.strictObject({
    type: z.literal("liquidated"),
    step: whole,
    lender: z.string(),
    borrower: z.string(),
    repaidUsd8: bigintString,
    seizedUsd8: bigintString,
    closed: z.boolean(),
  }),
  z.strictObject({
    type: z.literal("topped-up"),
    step: whole,
    lender: z.string(),
    borrower: z.string(),
    collateralUsd8: bigintString,
  }),
  z.strictObject({ type: z.literal("no-deal"), step: whole, borrower: z.string(), reason: z.string() }),
  z.strictObject({
    type: z.literal("alert"),
    step: whole,
    level: z.number(),
    votes: z.number(),
    of: z.number(),
    reason: z.string(),
    expiresHour: z.number(),
  }),
  z.strictObject({ type: z.literal("derisk"), step: whole, protocol: z.string(), action: z.string() }),
]);

const RunTotalsWire = z.strictObject({
  badDebtUsd8: bigintString,
  insolvencies: whole,
  insolventAtStart: whole,
  insolventDebtUsd8: bigintString,
  depositorLossUsd8: bigintString,
  unpaidWithdrawalUsd8Hours: bigintString,
  peakUnmetUsd8: bigintString,
  writeDownUsd8: bigintString,
  halts: whole,
  liquidationUsd8: bigintString,
  liquidations: whole,
  liquidationsSkippedForGas: whole,
  liquidationsSkippedForCapital: whole,
  negotiatedUsd8: bigintString,
  loans: whole,
  loansRepaid: whole,
  defaults: whole,
  loansOutstanding: whole,
  loansLiquidated: whole,
  loansToppedUp: whole,
  negotiatedLiquidatedUsd8: bigintString,
  adlUsd8: bigintString,
  fireSaleUsd8: bigintString,
  recoveryHours: float.nullable(),
  recovered: z.boolean(),
});

const ContagionEventWire = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("default"),
    step: whole,
    protocol: z.string(),
    shortfallUsd8: bigintString,
  }),
  z.strictObject({
    type: z.literal("write-down"),
    step: whole,
    creditor: z.string(),
    debtor: z.string(),
    lossUsd8: bigintString,
    recoveryPpm: z.number(),
  }),
  z.strictObject({ type: z.literal("halt"), step: whole, protocol: z.string(), reason: z.string() }),
]);

export const RunResultWire = z.strictObject({
  scenario: z.string(),
  seed: whole,
  policy: z.string(),
  steps: whole,
  stepHours: z.number(),
  assets: z.array(z.string()),
  protocols: z.array(z.strictObject({ id: z.string(), label: z.string(), kind: z.string() })),
  series: z.strictObject({
    hours: floats,
    prices: z.array(floats),
    liquidationUsd: floats,
    badDebtUsd: floats,
    unmetUsd: floats,
    negotiatedUsd: floats,
    debtRank: floats,
    halted: floats,
    writeDownUsd: floats,
  }),
  totals: RunTotalsWire,
  end: z.array(
    z.strictObject({
      id: z.string(),
      equityUsd8: bigintString,
      insolvent: z.boolean(),
      deficitUsd8: bigintString,
      defaulted: z.boolean(),
      haltedHour: z.number().nullable(),
      writeDownLossUsd8: bigintString,
    }),
  ),
  network: z.strictObject({ start: floats, end: floats }),
  events: z.array(PolicyEventWire),
  contagion: z.array(ContagionEventWire),
  liquidationsByMarket: z.array(
    z.strictObject({
      protocol: z.string(),
      collateral: z.string(),
      days: z.array(
        z.strictObject({ debtUsd: z.number(), collateralUsd: z.number(), badDebtUsd: z.number() }),
      ),
    }),
  ),
});

// The codec must describe RunResult exactly, both ways.
const runResultMatches: Same<z.output<typeof RunResultWire>, RunResult> = true;
void runResultMatches;

export const ResultMessage = z.strictObject({
  v: z.literal(WIRE_VERSION),
  kind: z.literal("sims.result"),
  studyId: StudyId,
  index: whole,
  /** The worker that ran it (for accounting; results are idempotent by index). */
  worker: z.string(),
  durationMs: z.number().nonnegative(),
  result: RunResultWire,
});
export type ResultMessage = z.output<typeof ResultMessage>;

/** The engine threw on this job: the coordinator fails the study (a rerun would throw again). */
export const FailureMessage = z.strictObject({
  v: z.literal(WIRE_VERSION),
  kind: z.literal("sims.failure"),
  studyId: StudyId,
  index: whole,
  worker: z.string(),
  error: z.string(),
});
export type FailureMessage = z.output<typeof FailureMessage>;

/** What arrives on a study's results subjects. */
export const Outcome = z.discriminatedUnion("kind", [ResultMessage, FailureMessage]);

// ---------------------------------------------------------------------------------------------
// Encoding and decoding
// ---------------------------------------------------------------------------------------------

const text = new TextEncoder();

/** Encodes a message to JSON bytes (bigints as decimal strings). */
export function encodeMessage<S extends z.ZodType>(schema: S, value: z.output<S>): Uint8Array {
  return text.encode(JSON.stringify(z.encode(schema, value)));
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses JSON bytes against a schema; on failure says exactly what was wrong. */
export function decodeMessage<S extends z.ZodType>(schema: S, data: Uint8Array): DecodeResult<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(data));
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: z.prettifyError(parsed.error) };
}
