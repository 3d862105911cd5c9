/**
 * A parametric scenario family: ranges from which a seed draws one engine scenario (see
 * sample-family.ts). Validated with zod; every error names its field, e.g.
 * `protocols.max: expected a whole number between 3 and 50`.
 */
import { z } from "zod";
import { BaseError } from "../../../core/errors.ts";

export const FAMILY_VERSION = 1;

function between(min: number, max: number) {
  const message = `expected a number between ${min} and ${max}`;
  return z.number({ error: message }).min(min, message).max(max, message);
}

function whole(min: number, max: number) {
  const message = `expected a whole number between ${min} and ${max}`;
  return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

/** [low, high], low <= high: the seed draws uniformly between them. */
const range = (min: number, max: number) =>
  z
    .tuple([between(min, max), between(min, max)], { error: `expected [low, high] within [${min}, ${max}]` })
    .refine(([lo, hi]) => lo <= hi, { message: "expected low <= high" });

export const TOPOLOGIES = ["random", "core-periphery", "ring", "chain"] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export const FamilySpec = z
  .strictObject({
    v: z.literal(FAMILY_VERSION, { error: `expected v to be ${FAMILY_VERSION}` }),
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "expected a lower-case id: letters, digits, '-'"),
    title: z.string().min(3, "expected a title").max(200),
    /** Why the ranges are what they are (every sized figure needs a stated assumption). */
    assumption: z.string().min(10, "expected a stated assumption (at least 10 characters)").max(2000),
    horizonHours: whole(24, 2000),
    protocols: z
      .strictObject({ min: whole(3, 50), max: whole(3, 50) })
      .refine((p) => p.min <= p.max, { message: "expected min <= max", path: ["max"] }),
    /** Relative weights of the four kinds among protocols beyond the first four (one of each). */
    kindWeights: z.strictObject({
      lending: between(0, 100),
      amm: between(0, 100),
      perp: between(0, 100),
      vault: between(0, 100),
    }),
    topology: z.enum(TOPOLOGIES, { error: `expected topology to be one of: ${TOPOLOGIES.join(", ")}` }),
    /** Mean number of claims each protocol holds on peers (random topology; core links otherwise). */
    meanDegree: range(0.5, 10),
    /** Each claim's size as a share of the holder's size. */
    exposureShare: range(0, 0.5),
    /** ETH's annual volatility; BTC and ALT follow with their correlations to ETH. */
    volatilityAnnual: range(0.1, 3),
    correlation: range(-0.5, 0.99),
    shock: z.strictObject({
      /** Total fall of ETH (BTC and ALT by their correlation with it). */
      size: range(0, 0.95),
      /** Hours over which the fall happens (1: a crash; more: a slide). */
      speedHours: range(1, 500),
      /** When it starts, as a share of the horizon. */
      atShare: range(0, 0.9),
    }),
    /** Lending: borrowed / supplied, and the health-factor distribution over borrowers. */
    utilisation: range(0.05, 0.95),
    healthFactorMean: range(1.01, 5),
    healthFactorStd: range(0, 1),
    /** Perp: initial margin (1 / leverage). */
    perpInitialMargin: range(0.01, 0.5),
    /** Vault: share of backing that is liquid, and share in ETH (the rest USDC). */
    vaultLiquidShare: range(0, 1),
    vaultEthShare: range(0, 1),
    /** Outside market depth multiplier (1 = the stated depths). */
    depthScale: range(0.05, 10),
  })
  .refine((s) => s.kindWeights.lending + s.kindWeights.amm + s.kindWeights.perp + s.kindWeights.vault > 0, {
    message: "expected at least one positive kind weight",
    path: ["kindWeights"],
  });
export type FamilySpec = z.output<typeof FamilySpec>;
export type FamilySpecInput = z.input<typeof FamilySpec>;

/** A family spec failed validation; the message names the first field and lists every issue. */
export class FamilySpecError extends BaseError {
  override name = "FamilySpecError";
  override readonly code = "FamilySpecInvalid";
  readonly issues: { path: string; message: string }[];

  constructor({ origin, issues }: { origin: string; issues: { path: string; message: string }[] }) {
    const first = issues[0];
    super(
      `family spec ${origin} is invalid: ${first ? `${first.path}: ${first.message}` : "unknown problem"}`,
      {
        metaMessages: issues.slice(1).map((i) => `  ${i.path}: ${i.message}`),
      },
    );
    this.issues = issues;
  }
}

export function parseFamilySpec(json: unknown, origin = "<input>"): FamilySpec {
  const parsed = FamilySpec.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new FamilySpecError({
    origin,
    issues: parsed.error.issues.map((i) => ({
      path: i.path.length === 0 ? "(root)" : i.path.map(String).join("."),
      message: i.message,
    })),
  });
}
