/**
 * Command-line values shared by the study (sims/engine/cli.ts) and the dataset
 * (sims/dataset/cli.ts), validated with zod: --seeds, --sweep and the numeric engine options.
 * Every failure is a UsageError that names the option and the part that is wrong, printed as a
 * plain message before any run starts.
 */
import { z } from "zod";
import { ENGINE_OPTION_VALUES, NUMERIC_ENGINE_OPTIONS, type NumericEngineOption } from "./engine-options.ts";
import { UsageError } from "./errors.ts";

/** The most seeds one --seeds may name (a count or a range). */
export const MAX_SEEDS = 1_000_000;

const SEEDS_FORMS = 'expected a count ("20"), a list ("1,2,3") or a range ("1..50")';

/** A seed as typed: digits only (no sign, exponent, decimal point or hex), a safe integer. */
function seedOf(text: string, ctx: z.RefinementCtx): number | undefined {
  if (!/^\d+$/.test(text)) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a whole number >= 0` });
    return undefined;
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: "custom", message: `"${text}" is above ${Number.MAX_SAFE_INTEGER}` });
    return undefined;
  }
  return n;
}

/** `--seeds`: a count N (seeds 1..N), a range A..B (both included) or a list "a,b,c". */
export const SeedsSpec = z.string().transform((raw, ctx): number[] => {
  const s = raw.trim();
  const range = /^(.*)\.\.(.*)$/.exec(s);
  if (range) {
    const a = seedOf(range[1]!.trim(), ctx);
    const b = seedOf(range[2]!.trim(), ctx);
    if (a === undefined || b === undefined) return z.NEVER;
    if (b < a) {
      ctx.addIssue({ code: "custom", message: "the range ends before it starts" });
      return z.NEVER;
    }
    if (b - a + 1 > MAX_SEEDS) {
      ctx.addIssue({ code: "custom", message: `at most ${MAX_SEEDS} seeds` });
      return z.NEVER;
    }
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  if (s.includes(",")) {
    const seeds: number[] = [];
    for (const [i, part] of s.split(",").entries()) {
      const text = part.trim();
      if (text === "") {
        ctx.addIssue({ code: "custom", message: `entry ${i + 1} is empty` });
        return z.NEVER;
      }
      const n = seedOf(text, ctx);
      if (n === undefined) return z.NEVER;
      if (seeds.includes(n)) {
        ctx.addIssue({ code: "custom", message: `seed ${n} is listed twice` });
        return z.NEVER;
      }
      seeds.push(n);
    }
    return seeds;
  }
  if (s === "") {
    ctx.addIssue({ code: "custom", message: "nothing given" });
    return z.NEVER;
  }
  const n = seedOf(s, ctx);
  if (n === undefined) return z.NEVER;
  if (n < 1 || n > MAX_SEEDS) {
    ctx.addIssue({ code: "custom", message: `a count must be from 1 to ${MAX_SEEDS}` });
    return z.NEVER;
  }
  return Array.from({ length: n }, (_, i) => i + 1);
});

/** The seeds of a `--seeds` value, or a UsageError naming the part that is wrong. */
export function parseSeeds(s: string): number[] {
  const parsed = SeedsSpec.safeParse(s);
  if (parsed.success) return parsed.data;
  throw new UsageError(`--seeds: ${SEEDS_FORMS}, got "${s}": ${parsed.error.issues[0]!.message}`);
}

/** A number as typed: decimal digits, an optional sign, point and exponent ("" and "0x10" are not). */
function numberOf(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : Number.NaN;
}

/** One value of a numeric engine option, checked against that option's own constraints. */
function optionValue(
  option: NumericEngineOption,
  text: string,
  ctx: z.RefinementCtx,
  prefix = "",
): number | undefined {
  const checked = ENGINE_OPTION_VALUES[option].safeParse(numberOf(text));
  if (checked.success) return checked.data;
  ctx.addIssue({ code: "custom", message: `${prefix}${checked.error.issues[0]!.message}, got "${text}"` });
  return undefined;
}

export type SweepSpec = { option: NumericEngineOption; values: number[] };

/** `--sweep option=v1,v2,...`: one numeric engine option, at least one value, no value twice. */
export const SweepSpec = z.string().transform((raw, ctx): SweepSpec => {
  const eq = raw.indexOf("=");
  const key = (eq < 0 ? raw : raw.slice(0, eq)).trim();
  if (eq < 0 || key === "") {
    ctx.addIssue({
      code: "custom",
      message: `expected <option>=<v1,v2,...>, got "${raw}"; options: ${NUMERIC_ENGINE_OPTIONS.join(", ")}`,
    });
    return z.NEVER;
  }
  if (!(NUMERIC_ENGINE_OPTIONS as readonly string[]).includes(key)) {
    ctx.addIssue({
      code: "custom",
      message: `unknown option "${key}"; options: ${NUMERIC_ENGINE_OPTIONS.join(", ")}`,
    });
    return z.NEVER;
  }
  const option = key as NumericEngineOption;
  const list = raw.slice(eq + 1);
  if (list.trim() === "") {
    ctx.addIssue({ code: "custom", message: `${option}: expected at least one value` });
    return z.NEVER;
  }
  const values: number[] = [];
  for (const [i, part] of list.split(",").entries()) {
    const text = part.trim();
    if (text === "") {
      ctx.addIssue({ code: "custom", message: `${option}: value ${i + 1} is empty in "${list}"` });
      return z.NEVER;
    }
    const v = optionValue(option, text, ctx, `${option}: `);
    if (v === undefined) return z.NEVER;
    if (values.includes(v)) {
      ctx.addIssue({ code: "custom", message: `${option}: ${v} is listed twice` });
      return z.NEVER;
    }
    values.push(v);
  }
  return { option, values };
});

/** The sweep of a `--sweep` value, or a UsageError naming the option and the bad value. */
export function parseSweep(s: string): SweepSpec {
  const parsed = SweepSpec.safeParse(s);
  if (parsed.success) return parsed.data;
  throw new UsageError(`--sweep: ${parsed.error.issues[0]!.message}`);
}

/** A single numeric engine option given as its own flag (--positions: positionsPerLending). */
export function parseEngineOption(flag: string, option: NumericEngineOption, text: string): number {
  const parsed = z
    .string()
    .transform((t, ctx) => optionValue(option, t, ctx) ?? z.NEVER)
    .safeParse(text);
  if (parsed.success) return parsed.data;
  throw new UsageError(`--${flag}: ${parsed.error.issues[0]!.message}`);
}

/**
 * Joins a numeric option and a following negative value ("--seeds", "-3") into "--seeds=-3", as
 * a user types it: node's parseArgs would otherwise refuse it as ambiguous, and the option's own
 * check gives the plain message.
 */
export function joinNegativeValues(argv: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (flags.includes(a) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
