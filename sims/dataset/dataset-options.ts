/**
 * What `npm run sim:dataset` is asked to do, validated with zod (every error names the field):
 * which families and seeds, where the Arrow file goes, how many borrowers per lending market, and
 * whether generation runs in this process or fans out over a NATS JetStream work queue.
 */
import { z } from "zod";
import { listFamilies } from "../scenarios/families/catalogue.ts";
import { DatasetOptionsError } from "./errors.ts";

export const DatasetOptions = z.strictObject({
  families: z.array(z.string().min(1)).min(1, "expected at least one family"),
  seeds: z
    .array(z.number().int("expected whole seeds").min(0, "expected seeds >= 0").max(Number.MAX_SAFE_INTEGER))
    .min(1, "expected at least one seed"),
  out: z
    .string()
    .min(1, "expected a file path")
    .regex(/\.arrow$/, 'expected a path ending in ".arrow"'),
  positionsPerLending: z.number().int("expected a whole number").min(1, "expected at least 1").max(100_000),
  tradersPerSide: z.number().int("expected a whole number").min(1, "expected at least 1").max(10_000),
  /** NATS servers to fan out over (workers pull jobs); undefined: generate in this process. */
  nats: z.string().min(1).optional(),
  /** With nats: also run this many workers in this process (0: only remote workers). */
  localWorkers: z.number().int().min(0).max(64),
});
export type DatasetOptions = z.output<typeof DatasetOptions>;
export type DatasetOptionsInput = z.input<typeof DatasetOptions>;

export const DEFAULT_DATASET_OPTIONS = {
  positionsPerLending: 100,
  tradersPerSide: 20,
  localWorkers: 0,
} as const;

/** Validates options and resolves "all" to every family; unknown families are named. */
export function parseDatasetOptions(input: unknown): DatasetOptions {
  const parsed = DatasetOptions.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DatasetOptionsError({
      field: issue.path.length ? issue.path.map(String).join(".") : "(options)",
      problem: issue.message,
    });
  }
  const known = listFamilies().map((f) => f.name);
  const families = parsed.data.families.includes("all") ? known : parsed.data.families;
  for (const f of families)
    if (!known.includes(f))
      throw new DatasetOptionsError({
        field: "families",
        problem: `unknown family "${f}"`,
        hint: `Available: ${known.join(", ")} (or "all").`,
      });
  return { ...parsed.data, families };
}
